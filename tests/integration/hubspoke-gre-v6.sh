#!/bin/sh
exec "$(dirname "$0")/hubspoke.sh" gre 6
