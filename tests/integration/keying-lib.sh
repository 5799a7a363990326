# keying-lib.sh: the set-up the keying tests share (sourced): the topology
# of lib.sh, a PKI made with tunneld-pki and the configs of a hub with two
# auto-keyed spokes.  spoke1 (VXLAN, AES-256-GCM) authenticates by
# certificate, with the hub's name and public key pinned; spoke2 (GRE,
# ChaCha20-Poly1305) by a PSK; rekey-time is 3 s.  Besides the good
# certificates: an expired spoke1 and a spoke9 from the hub's CA, a spoke1
# from another CA, and a wrong PSK.
. "$(dirname "$0")/lib.sh"
lib_init
command -v openssl >/dev/null || fail "openssl not installed"
topology
PKI="$TEST_SRCDIR/cli/tunneld-pki"
P=$WORK/pki
mkdir -p "$P/exp" "$P/name"
"$PKI" ca "$P/a" >/dev/null
"$PKI" ca "$P/b" >/dev/null
# An expired spoke1 and a spoke9, both from the hub's CA; a spoke1 from
# another CA.
"$PKI" node "$P/a" spoke1 -1 >/dev/null
mv "$P/a/spoke1.pem" "$P/a/spoke1.key" "$P/exp/"
"$PKI" node "$P/a" spoke9 >/dev/null
mv "$P/a/spoke9.pem" "$P/a/spoke9.key" "$P/name/"
for n in hub spoke1 spoke2; do "$PKI" node "$P/a" "$n" >/dev/null; done
"$PKI" node "$P/b" spoke1 >/dev/null
"$PKI" psk "$P/psk2" >/dev/null
"$PKI" psk "$P/wrong" >/dev/null
chmod 755 "$P" "$P"/*/ # nobody (the daemons' user) may enter
chown nobody "$P"/*/*.key "$P/psk2" "$P/wrong"
HUB_PIN=$("$PKI" pin "$P/a/hub.pem")

# crypto DIR NAME: a [crypto] section with DIR's CA and NAME's files.
crypto() {
	printf '\n[crypto]\nca = %s/ca.pem\ncert = %s.pem\nkey = %s.key\nrekey-time = 3s\n' \
	    "$P/a" "$1/$2" "$1/$2"
}
hub_conf vxlan 4 spoke1:2
printf 'encrypt = yes\ntls-name = spoke1\n' >> "$WORK/hub.conf"
printf '\n[peer spoke2]\naddress = %s\nencap = gre\nencrypt = yes\n' "$(ul_addr 3 4)" >> "$WORK/hub.conf"
printf 'cipher = chacha20-poly1305\npsk-file = %s\n' "$P/psk2" >> "$WORK/hub.conf"
crypto "$P/a" hub >> "$WORK/hub.conf"
# spoke1_conf DIR NAME: spoke1 with DIR/NAME's certificate.
spoke1_conf() {
	spoke_conf spoke1 vxlan 4
	printf 'encrypt = yes\ntls-name = hub\ntls-pin = %s\n' "$HUB_PIN" >> "$WORK/spoke1.conf"
	crypto "$1" "$2" >> "$WORK/spoke1.conf"
}
# spoke2_conf PSK: spoke2 with that PSK.
spoke2_conf() {
	spoke_conf spoke2 gre 4
	printf 'encrypt = yes\ncipher = chacha20-poly1305\npsk-file = %s\n' "$1" >> "$WORK/spoke2.conf"
}
spoke1_conf "$P/a" spoke1
spoke2_conf "$P/psk2"
for n in hub spoke1 spoke2; do
	nsx "$n" "$TUNNELD" -n -c "$WORK/$n.conf" >/dev/null 2>&1 ||
	    fail "tunneld -n refuses $n.conf: $(nsx "$n" "$TUNNELD" -n -c "$WORK/$n.conf" 2>&1)"
done

# wait_keyed NODE PEER: until NODE has SAs for PEER (10 s at most).
wait_keyed() {
	local i
	for i in $(seq 1 50); do
		[ "$(peer_field "$1" "$2" encryption.sa)" = True ] && return 0
		sleep 0.2
	done
	fail "$1 has no SAs for $2 after 10 s"
}
# taptx: frames the hub's TAP has sent to the pod.
taptx() { ctl hub --json status | python3 -c '
import json, sys
print(json.load(sys.stdin)["segments"][0]["tap_tx_frames"])'; }
