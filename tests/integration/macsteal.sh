#!/bin/bash
# macsteal.sh: a peer can neither steal a pod VM's MAC nor push the pod's
# MACs out of the hub's table (security review, findings 2 and 3).
#
# spoke2 sends VXLAN frames with vm1's source MAC: the hub keeps vm1 on its
# TAP, drops them as mac_move_refused, logs it, and spoke1 still reaches
# vm1.  Then spoke2 sends 5,000 frames from random source MACs to vm1 (a
# known unicast, so the flood limit does not apply): with mac-limit = 100
# the hub learns at most 100 of them, counts the rest, and the pod's MACs
# stay.  Last, a MAC pinned to spoke1 (macs =) stays spoke1's.
. "$(dirname "$0")/lib.sh"
lib_init
topology
conf_all vxlan 4
sed -i 's/^threads = 2$/threads = 2\nmac-table-size = 256\nmac-limit = 100/' "$WORK/hub.conf"
start_configured
ping_ok vm1 10.10.0.21
ping_ok vm2 10.10.0.22
vm1_mac=$(nsx vm1 cat /sys/class/net/eth0/address)

# Where the hub's table has MAC $1: "local", a peer's name, or "none".
fdb_port() {
	ctl hub --json fdb | python3 -c '
import json, sys
e = [e for e in json.load(sys.stdin)["fdb"]["pod"] if e["mac"] == sys.argv[1]]
print(e[0]["port"] if e else "none")' "$1"
}
[ "$(fdb_port "$vm1_mac")" = local ] || fail "vm1 not learned on the TAP"
nsx spoke2 python3 "$TESTDIR/macjunk.py" steal 10.200.0.1 "$vm1_mac"
sleep 0.3
[ "$(fdb_port "$vm1_mac")" = local ] || fail "spoke2 took vm1's MAC: now at $(fdb_port "$vm1_mac")"
n=$(peer_field hub spoke2 drops.mac_move_refused)
[ "$n" -ge 3 ] || fail "stolen frames not counted ($n)"
grep -q "MAC $vm1_mac live elsewhere, not moved to spoke2" "$WORK/hub.log" || fail "refused move not logged"
ping_ok spoke1 10.10.0.11
log "vm1's MAC stayed on the TAP; $n frames from spoke2 dropped"

nsx spoke2 python3 "$TESTDIR/macjunk.py" flood 10.200.0.1 "$vm1_mac" 5000
sleep 0.5
at_spoke2=$(ctl hub --json fdb | python3 -c '
import json, sys
print(sum(e["port"] == "spoke2" for e in json.load(sys.stdin)["fdb"]["pod"]))')
[ "$at_spoke2" -le 100 ] || fail "spoke2 holds $at_spoke2 MACs, above mac-limit 100"
n=$(peer_field hub spoke2 mac_unlearned)
[ "$n" -ge 4800 ] || fail "only $n source MACs counted as not learned"
[ "$(fdb_port "$vm1_mac")" = local ] || fail "vm1's entry pushed out"
ping_ok vm1 10.10.0.21
ping_ok spoke1 10.10.0.12
log "spoke2 holds $at_spoke2 MACs; $n not learned; the pod's stay"
ctl hub counters | grep -Eq "^fdb pod: .*moves refused [1-9][0-9]*, not learned at mac-limit [1-9][0-9]*$" ||
    fail "counters text: $(ctl hub counters | grep '^fdb')"
# A MAC pinned to spoke1 (macs =) is spoke1's whatever others send.
s1_mac=$(nsx spoke1 cat /sys/class/net/tn-pod/address)
sed -i "/^\[peer spoke1\]$/a macs = $s1_mac" "$WORK/hub.conf"
ctl hub reload >/dev/null || fail "reload with macs = refused"
[ "$(fdb_port "$s1_mac")" = spoke1 ] || fail "pinned MAC at $(fdb_port "$s1_mac"), not spoke1"
ctl hub --json fdb | grep -q '"static": true' || fail "pinned MAC not static"
before=$(peer_field hub spoke2 drops.mac_move_refused)
nsx spoke2 python3 "$TESTDIR/macjunk.py" steal 10.200.0.1 "$s1_mac"
sleep 0.3
[ "$(fdb_port "$s1_mac")" = spoke1 ] || fail "spoke2 took spoke1's pinned MAC"
[ "$(peer_field hub spoke2 drops.mac_move_refused)" -ge $((before + 3)) ] ||
    fail "frames with a pinned MAC not dropped"
ping_ok spoke1 10.10.0.11
log "spoke1's pinned MAC stayed spoke1's"
kill -0 "$(daemon_pid hub)" || fail "hub died"
echo "PASS: no MAC stealing, no table exhaustion"
