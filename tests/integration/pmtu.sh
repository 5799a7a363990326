#!/bin/bash
# pmtu.sh: path MTU discovery and MTU black holes (issue 12).  A hub and a
# spoke in different subnets with a router namespace between them; four
# tunnels between the two daemons, one per encapsulation and family, each
# in a segment of its own (TAP MTU 1450):
#   - over a 1500-byte path each reports the exact inner MTU: VXLAN/IPv4
#     1450, VXLAN/IPv6 1430, GRE/IPv4 1458, GRE-in-UDP/IPv6 1430;
#   - the router's spoke-side port drops to MTU 1400 and its ICMP is
#     blackholed (a silent black hole): within 30 s both daemons report
#     PMTU 1400 and flag the VXLAN/IPv4 tunnel as a black hole, in health
#     and in the log;
#   - a frame larger than the path carries is dropped at the hub, counted
#     against its peer as oversize and logged; status sums it up;
#   - with clamp-mss on the VXLAN/IPv4 segment, TCP through the black hole
#     completes both ways; the VXLAN/IPv6 segment (mtu = auto) follows:
#     1430, 1330, 1430;
#   - the port goes back to 1500: the flag clears at the next search
#     upward (pmtu-interval, 10 s here), logged;
#   - the same drop with ICMP working: the kernel's hint makes the PMTU
#     follow within a few seconds.
. "$(dirname "$0")/lib.sh"
lib_init

routed_topology

# $1 node, $2 role, then the other side's v4 and v6.
pmtu_conf() {
	fast_probe_daemon "$1" "$2" "pmtu-interval = 10s"
	for s in vx4:100 vx6:106 gre4:200 gu6:306; do
		printf '\n[segment %s]\nvni = %s\ntap = tn-%s\nmtu = 1450\n' \
		    "${s%%:*}" "${s##*:}" "${s%%:*}" >> "$WORK/$1.conf"
		case ${s%%:*} in
		vx4) echo "clamp-mss = yes" >> "$WORK/$1.conf" ;;
		vx6) sed -i '$ s/^mtu = 1450$/mtu = auto/' "$WORK/$1.conf" ;;
		esac
	done
	printf '\n[peer vx4]\naddress = %s\nencap = vxlan\nsegments = vx4\n' "$3" >> "$WORK/$1.conf"
	printf '\n[peer vx6]\naddress = %s\nencap = vxlan\nsegments = vx6\n' "$4" >> "$WORK/$1.conf"
	printf '\n[peer gre4]\naddress = %s\nencap = gre\nsegments = gre4\n' "$3" >> "$WORK/$1.conf"
	printf '\n[peer gu6]\naddress = %s\nencap = gre-udp\nsegments = gu6\n' "$4" >> "$WORK/$1.conf"
}
pmtu_conf hub hub 10.200.2.2 fd00:200:2::2
pmtu_conf spoke1 spoke 10.200.1.2 fd00:200:1::2
start_daemon hub; start_daemon spoke1
nsx hub ip addr add 10.50.0.1/24 dev tn-vx4
nsx spoke1 ip addr add 10.50.0.2/24 dev tn-vx4
tap_mtu() { nsx "$1" cat "/sys/class/net/$2/mtu"; }
seg_field() {
	ctl "$1" --json status | python3 -c '
import json, sys
print([s for s in json.load(sys.stdin)["segments"] if s["name"] == sys.argv[1]][0][sys.argv[2]])' "$2" "$3"
}

# A peer's MTU figure: $1 node, $2 peer, $3 field of health's "mtu".
mtu() {
	ctl "$1" --json health | python3 -c '
import json, sys
p = [p for p in json.load(sys.stdin)["peers"] if p["name"] == sys.argv[1]][0]
v = p["mtu"][sys.argv[2]]
print("null" if v is None else str(v).lower())' "$2" "$3"
}
# Wait up to $5 s until $1's peer $2 has mtu field $3 = $4; the seconds it
# took in $waited.
wait_mtu() {
	local t0=$SECONDS
	until [ "$(mtu "$1" "$2" "$3")" = "$4" ]; do
		[ $((SECONDS - t0)) -le "$5" ] ||
		    fail "$1: peer $2 $3 is $(mtu "$1" "$2" "$3"), not $4, after $5 s: $(ctl "$1" health)"
		sleep 0.2
	done
	waited=$((SECONDS - t0))
}
# The router's two ports: the middle of the path.  (A veth takes frames up
# to 4 bytes over its MTU, so only the port a packet leaves by limits it
# exactly: lower both.)
middle_mtu() { nsx router ip link set r-hub mtu "$1"; nsx router ip link set r-spoke1 mtu "$1"; }

log "1500-byte path: the exact inner MTU of each tunnel"
for want in vx4:1450 vx6:1430 gre4:1458 gu6:1430; do
	for n in hub spoke1; do
		wait_mtu "$n" "${want%%:*}" search done 10
		[ "$(mtu "$n" "${want%%:*}" pmtu)" = 1500 ] || fail "$n ${want%%:*}: PMTU $(mtu "$n" "${want%%:*}" pmtu)"
		[ "$(mtu "$n" "${want%%:*}" inner_mtu)" = "${want##*:}" ] ||
		    fail "$n ${want%%:*}: inner MTU $(mtu "$n" "${want%%:*}" inner_mtu), not ${want##*:}"
	done
done
ctl hub health
# mtu = auto: the TAP follows its peer's path.
for n in hub spoke1; do
	[ "$(tap_mtu "$n" tn-vx6)" = 1430 ] || fail "$n: mtu = auto left tn-vx6 at $(tap_mtu "$n" tn-vx6)"
