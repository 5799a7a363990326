#!/bin/bash
# install-deps.sh: Debian 12 packages to build, test, benchmark and demo tunneld.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "install-deps.sh: run as root" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
packages="build-essential autoconf automake pkg-config clang clang-format git
	libssl-dev libncurses-dev libcurl4-openssl-dev libjansson-dev
	libxml2-dev libiniparser-dev check
	iproute2 iputils-ping ethtool iperf3 tshark tcpdump procps util-linux
	python3 python3-scapy ca-certificates openssl systemd
	debhelper dpkg-dev fakeroot lintian prometheus curl tmux ncurses-term"
# Only what is missing: a machine that has everything asks nothing of apt.
missing=
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
	    missing="$missing $p"
done
[ -n "$missing" ] || exit 0
echo "install-deps.sh: installing$missing"
# tshark asks whether non-root users may capture; the answer does not matter here.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq
# Packages with a service (prometheus) must not start it here: the tests
# run their own, in namespaces.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
