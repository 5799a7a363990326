#!/bin/bash
# keying-roam.sh: an auto-keyed spoke on the move (keying-lib.sh sets them
# up): spoke1's underlay address changes during a ping every 10 ms and the
# hub follows its first authentic packet; spoke2 cannot connect out to the
# hub's control port, and the hub, which found it by discovery, connects
# to it instead.
. "$(dirname "$0")/keying-lib.sh"
# spoke2 is found by discovery here (a static provider), not configured.
awk '/^\[peer spoke2\]/ { skip = 1; next } /^\[/ { skip = 0 } !skip' \
    "$WORK/hub.conf" > "$WORK/hub.tmp" && mv "$WORK/hub.tmp" "$WORK/hub.conf"
printf '\n[provider lab]\ntype = static\ninstances = spoke2=10.200.0.3\nencap = gre\n' >> "$WORK/hub.conf"
printf 'encrypt = yes\ncipher = chacha20-poly1305\npsk-file = %s\nrefresh = 1\n' "$P/psk2" >> "$WORK/hub.conf"
start_daemon hub
start_daemon spoke1
spoke_addr spoke1 21
wait_keyed spoke1 hub
ping_ok vm1 10.10.0.21
# Roaming: spoke1's underlay address changes from .2 to .12 during a ping
# every 10 ms.  Nothing tells the hub: it follows the first authentic packet
# from .12 (a probe or a reply, within a probe-interval of the move), the
# ping resumes within a second of that packet, and .2 gets no tunnel packet
# after it (but for one health tick, 25 ms, and what was in flight).
ip netns exec "$(ns ul)" tcpdump -ni br0 -s 96 -U -tt -w "$WORK/roam.pcap" \
    'udp and (host 10.200.0.2 or host 10.200.0.12)' 2>/dev/null &
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
tcpdump -tt -nr "$WORK/roam.pcap" 2>/dev/null > "$WORK/roam.txt"
first=$(awk '$3 ~ /^10\.200\.0\.12\./ { print $1; exit }' "$WORK/roam.txt")
[ -n "$first" ] || fail "no packet from 10.200.0.12 on the underlay"
resumed=$(awk -v t="$first" '/bytes from/ { v = substr($1, 2, length($1) - 2); if (v > t) { print v; exit } }' "$WORK/roam.ping")
[ -n "$resumed" ] && awk -v a="$first" -v b="$resumed" 'BEGIN { exit !(b - a <= 1) }' ||
    fail "the ping did not resume within a second of spoke1's first packet from .12 (at $first, moved at $moved): first reply after it at ${resumed:-never}; $(ctl hub --json events | tr ',' '\n' | grep -E 'time|roamed' | tail -6)"
late=$(awk -v t="$first" '$1 > t + 0.1 && $5 ~ /^10\.200\.0\.2\./' "$WORK/roam.txt")
[ -z "$late" ] || fail "$(echo "$late" | wc -l) tunnel packets went to spoke1's old address more than 0.1 s after its first packet from .12 (at $first): $(echo "$late" | head -3)"
sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$WORK/roam.ping")
got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$WORK/roam.ping")
for i in $(seq 1 100); do
	grep -q "spoke1: control connection from 10.200.0.12 up" "$WORK/hub.log" && break
	[ "$i" = 100 ] && fail "spoke1's control connection did not come back from 10.200.0.12"
	sleep 0.2
done
ping_ok vm1 10.10.0.21
log "roamed: first packet from .12 $(awk -v a="$moved" -v b="$first" 'BEGIN { printf "%.2f", b - a }') s after the move, ping back $(awk -v a="$first" -v b="$resumed" 'BEGIN { printf "%.3f", b - a }') s after it; the ping lost $((sent - got)) of $sent; the old address got nothing after; control connection back from .12"
# A discovered spoke that cannot connect out (no route for TCP to port
# 4790, as a cloud's egress rule might have it): the hub connects to it.
nsx spoke2 ip rule add ipproto tcp dport 4790 prohibit
start_daemon spoke2
# (The hub waits CC_HUB_WAIT_MS, 5 s, then its attempts back off.)
for i in $(seq 1 200); do
	grep -q "lab/spoke2: control connection to 10.200.0.3 up" "$WORK/hub.log" && break
	[ "$i" = 200 ] && fail "the hub did not connect out to spoke2 in 40 s"
	sleep 0.2
done
wait_keyed spoke2 hub
nsx spoke2 ip addr add 10.10.0.22/24 dev tn-pod
ping_ok vm1 10.10.0.22
log "spoke2 could not connect out: the hub connected to it after $((i / 5)) s"
echo "PASS: keying = auto: roaming, and the hub connecting out"
