#!/bin/bash
# metrics.sh: Prometheus text metrics (issue 12).  The hub serves
# metrics = 127.0.0.1:9108 in its namespace:
#   - promtool check metrics passes on the page;
#   - a real Prometheus server (Debian's) scrapes it, and its HTTP API
#     returns the tunnel's byte counter and path MTU;
#   - bad requests (other paths, methods, garbage, oversize, a client that
#     never sends) get their answer or time out, and the daemon carries on.
. "$(dirname "$0")/lib.sh"
lib_init
for t in prometheus promtool curl; do
	command -v "$t" >/dev/null || skip "$t not installed (scripts/install-deps.sh installs it)"
done
topology
conf_all vxlan 4
sed -i 's/^threads = 2$/threads = 2\nmetrics = 127.0.0.1:9108/' "$WORK/hub.conf"
start_configured
ping_ok vm1 10.10.0.21
ping_ok vm2 10.10.0.22
page() { nsx hub curl -sS --max-time 5 "$@"; }

log "the page"
page -o "$WORK/page.txt" http://127.0.0.1:9108/metrics || fail "no metrics page"
grep -q '^tunneld_peer_receive_bytes_total{peer="spoke1"} [1-9]' "$WORK/page.txt" ||
    fail "no byte counter for spoke1: $(grep receive_bytes "$WORK/page.txt")"
promtool check metrics < "$WORK/page.txt" > "$WORK/promtool.out" 2>&1 ||
    { cat "$WORK/promtool.out"; fail "promtool check metrics"; }
log "promtool: $(wc -l < "$WORK/page.txt") lines, no complaints"

log "bad requests"
code() { page -o /dev/null -w '%{http_code}' "$@"; }
[ "$(code http://127.0.0.1:9108/)" = 404 ] || fail "GET / is not 404"
[ "$(code -X POST http://127.0.0.1:9108/metrics)" = 405 ] || fail "POST is not 405"
reply=$(nsx hub python3 -c '
import socket
s = socket.create_connection(("127.0.0.1", 9108))
s.sendall(b"\x00\xffgarbage\r\n\r\n")
print(s.recv(100).split(b"\r\n")[0].decode())')
[ "$reply" = "HTTP/1.0 400 Bad Request" ] || fail "garbage got: $reply"
reply=$(nsx hub python3 -c '
import socket
s = socket.create_connection(("127.0.0.1", 9108))
try:
    s.sendall(b"GET /" + b"a" * 8192)
except OSError:
    pass
print(s.recv(100).split(b"\r\n")[0].decode())')
[ "$reply" = "HTTP/1.0 400 Bad Request" ] || fail "an oversize request got: $reply"
# Clients that connect and say nothing hold a slot for 5 s at most.
nsx hub python3 -c '
import socket, time
held = [socket.create_connection(("127.0.0.1", 9108)) for _ in range(12)]
time.sleep(7)
for s in held:
    s.settimeout(1)
    try:
        assert s.recv(10) == b""
    except socket.timeout:
        raise SystemExit("a silent client was not closed")' || fail "silent clients"
page -o /dev/null http://127.0.0.1:9108/metrics || fail "metrics gone after bad clients"

log "Prometheus scrapes it"
cat > "$WORK/prometheus.yml" <<CONF
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: tunneld
    static_configs:
      - targets: ['127.0.0.1:9108']
CONF
nsx hub timeout 60 prometheus --config.file="$WORK/prometheus.yml" \
    --storage.tsdb.path="$WORK/prom" --web.listen-address=127.0.0.1:9090 \
    > "$WORK/prometheus.log" 2>&1 &
PIDS="$PIDS $!"
query() {
	nsx hub curl -sS --max-time 5 http://127.0.0.1:9090/api/v1/query \
	    --data-urlencode "query=$1" 2>/dev/null | python3 -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if r else "none")' 2>/dev/null || echo none
}
for _ in $(seq 100); do
	[ "$(query 'tunneld_peer_path_mtu_bytes{peer="spoke1"}')" != none ] && break
	sleep 0.2
done
bytes=$(query 'tunneld_peer_receive_bytes_total{peer="spoke1"}')
pmtu=$(query 'tunneld_peer_path_mtu_bytes{peer="spoke1"}')
log "Prometheus: spoke1 received $bytes bytes, path MTU $pmtu"
[ "$pmtu" = 1600 ] || fail "Prometheus has path MTU $pmtu, not 1600 (the underlay's)"
[ "$bytes" != none ] && [ "$bytes" -gt 0 ] || fail "Prometheus has no byte counter"
[ "$(query 'up{job="tunneld"}')" = 1 ] || fail "the scrape target is not up"
kill -0 "$(daemon_pid hub)" || fail "hub died"
echo "PASS: metrics for promtool and Prometheus"
