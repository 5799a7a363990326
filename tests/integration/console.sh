#!/bin/bash
# console.sh: tunneltop in a real terminal (issue 13).  The hub and two
# spokes of lib.sh over VXLAN, probing every 200 ms: spoke1 from the config,
# spoke2 found through a fake OpenStack (tests/providers/fakecloud.py) as
# lab/spoke2.  tunneltop runs on the hub inside tmux (its own server),
# driven with send-keys and read with capture-pane, first at 160x48, then
# resized to 80x24:
#   - both peers and their state are on the screen; the rate to spoke1
#     rises to Mb/s while iperf3 runs and falls after;
#   - the detail view, the help, sorting (RTT, inverted) and the filter
#     open and work; Esc returns;
#   - the discovery pane shows the provider ok, then failing with its
#     error while the API fails (the peer kept), then ok again;
#   - spoke1's underlay drops to MTU 1400 (a silent black hole): the
#     FRAME flag and the advice appear; back at 1600, "p" searches the
#     path again and the flag clears;
#   - spoke2's link is cut: down with its reason, then up again;
#   - 80x24 after the resize: the header, the table and the footer, no
#     wrapped line; the detail view fits;
#   - the hub's daemon is killed and started again: the console says so
#     and picks up;
#   - NO_COLOR on a vt100 works; without a terminal tunneltop refuses at
#     once instead of spinning; --once --json agrees with tunnelctl --json.
# Every capture is kept in console-captures/ (the test's artifacts).
. "$(dirname "$0")/lib.sh"
lib_init
. "$(dirname "$0")/console-lib.sh"

topology
lab false spoke2:10.200.0.3	# the fake cloud lists spoke2
start_fakecloud
hub_conf vxlan 4 spoke1:2
lab_provider 30
spoke_conf spoke1 vxlan 4
spoke_conf spoke2 vxlan 4
for n in hub spoke1 spoke2; do
	sed -i 's/^threads = 2$/threads = 2\nprobe-interval = 200ms\ndead-after = 2s/' "$WORK/$n.conf"
done
start_configured
ping_ok vm1 10.10.0.21 2

# The table row of tunnel $1 as the screen has it.
row() { $TM capture-pane -t top -p | grep -E "^$1 " | head -1; }

$TM new-session -d -s top -x 160 -y 48 \
    "env LANG=C.UTF-8 TERM=screen $TUNNELTOP -s $WORK/hub/ctl.sock"
log "160x48: both peers and their state"
wait_screen '^spoke1 +config +10\.200\.0\.2 +vxlan +off +up ' 10
wait_screen '^lab/spoke2 +lab +10\.200\.0\.3 +vxlan +off +up ' 8
ping_ok vm1 10.10.0.22 2
wait_screen 'every tunnel is healthy' 5
cap 160x48-start >/dev/null

log "the rate rises while iperf3 runs and falls after"
ip netns exec "$(ns spoke1)" iperf3 -s -1 -B 10.10.0.21 >/dev/null 2>&1 &
PIDS="$PIDS $!"
sleep 0.5
nsx vm1 iperf3 -c 10.10.0.21 -t 6 -b 30M >/dev/null 2>&1 &
iperf=$!
PIDS="$PIDS $iperf"
t0=$SECONDS
until row spoke1 | grep -Eq ' [0-9.]+M '; do
	[ $((SECONDS - t0)) -le 5 ] || fail "no Mb/s rate for spoke1 while iperf3 runs: $(row spoke1)"
	sleep 0.2
done
cap 160x48-traffic >/dev/null
log "during: $(row spoke1)"
wait "$iperf" || fail "iperf3 failed"
t0=$SECONDS
while row spoke1 | grep -Eq ' [0-9.]+M '; do
	[ $((SECONDS - t0)) -le 4 ] || fail "the rate did not fall after iperf3: $(row spoke1)"
	sleep 0.2
done
log "after: $(row spoke1)"