done

log "silent black hole: the router's ports at MTU 1400, no ICMP"
nsx router ip rule add ipproto icmp blackhole
nsx router ip -6 rule add ipproto ipv6-icmp blackhole
t0=$SECONDS
middle_mtu 1400
for n in hub spoke1; do
	wait_mtu "$n" vx4 pmtu 1400 30
	wait_mtu "$n" vx4 black_hole true 2
	log "$n: PMTU 1400 and the black hole found $((SECONDS - t0)) s after the change"
done
[ "$(mtu hub vx4 inner_mtu)" = 1350 ] || fail "inner MTU over 1400: $(mtu hub vx4 inner_mtu)"
[ "$(mtu hub vx4 black_hole_segment)" = vx4 ] || fail "black hole not named"
grep -q "peer vx4: MTU black hole: path MTU 1400 (probe) carries inner frames of up to 1364 bytes (MTU 1350), but segment vx4's TAP MTU is 1450" "$WORK/hub.log" ||
    fail "black hole not logged"
ctl hub health
ctl hub mtu
for n in hub spoke1; do
	[ "$(tap_mtu "$n" tn-vx6)" = 1330 ] || fail "$n: mtu = auto did not follow: tn-vx6 at $(tap_mtu "$n" tn-vx6)"
done
[ "$(mtu hub vx6 black_hole)" = false ] || fail "mtu = auto left a black hole"
grep -q "segment vx6: mtu = auto: TAP MTU 1430 -> 1330" "$WORK/hub.log" || fail "mtu = auto not logged"

log "an oversize frame is counted against its peer and logged, not lost unseen"
before=$(peer_field hub vx4 drops.oversize)
nsx hub ping -q -c 2 -i 0.2 -W 1 -s 1400 -M do 10.50.0.2 >/dev/null 2>&1 &&
    fail "a 1428-byte packet crossed a 1350-byte path"
[ "$(peer_field hub vx4 drops.oversize)" -gt "$before" ] || fail "oversize frames not counted"
grep -q "peer vx4: a 1442-byte frame dropped: the path carries inner frames of up to 1364 bytes" "$WORK/hub.log" ||
    fail "oversize frame not logged"
ctl hub status | grep -q "^peers: 4 up, 0 down, 0 unprobed; 3 in an MTU black hole (tunnelctl mtu)$" ||
    fail "status does not sum up health: $(ctl hub status | grep '^peers:')"

log "clamp-mss: TCP across the black hole, offloads on, both ways"
before=$(seg_field hub vx4 mss_clamped)
tcp_transfer hub spoke1 10.50.0.2 2
tcp_transfer spoke1 hub 10.50.0.1 2
[ "$(seg_field hub vx4 mss_clamped)" -gt "$before" ] || fail "no SYN clamped"
log "hub clamped $(seg_field hub vx4 mss_clamped) SYNs, spoke1 $(seg_field spoke1 vx4 mss_clamped)"

log "the ports back at 1500: the flag clears at the next search upward"
middle_mtu 1500
wait_mtu hub vx4 black_hole false 20
log "hub: black hole over after $waited s"
# Each daemon searches upward on its own schedule (pmtu-interval).
for n in hub spoke1; do
	t0=$SECONDS
	until [ "$(tap_mtu "$n" tn-vx6)" = 1430 ]; do
		[ $((SECONDS - t0)) -le 20 ] ||
		    fail "$n: mtu = auto did not grow back: tn-vx6 at $(tap_mtu "$n" tn-vx6)"
		sleep 0.2
	done
done
grep -q "peer vx4: MTU black hole over" "$WORK/hub.log" || fail "end of black hole not logged"
ev=$(ctl hub events)
for want in 'black_hole vx4: MTU black hole: path MTU 1400' 'black_hole vx4: MTU black hole over' \
    'pmtu       vx4: path MTU 1500 -> 1400 [(]probe[)]' \
    'pmtu       vx4: path MTU 14[0-9][0-9] -> 1(4[5-9][0-9]|500) [(]probe[)]'; do
	# (The way up may stop at 1499 first: the router's two ports change
	# one after the other, and a search can fall between them.)
	grep -qE "$want" <<< "$ev" || fail "no event /$want/: $ev"
done
[ "$(grep -c 'peer vx4: MTU black hole:' "$WORK/hub.log")" = 1 ] || fail "black hole logged more than once"

log "a well-behaved smaller link: ICMP says 1400"
nsx router ip rule del ipproto icmp blackhole
nsx router ip -6 rule del ipproto ipv6-icmp blackhole
middle_mtu 1400
wait_mtu hub vx4 pmtu 1400 10
log "hub: PMTU 1400 after $waited s (kernel said $(mtu hub vx4 kernel))"

log "pmtu-probe: a path that grew is found now, not at the next pmtu-interval"
middle_mtu 1500
searches=$(mtu hub gre4 searches)
ctl hub pmtu-probe gre4 | grep -q "^peer gre4: path MTU search started$" || fail "pmtu-probe refused"
[ "$(mtu hub gre4 searches)" = $((searches + 1)) ] || fail "pmtu-probe started no search"
wait_mtu hub gre4 pmtu 1500 3
log "hub: gre4 back at 1500 $waited s after pmtu-probe"
ctl hub pmtu-probe nosuch 2>&1 | grep -q "no peer named nosuch" || fail "pmtu-probe of a stranger"
for n in hub spoke1; do kill -0 "$(daemon_pid $n)" || fail "$n died"; done
echo "PASS: path MTU found, black holes flagged and cleared"
