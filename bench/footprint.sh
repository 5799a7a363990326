#!/bin/bash
# footprint.sh: tunneld's resident memory with 1,000 configured peers and
# its CPU time while idle (no traffic), in a namespace of its own.
#
# Usage: bench/footprint.sh [idle seconds, default 10]
# Needs root and a built tree.  Not a test: it prints figures.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
: "${TUNNELD:=$top/tunneld/tunneld}"
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
{
	printf '[daemon]\nrole = hub\ncontrol-socket = %s/ctl.sock\n' "$W"
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
python3 -c "import sys; t, s = int(sys.argv[1]), float(sys.argv[3]); print('idle CPU over %.0f s:  %d ticks = %.2f%% of one core' % (s, t, 100.0 * t / int(sys.argv[2]) / s))" "$((t1 - t0))" "$hz" "$secs"
