#!/bin/bash
# perf-loss.sh: tunnelctl perf on a lossy path.  The impairment relay
# (impair.py) between a hub and a plaintext VXLAN spoke loses 5% of the
# frames from the hub to the spoke at random: a 5 s UDP test from the hub
# reports 2% to 8% loss; the in-band messages that set it up cross the
# same lossy path (sent again when lost).  The same test reversed (its
# data now goes the other, clean way) reports next to none.
. "$(dirname "$0")/lib.sh"
lib_init
command -v ethtool >/dev/null || skip "ethtool not installed"

add_ns hub; add_ns spoke1; add_ns relay
for n in hub spoke1; do
	ip link add ul0 netns "$(ns "$n")" type veth peer "r-$n" netns "$(ns relay)"
	nsx relay ip link set "r-$n" up promisc on
	# The relay copies frames as they are: no offload work may be left.
	nsx "$n" ethtool -K ul0 tx off tso off gso off >/dev/null
	nsx "$n" ip link set ul0 up
	nsx "$n" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
done
nsx hub ip addr add 10.200.0.1/24 dev ul0
nsx spoke1 ip addr add 10.200.0.2/24 dev ul0
: > "$WORK/impair"
nsx relay python3 "$TESTDIR/impair.py" r-hub r-spoke1 "$WORK/impair" 60 \
    2> "$WORK/relay.log" &
PIDS="$PIDS $!"
for _ in $(seq 50); do
	nsx hub ping -q -c 1 -W 1 10.200.0.2 >/dev/null 2>&1 && break
done
nsx hub ip link add br-pod type bridge
nsx hub ip link set br-pod up
hub_conf vxlan 4 spoke1:2
spoke_conf spoke1 vxlan 4
start_daemon hub; start_daemon spoke1
for i in $(seq 1 50); do
	ctl hub health | grep -q "spoke1 .* up" && break
	[ "$i" = 50 ] && fail "spoke1 not up: $(ctl hub health)"
	sleep 0.2
done
echo "loss_ab=5" > "$WORK/impair"
sleep 0.2
ctl hub perf spoke1 --udp --time 5 --bitrate 8M --json > "$WORK/loss.json" ||
    fail "the test failed on a lossy path: $(cat "$WORK/loss.json")"
ctl hub perf spoke1 --udp --time 2 --bitrate 8M --reverse --json > "$WORK/rev.json" ||
    fail "the reversed test failed: $(cat "$WORK/rev.json")"
python3 - "$WORK/loss.json" "$WORK/rev.json" <<'EOF' || fail "the loss reported is off: $(cat "$WORK/loss.json")"
import json, sys
e = json.load(open(sys.argv[1]))["end"]["receiver"]
r = json.load(open(sys.argv[2]))["end"]["receiver"]
print("--- 5%% loss on the way: the test reports %.2f%% (%d of %d); reversed %.2f%%"
      % (e["lost_percent"], e["lost"], e["lost"] + e["packets"], r["lost_percent"]))
assert 2 <= e["lost_percent"] <= 8
assert r["lost_percent"] < 1
EOF
resent=$(ctl hub --json counters | python3 -c 'import json, sys; print(json.load(sys.stdin)["inband"]["resent"])')
log "in-band messages sent again: $resent"
echo "PASS: a lossy path's loss, as tunnelctl perf reports it"
