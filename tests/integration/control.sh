#!/bin/bash
# control.sh: the control socket refuses strangers and bad requests, and
# survives more clients than it admits; tunnelctl's exit codes.
. "$(dirname "$0")/lib.sh"
lib_init
command -v setpriv >/dev/null || skip "setpriv (util-linux) not installed"
topology
hub_conf vxlan 4 spoke1:2
start_daemon hub
sock=$WORK/hub/ctl.sock
ctl hub status >/dev/null || fail "root is refused"
[ "$(stat -c %a "$sock")" = 600 ] || fail "socket mode is not 0600"
# Even with the file opened to everyone, another user is turned away.
chmod 666 "$sock"
rc=0; setpriv --reuid=12345 --regid=12345 --clear-groups "$TUNNELCTL" -s "$sock" status >/dev/null 2>&1 || rc=$?
[ "$rc" = 3 ] || fail "a stranger's tunnelctl exited $rc, not 3"
grep -q "control socket: refused pid [0-9]* uid 12345" "$WORK/hub.log" || fail "refusal not logged"
python3 "$TESTDIR/ctlclient.py" "$sock" junk || fail "bad requests"
python3 "$TESTDIR/ctlclient.py" "$sock" flood || fail "connection flood"
ctl hub status >/dev/null || fail "control socket dead after the flood"
# Slots (security review, finding 6): 64 idle connections of the daemon's
# own user get at most 16 slots, never root's last 8, and are closed once
# idle; root is served throughout.
# nobody may not read the source tree (a clone in a 0700 folder): a copy.
install -m 644 "$TESTDIR/ctlclient.py" "$WORK/ctlclient.py"
setpriv --reuid=nobody --regid=nogroup --clear-groups /usr/bin/python3 "$WORK/ctlclient.py" "$sock" hog 64 6 > "$WORK/hog.out" &
hog=$!
sleep 1.5
ctl hub status >/dev/null || fail "root locked out by a user's idle connections"
wait "$hog" || fail "hog client"
grep -qx "open after 1 s: 16" "$WORK/hog.out" || { cat "$WORK/hog.out"; fail "one user held more than 16 slots"; }
grep -qx "open after 6 s: 0" "$WORK/hog.out" || { cat "$WORK/hog.out"; fail "idle connections not closed"; }
rc=0; "$TUNNELCTL" -s "$sock" bogus >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "usage error exited $rc, not 2"
rc=0; "$TUNNELCTL" -s "$sock" fdb nosuchsegment >/dev/null 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "refused request exited $rc, not 1"
kill -0 "$(daemon_pid hub)" || fail "hub died"

# The socket's directory (security review, finding 1).  A daemon of its
# own in a namespace of its own, with the socket in $1; $2 says whether it
# must start.  Prints its log.
probe_dir() {
	cat > "$WORK/probe.conf" <<CONF
[daemon]
role = hub
user = nobody
control-socket = $1/ctl.sock
threads = 1
[segment pod]
vni = 7
CONF
	local rc=0
	nsx probe timeout 10 "$TUNNELD" -d -c "$WORK/probe.conf" > "$WORK/probe.log" 2>&1 &
	local pid=$!
	for _ in $(seq 50); do
		[ -S "$1/ctl.sock" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill "$pid" 2>/dev/null || true
	wait "$pid" || rc=$?
	if [ "$2" = starts ]; then
		grep -q "ready: control socket" "$WORK/probe.log" || { cat "$WORK/probe.log"; fail "probe did not start with the socket in $1"; }
	else
		grep -q "ready: control socket" "$WORK/probe.log" && fail "probe started with the socket in $1"
		grep -q "must be writable by root or the daemon user only" "$WORK/probe.log" ||
		    { cat "$WORK/probe.log"; fail "no reason given for refusing $1"; }
	fi
}
add_ns probe
# A shared, world-writable sticky directory (like /tmp) is refused, and
# stays root's.
mkdir -m 1777 "$WORK/shared"
probe_dir "$WORK/shared" refused
[ "$(stat -c %U "$WORK/shared")" = root ] || fail "shared directory given to $(stat -c %U "$WORK/shared")"
# An existing directory of root's is used but not given away.
mkdir -m 755 "$WORK/rootdir"
probe_dir "$WORK/rootdir" starts
[ "$(stat -c %U "$WORK/rootdir")" = root ] || fail "root's directory given to $(stat -c %U "$WORK/rootdir")"
# A directory tunneld makes is the daemon user's, the socket root's 0600.
probe_dir "$WORK/made" starts
[ "$(stat -c %U "$WORK/made")" = nobody ] || fail "made directory not the daemon user's"
echo "PASS: control socket"
