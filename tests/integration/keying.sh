#!/bin/bash
# keying.sh: keying = auto between tunneld daemons (issue 11), over IPv4
# (keying-lib.sh sets them up): keys come from the TLS control connection,
# by certificate and by PSK; the daemon is not dumpable; a known payload
# never shows on the underlay; a stranger's connection and junk are
# refused and counted; with rekey-time = 3s a 30-second TCP transfer
# crosses several rekeys byte-identical with no drop.
. "$(dirname "$0")/keying-lib.sh"
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

# Reloads.  rekey-time 3s -> 1h: the connections and SAs stay, and the
# next rekey is an hour away.  Then spoke2's PSK file changes to another
# key: its connection goes and the new one is refused, spoke1 untouched.
epoch1=$(peer_field hub spoke1 encryption.epoch)
sed -i 's/^rekey-time = 3s$/rekey-time = 1h/' "$WORK/hub.conf" "$WORK/spoke1.conf" "$WORK/spoke2.conf"
for n in hub spoke1 spoke2; do ctl "$n" reload >/dev/null || fail "$n: reload refused"; done
sleep 4
[ "$(peer_field hub spoke1 encryption.rekey_in_s)" -gt 3000 ] ||
    fail "rekey-time 1h not applied: $(ctl hub peers)"
epoch2=$(peer_field hub spoke1 encryption.epoch)
[ "$epoch2" -le $((epoch1 + 1)) ] || fail "spoke1 rekeyed $((epoch2 - epoch1)) times after rekey-time 1h"
grep -q "spoke1: control connection .* lost" "$WORK/hub.log" &&
    fail "a reload that changed no peer dropped spoke1's connection"
sed -i "s|^psk-file = $P/psk2\$|psk-file = $P/wrong|" "$WORK/hub.conf"
ctl hub reload >/dev/null || fail "hub: reload with a new PSK refused"
for i in $(seq 1 50); do
	grep -q "spoke2: control connection .* refused: the peer's PSK is not ours" "$WORK/hub.log" ||
	    grep -q "spoke2: control connection .* refused: .*is the PSK the same at both ends" "$WORK/hub.log" &&
	    break
	[ "$i" = 50 ] && fail "a new PSK for spoke2 did not end its keys"
	sleep 0.2
done
[ "$(peer_field hub spoke1 encryption.sa)" = True ] || fail "spoke1 lost its SAs in spoke2's reload"
ping_ok vm1 10.10.0.21
log "reloads: rekey-time followed, connections kept; a new PSK refuses spoke2, spoke1 untouched"

echo "PASS: keying = auto: certificates, PSK, no dump, no plaintext, strangers, rekeying, reloads"
