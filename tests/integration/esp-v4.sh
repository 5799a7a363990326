#!/bin/sh
exec "$(dirname "$0")/esp.sh" 4
