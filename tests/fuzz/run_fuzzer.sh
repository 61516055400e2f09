#!/usr/bin/env bash
# One fuzz target for a bounded time, as an ordinary test (ctest "fuzz.NAME"):
#   tests/fuzz/run_fuzzer.sh NAME [SECONDS]
# The targets are built with clang by tests/run.sh into $WGM_BUILD_DIR/fuzz
# (libFuzzer + ASan + UBSan). A crash fails the test and keeps its input in
# $WGM_BUILD_DIR/fuzz/crashes/; rerun the target on that file to see it.
# A missing build fails with the reason: never a silent pass.
set -euo pipefail
name=$1
seconds=${2:-10}
dir=${WGM_BUILD_DIR:?WGM_BUILD_DIR is not set (run through ctest)}/fuzz
bin=$dir/$name
if [ ! -x "$bin" ]; then
	echo "fuzz.${name#fuzz_}: $bin is missing: tests/run.sh builds it with clang (apt install clang)" >&2
	exit 1
fi
corpus=$(mktemp -d "/tmp/wgm-fuzz-$name.XXXXXX")
trap 'rm -rf "$corpus"' EXIT
mkdir -p "$dir/crashes"
# A fixed seed, so a run is repeatable; -timeout catches hangs; RSS capped.
# Checked-in seeds (tests/fuzz/corpus/NAME), when the target has them, are
# read as a second corpus; what the run finds goes to the temporary one.
seeds=()
[ -d "$WGM_SRC_DIR/tests/fuzz/corpus/$name" ] && seeds=("$WGM_SRC_DIR/tests/fuzz/corpus/$name")
"$bin" -seed=1 -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 \
	-artifact_prefix="$dir/crashes/$name-" "$corpus" "${seeds[@]}" 2>"$corpus.log" || {
	tail -n 40 "$corpus.log" >&2
	rm -f "$corpus.log"
	echo "fuzz.${name#fuzz_}: the target failed; its input is in $dir/crashes/" >&2
	exit 1
}
grep -E '^Done|#[0-9]+.*DONE' "$corpus.log" | tail -n 1 || true
rm -f "$corpus.log"
