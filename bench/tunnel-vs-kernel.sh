#!/bin/bash
# tunnel-vs-kernel.sh: tunneld against the kernel's vxlan, same run.
#
# Two namespaces joined by one veth (the underlay).  On it, side by side:
# a kernel vxlan pair (VNI 42, port 4790) and a tunneld hub/spoke pair
# (VNI 100), run in turn over VXLAN, GRE and GRE-in-UDP, each with its own
# inner subnet.  iperf3 measures TCP with 1 and 4 streams and UDP 64-byte
# packets received per second through each, ping the RTT; the script
# prints every figure, tunneld/kernel, and GRE and GRE-in-UDP against
# tunneld VXLAN, plus the offload counters of each tunneld run.
# BENCH_ENCAPS="vxlan" limits the run to those tunneld rows.
#
# Usage: bench/tunnel-vs-kernel.sh [seconds per figure, default 10]
# Needs root, a built tree (TUNNELD, TUNNELCTL may point elsewhere), iperf3.
# Not a test: no thresholds; figures vary run to run, compare within a run.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
: "${TUNNELD:=$top/tunneld/tunneld}"
[ -x "$TUNNELD" ] || TUNNELD=$top/build-gcc/tunneld/tunneld
secs=${1:-10}
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 1; }
command -v iperf3 >/dev/null || { echo "needs iperf3" >&2; exit 1; }
[ -x "$TUNNELD" ] || { echo "build tunneld first (TUNNELD=$TUNNELD)" >&2; exit 1; }

