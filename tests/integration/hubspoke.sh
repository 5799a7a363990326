#!/bin/bash
# hubspoke.sh ENCAP FAMILY: hub + 2 spokes; ARP, ping pod VM <-> spoke and
# spoke <-> spoke through the hub, and byte-identical TCP transfers.
. "$(dirname "$0")/lib.sh"
encap=${1:?encap}; fam=${2:?family}
lib_init
topology
start_all "$encap" "$fam"
log "$encap over IPv$fam"
ping_ok vm1 10.10.0.21
ping_ok spoke1 10.10.0.11
ping_ok vm2 10.10.0.22
ping_ok spoke1 10.10.0.22
ping_ok spoke2 10.10.0.21
nsx vm1 ip neigh show 10.10.0.21 | grep -q lladdr || fail "ARP did not resolve"
tcp_transfer vm1 spoke1 10.10.0.21 4
tcp_transfer spoke2 vm2 10.10.0.12 4
tcp_transfer spoke1 spoke2 10.10.0.22 4
for n in hub spoke1 spoke2; do kill -0 "$(daemon_pid $n)" || fail "$n died"; done
echo "PASS: hub and spokes over $encap/IPv$fam"
# SIGTERM: clean exit, TAP and control socket gone.
kill -TERM "$(daemon_pid hub)"
wait "$(daemon_pid hub)" || fail "hub exited non-zero on SIGTERM"
! nsx hub ip link show tn-pod >/dev/null 2>&1 || fail "TAP left behind"
[ ! -e "$WORK/hub/ctl.sock" ] || fail "control socket left behind"
rc=0; ctl hub status >/dev/null 2>&1 || rc=$?
[ "$rc" = 3 ] || fail "tunnelctl against a stopped daemon exited $rc, not 3"
echo "PASS: clean shutdown"
