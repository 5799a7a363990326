#!/bin/bash
# discovery.sh: a hub finds its spokes through an OpenStack API.
#
# A fake Keystone + Nova (tests/providers/fakecloud.py, serving the
# published Nova sample with the server entries templated to the spoke
# namespaces' underlay addresses) runs in the hub's namespace.  Both
# tunnels come up from discovery alone and pass traffic; a server moving
# to a new address is updated in place; a server that leaves the answer
# loses its tunnel after the grace period while the other keeps passing
# traffic; while the API fails, the remaining tunnel stays and the error
# shows in tunnelctl discovery; no credential reaches a log or the socket.
. "$(dirname "$0")/lib.sh"
lib_init
topology
SECRET=$LAB_PASSWORD

# Start the fake cloud in the hub's namespace with both spokes listed.
lab false spoke1:10.200.0.2 spoke2:10.200.0.3
start_fakecloud
hub_conf vxlan 4
lab_provider 5
spoke_conf spoke1 vxlan 4
spoke_conf spoke2 vxlan 4
start_daemon hub; start_daemon spoke1; start_daemon spoke2
spoke_addr spoke1 21
spoke_addr spoke2 22

# A field of provider lab from tunnelctl discovery --json.
disc() {
	ctl hub --json discovery | python3 -c '
import json, sys
p = json.load(sys.stdin)["providers"][0]
v = p
for k in sys.argv[1].split("."):
    v = v.get(k) if isinstance(v, dict) else None
print(v)' "$1"
}
peer_names() {
	ctl hub --json peers | python3 -c '
import json, sys
print(" ".join(sorted(p["name"] for p in json.load(sys.stdin)["peers"])))'
}
# Wait up to $1 seconds for command $2... to succeed.
wait_for() {
	local t=$1 i; shift
	for i in $(seq 1 $((t * 5))); do "$@" && return 0; sleep 0.2; done
	return 1
}
names_are() { [ "$(peer_names)" = "$1" ]; }

wait_for 10 names_are "lab/spoke1 lab/spoke2" ||
    fail "discovered peers are '$(peer_names)', not lab/spoke1 lab/spoke2"
[ "$(disc state)" = ok ] || fail "provider state $(disc state)"
[ "$(disc instances)" = 2 ] || fail "instances $(disc instances), not 2"
ping_ok vm1 10.10.0.21
ping_ok vm2 10.10.0.22
log "both discovered tunnels pass traffic"

# A reload that changes the provider keeps its tunnels until it lists again.
# The daemon runs as nobody by then: the credentials file must be its.
chown nobody "$WORK/lab.cred"
sed -i 's/^grace = 5$/grace = 6/' "$WORK/hub.conf"
ctl hub reload >/dev/null || fail "reload refused: $(tail -n 3 "$WORK/hub.log")"
names_are "lab/spoke1 lab/spoke2" || fail "reload dropped discovered peers: $(peer_names)"
ping_ok vm1 10.10.0.21
sed -i 's/^grace = 6$/grace = 5/' "$WORK/hub.conf"
ctl hub reload >/dev/null || fail "second reload refused"
log "reloads keep discovered tunnels"

# spoke2 moves (to the stranger's address): same peer, new address.
tx_before=$(peer_field hub lab/spoke2 tx_packets)
lab false spoke1:10.200.0.2 spoke2:10.200.0.9
addr_is() { [ "$(ctl hub --json peers | python3 -c '
import json, sys
print([p["address"] for p in json.load(sys.stdin)["peers"] if p["name"] == "lab/spoke2"][0])')" = "$1" ]; }
wait_for 10 addr_is 10.200.0.9 || fail "lab/spoke2 not moved to 10.200.0.9"
[ "$(peer_field hub lab/spoke2 tx_packets)" -ge "$tx_before" ] ||
    fail "lab/spoke2 was re-created, not updated in place"
log "moved instance updated in place"

# spoke2 leaves: its tunnel goes after the grace period; spoke1 stays.
lab false spoke1:10.200.0.2
leaving() { [ "$(disc pending_removal)" = 1 ] && names_are "lab/spoke1 lab/spoke2"; }
wait_for 5 leaving || fail "lab/spoke2 not kept through the grace period"
wait_for 10 names_are "lab/spoke1" || fail "lab/spoke2 not removed: peers '$(peer_names)'"
ping_ok vm1 10.10.0.21
log "removed instance's tunnel gone, the other passes traffic"

# The API fails for several refreshes: the remaining tunnel stays.
lab true spoke1:10.200.0.2
fails_ge3() { [ "$(disc listing_failures)" -ge 3 ]; }
wait_for 30 fails_ge3 || fail "fewer than 3 failed listings: $(disc listing_failures)"
[ "$(disc state)" = failing ] || fail "state $(disc state) while failing"
[ "$(disc last_error.kind)" = server_error ] || fail "last error $(disc last_error.kind)"
[ "$(peer_names)" = "lab/spoke1" ] || fail "peers changed while the API failed: $(peer_names)"
ping_ok vm1 10.10.0.21
ctl hub discovery | grep -q 'last error' || fail "tunnelctl discovery shows no error"
log "API down for $(disc listing_failures) listings: tunnel kept, error shown"

lab false spoke1:10.200.0.2
wait_for 30 eval '[ "$(disc state)" = ok ]' || fail "no recovery: $(disc state)"

# The password never shows: not in the log, not on the control socket.
for f in "$WORK/hub.log"; do
	grep -qF "$SECRET" "$f" && fail "credential in $f"
done
ctl hub --json discovery | grep -qF "$SECRET" && fail "credential on the control socket"
ctl hub --json status | grep -qF "$SECRET" && fail "credential in status"
echo "PASS: discovery adds, updates, removes and keeps tunnels"
