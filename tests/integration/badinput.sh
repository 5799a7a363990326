#!/bin/bash
# badinput.sh: bursts of random, truncated, oversized and ill-formed packets
# at the hub's UDP ports and raw GRE socket, from a stranger and from a
# known peer's address.  The hub stays up, counts each by reason, and the
# real tunnels keep passing traffic.
. "$(dirname "$0")/lib.sh"
lib_init
topology
start_all vxlan 4
ping_ok vm1 10.10.0.21
nsx stranger python3 "$TESTDIR/junk.py" stranger 10.200.0.1
nsx spoke1 python3 "$TESTDIR/junk.py" peer 10.200.0.1
sleep 0.5
kill -0 "$(daemon_pid hub)" || fail "hub died"
for r in unknown_source; do
	n=$(counter hub drops_unattributed "$r")
	[ "$n" -gt 0 ] || fail "no $r drops counted"
	[ "$(counter hub drops_local "$r")" = 0 ] || fail "$r counted on the TAP side"
	log "unattributed $r: $n"
done
for r in bad_flags truncated unknown_vni runt oversize; do
	n=$(peer_field hub spoke1 "drops.$r")
	[ "$n" -gt 0 ] || fail "spoke1: no $r drops counted"
	log "spoke1 $r: $n"
done
# Kernel-side loss is counted too: with the hub stopped, its socket
# buffers overflow, and the kernel's count arrives once it reads again.
kill -STOP "$(daemon_pid hub)"
nsx spoke1 python3 "$TESTDIR/junk.py" flood 10.200.0.1 "$WORK/go" &
flooder=$!
for _ in $(seq 100); do [ -e "$WORK/go.burst" ] && break; sleep 0.1; done
kill -CONT "$(daemon_pid hub)"
sleep 0.5
touch "$WORK/go"
wait "$flooder" || fail "flood sender"
sleep 0.5
n=$(counter hub drops_unattributed rx_overflow)
[ "$n" -gt 0 ] || fail "socket buffer overflow not counted"
log "rx_overflow: $n"
ping_ok vm1 10.10.0.21
ping_ok vm2 10.10.0.22
ping_ok spoke1 10.10.0.22
tcp_transfer vm1 spoke1 10.10.0.21 2
grep -q "unknown source 10.200.0.9" "$WORK/hub.log" || fail "stranger not logged"
# Drops on the TAP side are the TAP's, not a stranger's: with one flood a
# second allowed, a burst of broadcasts from the pod is cut at PORT_LOCAL.
sed -i 's/^threads = 2$/threads = 2\nflood-rate = 1\nflood-burst = 1/' "$WORK/hub.conf"
ctl hub reload >/dev/null || fail "reload with a low flood rate"
nsx vm1 ping -q -b -c 40 -i 0.01 -W 1 10.10.0.255 >/dev/null 2>&1 || true
n=$(counter hub drops_local flood_limit)
[ "$n" -gt 0 ] || fail "TAP-side flood drops not counted as local"
[ "$(counter hub drops_unattributed flood_limit)" = 0 ] ||
    fail "TAP-side flood drops counted as from an unknown source"
log "local flood_limit: $n"
[ "$(grep -c "unknown source" "$WORK/hub.log")" -le 10 ] || fail "log not rate-limited"
echo "PASS: bad input dropped and counted, tunnels unharmed"
