#!/bin/bash
# tunnel-vs-kernel.sh: tunneld against the kernel's vxlan and the
# userspace L2 tunnels operators use today, in one run.
#
# Two namespaces joined by one veth (the underlay).  Row by row, each alone
# on the machine: the bare veth, a kernel vxlan pair (VNI 42, port 4790),
# OpenVPN, tinc, a naive TAP <-> UDP relay, tunneld over VXLAN, GRE and
# GRE-in-UDP, and Open vSwitch's userspace datapath (bench/rivals.sh wires
# the others, installing them from Debian when missing).  iperf3 measures
# TCP with 1 and 4 streams and UDP 64-byte packets received per second
# through each, ping the RTT.  The script prints every figure, tunneld's
# ratios to the kernel, OpenVPN, OVS and the naive relay, GRE and
# GRE-in-UDP against tunneld VXLAN, and tunneld's offload counters.
# Six more tunneld VXLAN rows show what packet-path features cost:
# -noprobe (probe = no; the plain row probes, as by default), -clamp
# (clamp-mss = yes), -dfinherit (df = inherit), -esp (ESP with
# AES-256-GCM, manual keys), -chacha (ESP with ChaCha20-Poly1305) and
# -rekey (AES-256-GCM keyed by the control connection, rekeyed every 2 s).
# BENCH_ROWS="kernel-vxlan tunneld-vxlan" runs only those rows.
#
# Usage: bench/tunnel-vs-kernel.sh [seconds per figure, default 10]
#                                   [runs, default 1]
# With several runs every row is measured once per run, rows interleaved,
# and the table of medians follows (the ratios use the medians).
# Needs root and a built tree (TUNNELD, TUNNELCTL may point elsewhere);
# iperf3 is installed from Debian when missing.
# Not a test: no thresholds; figures vary run to run, compare within a run.
set -euo pipefail
secs=${1:-10}; runs=${2:-1}
. "$(dirname "$0")/lib.sh"
# Kernel vxlan pair.
ip -n "$A" link add vxk type vxlan id 42 local 10.201.0.1 remote 10.201.0.2 dstport 4790 dev eth0
ip -n "$B" link add vxk type vxlan id 42 local 10.201.0.2 remote 10.201.0.1 dstport 4790 dev eth0
for n in "$A:1" "$B:2"; do
	ip -n "${n%%:*}" addr add "10.30.0.${n##*:}/24" dev vxk
	ip -n "${n%%:*}" link set vxk up
done
. "$top/bench/rivals.sh"
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
line() { printf '%-27s %12s %12s %14s %10s\n' "$@"; }
line path "TCP 1 Gb/s" "TCP 4 Gb/s" "UDP64 kpps rx" "RTT ms"
# r[ROW.FIGURE]: that figure of every run so far, space separated.
declare -A r
FIGS="t1 t4 u rtt"
row() {	# $1 name, $2 target, $3 label
	local name=$1 t=$2
	r[$name.t1]+=" $(measure "$t")"
	r[$name.t4]+=" $(measure "$t" -P 4)"
	r[$name.u]+=" $(measure "$t" -u -l 64 -b 0)"
	sleep 1		# let the UDP flood's queues drain before timing pings
	r[$name.rtt]+=" $(rtt "$t")"
	line "$3" $(for f in $FIGS; do echo "${r[$name.$f]##* }"; done)
}
median() { python3 -c 'import statistics, sys; print(statistics.median(map(float, sys.argv[1:])))' "$@"; }
# Which offload path tunneld used, and how much went through it.
offload_line() {
	local n
	for n in a b; do
		"$TUNNELCTL" -s "$W/$n/ctl.sock" --json status | python3 -c '
import json, sys
s = json.load(sys.stdin)["segments"][0]
print("  tunneld %s: offload %s, TSO super-frames in %d, GRO super-frames out %d,"
    " TAP kernel drops %d" % (sys.argv[1],
    s["offload"], s["tso_frames"], s["gro_frames"], s["tap_kernel_drops"]))' "$n"
	done
}
# Each row: its name, how to set it up, the address measured through it.
# Rows run and print in this order; BENCH_ROWS="NAME ..." picks some.
ROWS="bare-veth kernel-vxlan openvpn tinc naive-relay
tunneld-vxlan tunneld-gre tunneld-gre-udp tunneld-vxlan-noprobe
tunneld-vxlan-clamp tunneld-vxlan-dfinherit tunneld-vxlan-esp
tunneld-vxlan-chacha tunneld-vxlan-rekey ovs-userspace"
row_setup() {	# $1 row; sets TARGET
	case $1 in
	bare-veth)	TARGET=10.201.0.2; serve_iperf $TARGET ;;
	kernel-vxlan)	TARGET=10.30.0.2; serve_iperf $TARGET ;;
	openvpn)	TARGET=10.32.0.2; openvpn_pair ;;
	tinc)		TARGET=10.33.0.2; tinc_pair ;;
	naive-relay)	TARGET=10.34.0.2; naive_pair ;;
	tunneld-vxlan-*) TARGET=10.31.0.2; tunneld_pair vxlan "${1#tunneld-vxlan-}" ;;
	tunneld-*)	TARGET=10.31.0.2; tunneld_pair "${1#tunneld-}" ;;
	ovs-userspace)	TARGET=10.35.0.2; ovs_pair ;;
	*)		echo "no row $1" >&2; exit 2 ;;
	esac
}
for ((run = 1; run <= runs; run++)); do
	for name in ${BENCH_ROWS:-$ROWS}; do
		label=$name$([ "$runs" = 1 ] || echo " #$run")
		if row_setup "$name"; then
			row "$name" "$TARGET" "$label"
			case $name in tunneld-*) offload_line ;; esac
		else
			echo "$label: did not come up, no figures" >&2
		fi
		[ "$name" != ovs-userspace ] || ovs_unpair
		stage_stop
	done
