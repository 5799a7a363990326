# lib.sh: shared set-up for tunneld's network namespace tests.
#
# Topology (every name below is prefixed with this run's id):
#
#   vm1 --+                                   +-- tunneld spoke1 (TAP .21)
#   vm2 --+-- br-pod -- tunneld hub == ul ==  +-- tunneld spoke2 (TAP .22)
#                                       (bridge br0 in namespace ul)
#
# Pod subnet 10.10.0.0/24 (vm1 .11, vm2 .12); underlay 10.200.0.0/24 and
# fd00:200::/64 (hub .1, spoke1 .2, spoke2 .3, stranger .9).  Everything
# lives in namespaces this script creates and removes; traffic never leaves
# them.  Sourced by the tests; they call lib_init first.

set -eu

: "${TUNNELD:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/tunneld/tunneld}"
: "${TUNNELCTL:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/cli/tunnelctl}"
TESTDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

RUN_ID="t$$"
PIDS=""
NAMESPACES=""
WORK=""

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; lib_dump; exit 1; }
log() { echo "--- $*"; }

lib_init() {
	[ "$(id -u)" = 0 ] || skip "needs root for network namespaces and TAP devices"
	[ -c /dev/net/tun ] || skip "no /dev/net/tun"
	command -v ip >/dev/null || skip "iproute2 (ip) not installed"
	[ -x "$TUNNELD" ] || fail "tunneld not built at $TUNNELD"
	WORK=$(mktemp -d /tmp/tunneld-test.XXXXXX)
	chmod 755 "$WORK"
	trap lib_cleanup EXIT
	trap 'exit 130' INT TERM
}

ns() { echo "${RUN_ID}$1"; }
nsx() { local n=$1; shift; ip netns exec "$(ns "$n")" "$@"; }

lib_cleanup() {
	local rc=$? pid n
	for pid in $PIDS; do kill "$pid" 2>/dev/null || true; done
	for pid in $PIDS; do wait "$pid" 2>/dev/null || true; done
	for n in $NAMESPACES; do ip netns del "$n" 2>/dev/null || true; done
	[ -n "$WORK" ] && rm -rf "$WORK"
	exit $rc
}

