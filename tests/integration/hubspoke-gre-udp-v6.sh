#!/bin/sh
exec "$(dirname "$0")/hubspoke.sh" gre-udp 6
