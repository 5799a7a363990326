#!/bin/bash
# demo.sh: install dependencies, build, and run a pod with two cloud spokes.
#
# Builds the topology of tests/integration/lib.sh (pod VMs vm1, vm2 on the
# hub's bridge; spokes spoke1, spoke2; an underlay bridge), starts three
# tunneld over VXLAN (spoke1's encrypted in ESP, keyed by the TLS control
# connection with certificates from a CA made here), then shows ping and iperf3 pod VM <-> spoke and
# spoke <-> spoke (through the hub) with tunnelctl status, peers, health
# (probe RTT, loss, state) and mtu (path MTU, inner MTU) while the traffic
# flows, and tunnelctl perf --compare (the built-in throughput test, over
# the underlay and through spoke1's tunnel).  Then iperf3 runs over both tunnels, spoke2's underlay is cut to
# MTU 1400 (an MTU black hole on purpose), and on a terminal tunneltop
# opens on the hub until q (elsewhere, tunneltop --once prints the same
# picture); everything it created is removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
bash scripts/install-deps.sh
autoreconf -fi >/dev/null
mkdir -p build-demo
(cd build-demo && "$top/configure" -q && make -s -j"$(nproc)")
TUNNELD=$top/build-demo/tunneld/tunneld
TUNNELCTL=$top/build-demo/cli/tunnelctl
. tests/integration/lib.sh
set +e
lib_init
topology
# spoke1's tunnel is encrypted: ESP keyed by the TLS control connection,
# with certificates from a CA made here (tunneld-pki).
conf_all vxlan 4
pki=$WORK/pki
for n in "ca $pki" "node $pki hub" "node $pki spoke1"; do
	# shellcheck disable=SC2086
	cli/tunneld-pki $n >/dev/null
done
chmod 755 "$pki"; chown nobody "$pki"/*.key
crypto() { printf '\n[crypto]\nca = %s/ca.pem\ncert = %s/%s.pem\nkey = %s/%s.key\n' "$pki" "$pki" "$1" "$pki" "$1"; }
sed -i '/^\[peer spoke1\]/,/^encap/ s/^encap = vxlan$/&\nencrypt = yes\ntls-name = spoke1/' "$WORK/hub.conf"
sed -i 's/^encap = vxlan$/&\nencrypt = yes\ntls-name = hub/' "$WORK/spoke1.conf"
crypto hub >> "$WORK/hub.conf"
crypto spoke1 >> "$WORK/spoke1.conf"
start_configured
for i in $(seq 1 50); do
	ctl hub peers | grep -q 'auto keys, SPI' && break
	sleep 0.2
done

show() {
	echo; echo "==== hub: tunnelctl status"; ctl hub status
	echo; echo "==== hub: tunnelctl peers"; ctl hub peers
	echo; echo "==== hub: tunnelctl health"; ctl hub health
	echo; echo "==== hub: tunnelctl mtu"; ctl hub mtu
}
iperf_pair() {
	local from=$1 to_ns=$2 to_ip=$3
	ip netns exec "$(ns "$to_ns")" iperf3 -s -1 -B "$to_ip" >/dev/null &
	PIDS="$PIDS $!"
	sleep 0.5
	echo; echo "==== iperf3 $from -> $to_ns ($to_ip), 5 s, while the hub reports:"
	nsx "$from" iperf3 -c "$to_ip" -t 5 -f m | grep -E 'sender|receiver' &
	local ip=$!
	sleep 2.5; show; wait "$ip"
}
echo "==== ping pod VM vm1 -> cloud spoke1 (10.10.0.21)"
nsx vm1 ping -c 3 -i 0.2 10.10.0.21
echo "==== ping spoke1 -> spoke2 through the hub (10.10.0.22)"
nsx spoke1 ping -c 3 -i 0.2 10.10.0.22
iperf_pair vm1 spoke1 10.10.0.21
iperf_pair spoke1 spoke2 10.10.0.22
echo; echo "==== hub: tunnelctl fdb"; ctl hub fdb
echo; echo "==== hub: tunnelctl perf spoke1 --compare --time 3 (the built-in throughput test)"
ctl hub perf spoke1 --compare --time 3 || echo "(the throughput test failed: see above)"
# The console's picture: traffic over both tunnels, and spoke2's underlay
# cut to MTU 1400 on purpose, a silent MTU black hole for a 1450-byte TAP
# (its UDP stream uses 1000-byte datagrams, which still pass).
nsx ul ip link set "p-spoke2" mtu 1400
nsx spoke2 ip link set ul0 mtu 1400
ip netns exec "$(ns vm1)" iperf3 -s -B 10.10.0.11 >/dev/null &
PIDS="$PIDS $!"
ip netns exec "$(ns vm2)" iperf3 -s -B 10.10.0.12 >/dev/null &
PIDS="$PIDS $!"
sleep 0.5
ip netns exec "$(ns spoke1)" timeout 700 iperf3 -c 10.10.0.11 -t 600 -b 200M >/dev/null 2>&1 &
PIDS="$PIDS $!"
ip netns exec "$(ns spoke2)" timeout 700 iperf3 -c 10.10.0.12 -u -l 1000 -t 600 -b 20M >/dev/null 2>&1 &
PIDS="$PIDS $!"
if [ -t 0 ] && [ -t 1 ]; then
	echo; echo "Now the console: iperf3 runs over both tunnels, and spoke2's"
	echo "underlay is cut to MTU 1400, an MTU black hole it flags with advice."
	echo "Enter opens a tunnel, t tests its throughput, ? lists the keys;"
	echo "q stops the demo and cleans up."
	sleep 4
	"$top/build-demo/tui/tunneltop" -s "$WORK/hub/ctl.sock"
else
	sleep 8
	echo; echo "==== hub: tunneltop --once (spoke2's underlay cut to MTU 1400)"
	"$top/build-demo/tui/tunneltop" -s "$WORK/hub/ctl.sock" --once
	echo; echo "Not on a terminal, so no live console: run"
	echo "./scripts/demo.sh from a terminal to watch the tunnels live."
fi
