# lib.sh: what the benchmarks share, sourced, not run.  Makes two
# namespaces $A and $B joined by one veth (eth0, underlay 10.201.0.0/24,
# IPv6 off), a work directory $W, and removes all of it on exit.  Whatever
# a row starts goes through stage_run and ends at stage_stop, by PID.
# tunneld_pair ENCAP runs a tunneld hub in A and spoke in B (VNI 100, TAP
# tnb, inner 10.31.0.0/24, control sockets $W/a and $W/b) with an iperf3
# server on 10.31.0.2; TUNNELD_PIDS holds the two daemons' PIDS.  TUNNELD and TUNNELCTL may point at another build.
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${TUNNELD:=$top/tunneld/tunneld}"
: "${TUNNELCTL:=$top/cli/tunnelctl}"
[ -x "$TUNNELD" ] || TUNNELD=$top/build-gcc/tunneld/tunneld
[ -x "$TUNNELCTL" ] || TUNNELCTL=$top/build-gcc/cli/tunnelctl
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 1; }
[ -x "$TUNNELD" ] || { echo "build tunneld first (TUNNELD=$TUNNELD)" >&2; exit 1; }

# Installs command $1 from Debian package $2 when it is missing.
bench_install() {	# $1 command, $2 package
	command -v "$1" >/dev/null && return 0
	echo "installing $2 from Debian" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -q "$2" >/dev/null 2>&1 ||
	    { apt-get update -q >/dev/null && apt-get install -y -q "$2" >/dev/null; }
}

# Waits up to 5 s for interface $2 to appear in namespace $1.
wait_link() {
	local _
	for _ in $(seq 50); do
		ip -n "$1" link show "$2" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

bench_install iperf3 iperf3 || { echo "needs iperf3" >&2; exit 1; }

# Whatever one row set up (daemons, iperf3 servers) runs under the stage
# and is stopped before the next row starts, so rows never share the CPU.
STAGE_PIDS=""
stage_run() {	# $1 namespace, then the command; runs it in the background
	local ns=$1; shift
	ip netns exec "$ns" "$@" &
	STAGE_PIDS="$STAGE_PIDS $!"
}
stage_stop() {
	local p
	for p in $STAGE_PIDS; do kill "$p" 2>/dev/null || true; done
	for p in $STAGE_PIDS; do wait "$p" 2>/dev/null || true; done
	STAGE_PIDS=""
}
A=bench$$a; B=bench$$b; W=$(mktemp -d /tmp/tunneld-bench.XXXXXX)
cleanup() {
	stage_stop
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
serve_iperf() {	# $1 address in B
	stage_run "$B" iperf3 -s -B "$1" -p 5201 >/dev/null 2>&1
	sleep 0.5
}
# Manual ESP keys for the pair: $1 a or b, $2 cipher (a's in is b's out).
esp_keys() {
	local in=$KEY_B out=$KEY_A spi_in=0x2001 spi_out=0x1001
	[ "$1" = a ] && in=$KEY_A out=$KEY_B spi_in=0x1001 spi_out=0x2001
	printf 'encrypt = yes\nkeying = manual\ncipher = %s\n' "$2"
	printf 'esp-spi-in = %s\nesp-spi-out = %s\n' "$spi_in" "$spi_out"
	printf 'esp-key-in = %s\nesp-key-out = %s\n' "$in" "$out"
}
# A tunneld pair over encapsulation $1, with variant $2: noprobe (probe =
# no: what probes cost), clamp (clamp-mss = yes), dfinherit (df =
# inherit), esp (encrypted, AES-256-GCM, manual keys), chacha
# (ChaCha20-Poly1305), rekey (AES-256-GCM keyed by the control
# connection with a PSK and rekeyed every 2 s: what rekeying costs), or
# none.
tunneld_pair() {
	local n ns name i
	TUNNELD_PIDS=""
	KEY_A=$(head -c 36 /dev/urandom | od -An -tx1 | tr -d ' \n')
	KEY_B=$(head -c 36 /dev/urandom | od -An -tx1 | tr -d ' \n')
	conf a hub 1 2 "$1"; conf b spoke 2 1 "$1"
	for name in a b; do
		case ${2:-} in
		noprobe) echo "probe = no" >> "$W/$name.conf" ;;
		clamp) sed -i 's/^mtu = 1450$/mtu = 1450\nclamp-mss = yes/' "$W/$name.conf" ;;
		dfinherit) sed -i 's/^\[daemon\]$/[daemon]\ndf = inherit/' "$W/$name.conf" ;;
		esp|chacha) # ESP takes 42 more bytes: 1408 fits a 1500 underlay.
			sed -i 's/^mtu = 1450$/mtu = 1400/' "$W/$name.conf"
			esp_keys "$name" "$([ "$2" = esp ] && echo aes-256-gcm ||
			    echo chacha20-poly1305)" >> "$W/$name.conf" ;;
		rekey)
			sed -i 's/^mtu = 1450$/mtu = 1400/' "$W/$name.conf"
			[ -f "$W/psk" ] || (umask 077; head -c 32 /dev/urandom |
			    od -An -tx1 | tr -d ' \n' > "$W/psk")
			printf 'encrypt = yes\npsk-file = %s\n[crypto]\nrekey-time = 2s\n' \
			    "$W/psk" >> "$W/$name.conf" ;;
		esac
		chmod 600 "$W/$name.conf"
	done
	for n in "$A:a:1" "$B:b:2"; do
		IFS=: read -r ns name i <<< "$n"
		stage_run "$ns" "$TUNNELD" -d -c "$W/$name.conf" > "$W/$name.log" 2>&1
		TUNNELD_PIDS="${TUNNELD_PIDS:-} $!"
		wait_link "$ns" tnb || true	# the ping below tells
		ip -n "$ns" addr add "10.31.0.$i/24" dev tnb
	done
	serve_iperf 10.31.0.2
	sleep 0.5
	# (Auto keys come a moment after the start.)
	ip netns exec "$A" ping -q -c 2 -w 5 10.31.0.2 >/dev/null || {
		echo "tunneld $1 did not come up" >&2
		tail -n 20 "$W/a.log" "$W/b.log" >&2
		return 1
	}
}
