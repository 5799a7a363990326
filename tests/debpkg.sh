#!/bin/bash
# debpkg.sh: the Debian package builds from this tree, passes lintian, and
# installed with dpkg gives a working tunneld (issue 15).
#
#   1. dpkg-buildpackage -us -uc -b on a copy of the tracked tree
#      (DEB_BUILD_OPTIONS=nocheck: the suite that runs this test has run the
#      unit tests already);
#   2. lintian on the .changes: no error and no warning;
#   3. dpkg -i: the tunneld user exists (postinst runs systemd-sysusers),
#      the programs run, the installed unit verifies, and tunneld -n passes
#      the installed samples (offline) and spoke.conf on this host;
#   4. dpkg --purge removes every file again.
#
# Needs root (dpkg -i).  It will not replace a tunneld package that is
# already installed on the machine.
set -eu
: "${TEST_SRCDIR:?}"
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

[ "$(id -u)" = 0 ] || skip "needs root to install the package with dpkg"
for t in dpkg-buildpackage dh lintian git systemd-analyze; do
	command -v "$t" >/dev/null ||
	    skip "$t not installed (scripts/install-deps.sh installs it)"
done
git -C "$TEST_SRCDIR" rev-parse --git-dir >/dev/null 2>&1 ||
    skip "$TEST_SRCDIR is not a git checkout: cannot tell the tree's files"
if dpkg-query -W -f='${Status}' tunneld 2>/dev/null | grep -q "ok installed"; then
	skip "a tunneld package is installed on this machine; not replacing it"
fi

WORK=$(mktemp -d /tmp/tunneld-deb.XXXXXX)
installed=no
cleanup() {
	local rc=$?
	[ "$installed" = no ] || dpkg --purge tunneld >/dev/null 2>&1 || true
	rm -rf "$WORK"
	exit $rc
}
trap cleanup EXIT

echo "--- build"
mkdir "$WORK/tunneld"
git -C "$TEST_SRCDIR" ls-files -z -co --exclude-standard |
    (cd "$TEST_SRCDIR" && tar --null -T - -cf -) | tar -C "$WORK/tunneld" -xf -
(cd "$WORK/tunneld" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
    nice -n 19 dpkg-buildpackage -us -uc -b) > "$WORK/build.out" 2>&1 ||
    { tail -n 40 "$WORK/build.out"; fail "dpkg-buildpackage"; }
deb=$(echo "$WORK"/tunneld_*_*.deb)
[ -f "$deb" ] || fail "no .deb built"

echo "--- lintian"
lintian --fail-on error,warning "$WORK"/tunneld_*.changes > "$WORK/lintian.out" 2>&1 ||
    { cat "$WORK/lintian.out"; fail "lintian"; }
grep -v '^running with root' "$WORK/lintian.out" || true
lintian --pedantic --display-info "$WORK"/tunneld_*.changes 2>/dev/null | grep '^[EWIP]:' || true

echo "--- install"
user_before=$(getent passwd tunneld >/dev/null && echo yes || echo no)
installed=yes
dpkg -i "$deb" > "$WORK/install.out" 2>&1 || { cat "$WORK/install.out"; fail "dpkg -i"; }
getent passwd tunneld >/dev/null || fail "postinst did not create the tunneld user"
echo "tunneld user: $([ "$user_before" = yes ] && echo "already there" || echo "created by postinst")"
/usr/sbin/tunneld --version || fail "installed tunneld --version"
/usr/bin/tunnelctl --version >/dev/null || fail "installed tunnelctl --version"
/usr/bin/tunneltop --version >/dev/null || fail "installed tunneltop --version"
[ -f /usr/share/bash-completion/completions/tunnelctl ] || fail "no bash completion"
[ -f /usr/lib/sysusers.d/tunneld.conf ] || fail "no sysusers.d/tunneld.conf"
unit=/lib/systemd/system/tunneld.service
[ -f "$unit" ] || fail "no unit in $unit"
systemd-analyze verify "$unit" > "$WORK/verify.out" 2>&1 ||
    { cat "$WORK/verify.out"; fail "systemd-analyze verify on the installed unit"; }
[ ! -s "$WORK/verify.out" ] || { cat "$WORK/verify.out"; fail "systemd-analyze verify warned"; }
grep -q '^ExecStart=/usr/sbin/tunneld -d -c /etc/tunneld/tunneld.conf$' "$unit" ||
    fail "unit does not run /usr/sbin/tunneld with /etc/tunneld/tunneld.conf"

/usr/sbin/tunneld --help | grep -qF "(default /etc/tunneld/tunneld.conf)" ||
    fail "installed tunneld's default config is not /etc/tunneld/tunneld.conf"

doc=/usr/share/doc/tunneld
/usr/sbin/tunneld -n --offline -c "$doc/tunneld.conf" ||
    fail "tunneld -n --offline $doc/tunneld.conf"
# hub.conf and spoke.conf encrypt: their PKI, made by the installed
# tunneld-pki as hub.conf says, in a scratch folder.
pki=$WORK/pki
for a in "ca $pki" "node $pki edge1" "node $pki aws-web1"; do
	# shellcheck disable=SC2086
	/usr/bin/tunneld-pki $a >/dev/null || fail "tunneld-pki $a"
done
chown tunneld "$pki"/*.key
chmod 755 "$WORK" "$pki"
for f in hub.conf spoke.conf; do
	sed "s|/etc/tunneld/pki|$pki|" "$doc/$f" > "$WORK/$f"
	/usr/sbin/tunneld -n --offline -c "$WORK/$f" || fail "tunneld -n --offline $doc/$f"
done
# On this host: the user and group checks now meet the installed user.
/usr/sbin/tunneld -n -c "$WORK/spoke.conf" || fail "tunneld -n $doc/spoke.conf"

echo "--- purge"
dpkg --purge tunneld > "$WORK/purge.out" 2>&1 || { cat "$WORK/purge.out"; fail "dpkg --purge"; }
installed=no
for f in /usr/sbin/tunneld /usr/bin/tunnelctl /usr/bin/tunneltop /usr/bin/tunneld-pki "$unit" "$doc"; do
	[ ! -e "$f" ] || fail "$f left after purge"
done
echo "PASS: the package builds, passes lintian, installs, works and purges"
