#!/bin/bash
# notify.sh: tunneld under a service manager (issue 15).  With
# NOTIFY_SOCKET set, READY=1 comes only once the control socket accepts,
# a reload is framed by RELOADING=1 and READY=1, and SIGTERM sends
# STOPPING=1; with JOURNAL_STREAM naming its stderr, every line carries
# its syslog priority as journald reads it ("<4>" for warnings).
. "$(dirname "$0")/lib.sh"
lib_init
topology
hub_conf vxlan 4 spoke1:2
nsx hub python3 "$TESTDIR/notifier.py" "$WORK/notify.sock" "$WORK/hub/ctl.sock" "$WORK/notify.out" &
notifier=$!
PIDS="$PIDS $notifier"
for _ in $(seq 50); do [ -S "$WORK/notify.sock" ] && break; sleep 0.1; done
: > "$WORK/hub.log"
stream=$(stat -c '%d:%i' "$WORK/hub.log")
NOTIFY_SOCKET=$WORK/notify.sock JOURNAL_STREAM=$stream \
    ip netns exec "$(ns hub)" "$TUNNELD" -d -c "$WORK/hub.conf" >> "$WORK/hub.log" 2>&1 &
PID_hub=$!
PIDS="$PIDS $PID_hub"
for _ in $(seq 50); do grep -q "READY=1" "$WORK/notify.out" 2>/dev/null && break; sleep 0.1; done
grep -q "READY=1" "$WORK/notify.out" || fail "no READY=1"
sed -n '2p' "$WORK/notify.out" | grep -qx "control accepts" ||
    { cat "$WORK/notify.out"; fail "READY=1 before the control socket accepted"; }
ctl hub reload >/dev/null || fail "reload"
sleep 0.3
grep -A1 "RELOADING=1" "$WORK/notify.out" | grep -q "READY=1" ||
    { cat "$WORK/notify.out"; fail "reload not framed by RELOADING=1 and READY=1"; }
kill "$PID_hub"; wait "$PID_hub" || true
wait "$notifier" || true
grep -q "STOPPING=1" "$WORK/notify.out" || fail "no STOPPING=1"
# Every line is a journald line: "<N>" and a priority that fits it.
grep -v '^<[0-7]>' "$WORK/hub.log" && fail "lines without a priority prefix"
grep -q '^<6>ready: control socket' "$WORK/hub.log" || fail "info not <6>"
grep -q '^<4>user = nobody' "$WORK/hub.log" || fail "warning not <4>"
echo "PASS: readiness, reload and stop reach the service manager; journald priorities"
