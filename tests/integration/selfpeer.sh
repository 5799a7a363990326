#!/bin/bash
# selfpeer.sh: a hub never peers with itself (security review, finding 4).
# A [peer] at one of the hub's own addresses, or at a loopback, multicast
# or broadcast one, is refused by tunneld -n and on reload; a listing that
# names the hub's own address is skipped with one log line, the other
# instances of it are taken, and the real tunnels keep working.
. "$(dirname "$0")/lib.sh"
lib_init
topology
start_all vxlan 4
ping_ok vm1 10.10.0.21
cp "$WORK/hub.conf" "$WORK/hub.good"
for a in 10.200.0.1 fd00:200::1 127.0.0.1 ::1 224.0.0.5 255.255.255.255 0.0.0.0 ff02::1; do
	cp "$WORK/hub.good" "$WORK/hub.conf"
	printf '\n[peer self]\naddress = %s\n' "$a" >> "$WORK/hub.conf"
	out=$(nsx hub "$TUNNELD" -n -c "$WORK/hub.conf" 2>&1) && fail "tunneld -n took a peer at $a"
	echo "$out" | grep -q "\[peer self\] address: \"$a\" cannot be a peer" ||
	    fail "no reason for refusing $a: $out"
	rc=0; ctl hub reload >/dev/null 2>&1 || rc=$?
	[ "$rc" = 1 ] || fail "reload with a peer at $a exited $rc, not 1"
done
log "peers at the hub's own, loopback, multicast and broadcast addresses refused"
# Off-host (-n --offline) this host's addresses say nothing; loopback does.
cp "$WORK/hub.good" "$WORK/hub.conf"
printf '\n[peer self]\naddress = 10.200.0.1\n' >> "$WORK/hub.conf"
nsx hub "$TUNNELD" -n --offline -c "$WORK/hub.conf" >/dev/null ||
    fail "--offline judged a peer by this host's addresses"
sed -i 's/^address = 10.200.0.1$/address = 127.0.0.1/' "$WORK/hub.conf"
nsx hub "$TUNNELD" -n --offline -c "$WORK/hub.conf" >/dev/null 2>&1 &&
    fail "--offline took a loopback peer"
# A static listing with the hub's own address in it: skipped, once.
cp "$WORK/hub.good" "$WORK/hub.conf"
printf '\n[provider lab]\ntype = static\ninstances = me=10.200.0.1, stranger=10.200.0.9\nrefresh = 1\n' >> "$WORK/hub.conf"
ctl hub reload >/dev/null || fail "reload with a static provider refused"
sleep 3.5
ctl hub --json peers | grep -q '"name": "lab/stranger"' || fail "lab/stranger not added"
ctl hub --json peers | grep -q '"name": "lab/me"' && fail "the hub peered with itself"
[ "$(grep -c "discovery lab: 1 instances skipped: their address cannot be a peer (instance me at 10.200.0.1: an address of this host)" "$WORK/hub.log")" = 1 ] ||
    { grep "discovery lab" "$WORK/hub.log"; fail "skip not logged exactly once over several listings"; }
[ "$(ctl hub --json discovery | python3 -c 'import json,sys; print(json.load(sys.stdin)["providers"][0]["refused_addresses"])')" = 1 ] ||
    fail "refused_addresses not reported"
ping_ok vm1 10.10.0.21
ping_ok vm1 10.10.0.22
echo "PASS: no peer at the hub's own or a non-unicast address"
