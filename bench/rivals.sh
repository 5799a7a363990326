# rivals.sh: the other L2 tunnels bench/tunnel-vs-kernel.sh measures
# tunneld against, each wired between namespaces $A and $B over the
# underlay 10.201.0.0/24 with an inner /24 of its own, and an iperf3 server
# behind B.  Sourced, not run: it uses the caller's $A, $B, $W, $top,
# stage_run and serve_iperf.  Each *_pair function prints nothing and
# leaves the inner address 10.X.0.2 answering, or returns 1 (its logs on
# stderr) so the bench goes on without that row; stage_stop ends it.
#
#   openvpn   OpenVPN 2.6, TAP, p2p TLS with a generated self-signed pair,
#             AES-256-GCM               inner 10.32.0.0/24
#   tinc      tinc 1.0, Mode = switch, its default cipher   10.33.0.0/24
#   naive     bench/naive-relay.c, one frame per system call 10.34.0.0/24
#   ovs       Open vSwitch userspace datapath (netdev), VXLAN 10.35.0.0/24
#
# Inner MTU is 1400 for OpenVPN and tinc (their overhead on a 1500-byte
# underlay, so neither fragments), 1450 for the others, as for tunneld.

# Waits up to 15 s for $2 to be reachable from A, with a ping.
rival_wait() {	# $1 name, $2 inner address of B
	local _
	for _ in $(seq 30); do
		ip netns exec "$A" ping -q -c 1 -W 1 "$2" >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	echo "$1 did not come up" >&2; tail -n 20 "$W"/*.log "$W"/*/*.log >&2 || true
	return 1
}

rival_inner() {	# $1 ns, $2 dev, $3 address/len, $4 mtu
	ip -n "$1" link set "$2" mtu "$4"
	ip -n "$1" addr add "$3" dev "$2"
	ip -n "$1" link set "$2" up
}

openvpn_pair() {
	local n ns i other role
	bench_install openvpn openvpn || return 1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -days 2 -subj /CN=bench -keyout "$W/ovpn.key" \
	    -out "$W/ovpn.crt" 2>/dev/null || return 1
	for n in "$A:1:2:server" "$B:2:1:client"; do
		IFS=: read -r ns i other role <<< "$n"
		stage_run "$ns" openvpn --dev ovpn --dev-type tap --proto udp \
		    --local "10.201.0.$i" --remote "10.201.0.$other" \
		    --port 1194 --tls-"$role" --dh none \
		    --ca "$W/ovpn.crt" --cert "$W/ovpn.crt" --key "$W/ovpn.key" \
		    --data-ciphers AES-256-GCM --disable-dco --tun-mtu 1400 \
		    --ifconfig "10.32.0.$i" 255.255.255.0 --verb 1 \
		    --log "$W/openvpn-$i.log"
	done
	rival_wait openvpn 10.32.0.2 || return 1
	serve_iperf 10.32.0.2
}

tinc_pair() {
	local n ns name i other d
	bench_install tincd tinc || return 1
	for n in "$A:a:1:b" "$B:b:2:a"; do
		IFS=: read -r ns name i other <<< "$n"
		d=$W/tinc-$name
		rm -rf "$d"	# a fresh pair each run
		mkdir -p "$d/hosts"
		printf 'Name = %s\nMode = switch\nInterface = tinc\nAddressFamily = ipv4\nBindToAddress = 10.201.0.%s\n' \
		    "$name" "$i" > "$d/tinc.conf"
		[ "$name" = a ] && echo "ConnectTo = $other" >> "$d/tinc.conf"
		printf 'Address = 10.201.0.%s\n' "$i" > "$d/hosts/$name"
		tincd -c "$d" -K 2048 < /dev/null > /dev/null 2>&1 || return 1
	done
	cp "$W/tinc-a/hosts/a" "$W/tinc-b/hosts/a"
	cp "$W/tinc-b/hosts/b" "$W/tinc-a/hosts/b"
	for n in "$A:a:1" "$B:b:2"; do
		IFS=: read -r ns name i <<< "$n"
		stage_run "$ns" tincd -c "$W/tinc-$name" -D \
		    --logfile="$W/tinc-$name.log" --pidfile="$W/tinc-$name.pid"
		wait_link "$ns" tinc || return 1
		rival_inner "$ns" tinc "10.33.0.$i/24" 1400
	done
	rival_wait tinc 10.33.0.2 || return 1
	serve_iperf 10.33.0.2
}

