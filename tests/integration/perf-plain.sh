#!/bin/bash
# perf-plain.sh: tunnelctl perf with plaintext peers, agreed in band (no
# control connection): a hub with three spokes (VXLAN, GRE, GRE-in-UDP)
# and a kernel vxlan peer.
#   - TCP and UDP tests through the VXLAN tunnel, and both ways at once
#     (--bidir); nothing reaches the pods;
#   - --all runs the three spokes' tests at once; the total is the sum;
#   - a kernel vxlan peer is refused at once, with the reason;
#   - with tc tbf at 100 Mbit/s on the underlay, the TCP test reports
#     100 Mbit/s +- 15%, and iperf3 through the same tunnel agrees with it
#     within 15% (both printed);
#   - a stranger's in-band test request opens nothing.
. "$(dirname "$0")/lib.sh"
lib_init
command -v iperf3 >/dev/null || fail "iperf3 not installed"
topology
add_ns spoke3; underlay_attach spoke3 4
nsx spoke3 sysctl -qw net.ipv6.conf.default.disable_ipv6=1
hub_conf vxlan 4 spoke1:2
printf '\n[peer spoke2]\naddress = 10.200.0.3\nencap = gre\n' >> "$WORK/hub.conf"
printf '\n[peer spoke3]\naddress = 10.200.0.4\nencap = gre-udp\n' >> "$WORK/hub.conf"
printf '\n[peer kv]\naddress = 10.200.0.10\nencap = vxlan\n' >> "$WORK/hub.conf"
spoke_conf spoke1 vxlan 4
spoke_conf spoke2 gre 4
spoke_conf spoke3 gre-udp 4
# The stranger's second address runs the kernel's vxlan towards the hub:
# a peer (kv), not a tunneld.  Its first (.9) stays a stranger.
nsx stranger ip addr add 10.200.0.10/24 dev ul0
nsx stranger ip link add vx0 type vxlan id 100 local 10.200.0.10 remote 10.200.0.1 dstport 4789 dev ul0
nsx stranger ip link set vx0 up
for n in hub spoke1 spoke2 spoke3; do start_daemon "$n"; done
spoke_addr spoke1 21
# up NODE PEER: until NODE's probes to PEER are answered (10 s at most).
up() {
	local i
	for i in $(seq 1 50); do
		[ "$(ctl "$1" --json health | python3 -c '
import json, sys
d = json.load(sys.stdin)
print([p for p in d["peers"] if p["name"] == sys.argv[1]][0]["state"])' "$2")" = up ] && return 0
		sleep 0.2
	done
	fail "$1: $2 is not up after 10 s"
}
for n in spoke1 spoke2 spoke3; do up hub "$n"; up "$n" hub; done

tap() {
	nsx "$1" cat /sys/class/net/tn-pod/statistics/rx_packets \
	    /sys/class/net/tn-pod/statistics/tx_packets | paste -sd+ | bc
}
# field FILE EXPR: a Python expression over the JSON document in FILE (r).
field() { python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
hub_tap=$(tap hub)
spoke_tap=$(tap spoke1)
ctl hub perf spoke1 --time 3 --json > "$WORK/tcp.json" || fail "TCP test: $(cat "$WORK/tcp.json")"
[ "$(field "$WORK/tcp.json" 'r["end"]["receiver"]["bits_per_second"] > 50e6 and r["end"]["sender"]["bytes"] >= r["end"]["receiver"]["bytes"] > 0')" = True ] ||
    fail "TCP through plaintext VXLAN: $(cat "$WORK/tcp.json")"
ctl hub perf spoke1 --time 3 --udp --bitrate 40M --json > "$WORK/udp.json" || fail "UDP test: $(cat "$WORK/udp.json")"
[ "$(field "$WORK/udp.json" 'abs(r["end"]["receiver"]["bits_per_second"] - 40e6) < 4e6 and r["end"]["receiver"]["lost_percent"] < 1')" = True ] ||
    fail "UDP through plaintext VXLAN: $(cat "$WORK/udp.json")"
# Both ways at once: two tests, one each way, both running at both ends.
ctl hub perf spoke1 --bidir --time 3 --json > "$WORK/bidir.json" &
bidir=$!
sleep 1.5
both=$(ctl spoke1 --json counters | python3 -c 'import json, sys; print(json.load(sys.stdin)["perf"]["running"])')
wait "$bidir" || fail "--bidir: $(cat "$WORK/bidir.json")"
[ "$both" = 2 ] || fail "--bidir ran $both tests at spoke1, not 2"
[ "$(field "$WORK/bidir.json" 'r["end"]["bidir"] and r["end"]["out"]["receiver"]["bytes"] > 0 and r["end"]["in"]["receiver"]["bytes"] > 0 and {i["direction"] for i in r["intervals"]} == {"out", "in"}')" = True ] ||
    fail "--bidir: $(cat "$WORK/bidir.json")"
log "both ways at once: out $(field "$WORK/bidir.json" 'round(r["end"]["out"]["receiver"]["bits_per_second"] / 1e6)') Mbit/s, in $(field "$WORK/bidir.json" 'round(r["end"]["in"]["receiver"]["bits_per_second"] / 1e6)') Mbit/s"
[ $(( $(tap hub) - hub_tap )) -le 20 ] && [ $(( $(tap spoke1) - spoke_tap )) -le 20 ] ||
    fail "the pod TAPs carried test traffic: hub $(( $(tap hub) - hub_tap )), spoke1 $(( $(tap spoke1) - spoke_tap ))"
log "plaintext VXLAN: TCP $(field "$WORK/tcp.json" 'round(r["end"]["receiver"]["bits_per_second"] / 1e6)') Mbit/s, UDP $(field "$WORK/udp.json" 'round(r["end"]["receiver"]["bits_per_second"] / 1e6)') Mbit/s; in band: $(ctl hub --json counters | python3 -c 'import json, sys; print(json.load(sys.stdin)["inband"])')"

# --all: the three spokes at once (kv fails), the total the sum of the rows.
ctl hub perf --all --time 3 --json > "$WORK/all.json" &
all=$!
sleep 1.5
running=$(ctl hub --json counters | python3 -c 'import json, sys; print(json.load(sys.stdin)["perf"]["running"])')
wait "$all" && fail "--all passed with kv among the peers"
[ "$running" = 3 ] || fail "--all ran $running tests at once, not 3"
python3 - "$WORK/all.json" <<'EOF' || fail "--all: $(cat "$WORK/all.json")"
import json, sys
r = json.load(open(sys.argv[1]))
t = {x["peer"]: x for x in r["tests"]}
assert r["at_once"] and set(t) == {"spoke1", "spoke2", "spoke3", "kv"}, t.keys()
assert "error" in t["kv"] and "probes" in t["kv"]["error"], t["kv"]
spokes = [t[n]["end"] for n in ("spoke1", "spoke2", "spoke3")]
assert all(e["receiver"]["bytes"] > 0 for e in spokes)
total = sum(e["receiver"]["bits_per_second"] for e in spokes)
print("--- --all:", ", ".join("%s %.0f Mbit/s" % (n, t[n]["end"]["receiver"]["bits_per_second"] / 1e6) for n in ("spoke1", "spoke2", "spoke3")), "total %.0f" % (total / 1e6))
EOF
ctl hub perf --all --time 2 > "$WORK/all.txt" || true
python3 - "$WORK/all.txt" <<'EOF' || fail "--all's table: $(cat "$WORK/all.txt")"
import sys
units = {"bits/sec": 1, "Kbits/sec": 1e3, "Mbits/sec": 1e6, "Gbits/sec": 1e9}
rows, total = [], None
for line in open(sys.argv[1]):
    w = line.split()
    if len(w) >= 6 and w[0].startswith("spoke"):
        rows.append(float(w[4]) * units[w[5]])  # the receiver's column
    elif w and w[0] == "TOTAL":
        total = float(w[3]) * units[w[4]]
assert len(rows) == 3 and total is not None, (rows, total)
# Three significant figures a column: the sum within rounding.
assert abs(total - sum(rows)) <= 0.01 * total, (rows, total)
EOF

# A kernel vxlan peer: refused at once, saying why.
start=$(date +%s%N)
if ctl hub perf kv --time 3 > "$WORK/kv.out" 2>&1; then fail "a test with kernel vxlan ran"; fi
[ $(( ($(date +%s%N) - start) / 1000000 )) -lt 1000 ] || fail "the kernel vxlan peer took over a second to refuse"
grep -q "does not answer tunneld's probes" "$WORK/kv.out" || fail "kv: $(cat "$WORK/kv.out")"

# 100 Mbit/s on the underlay towards spoke1: tunneld's TCP and iperf3's
# through the same tunnel, one after the other.
nsx ul tc qdisc add dev p-spoke1 root tbf rate 100mbit burst 64kb latency 50ms
ctl hub perf spoke1 --time 4 --json > "$WORK/tbf.json" || fail "shaped test: $(cat "$WORK/tbf.json")"
ours=$(field "$WORK/tbf.json" 'r["end"]["receiver"]["bits_per_second"]')
nsx spoke1 iperf3 -s -1 -B 10.10.0.21 > "$WORK/iperf3-s.log" 2>&1 &
PIDS="$PIDS $!"
sleep 0.5
nsx vm1 iperf3 -c 10.10.0.21 -t 4 -J > "$WORK/iperf3.json" || fail "iperf3 through the tunnel: $(tail -5 "$WORK/iperf3.json")"
theirs=$(field "$WORK/iperf3.json" 'r["end"]["sum_received"]["bits_per_second"]')
log "at 100 Mbit/s on the underlay: tunneld perf $(python3 -c "print(round($ours / 1e6, 1))") Mbit/s, iperf3 $(python3 -c "print(round($theirs / 1e6, 1))") Mbit/s"
python3 -c "import sys; sys.exit(0 if 85e6 <= $ours <= 115e6 else 1)" || fail "shaped to 100 Mbit/s, tunneld reports $ours"
python3 -c "import sys; sys.exit(0 if abs($ours - $theirs) <= 0.15 * $theirs else 1)" ||
    fail "tunneld ($ours) and iperf3 ($theirs) differ by more than 15%"
nsx ul tc qdisc del dev p-spoke1 root

# A stranger's in-band test request (a probe message carrying a
# perf-request) opens nothing: it is no peer.
before=$(ctl hub --json counters | python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["perf"]["served"], d["drops"].get("unknown_source", 0))')
nsx stranger python3 -c '
import json, socket, struct
req = json.dumps({"id": 7, "proto": "tcp", "time_ms": 3000, "streams": 1, "size": 0,
                  "bitrate": 0, "interval_ms": 1000, "reverse": True, "underlay": True,
                  "port": 5201}).encode()
frame = bytes([1, 7]) + struct.pack(">H", len(req)) + req
body = b"TDPR" + bytes([1, 3, 0, 0]) + struct.pack(">IIQQ", 1, len(frame), 1, 0) + frame
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.200.0.9", 40000))
for i in range(5):
    s.sendto(bytes([0, ord("T"), ord("D"), ord("P"), 0, 0, 0, 0]) + body, ("10.200.0.1", 4789))
'
sleep 0.5
after=$(ctl hub --json counters | python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["perf"]["served"], d["drops"].get("unknown_source", 0))')
[ "${after% *}" = "${before% *}" ] || fail "a stranger's request was served"
[ "${after#* }" -ge $(( ${before#* } + 5 )) ] || fail "the stranger's request was not counted ($before -> $after)"
echo "PASS: tunnelctl perf in band with plaintext peers, --all, kernel vxlan refused, agreement with iperf3"
