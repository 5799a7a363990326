#!/bin/bash
# perf.sh: tunnelctl perf between the hub and an encrypted spoke (keying-lib.sh
# sets them up: VXLAN with ESP, rekeying every 3 s): 5-second TCP and UDP
# tests through the tunnel, 3-second ones over the underlay, reversed too;
# nothing of them reaches either pod's TAP; a second test at once is
# refused as busy from either end; a client killed mid-test leaves both
# daemons idle and ready, and the underlay test's port closed; a test frame
# from a stranger opens nothing.
. "$(dirname "$0")/keying-lib.sh"
start_daemon hub
start_daemon spoke1
wait_keyed spoke1 hub
wait_keyed hub spoke1

# tap NODE: packets through the pod TAP both ways (the bridge's port).
tap() {
	nsx "$1" cat /sys/class/net/tn-pod/statistics/rx_packets \
	    /sys/class/net/tn-pod/statistics/tx_packets | paste -sd+ | bc
}
# perf_json OUT ARGS...: run a test with --json into $WORK/OUT.json.
perf_json() {
	local out=$1
	shift
	ctl hub perf spoke1 --json "$@" > "$WORK/$out.json" 2> "$WORK/$out.err" ||
	    fail "perf $* failed: $(cat "$WORK/$out.err")"
}
# check OUT PYTHON: assert PYTHON (r is the result) holds.
check() {
	python3 - "$WORK/$1.json" "$2" <<'EOF' || fail "perf $1: $2 does not hold: $(cat "$WORK/$1.json")"
import json, sys
r = json.load(open(sys.argv[1]))
e = r["end"]
s, v = e["sender"], e["receiver"]
ok = eval(sys.argv[2])
sys.exit(0 if ok else 1)
EOF
}
hub_tap=$(tap hub)
spoke_tap=$(tap spoke1)
tx0=$(peer_field hub spoke1 tx_bytes)

perf_json tcp --time 5
check tcp 's["bytes"] > 10e6 and 0 < v["bytes"] <= s["bytes"]'
check tcp 'v["bits_per_second"] > 50e6 and "retransmits" in s and s["cwnd"] > 0'
check tcp 'len([i for i in r["intervals"] if i["side"] == "sender"]) >= 5'
check tcp 'r["start"]["mtu"] > 1000 and r["start"]["streams"] == 1'
tx1=$(peer_field hub spoke1 tx_bytes)
python3 -c "import sys; sys.exit(0 if $tx1 - $tx0 >= $(python3 -c "import json; print(json.load(open('$WORK/tcp.json'))['end']['receiver']['bytes'])") else 1)" ||
    fail "the test's bytes did not cross the tunnel to spoke1 ($tx0 -> $tx1)"
log "TCP through the tunnel: $(python3 -c "import json; print(round(json.load(open('$WORK/tcp.json'))['end']['receiver']['bits_per_second'] / 1e6), 'Mbit/s')")"

perf_json udp --time 5 --udp --bitrate 50M
check udp 'abs(v["bits_per_second"] - 50e6) < 5e6 and v["lost_percent"] < 1'
check udp 'v["packets"] + v["lost"] == s["packets"] and v["jitter_ms"] >= 0'
log "UDP through the tunnel: $(python3 -c "import json; e=json.load(open('$WORK/udp.json'))['end']['receiver']; print(round(e['bits_per_second'] / 1e6), 'Mbit/s, lost', e['lost'], 'jitter', round(e['jitter_ms'], 3), 'ms')")"

perf_json ul --time 3 --underlay
check ul 'v["bytes"] > 10e6 and r["start"]["underlay"]'
perf_json ulu --time 3 --underlay --udp --bitrate 20M
check ulu 'abs(v["bits_per_second"] - 20e6) < 2e6'
perf_json rev --time 3 --reverse --parallel 2
check rev 'v["bytes"] > 10e6 and s["streams"] == 2 and v["streams"] == 2'
log "underlay TCP and UDP, reversed with 2 streams: done"

