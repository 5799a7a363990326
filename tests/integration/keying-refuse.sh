#!/bin/bash
# keying-refuse.sh: spokes the hub must refuse (keying-lib.sh sets them
# up): a certificate from another CA, an expired one, the wrong name, the
# wrong PSK and another cipher are each refused with a clear line in both
# logs, and none of their frames reaches the pod; then the good spoke1 is
# keyed at once.
. "$(dirname "$0")/keying-lib.sh"
start_daemon hub
# Each bad spoke runs in turn in spoke1's or spoke2's place.
tap0=$(taptx)
# refused NODE HUB-SAYS SPOKE-SAYS: start NODE, wait for both lines.  The
# spoke connects to the hub at once, and the hub, up for a while, may
# connect to it too: a line may say either direction.
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
refused spoke1 "spoke1: control connection \(from\|to\) 10.200.0.2 refused: the peer's certificate (/CN=spoke1): unable to get local issuer certificate" \
    "hub: control connection \(to\|from\) 10.200.0.1 refused: .*unknown ca"
spoke1_conf "$P/exp" spoke1
refused spoke1 "spoke1: control connection \(from\|to\) 10.200.0.2 refused: the peer's certificate (/CN=spoke1): certificate has expired" \
    "hub: control connection \(to\|from\) 10.200.0.1 refused: .*certificate expired"
spoke1_conf "$P/name" spoke9
refused spoke1 "spoke1: control connection \(from\|to\) 10.200.0.2 refused: the peer's certificate (/CN=spoke9) does not name spoke1" \
    "hub: control connection \(to\|from\) 10.200.0.1 refused: .*alert"
spoke2_conf "$P/wrong"
refused spoke2 "spoke2: control connection \(from\|to\) 10.200.0.3 refused: the peer's PSK is not ours" \
    "hub: control connection \(to\|from\) 10.200.0.1 refused: .*alert.* (is the PSK the same at both ends?)"
# The right PSK, the wrong cipher: the hellos disagree, both ends say so.
spoke2_conf "$P/psk2"
sed -i 's/^cipher = chacha20-poly1305$/cipher = aes-256-gcm/' "$WORK/spoke2.conf"
refused spoke2 "spoke2: control connection \(from\|to\) 10.200.0.3 refused: .*cipher mismatch: chacha20-poly1305 here, aes-256-gcm there" \
    "hub: control connection \(to\|from\) 10.200.0.1 refused: .*cipher mismatch"
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

echo "PASS: keying = auto: other CA, expired, wrong name, wrong PSK and another cipher refused"
