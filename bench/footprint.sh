#!/bin/bash
# footprint.sh: tunneld's resident memory with 1,000 configured peers and
# its CPU time while idle (no traffic), in a namespace of its own; then its
# idle CPU once more after a burst of datagrams, with busy-poll at its
# maximum (10 ms), to show that polling ends with the traffic.
#
# Usage: bench/footprint.sh [idle seconds, default 10]
# Needs root and a built tree.  Not a test: it prints figures.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
: "${TUNNELD:=$top/tunneld/tunneld}"
: "${TUNNELCTL:=$top/cli/tunnelctl}"
secs=${1:-10}
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 1; }
NS=fp$$; W=$(mktemp -d /tmp/tunneld-fp.XXXXXX); PID=""
cleanup() {
	[ -z "$PID" ] || { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$W"
}
trap cleanup EXIT
ip netns add "$NS"
ip -n "$NS" link set lo up
# No IPv6 on the TAP: its router solicitations would be traffic.
ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
    net.ipv6.conf.default.disable_ipv6=1
{
	printf '[daemon]\nrole = hub\ncontrol-socket = %s/ctl.sock\n' "$W"
	printf 'busy-poll = 10000\n'
	printf '[segment pod]\nvni = 100\n'
	for i in $(seq 1 1000); do
		printf '[peer p%d]\naddress = 10.%d.%d.%d\n' "$i" $((i / 65536 + 100)) \
		    $((i / 256 % 256)) $((i % 256))
	done
} > "$W/hub.conf"
ip netns exec "$NS" "$TUNNELD" -d -c "$W/hub.conf" > "$W/log" 2>&1 &
PID=$!
for _ in $(seq 50); do [ -S "$W/ctl.sock" ] && break; sleep 0.1; done
sleep 1
ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
t0=$(ticks)
sleep "$secs"
t1=$(ticks)
hz=$(getconf CLK_TCK)
rss=$(awk '/VmRSS/ {print $2}' "/proc/$PID/status")
threads=$(awk '/Threads/ {print $2}' "/proc/$PID/status")
echo "peers configured:     1000 ($(grep -c '^\[peer' "$W/hub.conf") sections)"
echo "threads:              $threads"
echo "resident memory:      $((rss / 1024)) MB ($rss kB)"
cpu() {	# $1 label, $2 ticks
	python3 -c "import sys; t, s = int(sys.argv[2]), float(sys.argv[4]); print('%-21s %d ticks over %.0f s = %.2f%% of one core' % (sys.argv[1], t, s, 100.0 * t / int(sys.argv[3]) / s))" "$1" "$2" "$hz" "$secs"
}
cpu "idle CPU:" "$((t1 - t0))"
# 2000 datagrams from a stranger on loopback wake the data threads (each is
# dropped and counted); then the daemon must fall idle again.
ip netns exec "$NS" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(2000):
    s.sendto(b"\x08" + bytes(15), ("127.0.0.1", 4789))'
sleep 1
t0=$(ticks)
sleep "$secs"
t1=$(ticks)
"$TUNNELCTL" -s "$W/ctl.sock" --json counters | python3 -c '
import json, sys
d = json.load(sys.stdin)["drops_unattributed"]
print("datagrams taken:      %d (dropped as unknown_source)" % d.get("unknown_source", 0))'
cpu "idle after traffic:" "$((t1 - t0))"
