#!/bin/bash
# run-fuzz.sh: run each libFuzzer target for FUZZ_SECONDS (default 20) from
# its seeds and the corpus kept in the tree (tests/fuzz/corpus/TARGET, read,
# never written: new inputs go to the build's corpus).  A crash, leak or
# sanitizer report fails the test, and so does a seed longer than -max_len
# (libFuzzer would cut it silently).  The fuzzers run at the lowest
# priority: they take a whole core each for a while, and the integration
# tests that run beside them measure time (health.sh's RTT).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${FUZZ_BIN:-$(pwd)/tests/fuzz}
for t in decap config ctl ec2 providers offload model esp cc; do
	corpus=$(pwd)/tests/fuzz/corpus-$t
	mkdir -p "$corpus"
	# Room for every kept input, a quarter more to grow in, at least 4 KiB.
	largest=$(find "$here/seeds/$t" "$here/corpus/$t" -type f -printf '%s\n' \
	    2>/dev/null | sort -n | tail -n 1)
	max_len=$(( ${largest:-0} * 5 / 4 ))
	[ "$max_len" -ge 4096 ] || max_len=4096
	echo "--- fuzz_$t for ${FUZZ_SECONDS:-20}s, inputs up to $max_len bytes"
	rc=0
	nice -n 19 "$bin/fuzz_$t" -max_total_time="${FUZZ_SECONDS:-20}" -rss_limit_mb=2048 \
	    -max_len="$max_len" -print_final_stats=1 "$corpus" "$here/seeds/$t" \
	    $( [ -d "$here/corpus/$t" ] && echo "$here/corpus/$t") \
	    > "fuzz_$t.out" 2>&1 || rc=$?
	grep -E 'stat::number_of_executed_units|ERROR|SUMMARY' "fuzz_$t.out" || true
	[ "$rc" = 0 ] || { tail -n 40 "fuzz_$t.out"; echo "FAIL: fuzz_$t"; exit 1; }
	# libFuzzer reports the longest input it loaded: none may exceed max_len.
	seen=$(sed -n 's/.*seed corpus: files: [0-9]* min: [0-9]*b max: \([0-9]*\)b.*/\1/p' "fuzz_$t.out" | head -n 1)
	[ -n "$seen" ] || { echo "FAIL: fuzz_$t: no seed corpus line"; exit 1; }
	[ "$seen" -le "$max_len" ] ||
	    { echo "FAIL: fuzz_$t: a $seen-byte input is cut at $max_len"; exit 1; }
done
echo "PASS: fuzzers"
