#!/bin/bash
# reload.sh: change one peer and add another, SIGHUP: a 10 ms ping on an
# unchanged tunnel loses nothing.  A bad config on reload is refused and
# the old one keeps running.
. "$(dirname "$0")/lib.sh"
lib_init
topology
start_all vxlan 4
ping_ok vm1 10.10.0.21
ping_ok vm2 10.10.0.22
nsx vm1 ping -c 400 -i 0.01 -W 1 10.10.0.21 > "$WORK/ping.out" 2>&1 &
pinger=$!
sleep 1
# spoke2 moves to GRE-in-UDP, a third peer appears.
sed -i '/\[peer spoke2\]/,$ s/^encap = vxlan/encap = gre-udp/' "$WORK/hub.conf"
printf '\n[peer spoke3]\naddress = 10.200.0.9\n' >> "$WORK/hub.conf"
kill -HUP "$(daemon_pid hub)"
sleep 1
cp "$WORK/hub.conf" "$WORK/hub.good"
printf '\n[peer broken]\naddress = not-an-address\n' >> "$WORK/hub.conf"
kill -HUP "$(daemon_pid hub)"
sleep 0.5
wait "$pinger" || true
grep -q " 0% packet loss" "$WORK/ping.out" || { cat "$WORK/ping.out"; fail "ping lost packets across reloads"; }
log "$(grep 'packets transmitted' "$WORK/ping.out")"
grep -q "reload refused, old configuration kept: .*hub.conf:[0-9]*: \[peer broken\] address" "$WORK/hub.log" ||
    fail "bad config not refused with its line"
rc=0; ctl hub reload >/dev/null 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "tunnelctl reload of a bad config exited $rc, not 1"
kill -0 "$(daemon_pid hub)" || fail "hub died on a bad config"
ctl hub --json peers | grep -q '"name": "spoke3"' || fail "spoke3 not added"
[ "$(ctl hub --json peers | python3 -c 'import json,sys; print([p["encap"] for p in json.load(sys.stdin)["peers"] if p["name"]=="spoke2"][0])')" = gre-udp ] ||
    fail "spoke2 not changed to gre-udp"
# spoke2 follows; the changed tunnel works over its new encapsulation.
cp "$WORK/hub.good" "$WORK/hub.conf"
out=$(ctl hub reload) || fail "reload of a good config refused"
# What the reload did, in words (spoke3 stays: hub.good has it).
[ "$out" = "configuration reloaded: segments 0 added, 0 removed, 1 kept; peers 0 added, 0 removed, 0 changed, 3 unchanged" ] ||
    fail "reload said: $out"
ctl hub status | head -n 1 | grep -Eq "^hub: hub, tunneld [0-9.]+, up [0-9]{2}:[0-9]{2}:[0-9]{2}, 3 peers$" ||
    fail "status said: $(ctl hub status | head -n 1)"
ctl hub peers | grep -q "^  segments: pod$" || fail "peers lists no segments"
ctl hub --json status | python3 -c '
import json, sys
d = json.load(sys.stdin)["datapath"]
assert d["threads"] == 2 and d["batch"] == 32, d
assert isinstance(d["udp_gso"], bool) and d["busy_poll_us"] == 0, d' ||
    fail "status gives no structured datapath"
kill "$(daemon_pid spoke2)"; wait "$(daemon_pid spoke2)" 2>/dev/null || true
sed -i 's/^encap = vxlan/encap = gre-udp/' "$WORK/spoke2.conf"
start_daemon spoke2
spoke_addr spoke2 22
ping_ok vm1 10.10.0.22
[ "$(peer_field hub spoke2 rx_packets)" -gt 0 ] || fail "nothing from spoke2 over gre-udp"
echo "PASS: reload keeps unchanged tunnels, refuses bad configs"
