# console-lib.sh: what the console tests share (sourced after lib.sh's
# lib_init): tunneltop in a tmux server of the test's own, session "top",
# driven with send-keys and read with capture-pane; every capture kept in
# console-captures/ (the test's artifacts).
command -v tmux >/dev/null || skip "tmux not installed"
: "${TUNNELTOP:=$(dirname "$TUNNELCTL")/../tui/tunneltop}"
[ -x "$TUNNELTOP" ] || fail "tunneltop not built at $TUNNELTOP"
ART=${CONSOLE_CAPTURES:-$PWD/console-captures}
mkdir -p "$ART"
TM="tmux -L tt$RUN_ID -f /dev/null"
console_cleanup() { local rc=$?; set +e; $TM kill-server 2>/dev/null; (exit "$rc"); lib_cleanup; }
trap console_cleanup EXIT

# Capture the pane into $ART/$1.txt (and print it).
cap() { $TM capture-pane -t top -p > "$ART/$1.txt"; cat "$ART/$1.txt"; }
# Wait up to $2 s until the screen matches the extended regex $1.
wait_screen() {
	local t0=$SECONDS
	until $TM capture-pane -t top -p | grep -Eq -- "$1"; do
		[ $((SECONDS - t0)) -le "$2" ] ||
		    { $TM capture-pane -t top -p > "$ART/failed.txt"; cat "$ART/failed.txt"; fail "screen never showed /$1/ in $2 s"; }
		sleep 0.2
	done
}
keys() { $TM send-keys -t top "$@"; sleep 0.3; }
