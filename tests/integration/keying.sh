#!/bin/bash
# keying.sh: keying = auto between tunneld daemons (issue 11), over IPv4.
# spoke1 (VXLAN, AES-256-GCM) authenticates by certificate, with the hub's
# name and public key pinned; spoke2 (GRE, ChaCha20-Poly1305) by a PSK.
# Keys come from the TLS control connection; with rekey-time = 3s a
# 30-second TCP transfer crosses several rekeys byte-identical with no
# drop; then spokes with a certificate from another CA, an expired one,
# the wrong name, the wrong PSK and another cipher are each refused with a
# clear line in both logs, and none of their frames reaches the pod; a
# stranger's connection and junk are refused and counted; a known payload
# never shows on the underlay; a spoke that moves to another address is
# followed at once; a spoke that cannot connect out is connected to.
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
start_configured
for n in spoke1 spoke2; do wait_keyed hub "$n"; wait_keyed "$n" hub; done
ping_ok vm1 10.10.0.21
ping_ok vm1 10.10.0.22
ping_ok spoke1 10.10.0.22
grep -q "spoke1: control connection from 10.200.0.2 up: spoke spoke1 (tunneld .*), /CN=spoke1" "$WORK/hub.log" ||
    fail "the hub did not log spoke1's connection"
grep -q "spoke2: control connection from 10.200.0.3 up: spoke spoke2 (tunneld .*), PSK spoke2" "$WORK/hub.log" ||
    fail "the hub did not log spoke2's PSK connection"
out=$(ctl spoke1 peers)
echo "$out" | grep -q "encryption: ESP aes-256-gcm, auto keys" ||
    fail "tunnelctl peers does not show the auto keys: $out"
log "keyed: spoke1 by certificate, spoke2 by PSK"
# Keys in memory: the daemon runs as nobody, but is not dumpable (no
# core, no ptrace by nobody), so its /proc files stay root's.
[ "$(stat -c %U "/proc/$(daemon_pid hub)/environ")" = root ] ||
    fail "the hub is dumpable"

# A known payload crosses the tunnel: the pod's side carries it, the
# underlay none of its bytes.
ip netns exec "$(ns ul)" tcpdump -ni br0 -s 0 -U -w "$WORK/ul.pcap" udp 2>/dev/null &
d1=$!
ip netns exec "$(ns hub)" tcpdump -ni tn-pod -s 0 -U -w "$WORK/pod.pcap" tcp 2>/dev/null &
d2=$!
PIDS="$PIDS $d1 $d2"
sleep 1
yes 'tunneld-known-payload-7f3a9c' | head -c 2000000 > "$WORK/known.bin"
nsx spoke1 timeout 30 python3 "$TESTDIR/tcpxfer.py" serve 10.10.0.21 5998 "$WORK/known.rx" &
srv=$!
sleep 0.3
nsx vm1 timeout 30 python3 "$TESTDIR/tcpxfer.py" send 10.10.0.21 5998 "$WORK/known.bin" ||
    fail "the known payload was not sent"
wait "$srv" || fail "the known payload was not received"
sleep 0.5
kill "$d1" "$d2"; wait "$d1" "$d2" 2>/dev/null || true
inpod=$(grep -a -c 'known-payload-7f3a9c' "$WORK/pod.pcap" || true)
onwire=$(grep -a -c 'known-payload' "$WORK/ul.pcap" || true)
[ "$inpod" -gt 100 ] || fail "the pod's capture lacks the known payload ($inpod)"
[ "$onwire" = 0 ] || fail "the underlay carried the known payload in the clear ($onwire)"
log "a known payload: in $inpod lines of the pod's capture, none of the underlay's"

# A stranger's connection is refused before TLS, counted and logged;
# bytes that are not TLS from a peer's address fail the handshake.
nsx stranger timeout 5 bash -c 'exec 3<>/dev/tcp/10.200.0.1/4790; echo junk >&3; cat <&3' || true
nsx spoke1 timeout 5 bash -c 'exec 3<>/dev/tcp/10.200.0.1/4790; head -c 300 /dev/urandom >&3; cat <&3' >/dev/null 2>&1 || true
sleep 0.5
grep -q "control connection from 10.200.0.9 refused: no encrypted peer has that address" "$WORK/hub.log" ||
    fail "the hub did not log the stranger's connection"
