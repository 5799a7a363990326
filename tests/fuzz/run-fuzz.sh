#!/bin/bash
# run-fuzz.sh: run each libFuzzer target for FUZZ_SECONDS (default 20) from
# its seed corpus.  A crash, leak or sanitizer report fails the test.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${FUZZ_BIN:-$(pwd)/tests/fuzz}
for t in decap config ctl ec2 providers; do
	corpus=$(pwd)/tests/fuzz/corpus-$t
	mkdir -p "$corpus"
	echo "--- fuzz_$t for ${FUZZ_SECONDS:-20}s"
	rc=0
	"$bin/fuzz_$t" -max_total_time="${FUZZ_SECONDS:-20}" -rss_limit_mb=2048 \
	    -max_len=4096 -print_final_stats=1 "$corpus" "$here/seeds/$t" \
	    > "fuzz_$t.out" 2>&1 || rc=$?
	grep -E 'stat::number_of_executed_units|ERROR|SUMMARY' "fuzz_$t.out" || true
	[ "$rc" = 0 ] || { tail -n 40 "fuzz_$t.out"; echo "FAIL: fuzz_$t"; exit 1; }
done
echo "PASS: fuzzers"