# Nothing of the tests went through either pod's TAP (a few frames of
# the pod's own may: allow 20).
[ $(( $(tap hub) - hub_tap )) -le 20 ] ||
    fail "the hub's pod TAP carried $(( $(tap hub) - hub_tap )) packets during the tests"
[ $(( $(tap spoke1) - spoke_tap )) -le 20 ] ||
    fail "spoke1's pod TAP carried $(( $(tap spoke1) - spoke_tap )) packets during the tests"

# One test per peer at a time, from either end.
ctl hub perf spoke1 --time 4 > "$WORK/long.out" 2>&1 &
long=$!
PIDS="$PIDS $long"
sleep 1
if ctl hub perf spoke1 --time 1 > "$WORK/busy.out" 2>&1; then
	fail "a second test to spoke1 ran: $(cat "$WORK/busy.out")"
fi
grep -q busy "$WORK/busy.out" || fail "no busy: $(cat "$WORK/busy.out")"
if ctl spoke1 perf hub --time 1 > "$WORK/busy2.out" 2>&1; then
	fail "spoke1 ran a test to the hub while the hub's ran"
fi
grep -q busy "$WORK/busy2.out" || fail "no busy from spoke1: $(cat "$WORK/busy2.out")"
wait "$long" || fail "the first test failed: $(cat "$WORK/long.out")"

# running NODE: the tests the daemon runs.
running() { ctl "$1" --json counters | python3 -c 'import json, sys; print(json.load(sys.stdin)["perf"]["running"])'; }
listening() { nsx spoke1 ss -Hltn 'sport = :4791' | wc -l; }
# kill_client ARGS...: a test with ARGS whose tunnelctl is killed after 2 s;
# until both daemons run nothing (3 s at most); $i: tenths of a second.
kill_client() {
	"$TUNNELCTL" -s "$WORK/hub/ctl.sock" perf spoke1 --time 30 "$@" > /dev/null 2>&1 &
	victim=$! # (tunnelctl itself, not a subshell running ctl)
	sleep 2
	[ "$(running hub)" = 1 ] && [ "$(running spoke1)" = 1 ] || fail "the test did not run at both ends"
	seen=$(listening)
	kill -9 "$victim"
	wait "$victim" 2>/dev/null || true
	for i in $(seq 1 30); do
		[ "$(running hub)" = 0 ] && [ "$(running spoke1)" = 0 ] && [ "$(listening)" = 0 ] && return 0
		sleep 0.1
	done
	fail "a killed client's test still runs: hub $(running hub), spoke1 $(running spoke1), perf-port listeners $(listening)"
}
# A client killed in the middle: both ends end the test at once.
kill_client
grep -q "cancelled" "$WORK/spoke1.log" || fail "spoke1 was not told of the cancel"
perf_json after --time 1
check after 'v["bytes"] > 0'
log "busy refused from both ends; a killed client's test ended at both within $((i / 10)).$((i % 10)) s"
# The same over the underlay: its port (perf-port, 4791) is open at the
# receiving end while the test runs, and closed once the client is gone.
kill_client --underlay
[ "$seen" = 1 ] || fail "no listener on perf-port during the underlay test"

# A stranger's test frame (VXLAN, 'TDT') opens nothing and is counted.
served=$(ctl spoke1 --json counters | python3 -c 'import json, sys; print(json.load(sys.stdin)["perf"]["served"])')
unknown0=$(ctl hub --json counters | python3 -c 'import json, sys; print(json.load(sys.stdin)["drops"].get("unknown_source", 0))')
nsx stranger python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
hdr = bytes([0, ord("T"), ord("D"), ord("T"), 0, 0, 1, 0])
for i in range(10):
    s.sendto(hdr + bytes(64), ("10.200.0.1", 4789))
'
sleep 0.5
unknown1=$(ctl hub --json counters | python3 -c 'import json, sys; print(json.load(sys.stdin)["drops"].get("unknown_source", 0))')
[ "$unknown1" -ge $((unknown0 + 10)) ] || fail "the stranger's test frames were not counted ($unknown0 -> $unknown1)"
[ "$(running hub)" = 0 ] || fail "a stranger's frames started a test"
echo "PASS: tunnelctl perf through an encrypted tunnel and over the underlay"
