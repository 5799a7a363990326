#!/bin/bash
# test.sh: install dependencies, build, and run every test.
#
#  0. the include rule between the daemon's layers (scripts/check-layers.py)
#     and clang-format on every line changed since the rule began
#     (scripts/check-format.py)
#  1. gcc build with -Werror: unit tests and the namespace integration tests
#  2. clang build with AddressSanitizer + UndefinedBehaviorSanitizer and the
#     libFuzzer targets: the same tests again, plus each fuzzer for a bounded
#     time
#  3. make distcheck (unit tests only: the tarball must build and pass)
#
# Under CI (CI=true) a skipped test is a failure: CI runs as root and every
# integration test must really run.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
jobs=$(nproc)

bash scripts/install-deps.sh
echo "== layers and format"
python3 scripts/check-layers.py
python3 scripts/check-format.py
autoreconf -fi >/dev/null

run_suite() {
	local dir=$1; shift
	rm -rf "$dir"; mkdir -p "$dir"
	(cd "$dir" && "$top/configure" -q "$@" && make -s -j"$jobs" &&
	    make -s -j"$jobs" check) || {
		find "$dir" -name '*.log' -path '*tests*' -exec grep -l -E '^(FAIL|ERROR)' {} + 2>/dev/null |
		    while read -r f; do echo "=== $f"; tail -n 60 "$f"; done
		return 1
	}
	if [ "${CI:-}" = true ] && grep -q '^# SKIP: *[1-9]' "$dir/test-suite.log"; then
		grep -h '^SKIP' "$dir"/tests/*/*.log || true
		echo "test.sh: tests were skipped under CI" >&2
		return 1
	fi
	grep -E '^# (TOTAL|PASS|SKIP|FAIL|ERROR)' "$dir/test-suite.log"
}

echo "== gcc, -Werror"
run_suite build-gcc --enable-werror
echo "== clang, ASan + UBSan, fuzzers"
run_suite build-asan CC=clang --enable-werror --enable-sanitizers --enable-fuzzing
echo "== distcheck"
(cd build-gcc && make -s distcheck DISTCHECK_CONFIGURE_FLAGS=--disable-integration-tests >/dev/null)
echo "test.sh: all suites passed"
