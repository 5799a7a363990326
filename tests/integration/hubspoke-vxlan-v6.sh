#!/bin/sh
exec "$(dirname "$0")/hubspoke.sh" vxlan 6
