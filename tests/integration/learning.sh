#!/bin/bash
# learning.sh: the first exchange floods (spoke2 sees the ARP broadcast);
# afterwards unicast between vm1 and spoke1 is no longer sent to spoke2.
. "$(dirname "$0")/lib.sh"
lib_init
command -v tcpdump >/dev/null || skip "tcpdump not installed"
topology
conf_all vxlan 4
# No probes: the tx counters below must count frames only (probes and
# their answers count as tunnel traffic too).
for n in hub spoke1 spoke2; do
	sed -i 's/^encap = vxlan$/encap = vxlan\nprobe = no/' "$WORK/$n.conf"
done
start_configured
tx0=$(peer_field hub spoke2 tx_packets)
ping_ok vm1 10.10.0.21 2
tx1=$(peer_field hub spoke2 tx_packets)
[ "$tx1" -gt "$tx0" ] || fail "the first ARP broadcast did not reach spoke2"
vm1mac=$(nsx vm1 cat /sys/class/net/eth0/address)
s1mac=$(nsx spoke1 cat /sys/class/net/tn-pod/address)
# What reaches spoke2 while vm1 and spoke1 exchange 600 unicast frames
# over several clock seconds:
# nothing addressed to either of them may (link-up IGMP and the like from
# other devices may, and is not counted).
nsx spoke2 timeout 20 tcpdump -l -n -e -i tn-pod "ether dst $vm1mac or ether dst $s1mac" > "$WORK/leak.txt" 2>"$WORK/tcpdump.err" &
dumper=$!
for _ in $(seq 50); do grep -q "listening on" "$WORK/tcpdump.err" && break; sleep 0.1; done
nsx vm1 ping -q -c 300 -i 0.01 10.10.0.21 >/dev/null || fail "ping burst"
sleep 0.5
kill "$dumper" 2>/dev/null; wait "$dumper" 2>/dev/null || true
tx2=$(peer_field hub spoke2 tx_packets)
log "hub -> spoke2 packets: $tx0 before, $tx1 after the first exchange, $tx2 after 300 unicast pings"
leaked=$(grep -c . "$WORK/leak.txt" || true)
[ "$leaked" -eq 0 ] || { cat "$WORK/leak.txt"; fail "$leaked unicast frames between known MACs flooded to spoke2"; }
ctl hub fdb pod | grep -q "$vm1mac  local" || fail "vm1's MAC not learned as local"
ctl hub fdb pod | grep -q "spoke1" || fail "no MAC learned at spoke1"
echo "PASS: learning stops flooding"
