#!/bin/bash
# kernel-vxlan.sh: spoke2 is only the Linux kernel's vxlan device, an
# independent implementation; it talks to a tunneld hub in both directions,
# to a pod VM and (relayed by the hub) to a tunneld spoke.
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
nsx spoke2 ip addr add 10.10.0.22/24 dev vx0
ping_ok vm1 10.10.0.22
ping_ok spoke2 10.10.0.11
ping_ok spoke2 10.10.0.21
ping_ok spoke1 10.10.0.22
tcp_transfer vm1 spoke2 10.10.0.22 4
tcp_transfer spoke2 vm2 10.10.0.12 4
tcp_transfer spoke1 spoke2 10.10.0.22 2
[ "$(peer_field hub spoke2 drops.bad_flags)" = 0 ] || fail "kernel frames refused"
echo "PASS: kernel vxlan interoperates"
