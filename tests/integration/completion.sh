#!/bin/bash
# completion.sh: tunnelctl's bash completion (issue 15) against a running
# hub: commands and options, fdb's segment names and pmtu-probe's peer
# names from the daemon.
. "$(dirname "$0")/lib.sh"
lib_init
topology
hub_conf vxlan 4 spoke1:2
printf '\n[segment dmz]\nvni = 200\ntap = tn-dmz\n' >> "$WORK/hub.conf"
start_daemon hub
PATH=$(dirname "$TUNNELCTL"):$PATH
. "$TEST_SRCDIR/etc/completion/tunnelctl"
# What completing the words "$@" (the last one being typed) offers.
complete_words() {
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMPREPLY=()
	_tunnelctl
	echo "${COMPREPLY[*]}"
}
[ "$(complete_words tunnelctl st)" = status ] || fail "st: $(complete_words tunnelctl st)"
[ "$(complete_words tunnelctl --js)" = --json ] || fail "--js"
[ "$(complete_words tunnelctl -s "$WORK/hub/ctl.sock" fdb "")" = "pod dmz" ] ||
    fail "fdb segments: $(complete_words tunnelctl -s "$WORK/hub/ctl.sock" fdb "")"
[ "$(complete_words tunnelctl -s "$WORK/hub/ctl.sock" fdb d)" = dmz ] || fail "fdb d"
[ -z "$(complete_words tunnelctl -s "$WORK/none" fdb "")" ] || fail "segments without a daemon"
[ "$(complete_words tunnelctl -s "$WORK/hub/ctl.sock" perf "")" = "spoke1 --all --each" ] ||
    fail "perf peers: $(complete_words tunnelctl -s "$WORK/hub/ctl.sock" perf "")"
[ "$(complete_words tunnelctl perf spoke1 --com)" = "--compare" ] ||
    fail "perf options: $(complete_words tunnelctl perf spoke1 --com)"
[ "$(complete_words tunnelctl -s "$WORK/hub/ctl.sock" pmtu-probe "")" = spoke1 ] ||
    fail "pmtu-probe peers: $(complete_words tunnelctl -s "$WORK/hub/ctl.sock" pmtu-probe "")"
[ "$(complete_words tunnelctl ev)" = events ] || fail "ev"
echo "PASS: tunnelctl completion"
