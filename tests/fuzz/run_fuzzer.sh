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
# The seeds unit.fuzz_parsers replays (encoded there, and the files of
# tests/fuzz/corpus/NAME) are a second corpus, read only; what the run finds
# goes to the temporary one.
seed_root=$(mktemp -d "/tmp/wgm-fuzz-seeds-$name.XXXXXX")
trap 'rm -rf "$corpus" "$seed_root"' EXIT
WGM_FUZZ_SEEDS_OUT=$seed_root "${WGM_BUILD_DIR}/test_fuzz_parsers" >"$seed_root.log" 2>&1 || {
	cat "$seed_root.log" >&2
	rm -f "$seed_root.log"
	echo "fuzz.${name#fuzz_}: writing the seeds failed (${WGM_BUILD_DIR}/test_fuzz_parsers)" >&2
	exit 1
}
rm -f "$seed_root.log"
seeds=()
[ -d "$seed_root/$name" ] && seeds=("$seed_root/$name")
"$bin" -seed=1 -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 \
	-artifact_prefix="$dir/crashes/$name-" "$corpus" "${seeds[@]}" 2>"$corpus.log" || {
	tail -n 40 "$corpus.log" >&2
	rm -f "$corpus.log"
	echo "fuzz.${name#fuzz_}: the target failed; its input is in $dir/crashes/" >&2
	exit 1
}
grep -E "INITED" "$corpus.log" | head -n 1 || true
grep -E '^Done|#[0-9]+.*DONE' "$corpus.log" | tail -n 1 || true
rm -f "$corpus.log"
