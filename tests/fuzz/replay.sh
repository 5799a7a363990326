#!/bin/bash
# replay.sh: every fuzz input kept in the tree (seeds and corpus), fed to
# each target's parser in a build without libFuzzer.  A crash fails it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=$(pwd)/tests/fuzz
for t in decap config ctl ec2 providers offload model esp cc; do
	printf 'replay_%s: ' "$t"
	"$bin/replay_$t" "$here/seeds/$t" "$here/corpus/$t" ||
	    { echo "FAIL: replay_$t"; exit 1; }
done
echo "PASS: every kept fuzz input replayed"
