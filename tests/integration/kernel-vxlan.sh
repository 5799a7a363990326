#!/bin/bash
# kernel-vxlan.sh: spoke2 is only the Linux kernel's vxlan device, an
# independent implementation; it talks to a tunneld hub in both directions,
# to a pod VM and (relayed by the hub) to a tunneld spoke.  The hub's
# probes reach spoke2 on the wire but never its bridge, and the hub shows
# it as unprobed, judged by its traffic, while the tunneld spoke is up.
. "$(dirname "$0")/lib.sh"
lib_init
topology
hub_conf vxlan 4 spoke1:2 spoke2:3
spoke_conf spoke1 vxlan 4
start_daemon hub; start_daemon spoke1
spoke_addr spoke1 21
# A veth hands CHECKSUM_PARTIAL packets to the next namespace unfinished, so
# the kernel vxlan's inner TCP checksums would reach tunneld's socket never
# computed; a real NIC computes them on the wire.  Make the veth do it.
command -v ethtool >/dev/null || skip "ethtool not installed"
nsx spoke2 ethtool -K ul0 tx off >/dev/null
nsx spoke2 ip link add vx0 type vxlan id 100 local 10.200.0.3 remote 10.200.0.1 dstport 4789 dev ul0
nsx spoke2 ip link set vx0 mtu 1450 up
nsx spoke2 ip link add br-k type bridge
nsx spoke2 ip link set vx0 master br-k
nsx spoke2 ip link set br-k up
nsx spoke2 ip addr add 10.10.0.22/24 dev br-k
# Probes on spoke2's wire (VXLAN flags 0), and anything on its bridge that a
# probe body would look like as a frame (its magic "TDPR" as a MAC).
command -v tcpdump >/dev/null || skip "tcpdump not installed"
nsx spoke2 timeout 60 tcpdump -i ul0 -nn -U -w "$WORK/wire.pcap" \
    'udp dst port 4789 and udp[8] = 0' 2> "$WORK/wire.err" &
wire=$!
nsx spoke2 timeout 60 tcpdump -i br-k -nn -U -w "$WORK/bridge.pcap" \
    'ether[0:4] = 0x54445052 or ether[6:4] = 0x54445052' 2> "$WORK/bridge.err" &
bridge=$!
PIDS="$PIDS $wire $bridge"
# Both captures must run, or an empty bridge capture would prove nothing.
for f in wire bridge; do
	for _ in $(seq 100); do
		grep -q "listening on" "$WORK/$f.err" 2>/dev/null && break
		sleep 0.1
	done
	grep -q "listening on" "$WORK/$f.err" || fail "tcpdump on the $f did not start: $(cat "$WORK/$f.err")"
done
ping_ok vm1 10.10.0.22
ping_ok spoke2 10.10.0.11
ping_ok spoke2 10.10.0.21
ping_ok spoke1 10.10.0.22
tcp_transfer vm1 spoke2 10.10.0.22 4
tcp_transfer spoke2 vm2 10.10.0.12 4
tcp_transfer spoke1 spoke2 10.10.0.22 2
[ "$(peer_field hub spoke2 drops.bad_flags)" = 0 ] || fail "kernel frames refused"
sleep 6 # past dead-after (5 s) from the first probe
health=$(ctl hub --json health)
state() { echo "$health" | python3 -c '
import json, sys
p = [p for p in json.load(sys.stdin)["peers"] if p["name"] == sys.argv[1]][0]
print(p["state"], "|", p["reason"])' "$1"; }
case $(state spoke2) in
"unprobed | no probe answered: not a tunneld"*) ;;
*) fail "hub shows the kernel vxlan peer as: $(state spoke2)" ;;
esac
case $(state spoke1) in up*) ;; *) fail "hub shows spoke1 as: $(state spoke1)" ;; esac
ctl hub health
kill "$wire" "$bridge"; wait "$wire" "$bridge" 2>/dev/null || true
probes=$(tcpdump -r "$WORK/wire.pcap" -nn 2>/dev/null | wc -l)
leaked=$(tcpdump -r "$WORK/bridge.pcap" -nn 2>/dev/null | wc -l)
log "probes on spoke2's wire: $probes; on its bridge: $leaked"
[ "$probes" -ge 5 ] || fail "only $probes probes reached spoke2's wire"
[ "$leaked" = 0 ] || fail "$leaked probes reached the kernel side's bridge"
echo "PASS: kernel vxlan interoperates"
