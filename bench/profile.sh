#!/bin/bash
# profile.sh: where tunneld's data path spends its CPU.  A tunneld pair
# (bench/lib.sh) carries an iperf3 load while perf samples both daemons
# (cpu-clock, all threads, user and kernel); prints the top functions of
# the sender (hub, A) and of the receiver (spoke, B).
#
# Usage: bench/profile.sh [seconds, default 10] [encap, default vxlan]
#                         [iperf3 options, default one TCP stream]
#   e.g. bench/profile.sh 10 vxlan -u -l 64 -b 0
# encap may name a tunneld_pair variant too: vxlan-esp, vxlan-chacha.
# Needs root, a built tree (with -g for names), iperf3 and perf (installed
# from Debian's linux-perf when missing).  Not a test: it prints figures.
set -euo pipefail
secs=${1:-10}; encap=${2:-vxlan}
shift $(($# < 2 ? $# : 2))
. "$(dirname "$0")/lib.sh"
bench_install perf linux-perf
case $encap in
vxlan-*) tunneld_pair vxlan "${encap#vxlan-}" ;;
*)	tunneld_pair "$encap" ;;
esac
read -r hub spoke <<< "$TUNNELD_PIDS"
ip netns exec "$A" iperf3 -c 10.31.0.2 -t $((secs + 2)) "$@" > "$W/iperf3.out" 2>&1 &
load=$!
sleep 1
perf record -q -e cpu-clock -F 1999 -p "$hub,$spoke" -o "$W/perf.data" \
    -- sleep "$secs" 2>/dev/null
wait "$load" || true
grep -E 'sender|receiver' "$W/iperf3.out" | tail -2
for p in "$hub:sender (hub)" "$spoke:receiver (spoke)"; do
	echo "== tunneld $encap ${p#*:}: top functions, % of its samples"
	perf report -i "$W/perf.data" --pid "${p%%:*}" --no-children --percentage relative \
	    --sort sym --stdio --percent-limit 1 2>/dev/null |
	    grep -E '^ +[0-9.]+%' | head -25
done
