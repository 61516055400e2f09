#!/usr/bin/env bash
# Path quality figures: CPU per probe round for 50 and 200 links (link
# statistics + cost engine + scheduler, and the real prober over loopback in
# a private network namespace), memory per link. Prints figures only.
#
#   tests/bench/bench_cost.sh
#
# Built here with -O2 from just the files it measures, so the figures are
# those of optimised code and do not depend on the rest of the tree.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp -d /tmp/wgm-bench-cost.XXXXXX)
trap 'rm -rf "$out"' EXIT
cc -std=c11 -O2 -D_GNU_SOURCE -Wall -Wextra -I"$src" -o "$out/wgm-bench-cost" \
	"$src/tests/tools/wgm-bench-cost.c" "$src/daemon/quality/link_stats.c" "$src/daemon/quality/cost.c" "$src/daemon/quality/prober.c" "$src/common/ctl/ctlproto.c" "$src/common/util/err.c" -ljansson
bin="$out/wgm-bench-cost"
if [ "$(id -u)" -eq 0 ]; then
	# Raw sockets and our own loopback: a throwaway namespace.
	unshare -n sh -c 'ip link set lo up && exec "$0" --prober 50 200' "$bin"
else
	echo "bench_cost: not root, skipping the prober figures" >&2
	"$bin" 50 200
fi
