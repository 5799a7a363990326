#!/bin/bash
# reload-segments.sh: segments come and go by reload, and each peer's
# membership follows its config: a new segment joins the peers that carry
# every segment, a peer narrowed to one segment leaves the others, a
# removed segment's slot is reused by a new one without the peers that were
# never in it, the unchanged tunnel keeps passing traffic throughout, and a
# VNI change forgets what the segment learned.
. "$(dirname "$0")/lib.sh"
lib_init
topology
conf_all vxlan 4
sed -i '/^user = nobody$/d' "$WORK/hub.conf"	# new TAPs need root
start_configured
ping_ok vm1 10.10.0.21

# The segments of peer $2 on node $1, comma separated, in slot order.
segs() {
	ctl "$1" --json peers | python3 -c '
import json, sys
p = [p for p in json.load(sys.stdin)["peers"] if p["name"] == sys.argv[1]][0]
print(",".join(p["segments"]))' "$2"
}
reload() { ctl hub reload >/dev/null || fail "reload refused: $(ctl hub reload 2>&1)"; }
expect() { [ "$(segs hub "$1")" = "$2" ] || fail "$1 in '$(segs hub "$1")', not '$2' ($3)"; }

printf '\n[segment dmz]\nvni = 200\ntap = tn-dmz\n' >> "$WORK/hub.conf"
reload
expect spoke1 pod,dmz "a new segment joins peers without a segments list"
expect spoke2 pod,dmz "a new segment joins peers without a segments list"
sed -i '/\[peer spoke2\]/a segments = pod' "$WORK/hub.conf"
reload
expect spoke2 pod "a peer narrowed to one segment"
expect spoke1 pod,dmz "the other peer kept"
# dmz goes; dmz2 takes its slot: spoke2 (pod only) must not inherit it.
python3 - "$WORK/hub.conf" <<'PY'
import re, sys
p = sys.argv[1]
s = open(p).read()
s = re.sub(r"\n\[segment dmz\]\nvni = 200\ntap = tn-dmz\n", "\n", s)
s += "\n[segment dmz2]\nvni = 300\ntap = tn-dmz2\n"
open(p, "w").write(s)
PY
reload
expect spoke1 pod,dmz2 "a segment in a reused slot"
expect spoke2 pod "a segment in a reused slot, never named"
nsx hub ip link show tn-dmz >/dev/null 2>&1 && fail "removed segment's TAP still there"
nsx hub ip link show tn-dmz2 >/dev/null || fail "new segment's TAP missing"
ping_ok vm1 10.10.0.21
ping_ok vm1 10.10.0.22
[ "$(ctl hub --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["reloads"])')" = 3 ] ||
    fail "reload count"
# A segment whose VNI changes is another segment: what it learned goes
# (security review, finding 11).
n=$(ctl hub --json fdb pod | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["fdb"]["pod"]))')
[ "$n" -gt 0 ] || fail "nothing learned in pod before the VNI change"
sed -i 's/^vni = 100$/vni = 101/' "$WORK/hub.conf"
reload
n=$(ctl hub --json fdb pod | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["fdb"]["pod"]))')
[ "$n" = 0 ] || fail "$n MACs of VNI 100 kept under VNI 101"
echo "PASS: segment membership follows each reload"
