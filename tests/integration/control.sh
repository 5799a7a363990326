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
rc=0; "$TUNNELCTL" -s "$sock" bogus >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "usage error exited $rc, not 2"
rc=0; "$TUNNELCTL" -s "$sock" fdb nosuchsegment >/dev/null 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "refused request exited $rc, not 1"
kill -0 "$(daemon_pid hub)" || fail "hub died"
echo "PASS: control socket"