# Print each daemon's log when a test fails.
lib_dump() {
	local f
	[ -n "$WORK" ] || return 0
	for f in "$WORK"/*.log; do
		[ -f "$f" ] || continue
		echo "=== $f"; tail -n 30 "$f"
	done
}

add_ns() {
	ip netns add "$(ns "$1")"
	NAMESPACES="$NAMESPACES $(ns "$1")"
	nsx "$1" ip link set lo up
	nsx "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
}

# Connect node $1 to the underlay bridge as address index $2.
underlay_attach() {
	local node=$1 idx=$2
	ip link add ul0 netns "$(ns "$node")" mtu 1600 type veth peer "p-$node" netns "$(ns ul)" mtu 1600
	nsx ul ip link set "p-$node" master br0 up
	nsx "$node" ip addr add "10.200.0.$idx/24" dev ul0
	nsx "$node" ip -6 addr add "fd00:200::$idx/64" dev ul0 nodad
	nsx "$node" ip link set ul0 up
}

# A pod VM: namespace with eth0 on the hub's br-pod.
pod_vm() {
	local vm=$1 idx=$2
	add_ns "$vm"
	ip link add eth0 netns "$(ns "$vm")" mtu 1450 type veth peer "$vm" netns "$(ns hub)" mtu 1450
	nsx hub ip link set "$vm" master br-pod up
	nsx "$vm" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	nsx "$vm" ip addr add "10.10.0.$idx/24" dev eth0
	nsx "$vm" ip link set eth0 up
}

# Hub, two spokes, a stranger, two pod VMs, all on one underlay.
topology() {
	local n
	add_ns ul
	nsx ul ip link add br0 mtu 1600 type bridge
	nsx ul ip link set br0 up
	add_ns hub; underlay_attach hub 1
	add_ns spoke1; underlay_attach spoke1 2
	add_ns spoke2; underlay_attach spoke2 3
	add_ns stranger; underlay_attach stranger 9
	# No IPv6 on pod-side devices: its MLD and router solicitations would
	# be flooded and blur the counts the tests make.
	nsx hub sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	nsx hub ip link add br-pod type bridge
	nsx hub ip link set br-pod up
	pod_vm vm1 11
	pod_vm vm2 12
	for n in spoke1 spoke2; do
		nsx "$n" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	done
}

# Underlay address of node index $1 in family $2 (4 or 6).
ul_addr() { if [ "$2" = 6 ]; then echo "fd00:200::$1"; else echo "10.200.0.$1"; fi; }

# Write the hub's config: $1 encap, $2 family, then "name:idx" spokes.
hub_conf() {
	local encap=$1 fam=$2 s; shift 2
	cat > "$WORK/hub.conf" <<CONF
[daemon]
role = hub
name = hub
user = nobody
control-socket = $WORK/hub/ctl.sock
threads = 2

[segment pod]
vni = 100
tap = tn-pod
bridge = br-pod
mtu = 1450
CONF
	for s in "$@"; do
		printf '\n[peer %s]\naddress = %s\nencap = %s\n' "${s%%:*}" \
		    "$(ul_addr "${s##*:}" "$fam")" "$encap" >> "$WORK/hub.conf"
	done
}

# Write a spoke's config: $1 name, $2 encap, $3 family.
spoke_conf() {
	cat > "$WORK/$1.conf" <<CONF
[daemon]
role = spoke
name = $1
user = nobody
control-socket = $WORK/$1/ctl.sock
threads = 2

[segment pod]
vni = 100
tap = tn-pod
mtu = 1450

[peer hub]
address = $(ul_addr 1 "$3")
encap = $2
CONF
}

ctl() { local n=$1; shift; "$TUNNELCTL" -s "$WORK/$n/ctl.sock" "$@"; }

# Start tunneld in namespace $1 with $WORK/$1.conf; wait until it answers.
start_daemon() {
	local n=$1 i
	ip netns exec "$(ns "$n")" "$TUNNELD" -d -c "$WORK/$n.conf" > "$WORK/$n.log" 2>&1 &
	eval "PID_$n=$!"
	PIDS="$PIDS $!"
	for i in $(seq 1 50); do
		ctl "$n" status >/dev/null 2>&1 && return 0
		kill -0 "$!" 2>/dev/null || fail "tunneld $n exited at start"
		sleep 0.1
	done
	fail "tunneld $n did not answer on its control socket"
}

daemon_pid() { eval "echo \$PID_$1"; }

# Give a spoke's TAP its pod address.
spoke_addr() {
	nsx "$1" ip addr add "10.10.0.$2/24" dev tn-pod
}

# Three daemons for encap $1 over family $2.
# conf_all writes the three configs, start_configured starts them (a test
# may edit a config in between).
start_all() {
	conf_all "$1" "$2"
	start_configured
}

conf_all() {
	hub_conf "$1" "$2" spoke1:2 spoke2:3
	spoke_conf spoke1 "$1" "$2"
	spoke_conf spoke2 "$1" "$2"
}

start_configured() {
	start_daemon hub; start_daemon spoke1; start_daemon spoke2
	spoke_addr spoke1 21
	spoke_addr spoke2 22
}

# ping from namespace $1 to $2; count 3 unless $3 given.
ping_ok() {
	nsx "$1" ping -q -c "${3:-3}" -i 0.2 -W 2 "$2" >/dev/null ||
	    fail "ping $1 -> $2"
}

# Send $3 MB of random bytes from namespace $1 to $2 over TCP and compare.
tcp_transfer() {
	local src=$1 dst_ns=$2 dst_ip=$3 mb=$4 port=$((5000 + RANDOM % 1000))
	head -c "$((mb * 1024 * 1024))" /dev/urandom > "$WORK/tx.bin"
	rm -f "$WORK/rx.bin"
	nsx "$dst_ns" timeout 60 python3 "$TESTDIR/tcpxfer.py" serve "$dst_ip" "$port" "$WORK/rx.bin" &
	local srv=$!
	sleep 0.3
	nsx "$src" timeout 60 python3 "$TESTDIR/tcpxfer.py" send "$dst_ip" "$port" "$WORK/tx.bin" ||
	    fail "TCP send $src -> $dst_ip"
	wait "$srv" || fail "TCP receive on $dst_ns"
	[ "$(sha256sum < "$WORK/tx.bin")" = "$(sha256sum < "$WORK/rx.bin")" ] ||
	    fail "TCP transfer $src -> $dst_ip: checksums differ"
	log "TCP $mb MB $src -> $dst_ns identical"
}

# A numeric field of a peer from tunnelctl --json: $1 node, $2 peer, $3 jq path.
peer_field() {
	ctl "$1" --json peers | python3 -c '
import json, sys
peers = json.load(sys.stdin)["peers"]
p = [p for p in peers if p["name"] == sys.argv[1]][0]
v = p
for k in sys.argv[2].split("."):
    v = v.get(k, 0) if isinstance(v, dict) else 0
print(v)' "$2" "$3"
}

# A drop counter from tunnelctl counters: $1 node, $2 group, $3 reason.
counter() {
	ctl "$1" --json counters | python3 -c '
import json, sys
print(json.load(sys.stdin)[sys.argv[1]].get(sys.argv[2], 0))' "$2" "$3"
}

# Hub and spoke1 in subnets of their own (10.200.1.0/24, 10.200.2.0/24 and
# fd00:200:1::/64, fd00:200:2::/64; each node .2, the router .254 / ::fe),
# joined by a router namespace whose ports are r-hub and r-spoke1.
routed_topology() {
	local n i=1
	add_ns hub; add_ns spoke1; add_ns router
	nsx router sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	for n in hub spoke1; do
		ip link add ul0 netns "$(ns "$n")" type veth peer "r-$n" netns "$(ns router)"
		nsx router ip addr add "10.200.$i.254/24" dev "r-$n"
		nsx router ip -6 addr add "fd00:200:$i::fe/64" dev "r-$n" nodad
		nsx router ip link set "r-$n" up
		nsx "$n" ip addr add "10.200.$i.2/24" dev ul0
		nsx "$n" ip -6 addr add "fd00:200:$i::2/64" dev ul0 nodad
		nsx "$n" ip link set ul0 up
		nsx "$n" ip route add default via "10.200.$i.254"
		nsx "$n" ip -6 route add default via "fd00:200:$i::fe"
		nsx "$n" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
		i=$((i + 1))
	done
	ping_ok hub 10.200.2.2 1
	nsx hub ping -6 -q -c 1 -W 2 fd00:200:2::2 >/dev/null || fail "no IPv6 path"
}

# The [daemon] section of node $1 (role $2) with probes every 200 ms,
# down after 2 s, and any further lines given as arguments.
fast_probe_daemon() {
	local n=$1 role=$2 line; shift 2
	cat > "$WORK/$n.conf" <<CONF
[daemon]
role = $role
name = $n
user = nobody
control-socket = $WORK/$n/ctl.sock
threads = 2
probe-interval = 200ms
dead-after = 2s
CONF
	for line in "$@"; do echo "$line" >> "$WORK/$n.conf"; done
}

# A fake OpenStack (tests/providers/fakecloud.py: Keystone + Nova) in the
# hub's namespace, answering with what lab() last wrote; it lives while
# fd 8 is open.  FAKECLOUD_PORT is its port on the hub's loopback.
LAB_PASSWORD='os+secret/pass' # the one fakecloud.py takes
lab() {	# write the fake cloud's answer atomically: $1 fail, then name:addr
	local fail=$1 e first=1; shift
	{
		printf '{"fail": %s, "servers": [' "$fail"
		for e in "$@"; do
			[ $first = 1 ] || printf ', '
			first=0
			printf '{"id": "id-%s", "name": "%s", "addr": "%s"}' \
			    "${e%%:*}" "${e%%:*}" "${e##*:}"
		done
		printf ']}\n'
	} > "$WORK/lab.tmp"
	mv "$WORK/lab.tmp" "$WORK/lab.json"
}
start_fakecloud() {
	local py=/usr/bin/python3 i
	[ -x "$py" ] || py=python3
	mkfifo "$WORK/fc.in"
	FAKECLOUD_LAB="$WORK/lab.json" nsx hub "$py" "$TEST_SRCDIR/tests/providers/fakecloud.py" \
	    "$TEST_DATA" < "$WORK/fc.in" > "$WORK/fc.port" 2> "$WORK/fakecloud.log" &
	PIDS="$PIDS $!"
	exec 8> "$WORK/fc.in"
	for i in $(seq 1 50); do [ -s "$WORK/fc.port" ] && break; sleep 0.1; done
	FAKECLOUD_PORT=$(cat "$WORK/fc.port")
	[ -n "$FAKECLOUD_PORT" ] || fail "fake cloud did not start"
}
# Append [provider lab] (the fake cloud, refreshed every 2 s) to the hub's
# config, with grace period $1 s.
lab_provider() {
	printf 'password = %s\n' "$LAB_PASSWORD" > "$WORK/lab.cred"
	chmod 600 "$WORK/lab.cred"
	cat >> "$WORK/hub.conf" <<CONF

[provider lab]
type = openstack
auth-url = http://127.0.0.1:$FAKECLOUD_PORT/lab/keystone/v3
username = tunneld
project = pod
credentials = $WORK/lab.cred
tag = tunneld=pod
address = private
refresh = 2
grace = $1
timeout = 5
CONF
}
