#!/bin/bash
# learning.sh: the first exchange floods (spoke2 sees the ARP broadcast);
# afterwards unicast between vm1 and spoke1 is no longer sent to spoke2.
. "$(dirname "$0")/lib.sh"
lib_init
topology
start_all vxlan 4
tx0=$(peer_field hub spoke2 tx_packets)
ping_ok vm1 10.10.0.21 2
tx1=$(peer_field hub spoke2 tx_packets)
[ "$tx1" -gt "$tx0" ] || fail "the first ARP broadcast did not reach spoke2"
nsx vm1 ping -q -c 100 -i 0.01 10.10.0.21 >/dev/null || fail "ping burst"
tx2=$(peer_field hub spoke2 tx_packets)
log "hub -> spoke2 packets: $tx0 before, $tx1 after the first exchange, $tx2 after 100 unicast pings"
# 200 unicast frames crossed the hub; at most an ARP re-probe may be flooded.
[ $((tx2 - tx1)) -le 2 ] || fail "$((tx2 - tx1)) frames flooded to spoke2 after learning"
vm1mac=$(nsx vm1 cat /sys/class/net/eth0/address)
ctl hub fdb pod | grep -q "$vm1mac  local" || fail "vm1's MAC not learned as local"
ctl hub fdb pod | grep -q "spoke1" || fail "no MAC learned at spoke1"
echo "PASS: learning stops flooding"
