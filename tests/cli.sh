#!/bin/bash
# cli.sh: the command lines operators and scripts use (issue 15): every
# program's --version and --help exit 0 on stdout; an unknown option or
# command is named and exits 2; tunnelctl --json puts an error on stdout
# as JSON too; tunneld -n reports a key before any section and a
# directory given as the config by name, and a user, group, bridge or
# local address this host lacks (unless --offline), and warns of a UDP
# port another program holds, and (as root) of a key file the [daemon]
# user cannot read after start.  Needs no root.
set -eu
: "${TUNNELD:?}" "${TUNNELCTL:?}" "${TUNNELTOP:?}"
WORK=$(mktemp -d /tmp/tunneld-cli.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3

for p in "$TUNNELD" "$TUNNELCTL" "$TUNNELTOP"; do
	n=$(basename "$p")
	out=$("$p" --version) || fail "$n --version exited $?"
	echo "$out" | grep -q "0\.[0-9]" || fail "$n --version printed: $out"
	"$p" --help | grep -q "^usage: $n" || fail "$n --help: no usage on stdout"
	rc=0; err=$("$p" --bogus 2>&1 >/dev/null) || rc=$?
	[ "$rc" = 2 ] || fail "$n --bogus exited $rc, not 2"
	echo "$err" | grep -q "unknown option.*--bogus" || fail "$n --bogus: $err"
done
rc=0; err=$("$TUNNELCTL" -s "$WORK/none" frobnicate 2>&1) || rc=$?
[ "$rc" = 2 ] && echo "$err" | grep -q "unknown command: frobnicate" ||
    fail "tunnelctl frobnicate exited $rc: $err"
rc=0; out=$("$TUNNELCTL" -s "$WORK/none" --json status 2>/dev/null) || rc=$?
[ "$rc" = 3 ] || fail "unreachable --json status exited $rc, not 3"
echo "$out" | "$py" -c '
import json, sys
j = json.load(sys.stdin)
assert j["ok"] is False and j["error"]["code"] == "unreachable", j
assert "not running" in j["error"]["message"], j' ||
    fail "--json error on stdout is not the JSON error: $out"
printf 'vni = 5\n[daemon]\nrole = hub\n[segment a]\nvni = 1\n' > "$WORK/early.conf"
rc=0; err=$("$TUNNELD" -n -c "$WORK/early.conf" 2>&1) || rc=$?
[ "$rc" != 0 ] && echo "$err" | grep -q "early.conf:1: a key before any \[section\]" ||
    fail "key before a section: $err"
rc=0; err=$("$TUNNELD" -n -c "$WORK" 2>&1) || rc=$?
[ "$rc" != 0 ] && echo "$err" | grep -q "is a directory" || fail "-c DIR: $err"
# tunneld -n refuses what start-up would: what the file names must exist.
base='[daemon]\nrole = hub\n%s\n[segment a]\nvni = 1\n%s\n'
for bad in "user = nosuchuser|:3: [daemon] user: no such user nosuchuser|" \
    "control-group = nosuchgroup|:3: [daemon] control-group: no such group|" \
    "|:6: [segment a] bridge: no such bridge br-nope|bridge = br-nope" \
    "local-address = 192.0.2.99|:3: [daemon] local-address: 192.0.2.99 is not an address of this host|"; do
	IFS='|' read -r dkey want skey <<< "$bad"
	printf "$base" "$dkey" "$skey" > "$WORK/host.conf"
	rc=0; err=$("$TUNNELD" -n -c "$WORK/host.conf" 2>&1) || rc=$?
	[ "$rc" != 0 ] && echo "$err" | grep -qF "host.conf$want" ||
	    fail "tunneld -n accepted or misreported ${dkey:-$skey}: $err"
	"$TUNNELD" -n --offline -c "$WORK/host.conf" | grep -q "not checked (--offline)" ||
	    fail "--offline did not skip the host checks for ${dkey:-$skey}"
done
# A port another program holds is a warning (start would fail), not an error.
port=$("$py" -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", 0)); print(s.getsockname()[1])')
"$py" -c 'import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", int(sys.argv[1])))
open(sys.argv[2], "w").close(); time.sleep(10)' "$port" "$WORK/held" &
holder=$!
for _ in $(seq 50); do [ -e "$WORK/held" ] && break; sleep 0.1; done
printf '[daemon]\nrole = hub\nvxlan-port = %s\n[segment a]\nvni = 1\n' "$port" > "$WORK/port.conf"
out=$("$TUNNELD" -n -c "$WORK/port.conf") || fail "a busy port made tunneld -n fail"
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null || true
echo "$out" | grep -q "^warning: IPv4 socket port $port: bind: Address already in use (vxlan port)" ||
    fail "busy port not warned about: $out"
# Metrics name every peer: a non-loopback address needs saying so.
printf '[daemon]\nrole = hub\nmetrics = 192.0.2.1:9108\n[segment a]\nvni = 1\n' > "$WORK/metrics.conf"
rc=0; err=$("$TUNNELD" -n --offline -c "$WORK/metrics.conf" 2>&1) || rc=$?
[ "$rc" != 0 ] && echo "$err" | grep -qF "metrics.conf:3: [daemon] metrics: 192.0.2.1:9108 is not a loopback address" ||
    fail "a remote metrics address was accepted: $err"
printf '[daemon]\nrole = hub\nmetrics = 192.0.2.1:9108\nmetrics-allow-remote = yes\n[segment a]\nvni = 1\n' > "$WORK/metrics.conf"
"$TUNNELD" -n --offline -c "$WORK/metrics.conf" >/dev/null || fail "metrics-allow-remote = yes did not allow it"
printf '[daemon]\nrole = hub\nmetrics = ::1:9108\n' > "$WORK/metrics.conf"
rc=0; err=$("$TUNNELD" -n --offline -c "$WORK/metrics.conf" 2>&1) || rc=$?
[ "$rc" != 0 ] && echo "$err" | grep -qF '[daemon] metrics: "::1:9108": must be ADDRESS:PORT, [IPV6]:PORT for IPv6' ||
    fail "an ambiguous IPv6 metrics address was accepted: $err"

# Files the [daemon] user cannot read: start reads them as root, but a
# reload after the drop would fail.  Only root can set up (and see) that.
if [ "$(id -u)" = 0 ]; then
	chmod 755 "$WORK"
	printf 'password = s3cret\n' > "$WORK/cred"
	chmod 600 "$WORK/cred"
	printf '[daemon]\nrole = hub\nuser = nobody\n[segment a]\nvni = 1\n[provider lab]\ntype = openstack\nauth-url = https://k:5000/v3\nusername = u\nproject = p\ntag = t\ncredentials = %s\n' \
	    "$WORK/cred" > "$WORK/cred.conf"
	chmod 644 "$WORK/cred.conf"
	out=$("$TUNNELD" -n -c "$WORK/cred.conf") || fail "a root-owned key file made tunneld -n fail: $out"
	echo "$out" | grep -qF "warning: $WORK/cred.conf:12: [provider lab] credentials: $WORK/cred: user nobody cannot read it, so a reload after start will fail (chown nobody $WORK/cred, in a folder it may enter)" ||
	    fail "root-owned key file not warned about: $out"
	[ "$(echo "$out" | grep -c '^warning')" = 1 ] || fail "more than one warning: $out"
	chown nobody "$WORK/cred"
	out=$("$TUNNELD" -n -c "$WORK/cred.conf")
	echo "$out" | grep -q "^warning" && fail "warned about a key file nobody owns: $out"
	chmod 600 "$WORK/cred.conf"
	out=$("$TUNNELD" -n -c "$WORK/cred.conf")
	echo "$out" | grep -qF "warning: $WORK/cred.conf:3: [daemon] user: $WORK/cred.conf: user nobody cannot read this file, so a reload after start will fail" ||
	    fail "root-only config not warned about: $out"
	"$TUNNELD" -n --offline -c "$WORK/cred.conf" | grep -q "^warning" &&
	    fail "--offline judged file owners of this host"
else
	echo "not root: the checks of what the [daemon] user can read are left out"
fi
echo "PASS: command lines"