naive_pair() {
	local n ns i other
	cc -O2 -o "$W/naive-relay" "$top/bench/naive-relay.c" || return 1
	for n in "$A:1:2" "$B:2:1"; do
		IFS=: read -r ns i other <<< "$n"
		stage_run "$ns" "$W/naive-relay" naive "10.201.0.$i" \
		    "10.201.0.$other" 4800
		wait_link "$ns" naive || return 1
		rival_inner "$ns" naive "10.34.0.$i/24" 1450
	done
	rival_wait naive 10.34.0.2 || return 1
	serve_iperf 10.34.0.2
}

# OVS's userspace datapath routes tunnels itself: the underlay address
# moves from eth0 to the bridge br-phy (eth0 becomes its port) until
# ovs_unpair puts it back.  One ovsdb-server and ovs-vswitchd per side,
# with their own run directory.
ovs() {	# $1 side, then ovs-vsctl arguments
	local d=$W/ovs-$1; shift
	ovs-vsctl --db="unix:$d/db.sock" "$@"
}
ovs_pair() {
	local n ns s i other d
	bench_install ovs-vswitchd openvswitch-switch || return 1
	for n in "$A:a:1:2" "$B:b:2:1"; do
		IFS=: read -r ns s i other <<< "$n"
		d=$W/ovs-$s
		rm -rf "$d"	# a fresh database each run
		mkdir -p "$d"
		ovsdb-tool create "$d/conf.db" \
		    /usr/share/openvswitch/vswitch.ovsschema || return 1
		OVS_RUNDIR=$d stage_run "$ns" ovsdb-server "$d/conf.db" \
		    --remote="punix:$d/db.sock" --log-file="$d/ovsdb.log" -vconsole:off 2>/dev/null
		for _ in $(seq 50); do [ -S "$d/db.sock" ] && break; sleep 0.1; done
		ovs "$s" --no-wait init
		OVS_RUNDIR=$d stage_run "$ns" ovs-vswitchd "unix:$d/db.sock" \
		    --log-file="$d/vswitchd.log" -vconsole:off 2>/dev/null
		ip netns exec "$ns" bash -c "$(declare -f ovs); W=$W; set -e
		ovs $s add-br br-phy -- set bridge br-phy datapath_type=netdev
		ovs $s add-port br-phy eth0
		ip addr flush dev eth0
		ip addr add 10.201.0.$i/24 dev br-phy
		ip link set br-phy up
		ovs $s add-br br-int -- set bridge br-int datapath_type=netdev
		ovs $s add-port br-int vx -- set interface vx type=vxlan \
		    options:remote_ip=10.201.0.$other options:key=77 \
		    options:dst_port=4791
		ovs $s set interface br-int mtu_request=1450" || return 1
		rival_inner "$ns" br-int "10.35.0.$i/24" 1450
	done
	rival_wait ovs 10.35.0.2 || return 1
	serve_iperf 10.35.0.2
}
ovs_unpair() {
	local n ns s i
	for n in "$A:a:1" "$B:b:2"; do
		IFS=: read -r ns s i <<< "$n"
		ip netns exec "$ns" bash -c "$(declare -f ovs); W=$W
		ovs $s del-br br-int; ovs $s del-br br-phy" || true
		ip -n "$ns" addr add "10.201.0.$i/24" dev eth0 2>/dev/null || true
	done
}
