#!/bin/bash
# ctlescape.sh: tunnelctl's text output is escaped (security review,
# finding 7).  A stand-in daemon on a private socket answers with what a
# cloud could have put in a discovered name or an error: a newline and
# terminal escapes.  tunnelctl prints them as \xNN, on one line each, and
# --json keeps them JSON-escaped.  Needs no root.
set -eu
: "${TUNNELCTL:?}"
WORK=$(mktemp -d /tmp/tunneld-ctlescape.XXXXXX)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$WORK"' EXIT
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
"$py" - "$WORK/ctl.sock" <<'PY' &
import json, os, socket, sys
evil = "lab/web\n\x1b]0;owned\x07\x1b[2J"
peer = {"name": evil, "source": "lab", "address": "192.0.2.7\x1b[31m",
        "encap": "vxlan", "port": 4789, "segments": ["pod"],
        "rx_packets": 1, "rx_bytes": 2, "tx_packets": 3, "tx_bytes": 4,
        "tx_trains": 0, "mac_moves": 0, "mac_unlearned": 0, "drops": {}}
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(4)
for _ in range(3):      # peers, peers --json, fdb (an error)
    c, _ = s.accept()
    req = json.loads(c.makefile("rb").readline())
    if req["cmd"] == "peers":
        reply = {"ok": True, "version": 2, "cmd": "peers",
                 "data": {"peers": [peer]}}
    else:
        reply = {"ok": False, "version": 2, "error": "cloud says \x1b[2J\nbye"}
    c.sendall(json.dumps(reply).encode() + b"\n")
    c.close()
PY
server=$!
for _ in $(seq 50); do [ -S "$WORK/ctl.sock" ] && break; sleep 0.1; done
"$TUNNELCTL" -s "$WORK/ctl.sock" peers > "$WORK/text" 2>&1 || { cat "$WORK/text"; echo "FAIL: tunnelctl peers"; exit 1; }
if grep -q $'\x1b\|\x07' "$WORK/text"; then echo "FAIL: raw escapes in tunnelctl peers"; cat -v "$WORK/text"; exit 1; fi
grep -qF 'lab/web\x0a\x1b]0;owned\x07\x1b[2J' "$WORK/text" || { cat -v "$WORK/text"; echo "FAIL: name not shown escaped"; exit 1; }
"$TUNNELCTL" -s "$WORK/ctl.sock" --json peers > "$WORK/json"
grep -q $'\x1b' "$WORK/json" && { echo "FAIL: raw escape in --json"; exit 1; }
rc=0; "$TUNNELCTL" -s "$WORK/ctl.sock" fdb pod > "$WORK/err" 2>&1 || rc=$?
[ "$rc" = 1 ] || { echo "FAIL: error reply exited $rc"; exit 1; }
if grep -q $'\x1b' "$WORK/err" || [ "$(wc -l < "$WORK/err")" != 1 ]; then
	cat -v "$WORK/err"; echo "FAIL: error reply printed raw"; exit 1
fi
wait "$server" || true
server=
echo "PASS: tunnelctl escapes what it prints"