done
# From here on r[ROW.FIGURE] is the median of the runs.
for k in "${!r[@]}"; do r[$k]=$(median ${r[$k]}); done
have() { [ -n "${r[$1.t1]:-}" ]; }
if [ "$runs" != 1 ]; then
	echo "medians of $runs runs"
	for name in ${BENCH_ROWS:-$ROWS}; do
		have "$name" || continue
		line "$name" $(for f in $FIGS; do printf '%.*f\n' \
		    "$(case $f in t1|t4) echo 2 ;; u) echo 0 ;; rtt) echo 3 ;; esac)" \
		    "${r[$name.$f]}"; done)
	done
fi
ratio() { python3 -c "import sys; a, b = map(float, sys.argv[1:]); print('%.2f' % (a / b if b else 0))" "$1" "$2"; }
ratios() {	# $1 label, $2 row, $3 reference row
	have "$2" && have "$3" || return 0
	[ -n "${said_ratios:-}" ] || echo "ratios (RTT: higher is slower)"
	said_ratios=1
	line "$1" \
	    "$(ratio "${r[$2.t1]}" "${r[$3.t1]}")" \
	    "$(ratio "${r[$2.t4]}" "${r[$3.t4]}")" \
	    "$(ratio "${r[$2.u]}" "${r[$3.u]}")" \
	    "$(ratio "${r[$2.rtt]}" "${r[$3.rtt]}")"
}
ratios "tunneld/kernel" tunneld-vxlan kernel-vxlan
ratios "tunneld/openvpn" tunneld-vxlan openvpn
ratios "tunneld/ovs" tunneld-vxlan ovs-userspace
ratios "tunneld/naive" tunneld-vxlan naive-relay
ratios "gre/vxlan" tunneld-gre tunneld-vxlan
ratios "gre-udp/vxlan" tunneld-gre-udp tunneld-vxlan
# What the packet-path features cost: probes on (the default) against off,
# clamp-mss and df = inherit against the plain VXLAN row.
ratios "probes/none" tunneld-vxlan tunneld-vxlan-noprobe
ratios "clamp-mss/plain" tunneld-vxlan-clamp tunneld-vxlan
ratios "df-inherit/set" tunneld-vxlan-dfinherit tunneld-vxlan
ratios "esp-aes-gcm/plain" tunneld-vxlan-esp tunneld-vxlan
ratios "esp-chacha/plain" tunneld-vxlan-chacha tunneld-vxlan
ratios "esp-aes-gcm/openvpn" tunneld-vxlan-esp openvpn
ratios "esp-chacha/openvpn" tunneld-vxlan-chacha openvpn
ratios "rekey-2s/manual" tunneld-vxlan-rekey tunneld-vxlan-esp
