#!/bin/bash
# offload.sh: 100 MB TCP transfers through the tunnel arrive byte-identical
# with offloads on (TAP TSO in, UDP GSO/GRO, userspace GRO out) and off,
# both directions, IPv4 inner over IPv4 outer and IPv6 inner over IPv6
# outer.  With offloads on, the counters prove the offload path ran.  The
# IPv6 runs give the hub busy-poll = 500, so polling carries them too.
. "$(dirname "$0")/lib.sh"
lib_init
topology
MB=${OFFLOAD_TEST_MB:-100}

# Segment counter $2 of daemon $1 (tso_frames, gro_frames, offload).
seg_field() {
	ctl "$1" --json status | python3 -c '
import json, sys
print(json.load(sys.stdin)["segments"][0][sys.argv[1]])' "$2"
}

# Counter $3 of daemon $1's peer $2 (tx_trains; drops oversize: a path).
peer_field() {
	local n=$1; shift
	ctl "$n" --json peers | python3 -c '
import json, sys
for p in json.load(sys.stdin)["peers"]:
    if p["name"] == sys.argv[1]:
        for k in sys.argv[2:]:
            p = p.get(k, 0)
        print(p)' "$@"
}

# Bursts of 200 small UDP datagrams vm1 -> spoke1 until the hub has sent
# some as one UDP GSO train (at most 20 bursts); prints the trains.
small_trains() {
	local before after i
	before=$(peer_field hub spoke1 tx_trains)
	for i in $(seq 20); do
		nsx vm1 python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(200):
    s.sendto(b"x" * 32, ("10.10.0.21", 9))'
		after=$(peer_field hub spoke1 tx_trains)
		[ "$after" = "$before" ] || break
	done
	echo $((after - before))
}

# A train too large for the underlay (hub's ul0 lowered to 1400 bytes):
# the kernel refuses it whole, tunneld sends its datagrams singly, and
# each is counted as oversize, not as a send error; then the tunnel works.
oversize_trains() {
	local over tx_err
	over=$(peer_field hub spoke1 drops oversize)
	tx_err=$(counter hub drops tx_error)
	nsx hub ip link set ul0 mtu 1400
	nsx vm1 python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(200):
    s.sendto(b"x" * 1400, ("10.10.0.21", 9))'
	nsx hub ip link set ul0 mtu 1600
	[ "$(peer_field hub spoke1 drops oversize)" -ge $((over + 200)) ] ||
	    fail "oversize frames in a train were not counted as oversize"
	[ "$(counter hub drops tx_error)" = "$tx_err" ] || fail "oversize counted as tx_error"
	ping_ok vm1 10.10.0.21
}

# IPv6 inside the overlay between vm1 and spoke1.
inner_v6() {
	nsx vm1 sysctl -qw net.ipv6.conf.eth0.disable_ipv6=0
	nsx vm1 ip -6 addr replace fd10::11/64 dev eth0 nodad
	nsx spoke1 sysctl -qw net.ipv6.conf.tn-pod.disable_ipv6=0
	nsx spoke1 ip -6 addr replace fd10::21/64 dev tn-pod nodad
	nsx vm1 ping -6 -q -c 3 -i 0.2 -W 2 fd10::21 >/dev/null || fail "ping6 through the tunnel"
}

run() {	# $1 offload yes|no, $2 outer family
	local off=$1 fam=$2 n
	hub_conf vxlan "$fam" spoke1:2 spoke2:3
	spoke_conf spoke1 vxlan "$fam"
	spoke_conf spoke2 vxlan "$fam"
	for n in hub spoke1 spoke2; do
		sed -i "/^\[daemon\]/a offload = $off" "$WORK/$n.conf"
		[ "$n$fam" != hub6 ] || sed -i "/^\[daemon\]/a busy-poll = 500" "$WORK/hub.conf"
		start_daemon "$n"
	done
	if [ "$fam" = 6 ]; then
		ctl hub status | grep -q 'busy-poll 500 us' || fail "status does not say busy-poll 500 us"
	fi
	spoke_addr spoke1 21
	nsx vm1 ip neigh flush all	# the new TAP has a new MAC
	ping_ok vm1 10.10.0.21
	if [ "$fam" = 4 ]; then
		tcp_transfer vm1 spoke1 10.10.0.21 "$MB"
		tcp_transfer spoke1 vm1 10.10.0.11 "$MB"
	else
		inner_v6
		tcp_transfer vm1 spoke1 fd10::21 "$MB"
		tcp_transfer spoke1 vm1 fd10::11 "$MB"
	fi
	if [ "$off" = yes ]; then
		[ "$(seg_field hub offload)" = True ] || fail "hub offload not on"
		[ "$(seg_field hub tso_frames)" -gt 0 ] || fail "hub cut no TSO frames"
		[ "$(seg_field spoke1 tso_frames)" -gt 0 ] || fail "spoke1 cut no TSO frames"
		[ "$(seg_field hub gro_frames)" -gt 0 ] || fail "hub wrote no GRO frames"
		[ "$(seg_field spoke1 gro_frames)" -gt 0 ] || fail "spoke1 wrote no GRO frames"
		ctl hub status | grep -q 'UDP GSO on' || fail "status does not say UDP GSO on"
		[ "$(peer_field hub spoke1 tx_trains)" -gt 0 ] || fail "hub sent no UDP GSO trains"
		[ "$fam" = 6 ] || [ "$(small_trains)" -gt 0 ] || fail "small frames never left as a train"
		[ "$fam" = 6 ] || oversize_trains
	else
		[ "$(seg_field hub offload)" = False ] || fail "hub offload not off"
		[ "$(seg_field hub tso_frames)" = 0 ] || fail "TSO frames with offload off"
		[ "$(peer_field hub spoke1 tx_trains)" = 0 ] || fail "UDP GSO trains with offload off"
	fi
	[ "$(counter hub drops bad_vnet_header)" = 0 ] || fail "bad vnet headers counted"
	log "offload=$off IPv$fam: $MB MB both ways identical (hub TSO $(seg_field hub tso_frames), GRO $(seg_field hub gro_frames))"
	for n in hub spoke1 spoke2; do
		kill "$(daemon_pid "$n")"; wait "$(daemon_pid "$n")" 2>/dev/null || true
	done
}

run yes 4
run yes 6
run no 4
run no 6
echo "PASS: TCP through the tunnel with offloads on and off"
