#!/bin/bash
# console-perf.sh: tunneltop's throughput test, in a real terminal (tmux,
# 80x24): "t" on spoke1 opens the form; "-" makes it 5 s; Enter runs it,
# the rate a second grows as a graph and the summary of both ends shows;
# run again with the underlay compare on, Esc in the middle cancels it at
# both daemons, and the screen says so.  Captures go to console-captures/.
. "$(dirname "$0")/lib.sh"
lib_init
. "$(dirname "$0")/console-lib.sh"
topology
hub_conf vxlan 4 spoke1:2
spoke_conf spoke1 vxlan 4
start_daemon hub
start_daemon spoke1
for i in $(seq 1 50); do
	ctl hub health | grep -q "spoke1 .* up" && break
	[ "$i" = 50 ] && fail "spoke1 not up: $(ctl hub health)"
	sleep 0.2
done
running() { ctl "$1" --json counters | python3 -c 'import json, sys; print(json.load(sys.stdin)["perf"]["running"])'; }

$TM new-session -d -s top -x 80 -y 24 \
    "TERM=xterm-256color LANG=C.UTF-8 $TUNNELTOP -s $WORK/hub/ctl.sock"
wait_screen '^ *spoke1 ' 10
keys t
wait_screen 'throughput test with spoke1' 3
wait_screen '\[u\] protocol +TCP' 1
keys -
wait_screen 'duration +5 s' 1
keys Enter
wait_screen 'running through the tunnel' 3
wait_screen '█' 4
cap perf-running >/dev/null
wait_screen '^ *done' 12
wait_screen 'receiver +[0-9.]+ [KMG]?Bytes +[0-9.]+ [KMG]?bits/sec' 1
cap perf-done >/dev/null
awk 'length > 80 { exit 1 }' "$ART/perf-done.txt" || fail "a line wider than 80 columns"
grep -q 'sender .* retransmits' "$ART/perf-done.txt" || fail "no sender line"
log "the test ran from the console: $(grep -E '^ +receiver' "$ART/perf-done.txt")"

# Again, with the underlay first; Esc while it runs.
keys c
wait_screen 'compare +yes' 1
keys Enter
wait_screen 'running over the underlay' 3
[ "$(running hub)" = 1 ] && [ "$(running spoke1)" = 1 ] || fail "the test does not run at both ends"
keys Escape
wait_screen '^ *cancelled' 2
for i in $(seq 1 20); do
	[ "$(running hub)" = 0 ] && [ "$(running spoke1)" = 0 ] && break
	[ "$i" = 20 ] && fail "Esc left the test running: hub $(running hub), spoke1 $(running spoke1)"
	sleep 0.1
done
cap perf-cancelled >/dev/null
# And Esc again leaves the screen; the console is still alive.
keys Escape
wait_screen '^ *spoke1 ' 3
echo "PASS: the console's throughput test: form, graph, summary, cancel"