cc=$(ctl hub --json counters | python3 -c '
import json, sys
c = json.load(sys.stdin)["control_connections"]
print(c["refused_unknown_source"], c["tls_failed"])')
[ "$cc" = "1 1" ] || fail "control connection counters: $cc (want 1 stranger, 1 TLS failure)"
ping_ok vm1 10.10.0.21
log "a stranger's connection refused, junk from spoke1's address a TLS failure: counted, tunnels unharmed"

# Rekeying: 30 s of TCP at about 16 Mbit/s, across ten rekeys.  (Before
# the first keys, frames and probes to a peer count as no_sa: so the
# counters are compared with what they were before the transfer.)
drops() {
	local n pair
	for n in replay too_old auth_failed no_sa esp_malformed unknown_spi; do
		for pair in "hub spoke1" "spoke1 hub"; do
			# shellcheck disable=SC2086
			echo "$pair $n $(peer_field $pair "drops.$n")"
		done
		echo "hub all $n $(counter hub drops "$n")"
	done
}
drops0=$(drops)
rekeys0=$(peer_field hub spoke1 encryption.rekeys)
head -c $((60 * 1024 * 1024)) /dev/urandom > "$WORK/tx.bin"
nsx spoke1 timeout 60 python3 "$TESTDIR/tcpxfer.py" serve 10.10.0.21 5999 "$WORK/rx.bin" &
srv=$!
sleep 0.3
nsx vm1 timeout 60 python3 "$TESTDIR/tcpxfer.py" send 10.10.0.21 5999 "$WORK/tx.bin" 30 ||
    fail "the 30 s transfer failed"
wait "$srv" || fail "the 30 s transfer was not received"
cmp -s "$WORK/tx.bin" "$WORK/rx.bin" || fail "the 30 s transfer differs"
rekeys=$(( $(peer_field hub spoke1 encryption.rekeys) - rekeys0 ))
[ "$rekeys" -ge 6 ] || fail "only $rekeys rekeys in 30 s at rekey-time 3s"
drops1=$(drops)
[ "$drops0" = "$drops1" ] ||
    fail "drops across the rekeys: $(diff <(echo "$drops0") <(echo "$drops1") | grep '^>')"
log "60 MB over 30 s across $rekeys rekeys: identical, no drop"

# The refusals.  spoke1 and spoke2 stop; each bad one runs in their place.
taptx() { ctl hub --json status | python3 -c '
import json, sys
print(json.load(sys.stdin)["segments"][0]["tap_tx_frames"])'; }
for n in spoke1 spoke2; do
	kill "$(daemon_pid "$n")"; wait "$(daemon_pid "$n")" || true
done
sleep 7 # the hub's SAs for them expire (twice rekey-time)
tap0=$(taptx)
# refused NODE HUB-SAYS SPOKE-SAYS: start NODE, wait for both lines.
refused() {
	local n=$1 i
	: > "$WORK/$n.log"
	start_daemon "$n"
	nsx "$n" ip addr add "10.10.0.2${n#spoke}/24" dev tn-pod
	nsx "$n" ping -q -c 20 -i 0.1 -W 1 10.10.0.11 >/dev/null 2>&1 || true
	for i in $(seq 1 50); do
		grep -q "$2" "$WORK/hub.log" && grep -q "$3" "$WORK/$n.log" && break
		[ "$i" = 50 ] && fail "$n: no refusal (hub: \"$2\", $n: \"$3\")"
		sleep 0.2
	done
	[ "$(peer_field "$n" hub encryption.sa)" = False ] ||
	    fail "$n got SAs"
	log "hub: $(grep -o "$2.*" "$WORK/hub.log" | tail -1)"
	log "$n: $(grep -o "$3.*" "$WORK/$n.log" | tail -1)"
	kill "$(daemon_pid "$n")"; wait "$(daemon_pid "$n")" || true
}
spoke1_conf "$P/b" spoke1
refused spoke1 "spoke1: control connection from 10.200.0.2 refused: the peer's certificate (/CN=spoke1): unable to get local issuer certificate" \
    "hub: control connection to 10.200.0.1 refused: .*unknown ca"
spoke1_conf "$P/exp" spoke1
refused spoke1 "spoke1: control connection from 10.200.0.2 refused: the peer's certificate (/CN=spoke1): certificate has expired" \
    "hub: control connection to 10.200.0.1 refused: .*certificate expired"
spoke1_conf "$P/name" spoke9
refused spoke1 "spoke1: control connection from 10.200.0.2 refused: the peer's certificate (/CN=spoke9) does not name spoke1" \
    "hub: control connection to 10.200.0.1 refused: .*alert"
spoke2_conf "$P/wrong"
refused spoke2 "spoke2: control connection from 10.200.0.3 refused: the peer's PSK is not ours" \
    "hub: control connection to 10.200.0.1 refused: .*alert.* (is the PSK the same at both ends?)"
# The right PSK, the wrong cipher: the hellos disagree, both ends say so.
spoke2_conf "$P/psk2"
sed -i 's/^cipher = chacha20-poly1305$/cipher = aes-256-gcm/' "$WORK/spoke2.conf"
refused spoke2 "spoke2: control connection from 10.200.0.3 refused: .*cipher mismatch: chacha20-poly1305 here, aes-256-gcm there" \
    "hub: control connection to 10.200.0.1 refused: .*cipher mismatch"
tap1=$(taptx)
[ $((tap1 - tap0)) = 0 ] || fail "$((tap1 - tap0)) frames of refused spokes reached the pod"
kill -0 "$(daemon_pid hub)" || fail "the hub died"

# The good spoke1 again: keyed at once, traffic flows.
spoke1_conf "$P/a" spoke1
: > "$WORK/spoke1.log"
start_daemon spoke1
spoke_addr spoke1 21
wait_keyed spoke1 hub
nsx vm1 ip neigh flush dev eth0 # a new TAP, a new MAC
ping_ok vm1 10.10.0.21

# Roaming: spoke1's underlay address changes from .2 to .12 during a ping
# every 10 ms.  The hub follows its first authentic packet from .12; the
# ping loses at most a second; .2 gets no tunnel packet after that.
ip netns exec "$(ns ul)" tcpdump -ni br0 -s 96 -U -tt -w "$WORK/roam.pcap" \
    'udp and host 10.200.0.2' 2>/dev/null &
dump=$!
PIDS="$PIDS $dump"
sleep 1
nsx vm1 ping -D -i 0.01 -c 400 -W 1 10.10.0.21 > "$WORK/roam.ping" 2>&1 &
pinger=$!
sleep 1
moved=$(date +%s.%N)
# (Without promote_secondaries, deleting .2 would take .12 with it.)
nsx spoke1 sysctl -qw net.ipv4.conf.ul0.promote_secondaries=1
nsx spoke1 ip addr add 10.200.0.12/24 dev ul0
nsx spoke1 ip addr del 10.200.0.2/24 dev ul0
wait "$pinger" || true
sleep 0.5
kill "$dump"; wait "$dump" 2>/dev/null || true
grep -q "spoke1: roamed: authentic ESP from 10.200.0.12 port 4500 (was 10.200.0.2 port 4500)" "$WORK/hub.log" ||
    fail "the hub did not follow spoke1 to 10.200.0.12"
sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$WORK/roam.ping")
got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$WORK/roam.ping")
[ -n "$sent" ] && [ $((sent - got)) -le 100 ] ||
    fail "the ping lost $((sent - got)) of $sent across the move (more than a second): moved at $moved; $(awk 'NR>1{split($1,a,"[][]"); t=a[2]; if (p && t-p > 0.05) print "gap", p, t; p=t}' "$WORK/roam.ping"); $(ctl hub --json events | tr ',' '\n' | grep -E 'time|roamed' | tail -6)"
late=$(tcpdump -tt -nr "$WORK/roam.pcap" 2>/dev/null | awk -v t="$moved" '$1 > t + 0.5' | wc -l)
[ "$late" = 0 ] || fail "$late tunnel packets went to spoke1's old address after the move"
for i in $(seq 1 100); do
	grep -q "spoke1: control connection from 10.200.0.12 up" "$WORK/hub.log" && break
	[ "$i" = 100 ] && fail "spoke1's control connection did not come back from 10.200.0.12"
	sleep 0.2
done
ping_ok vm1 10.10.0.21
log "roamed: the ping lost $((sent - got)) of $sent; the old address got nothing after; control connection back from .12"
# A spoke that cannot connect out (no route for TCP to port 4790, as a
# cloud's egress rule might have it): the hub connects to it instead.
spoke2_conf "$P/psk2"
nsx spoke2 ip rule add ipproto tcp dport 4790 prohibit
: > "$WORK/spoke2.log"
start_daemon spoke2
# (The hub's attempts to spoke2, down since the refusals, back off to
# 30 s and a quarter more.)
for i in $(seq 1 200); do
	grep -q "spoke2: control connection to 10.200.0.3 up" "$WORK/hub.log" && break
	[ "$i" = 200 ] && fail "the hub did not connect out to spoke2 in 40 s"
	sleep 0.2
done
wait_keyed spoke2 hub
nsx spoke2 ip addr add 10.10.0.22/24 dev tn-pod
nsx vm1 ip neigh flush dev eth0
ping_ok vm1 10.10.0.22
log "spoke2 could not connect out: the hub connected to it after $((i / 5)) s"
echo "PASS: keying = auto: certificates, PSK, rekeying, refusals, roaming and the hub connecting out"
