#!/bin/bash
# health.sh: path health from in-band probes (issue 12).  A hub and one
# spoke, with an impairment relay (impair.py) as a bump in the underlay
# wire between them:
#   - with 10 ms of delay each way, both report an RTT of 20 ms +- 5;
#   - with 10% of the frames from the hub to the spoke lost, the hub
#     reports a loss between 5% and 15% over its window, and its path MTU
#     stays 1500 (random loss is not an MTU black hole);
#   - with the link cut, the peer is down within dead-after, logged once
#     with the reason, and up again within 2 s of the link's return; its
#     path MTU is the same after the cut as before;
#   - probes are never frames: nothing reaches the spoke's TAP or the pod;
#   - subscribe streams status and health replies once a second.
# Probes every 50 ms and a 20 s window keep it short and the figures firm.
. "$(dirname "$0")/lib.sh"
lib_init
command -v ethtool >/dev/null || skip "ethtool not installed"

add_ns hub; add_ns spoke1; add_ns relay
for n in hub spoke1; do
	ip link add ul0 netns "$(ns "$n")" type veth peer "r-$n" netns "$(ns relay)"
	nsx relay ip link set "r-$n" up promisc on
	# The relay copies frames as they are: no checksum or segmentation
	# work may be left for a NIC to do.
	nsx "$n" ethtool -K ul0 tx off tso off gso off >/dev/null
	nsx "$n" ip link set ul0 up
	nsx "$n" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
done
nsx hub ip addr add 10.200.0.1/24 dev ul0
nsx spoke1 ip addr add 10.200.0.2/24 dev ul0
echo "delay_ms=10" > "$WORK/impair"
nsx relay python3 "$TESTDIR/impair.py" r-hub r-spoke1 "$WORK/impair" 90 \
    2> "$WORK/relay.log" &
PIDS="$PIDS $!"
# The relay runs and ARP is resolved before the first probe: a probe held
# in the neighbour queue would count its wait as RTT.
for _ in $(seq 50); do
	nsx hub ping -q -c 1 -W 1 10.200.0.2 >/dev/null 2>&1 && break
done
nsx spoke1 ping -q -c 1 -W 1 10.200.0.1 >/dev/null 2>&1 || fail "no path through the relay"
nsx hub ip link add br-pod type bridge
nsx hub ip link set br-pod up

probe_keys='probe-interval = 50ms\ndead-after = 1s\nprobe-window = 20s\n'
hub_conf vxlan 4 spoke1:2
spoke_conf spoke1 vxlan 4
for n in hub spoke1; do
	sed -i "s/^threads = 2$/threads = 2\n$probe_keys/" "$WORK/$n.conf"
done
start_daemon hub; start_daemon spoke1

# A health field of a peer: $1 node, $2 peer, $3 dotted path.
health() {
	ctl "$1" --json health | python3 -c '
import json, sys
p = [p for p in json.load(sys.stdin)["peers"] if p["name"] == sys.argv[1]][0]
for k in sys.argv[2].split("."):
    p = p[k] if isinstance(p, dict) and p.get(k) is not None else None
print("null" if p is None else p)' "$2" "$3"
}
# Wait up to $4 s for $1's peer $2 to be in state $3; prints the seconds.
wait_state() {
	local t0 now
	t0=$(date +%s.%N)
	while :; do
		[ "$(health "$1" "$2" state)" = "$3" ] && break
		now=$(date +%s.%N)
		if awk -v a="$t0" -v b="$now" -v m="$4" 'BEGIN { exit !(b - a > m) }'; then
			fail "$1: peer $2 not $3 within $4 s: $(ctl "$1" health)"
		fi
		sleep 0.05
	done
	awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'
}
in_range() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v >= lo && v <= hi) }'; }

log "delay: 10 ms each way"
wait_state hub spoke1 up 5 >/dev/null
wait_state spoke1 hub up 5 >/dev/null
sleep 3
# The relay is a Python process: while the parallel suite starts up, the
# scheduler can hold it for milliseconds.  The minimum must be right at
# once; the mean gets up to 20 s to settle once such a burst has passed.
for pair in "hub spoke1" "spoke1 hub"; do
	set -- $pair
	min=$(health "$1" "$2" rtt_ms.min)
	in_range "$min" 19.5 25 || fail "$1: RTT min to $2 is $min ms, not 20 to 25: $(ctl "$1" health)"
	for try in 1 2 3 4 5; do
		avg=$(health "$1" "$2" rtt_ms.avg)
		in_range "$avg" 15 25 && break
		[ "$try" -lt 5 ] || fail "$1: RTT to $2 is $avg ms, not 20 +- 5: $(ctl "$1" health)"
		log "$1 -> $2: RTT avg $avg ms while the machine is busy; again in 5 s"
		sleep 5
	done
	log "$1 -> $2: RTT avg $avg ms, min $min, jitter $(health "$1" "$2" rtt_ms.jitter)"
