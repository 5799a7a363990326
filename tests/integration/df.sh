#!/bin/bash
# df.sh: the outer DF bit (df = set | unset | inherit, issue 12).  A hub
# and a spoke through a router namespace whose link to the spoke is at
# MTU 1400 and whose ICMP is blackholed; VXLAN over IPv4, TAP MTU 1450.  From the hub's
# TAP, 1400-byte UDP datagrams (inner packets of 1428 bytes, over the
# 1350 the path carries) with the inner DF clear and set:
#   set      neither arrives: dropped at the hub as oversize, counted;
#   unset    both arrive: the outer packets leave without DF, the router
#            fragments them (its FragOKs counter), the spoke's kernel
#            reassembles them; no black hole is flagged;
#   inherit  the one with the inner DF clear arrives, the other is dropped.
. "$(dirname "$0")/lib.sh"
lib_init

routed_topology
# The spoke's link is the narrow one: packets from the hub may be
# fragmented as they enter it (a veth takes nothing over its MTU, so the
# spoke's own end is narrow too).
nsx router ip link set r-spoke1 mtu 1400
nsx spoke1 ip link set ul0 mtu 1400
nsx router ip rule add ipproto icmp blackhole

# $1 node, $2 role, $3 the other's address, $4 df mode.
df_conf() {
	fast_probe_daemon "$1" "$2" "df = $4"
	cat >> "$WORK/$1.conf" <<CONF

[segment pod]
vni = 100
tap = tn-pod
mtu = 1450

[peer other]
address = $3
encap = vxlan
CONF
}
# Packets the router fragmented (its IP FragOKs counter).
frag_oks() {
	nsx router awk '/^Ip:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "FragOKs") c = i; h = 1 } else print $c }' /proc/net/snmp
}
pmtu_of() {
	ctl hub --json health | python3 -c '
import json, sys
m = json.load(sys.stdin)["peers"][0]["mtu"]
print(m["pmtu"], m["search"], str(m["black_hole"]).lower())'
}
# Send one 1400-byte datagram with the inner DF $1 (do/dont); did it arrive?
arrives() {
	nsx spoke1 timeout 5 python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.50.0.2", 7000))
s.settimeout(2)
open(sys.argv[1], "w").close()
try:
    print(len(s.recv(2000)))
except socket.timeout:
    print(0)' "$WORK/listening" > "$WORK/got" &
	local rx=$!
	for _ in $(seq 50); do [ -e "$WORK/listening" ] && break; sleep 0.05; done
	nsx hub python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, 10, 2 if sys.argv[1] == "do" else 0)
s.sendto(b"x" * 1400, ("10.50.0.2", 7000))' "$1"
	wait "$rx" || true
	rm -f "$WORK/listening"
	[ "$(cat "$WORK/got")" = 1400 ]
}

for mode in set unset inherit; do
	log "df = $mode"
	df_conf hub hub 10.200.2.2 "$mode"
	df_conf spoke1 spoke 10.200.1.2 "$mode"
	start_daemon hub; start_daemon spoke1
	grep -q "outer DF $( [ $mode = inherit ] && echo inherited || echo $mode)" "$WORK/hub.log" ||
	    fail "the log does not say the DF mode"
	nsx hub ip addr add 10.50.0.1/24 dev tn-pod
	nsx spoke1 ip addr add 10.50.0.2/24 dev tn-pod
	ping_ok hub 10.50.0.2 2
	for _ in $(seq 100); do
		case $(pmtu_of) in "1400 done"*) break ;; esac
		sleep 0.1
	done
	read -r pmtu search hole <<< "$(pmtu_of)"
	[ "$pmtu $search" = "1400 done" ] || fail "df = $mode: PMTU $pmtu ($search), not 1400: probes must keep DF"
	# Outer packets over the path's 1400 bytes, without DF, leaving the hub.
	frag0=$(frag_oks)
	want_dont=no; want_do=no
	case $mode in
	unset) want_dont=yes; want_do=yes ;;
	inherit) want_dont=yes ;;
	esac
	got_dont=no; got_do=no
	arrives dont && got_dont=yes
	arrives do && got_do=yes
	frags=$(($(frag_oks) - frag0))
	log "df = $mode: inner DF clear arrived: $got_dont, set: $got_do; packets the router fragmented: $frags; black hole flagged: $hole"
	[ "$got_dont $got_do" = "$want_dont $want_do" ] ||
	    fail "df = $mode: arrived $got_dont/$got_do, wanted $want_dont/$want_do"
	if [ "$mode" = set ]; then
		[ "$frags" = 0 ] || fail "df = set, yet the router fragmented packets"
		[ "$hole" = true ] || fail "df = set: no black hole flagged"
	else
		[ "$frags" -gt 0 ] || fail "df = $mode: the router fragmented nothing"
	fi
	[ "$mode" != unset ] || [ "$hole" = false ] || fail "df = unset flags a black hole"
	[ "$mode" = unset ] || [ "$(peer_field hub other drops.oversize)" -gt 0 ] ||
	    fail "df = $mode: the DF datagram was not counted as oversize"
	for n in hub spoke1; do
		pid=$(daemon_pid "$n"); kill "$pid"; wait "$pid" 2>/dev/null || true
	done
done
echo "PASS: outer DF set, unset and inherited"
