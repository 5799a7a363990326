#!/bin/bash
# gre-wire.sh: GRE as tshark's dissector reads it on the underlay:
# protocol 0x6558, key = VNI << 8, and inside the frames that were sent.
. "$(dirname "$0")/lib.sh"
lib_init
command -v tshark >/dev/null || skip "tshark not installed"
topology
start_all gre 4
ping_ok vm1 10.10.0.21 1
nsx ul timeout 20 tshark -q -i p-spoke1 -f "ip proto 47" -a duration:6 -w "$WORK/gre.pcap" 2>"$WORK/tshark.err" &
cap=$!
sleep 2.5
nsx vm1 ping -q -c 5 -i 0.2 10.10.0.21 >/dev/null || fail "ping during capture"
wait "$cap" || true
tshark -r "$WORK/gre.pcap" -Y "gre && icmp" -T fields -E separator=';' \
    -e gre.proto -e gre.key -e eth.src -e icmp.type > "$WORK/gre.txt" 2>/dev/null
[ -s "$WORK/gre.txt" ] || { cat "$WORK/tshark.err"; fail "no GRE captured"; }
vm1mac=$(nsx vm1 cat /sys/class/net/eth0/address)
tapmac=$(nsx spoke1 cat /sys/class/net/tn-pod/address)
req=0; rep=0
while IFS=';' read -r proto key srcs type; do
	[ "$proto" = 0x6558 ] || fail "GRE protocol $proto, want 0x6558"
	[ "$((key))" = $((100 << 8)) ] || fail "GRE key $key, want $((100 << 8))"
	case "$type" in
	8) [[ "$srcs" == *"$vm1mac"* ]] || fail "echo request not from vm1: $srcs"; req=$((req + 1)) ;;
	0) [[ "$srcs" == *"$tapmac"* ]] || fail "echo reply not from spoke1: $srcs"; rep=$((rep + 1)) ;;
	esac
done < "$WORK/gre.txt"
log "captured $req echo requests, $rep replies in GRE key $((100 << 8)) proto 0x6558"
[ "$req" -ge 5 ] && [ "$rep" -ge 5 ] || fail "missing frames in the capture"
echo "PASS: GRE on the wire"
