#!/bin/bash
# esp-interop.sh: tunneld's ESP against an independent implementation,
# scapy's IPsec (issue 11), with manual keys.  For AES-256-GCM and
# ChaCha20-Poly1305, VXLAN and GRE, IPv4 and IPv6: frames scapy seals as
# spoke1 (ESN, RFC 3948 UDP) reach the hub's pod; the hub's packets to
# spoke1 decrypt in scapy to the UDP/VXLAN or GRE transport packet and
# the pod's frames, with unique sequence numbers; and tshark's ESP
# dissector, given the SA, decrypts the same capture (AES-GCM: it has no
# ChaCha20-Poly1305).
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
lib_init
"$PY" -c 'import scapy.layers.ipsec' 2>/dev/null || fail "python3-scapy not installed"
command -v tcpdump >/dev/null || fail "tcpdump not installed"
topology
key() { head -c 36 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
COUNT=50

# One case: CIPHER ENCAP FAMILY.
interop() {
	local cipher=$1 encap=$2 fam=$3 kin kout hub sp got n pod i
	kin=$(key) kout=$(key)
	hub=$(ul_addr 1 "$fam") sp=$(ul_addr 2 "$fam")
	hub_conf "$encap" "$fam" spoke1:2
	# Pod frames of rising sizes: no two join one GSO train.
	printf 'probe = no\nencrypt = yes\nkeying = manual\ncipher = %s\n' "$cipher" >> "$WORK/hub.conf"
	printf 'esp-spi-in = 0x1001\nesp-spi-out = 0x2001\nesp-key-in = %s\nesp-key-out = %s\n' "$kin" "$kout" >> "$WORK/hub.conf"
	chmod 600 "$WORK/hub.conf"
	start_daemon hub
	# scapy -> tunneld: the frames must reach vm1.
	nsx vm1 timeout 15 tcpdump -ni eth0 -c "$COUNT" -w "$WORK/pod.pcap" 'udp port 9999' 2>/dev/null &
	local pod_dump=$!
	sleep 1
	nsx spoke1 "$PY" "$TESTDIR/espscapy.py" send "$cipher" "$kin" 0x1001 "$encap" "$sp" "$hub" "$COUNT" >/dev/null
	wait "$pod_dump" || fail "$cipher/$encap/IPv$fam: scapy frames did not reach the pod"
	got=$(tcpdump -r "$WORK/pod.pcap" -A 2>/dev/null | grep -c 'scapy-' || true)
	[ "$got" = "$COUNT" ] || fail "$cipher/$encap/IPv$fam: $got of $COUNT scapy frames in the pod"
	# tunneld -> scapy: the pod's broadcasts, flooded to spoke1.
	# ip netns exec execs tcpdump: $! is tcpdump, which flushes on TERM.
	ip netns exec "$(ns spoke1)" tcpdump -ni ul0 -s 0 -U -w "$WORK/esp.pcap" "udp port 4500 and src host $hub" 2>/dev/null &
	local esp_dump=$!
	PIDS="$PIDS $esp_dump"
	sleep 1
	nsx vm1 python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
for i in range(40):
    s.sendto(b"pod-%d-" % i + b"x" * (10 * i), ("10.10.0.255", 9999))'
	sleep 1
	kill "$esp_dump"; wait "$esp_dump" 2>/dev/null || true
	read -r n pod lo hi < <(nsx spoke1 "$PY" "$TESTDIR/espscapy.py" check "$cipher" "$kout" 0x2001 "$encap" "$hub" "$sp" "$WORK/esp.pcap") ||
	    fail "$cipher/$encap/IPv$fam: scapy could not decrypt the hub's packets"
	[ "$pod" = 40 ] || fail "$cipher/$encap/IPv$fam: $pod of 40 pod frames decrypted"
	[ "$(peer_field hub spoke1 drops.auth_failed)" = 0 ] || fail "auth failures on scapy's packets"
	log "$cipher $encap IPv$fam: $got scapy frames in the pod; scapy decrypted $n of the hub's packets (numbers $lo..$hi)"
	tshark_check "$cipher" "$encap" "$fam" "$kout" "$hub" "$sp"
	kill "$(daemon_pid hub)"; wait "$(daemon_pid hub)" || true
}

# tshark's ESP dissector with the SA: the pod's frames inside.  Its ESP
# decryption knows AES-GCM but not ChaCha20-Poly1305 (Wireshark 4.0).
tshark_check() {
	local alg="AES-GCM with 16 octet ICV [RFC4106]" proto=IPv4 n
	if [ "$1" != aes-256-gcm ]; then
		log "tshark: its ESP dissector cannot decrypt $1 (scapy did)"
		return 0
	fi
	[ "$3" = 6 ] && proto=IPv6
	n=$(tshark -r "$WORK/esp.pcap" -o esp.enable_encryption_decode:TRUE \
	    -o "uat:esp_sa:\"$proto\",\"$5\",\"$6\",\"0x00002001\",\"$alg\",\"0x$4\",\"NULL\",\"\"" \
	    -Y 'eth.dst == ff:ff:ff:ff:ff:ff && udp.dstport == 9999' 2>/dev/null | wc -l)
	[ "$n" = 40 ] || fail "$1/$2/IPv$3: tshark decrypted $n of 40 pod frames"
	log "tshark decrypts the capture with the SA: $n pod frames"
}

interop aes-256-gcm vxlan 4
interop chacha20-poly1305 gre 4
interop aes-256-gcm gre 6
interop chacha20-poly1305 vxlan 6
echo "PASS: tunneld and scapy's IPsec exchange ESP both ways; tshark agrees on AES-GCM"