A=bench$$a; B=bench$$b; W=$(mktemp -d /tmp/tunneld-bench.XXXXXX); PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	for p in $PIDS; do wait "$p" 2>/dev/null || true; done
	ip netns del "$A" 2>/dev/null || true; ip netns del "$B" 2>/dev/null || true
	rm -rf "$W"
}
trap cleanup EXIT
chmod 755 "$W"
ip netns add "$A"; ip netns add "$B"
ip link add eth0 netns "$A" type veth peer eth0 netns "$B"
for n in "$A:1" "$B:2"; do
	ns=${n%%:*}; i=${n##*:}
	ip -n "$ns" link set lo up
	ip -n "$ns" addr add "10.201.0.$i/24" dev eth0
	ip -n "$ns" link set eth0 up
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
done
# Kernel vxlan pair.
ip -n "$A" link add vxk type vxlan id 42 local 10.201.0.1 remote 10.201.0.2 dstport 4790 dev eth0
ip -n "$B" link add vxk type vxlan id 42 local 10.201.0.2 remote 10.201.0.1 dstport 4790 dev eth0
for n in "$A:1" "$B:2"; do
	ip -n "${n%%:*}" addr add "10.30.0.${n##*:}/24" dev vxk
	ip -n "${n%%:*}" link set vxk up
done
# tunneld pair.
conf() {	# $1 name, $2 role, $3 own index, $4 other's index, $5 encap
	cat > "$W/$1.conf" <<CONF
[daemon]
role = $2
control-socket = $W/$1/ctl.sock
local-address = 10.201.0.$3
[segment pod]
vni = 100
tap = tnb
mtu = 1450
[peer other]
address = 10.201.0.$4
encap = $5
CONF
}
# A tunneld pair over encapsulation $1 (the previous pair stopped first),
# with an iperf3 server behind it.
TD_PIDS=""
tunneld_pair() {
	local p
	for p in $TD_PIDS; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	TD_PIDS=""
	conf a hub 1 2 "$1"; conf b spoke 2 1 "$1"
	for n in "$A:a:1" "$B:b:2"; do
		IFS=: read -r ns name i <<< "$n"
		ip netns exec "$ns" "$TUNNELD" -d -c "$W/$name.conf" > "$W/$name.log" 2>&1 &
		TD_PIDS="$TD_PIDS $!"
		for _ in $(seq 50); do ip -n "$ns" link show tnb >/dev/null 2>&1 && break; sleep 0.1; done
		ip -n "$ns" addr add "10.31.0.$i/24" dev tnb
	done
	ip netns exec "$B" iperf3 -s -B 10.31.0.2 -p 5201 >/dev/null 2>&1 &
	TD_PIDS="$TD_PIDS $!"
	sleep 1
	ip netns exec "$A" ping -q -c 2 10.31.0.2 >/dev/null
}
for ip in 10.30.0.2 10.201.0.2; do
	ip netns exec "$B" iperf3 -s -B "$ip" -p 5201 >/dev/null 2>&1 &
	PIDS="$PIDS $!"
done
sleep 1
ip netns exec "$A" ping -q -c 2 10.30.0.2 >/dev/null

# iperf3 figure: $1 target, then iperf3 options; prints a number.
measure() {
	local target=$1; shift
	ip netns exec "$A" iperf3 -c "$target" -t "$secs" -J "$@" 2>/dev/null | python3 -c '
import json, sys
j = json.load(sys.stdin)
r = j["end"]["sum_received"]
if "lost_packets" in r:
    # UDP: datagrams the server received per second, in thousands.
    print("%.0f" % ((r["packets"] - r["lost_packets"]) / r["seconds"] / 1e3))
else:
    print("%.2f" % (r["bits_per_second"] / 1e9))'
}
rtt() {
	ip netns exec "$A" ping -q -c 20 -i 0.05 "$1" | awk -F/ '/rtt/ {print $5}'
}
printf '%-22s %12s %12s %14s %10s\n' path "TCP 1 Gb/s" "TCP 4 Gb/s" "UDP64 kpps rx" "RTT ms"
declare -A r
row() {	# $1 name, $2 target
	local name=$1 t=$2
	r[$name.t1]=$(measure "$t")
	r[$name.t4]=$(measure "$t" -P 4)
	r[$name.u]=$(measure "$t" -u -l 64 -b 0)
	r[$name.rtt]=$(rtt "$t")
	printf '%-22s %12s %12s %14s %10s\n' "$name" "${r[$name.t1]}" "${r[$name.t4]}" "${r[$name.u]}" "${r[$name.rtt]}"
}
# Which offload path tunneld used, and how much went through it.
offload_line() {
	local n
	for n in a b; do
		"${TUNNELCTL:-$top/tunneld/tunnelctl}" -s "$W/$n/ctl.sock" --json status | python3 -c '
import json, sys
s = json.load(sys.stdin)["segments"][0]
print("  tunneld %s: offload %s, TSO super-frames in %d, GRO super-frames out %d" % (
    sys.argv[1], s["offload"], s["tso_frames"], s["gro_frames"]))' "$n"
	done
}
ENCAPS=${BENCH_ENCAPS:-vxlan gre gre-udp}
if [ -z "${BENCH_ENCAPS:-}" ]; then
	row bare-veth 10.201.0.2
	row kernel-vxlan 10.30.0.2
fi
for e in $ENCAPS; do
	tunneld_pair "$e"
	row "tunneld-$e" 10.31.0.2
	offload_line
done
PIDS="$PIDS $TD_PIDS"
[ -z "${BENCH_ENCAPS:-}" ] || exit 0
ratio() { python3 -c "import sys; a, b = map(float, sys.argv[1:]); print('%.2f' % (a / b if b else 0))" "$1" "$2"; }
ratios() {	# $1 label, $2 row, $3 reference row
	printf '%-22s %12s %12s %14s %10s\n' "$1" \
	    "$(ratio "${r[$2.t1]}" "${r[$3.t1]}")" \
	    "$(ratio "${r[$2.t4]}" "${r[$3.t4]}")" \
	    "$(ratio "${r[$2.u]}" "${r[$3.u]}")" \
	    "$(ratio "${r[$2.rtt]}" "${r[$3.rtt]}")"
}
ratios "tunneld/kernel" tunneld-vxlan kernel-vxlan
ratios "gre/vxlan" tunneld-gre tunneld-vxlan
ratios "gre-udp/vxlan" tunneld-gre-udp tunneld-vxlan