log "detail view, help, sort, filter; Esc returns"
keys Enter
wait_screen 'rx, last 10 minutes' 3
wait_screen '^Counters' 1
wait_screen 'MAC addresses behind it: [1-9]' 3
cap 160x48-detail >/dev/null
keys Escape
wait_screen 'recent events' 2
keys '?'
wait_screen 'keys and columns' 2
keys Escape
wait_screen '^lab/spoke2 ' 2
for i in 1 2 3 4 5 6; do keys s; done
wait_screen 'sort: RTT ms \(largest first\)' 2
# At 160 columns every column shows: the 7th field is the RTT.
rtts() { $TM capture-pane -t top -p | awk '/^TUNNEL /{ t = 1; next } t && /^(spoke|lab)/ { print $7 }'; }
sorted_rtts() { rtts | sort -g "$@"; }
[ "$(rtts)" = "$(sorted_rtts -r)" ] || fail "not sorted by RTT, largest first: $(rtts)"
keys i
[ "$(rtts)" = "$(sorted_rtts)" ] || fail "inverted sort: $(rtts)"
for i in 1 2 3 4 5 6; do keys '<'; done
wait_screen 'sort: TUNNEL( |$)' 2
keys / s p o k e 2 Enter
wait_screen 'filter: spoke2' 2
$TM capture-pane -t top -p | grep -q '^spoke1 ' && fail "the filter left spoke1"
cap 160x48-filter >/dev/null
keys Escape
wait_screen '^spoke1 ' 2

log "discovery pane: ok, failing with its error, ok again"
keys d
wait_screen '^lab +openstack +ok +1 +1 ' 3
lab true spoke2:10.200.0.3
wait_screen '^lab +openstack +failing ' 10
wait_screen 'last error at [0-9:]+: ' 1
cap 160x48-discovery-failing >/dev/null
keys Escape
wait_screen 'discovery: 0 ok, 1 failing of 1' 2
wait_screen '^lab/spoke2 .* up ' 1
lab false spoke2:10.200.0.3
wait_screen 'discovery: 1 ok, 0 failing of 1' 15
keys d
wait_screen '^lab +openstack +ok ' 2
keys Escape

log "a silent black hole on spoke1's path: the flag and the advice"
nsx ul ip link set p-spoke1 mtu 1400
nsx spoke1 ip link set ul0 mtu 1400
t0=$SECONDS
wait_screen '^spoke1 .* 1364! ' 15
wait_screen 'spoke1: black hole: path 1400, TAP pod 1450; set mtu = auto or clamp-mss = yes$' 2
wait_screen '1 black hole,' 1
log "flagged $((SECONDS - t0)) s after the change"
cap 160x48-black-hole >/dev/null
nsx ul ip link set p-spoke1 mtu 1600
nsx spoke1 ip link set ul0 mtu 1600
keys / s p o k e 1 Enter	# select spoke1: the one row the filter leaves
keys p
wait_screen 'spoke1: path MTU search started' 2
keys Escape
wait_screen '^spoke1 .* 1564 ' 5
wait_screen '0 black holes,' 2
wait_screen 'spoke1: MTU black hole over' 2

log "spoke2's link cut: down with its reason, then up"
nsx ul ip link set p-spoke2 down
wait_screen '^lab/spoke2 .* down ' 6
wait_screen 'lab/spoke2: down since [0-9:]+: no probe answered for 2000 ms, last rx' 2
cap 160x48-down >/dev/null
nsx ul ip link set p-spoke2 up
wait_screen '^lab/spoke2 .* up ' 8
# The outage says nothing about sizes: the path MTU stays 1600.
sleep 2
row lab/spoke2 | grep -Eq ' 1600 +1564 ' || fail "the outage moved spoke2's path MTU: $(row lab/spoke2)"
wait_screen '0 black holes,' 1

log "resized to 80x24: still readable"
$TM resize-window -t top -x 80 -y 24
wait_screen '^TUNNEL +STATE +RTT ms +LOSS +PMTU +FRAME +RX b/s +TX b/s DROP/s$' 3
sleep 1.2
cap 80x24 > "$WORK/80x24"
[ "$(wc -l < "$WORK/80x24")" -le 24 ] || fail "more than 24 lines"
head -1 "$WORK/80x24" | grep -q '^ tunneltop  hub (hub)' || fail "no title line"
grep -Eq '^spoke1 +up ' "$WORK/80x24" && grep -Eq '^lab/spoke2 +up ' "$WORK/80x24" || fail "rows garbled at 80x24"
tail -1 "$WORK/80x24" | grep -q '^Enter detail' || fail "no footer on the last line"
awk 'length($0) > 80 { exit 1 }' "$WORK/80x24" || fail "a line wider than 80"
keys Enter
wait_screen 'rx, last 10 minutes' 2
sleep 1.2
cap 80x24-detail >/dev/null
keys Escape

