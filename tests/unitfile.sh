#!/bin/bash
# unitfile.sh: the systemd unit make builds is one systemd accepts
# (issue 15).  The unit is made from etc/tunneld.service.in with this
# build's tunneld in it, checked with systemd-analyze verify, and its
# exposure score (systemd-analyze security) is printed.  Needs no root.
set -eu
: "${TUNNELD:?}" "${TEST_SRCDIR:?}"
command -v systemd-analyze >/dev/null || { echo "SKIP: systemd-analyze not installed (Debian package systemd)"; exit 77; }
WORK=$(mktemp -d /tmp/tunneld-unit.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
sed -e "s|@sbindir@|$(dirname "$TUNNELD")|g" -e "s|@sysconfdir@|$WORK/etc|g" \
    "$TEST_SRCDIR/etc/tunneld.service.in" > "$WORK/tunneld.service"
grep -q "@" "$WORK/tunneld.service" && { grep "@" "$WORK/tunneld.service"; echo "FAIL: unfilled placeholder"; exit 1; }
# --man=no: the man pages are not installed where man looks during make check.
systemd-analyze verify --man=no "$WORK/tunneld.service" > "$WORK/verify" 2>&1 ||
    { cat "$WORK/verify"; echo "FAIL: systemd-analyze verify"; exit 1; }
if [ -s "$WORK/verify" ]; then cat "$WORK/verify"; echo "FAIL: systemd-analyze verify warned"; exit 1; fi
systemd-analyze security --offline=yes "$WORK/tunneld.service" 2>/dev/null | tail -n 1
echo "PASS: the unit verifies"