done
ctl hub health

log "loss: 10% from the hub to the spoke, for longer than the window"
echo "loss_ab=10" > "$WORK/impair"
sleep 21
loss=$(health hub spoke1 loss_pct)
in_range "$loss" 5 15 || fail "hub: loss to spoke1 is $loss%, not 10 +- 5 ($(health hub spoke1 window_judged) probes)"
log "hub: loss $loss% over $(health hub spoke1 window_judged) probes"
[ "$(health hub spoke1 state)" = up ] || fail "10% loss took the peer down"
avg=$(health hub spoke1 rtt_ms.avg)
in_range "$avg" 0 5 || fail "hub: RTT without delay is $avg ms"

log "cut"
# 10% random loss is not a black hole: the path MTU is still the path's.
pmtu_before=$(health hub spoke1 mtu.pmtu)
[ "$pmtu_before" = 1500 ] || fail "random loss moved the path MTU to $pmtu_before"
echo "cut=1" > "$WORK/impair"
t=$(wait_state hub spoke1 down 3)
# The daemon's own account: from its last answer to the change of state.
quiet=$(ctl hub --json health | python3 -c '
import json, sys
p = [p for p in json.load(sys.stdin)["peers"] if p["name"] == "spoke1"][0]
print("%.3f" % (p["last_answer_s"] - p["since_s"]))')
in_range "$quiet" 0.9 1.15 || fail "hub: down $quiet s after the last answer, not dead-after (1 s)"
log "hub: spoke1 down $quiet s after its last answer (seen here after $t s)"
t=$(wait_state spoke1 hub down 3)
grep -q "peer spoke1: down: no probe answered for 1000 ms" "$WORK/hub.log" ||
    fail "no log line for the peer going down"
echo "" > "$WORK/impair"
t=$(wait_state hub spoke1 up 2)
log "hub: spoke1 up $t s after the link came back"
# The outage lost every probe, whatever its size: it must not have moved
# the path MTU (the search waits while the small probes go unanswered).
sleep 1
[ "$(health hub spoke1 mtu.pmtu)" = "$pmtu_before" ] ||
    fail "the cut moved the path MTU: $pmtu_before -> $(health hub spoke1 mtu.pmtu)"
[ "$(health hub spoke1 mtu.black_hole)" = False ] || fail "the cut left a black hole"
[ "$(grep -c 'peer spoke1: down' "$WORK/hub.log")" = 1 ] || fail "down logged more than once"
# The events say the same as the log: down once, then up, in that order.
ctl hub events | grep ' state .*spoke1: ' | tail -2 | awk '{ print $4, $5, $6 }' > "$WORK/ev"
printf 'warn state spoke1:\ninfo state spoke1:\n' | cmp -s - "$WORK/ev" ||
    fail "events: $(ctl hub events)"
ctl hub events | grep -q 'spoke1: down: no probe answered for 1000 ms$' || fail "down event without its reason"

# subscribe streams status and health once a second.
counts=$(timeout 10 python3 -c '
import json, socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"{\"cmd\": \"subscribe\"}\n")
f = s.makefile()
n = {}
end = time.time() + 3.5
while time.time() < end:
    r = json.loads(f.readline())
    n[r["cmd"]] = n.get(r["cmd"], 0) + 1
    if r["cmd"] == "health":
        assert r["data"]["peers"][0]["state"] == "up", r
print(n.get("status", 0), n.get("health", 0))' "$WORK/hub/ctl.sock") || fail "subscribe"
set -- $counts
[ "$1" -ge 3 ] && [ "$2" -ge 3 ] || fail "subscribe gave $1 status and $2 health replies in 3.5 s"

# Probes are never frames: the spoke's TAP and the pod saw none.
[ "$(nsx spoke1 cat /sys/class/net/tn-pod/statistics/tx_packets)" = 0 ] ||
    fail "frames reached the spoke's TAP: $(nsx spoke1 cat /sys/class/net/tn-pod/statistics/tx_packets)"
[ "$(peer_field hub spoke1 drops.bad_probe)" = 0 ] || fail "bad probes counted"
sent=$(health hub spoke1 probes_sent)
answered=$(peer_field spoke1 hub probe_requests_answered)
log "hub sent $sent probes, spoke1 answered $answered"
[ "$answered" -gt 0 ] || fail "spoke1 answered no probes"
echo "PASS: RTT, loss, down and up from probes"