log "the hub's daemon killed and started again"
kill "$(daemon_pid hub)"
wait "$(daemon_pid hub)" 2>/dev/null || true
wait_screen 'tunneld not answering since [0-9:]+ \(last update [0-9:]+\)' 4
wait_screen '^spoke1 ' 1
cap 80x24-daemon-gone >/dev/null
start_daemon hub
wait_screen 'tunneld answers again' 4
wait_screen '^spoke1 +up ' 6
wait_screen '^lab/spoke2 +up ' 6

keys q
sleep 0.5
$TM has-session -t top 2>/dev/null && fail "q did not quit"

log "monochrome on a vt100, NO_COLOR"
$TM new-session -d -s top -x 80 -y 24 \
    "env NO_COLOR=1 TERM=vt100 $TUNNELTOP -s $WORK/hub/ctl.sock"
wait_screen '^spoke1 +up ' 5
cap 80x24-vt100 >/dev/null
keys q

log "without a terminal: refused at once"
out=$(timeout 5 "$TUNNELTOP" -s "$WORK/hub/ctl.sock" < /dev/null 2>&1 | cat) && rc=0 || rc=$?
grep -q "not a terminal" <<< "$out" || fail "tunneltop without a terminal: $out"

log "--once --json agrees with tunnelctl --json"
"$TUNNELTOP" -s "$WORK/hub/ctl.sock" --once --json > "$ART/once.json"
"$TUNNELTOP" -s "$WORK/hub/ctl.sock" --once > "$ART/once.txt"
ctl hub --json peers > "$WORK/peers.json"
ctl hub --json status > "$WORK/status.json"
python3 - "$ART/once.json" "$WORK/peers.json" "$WORK/status.json" <<'EOF' || fail "--once differs from tunnelctl"
import json, sys
once = json.load(open(sys.argv[1]))
peers = {p["name"]: p for p in json.load(open(sys.argv[2]))["peers"]}
status = json.load(open(sys.argv[3]))
bad = []
def same(what, a, b):
    if a != b:
        bad.append("%s: tunneltop %r, tunnelctl %r" % (what, a, b))
same("node", once["node"], status["name"])
same("role", once["role"], status["role"])
same("tunnels", sorted(t["name"] for t in once["tunnels"]), sorted(peers))
for t in once["tunnels"]:
    p = peers[t["name"]]
    h, m = p["health"], p["health"]["mtu"]
    for k in ("source", "address", "port", "encap"):
        same(t["name"] + " " + k, t[k], p[k])
    same(t["name"] + " segments", t["segments"], ",".join(p["segments"]))
    same(t["name"] + " state", t["state"], h["state"])
    for k in ("pmtu", "inner_frame_max", "inner_mtu", "segment_mtu", "black_hole"):
        same(t["name"] + " " + k, t[k], m[k])
    same(t["name"] + " pmtu_source", t["pmtu_source"], m["source"])
    # Counters only grow: tunnelctl asked after tunneltop.
    for k in ("rx_bytes", "tx_bytes", "rx_packets", "tx_packets"):
        if not t[k] <= p[k]:
            bad.append("%s %s: %d > %d" % (t["name"], k, t[k], p[k]))
    if not (t["rx_bps"] is not None and t["rx_bps"] >= 0):
        bad.append(t["name"] + ": no rx rate")
    if abs(t["rtt_ms"]["avg"] - h["rtt_ms"]["avg"]) > 5:
        bad.append(t["name"] + ": RTT %s vs %s" % (t["rtt_ms"]["avg"], h["rtt_ms"]["avg"]))
print("\n".join(bad) or "fields agree: %d tunnels" % len(once["tunnels"]))
sys.exit(1 if bad else 0)
EOF
grep -Eq '^spoke1 +config +10\.200\.0\.2 +vxlan +off +up ' "$ART/once.txt" || fail "--once text: $(cat "$ART/once.txt")"
for n in hub spoke1 spoke2; do kill -0 "$(daemon_pid $n)" || fail "$n died"; done
echo "PASS: tunneltop in tmux at 160x48 and 80x24 (captures in $ART)"
