#!/usr/bin/env bash
# wgmeshd's own CPU and memory while it probes many real links at 1 Hz.
# Node 0 accepts PEERS nodes (default 25), each joined over IPv4 and IPv6
# transport, so node 0 has 2 x PEERS WireGuard links (one wireguard-go
# each), each probed every second, its WireGuard counters read every 10 s,
# its cost computed every round (no BIRD: the daemon sees BIRD down and
# pushes no costs). Prints node 0's CPU over a steady
# period and its memory before and after the links, next to the targets of
# docs/path-quality.md (under 0.5 % of one core; under 4 MiB + 64 KiB per
# link).
#
#   sudo tests/bench/bench_quality_load.sh [PEERS] [SECONDS]
#
# CPU is the daemon's time on a CPU (all its threads, from schedstat) over
# the period, split into the event loop (probes, costs, control socket) and
# the worker (WireGuard readings, BIRD). Memory is printed two ways:
#   RssAnon  the daemon's own memory (heap, stacks, library data): what
#            each link adds, and what the target is about.
#   VmRSS    what ps and top show: RssAnon plus the resident pages of the
#            program and its shared libraries (RssFile). Loading libcurl,
#            libmicrohttpd and their TLS libraries alone makes about 7.5 MiB
#            of that, page cache the system shares between processes.
# The wireguard-go processes are not counted (a last line prints them for
# scale): they are the links' cost, not the daemon's.
#
# Builds build/bench (-O2, no sanitizers) from this tree first; with
# WGM_BUILD_DIR set, uses that build as it is (to compare builds).
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
peers=${1:-25}
seconds=${2:-60}
if [ -z "${WGM_BUILD_DIR:-}" ]; then
	export WGM_BUILD_DIR=$src/build/bench
	cmake -S "$src" -B "$WGM_BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWGM_SANITIZE=OFF >/dev/null
	cmake --build "$WGM_BUILD_DIR" -j"$(nproc)" --target wgmeshd wgmesh >/dev/null
fi
source "$src/tests/e2e/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go nsenter unshare jq
[ "$peers" -ge 1 ] && [ "$peers" -le 100 ] || fail "PEERS: $peers is not 1-100 (IDs are 2 x PEERS, below 200)"

# Node IDs are even (each node gets a /23 of 10.0.0.0/16): peers 2, 4, ...
ids=(0)
for ((i = 1; i <= peers; i++)); do ids+=("$((2 * i))"); done
for id in "${ids[@]}"; do e2e_node_add "$id"; done
e2e_underlay "${ids[@]}"
e2e_node_init 0 public --ipv4 192.0.2.10 --ipv6 2001:db8::10
e2e_daemon_start 0
pid0=$(cat "$E2E_TMP/n0/wgmeshd.pid")

# mem -> "VmRSS RssAnon RssFile" in KiB
mem() { awk '/^(VmRSS|RssAnon|RssFile):/ {printf "%s ", $2}' "/proc/$pid0/status"; }
# cpu -> "all worker" nanoseconds on a CPU (schedstat: exact, unlike the
# 10 ms ticks of stat). The event loop is the main thread; the other one is
# the worker (WireGuard readings, BIRD applies).
cpu() {
	local t all=0 worker=0 ns
	for t in /proc/"$pid0"/task/*; do
		ns=$(awk '{print $1}' "$t/schedstat")
		all=$((all + ns))
		[ "${t##*/}" = "$pid0" ] || worker=$((worker + ns))
	done
	echo "$all $worker"
}
# For scale, node 0's wireguard-go processes (one per link): "count
# CPU-ticks RssAnon-KiB VmRSS-KiB", CPU from stat (Go threads come and go).
wg_figures() {
	local p comm files=()
	for p in $(ip netns pids "$(e2e_node_ns 0)"); do
		read -r comm <"/proc/$p/comm" 2>/dev/null || continue
		[ "$comm" = wireguard-go ] && files+=("/proc/$p/stat" "/proc/$p/status")
	done
	[ ${#files[@]} -gt 0 ] || { echo "0 0 0 0"; return; }
	awk 'FILENAME ~ /stat$/ && FNR == 1 {n++; ticks += $14 + $15}
		/^RssAnon:/ {anon += $2} /^VmRSS:/ {rss += $2} END {print n, ticks, anon, rss}' "${files[@]}" 2>/dev/null
}
sleep 2
mem_empty=$(mem)

for id in "${ids[@]:1}"; do
	e2e_node_init "$id" --ipv4 "192.0.2.$((10 + id))" --ipv6 "2001:db8::$((10 + id))"
	e2e_daemon_start "$id"
	token=$(e2e_wgmesh 0 token 2>/dev/null) || fail "wgmesh token failed"
	out=$(e2e_wgmesh "$id" connect http://192.0.2.10:8080 "$token" 2>&1) || fail "peer $id did not join: $out"
done
links=$(e2e_wgmesh 0 links --json | jq length)
[ "$links" -eq $((2 * peers)) ] || fail "node 0 has $links links, expected $((2 * peers))"
all_measured() { [ "$(e2e_wgmesh 0 links --json | jq '[.[] | select(.rtt_ms != null)] | length')" -eq "$links" ]; }
wait_until 60 all_measured || fail "not every link has an RTT after 60 s: $(e2e_wgmesh 0 links)"
# Let the join's work settle: a link's WireGuard device is read every 2 s
# in its first minute, then every 10 s (daemon/quality/quality_params.h).
sleep 65

hz=$(getconf CLK_TCK)
log_lines() { wc -l <"$E2E_TMP/n0/wgmeshd.log"; }
l0=$(log_lines)
mem_start=$(mem)
g0=$(wg_figures)
c0=$(cpu)
s0=$(date +%s.%N)
sleep "$seconds"
c1=$(cpu)
s1=$(date +%s.%N)
g1=$(wg_figures)
logged=$(($(log_lines) - l0))
mem_links=$(mem)
loss=$(e2e_wgmesh 0 links --json | jq '[.[].loss_pct] | add')

awk -v l="$links" -v c0="$c0" -v c1="$c1" -v s0="$s0" -v s1="$s1" -v e="$mem_empty" -v ms="$mem_start" -v m="$mem_links" \
	-v loss="$loss" -v logged="$logged" -v g0="$g0" -v g1="$g1" -v hz="$(getconf CLK_TCK)" 'BEGIN {
	split(c0, a, " "); split(c1, b, " "); split(e, m0, " "); split(ms, mb, " "); split(m, m1, " ")
	secs = s1 - s0
	all = (b[1] - a[1]) / 1e9; worker = (b[2] - a[2]) / 1e9
	printf "wgmeshd, %d links probed at 1 Hz (wireguard-go, no BIRD), over %.0f s:\n", l, secs
	printf "  CPU      %.3f %% of one core (%.0f ms/s)                  target < 0.5 %%\n", 100 * all / secs, 1000 * all / secs
	printf "           event loop %.3f %%, worker (WireGuard readings, BIRD) %.3f %%\n",
		100 * (all - worker) / secs, 100 * worker / secs
	printf "                no link      %3d links   per link\n", l
	printf "  RssAnon %8.1f MiB  %8.1f MiB  %6.1f KiB   target < %.2f MiB (4 MiB + 64 KiB per link)\n",
		m0[2] / 1024, m1[2] / 1024, (m1[2] - m0[2]) / l, 4 + l / 16
	printf "  VmRSS   %8.1f MiB  %8.1f MiB  %6.1f KiB   (RssFile, shared library pages: %.1f MiB)\n",
		m0[1] / 1024, m1[1] / 1024, (m1[1] - m0[1]) / l, m1[3] / 1024
	printf "  RssAnon grew %d KiB over the %.0f s\n", m1[2] - mb[2], secs
	printf "  sum of loss %% over the links: %s; log lines written meanwhile: %d\n", loss, logged
	split(g0, w0, " "); split(g1, w1, " ")
	if (w1[1] > 0)
		printf "for scale, node 0'"'"'s %d wireguard-go: CPU %.2f %% of one core in all, RssAnon %.1f MiB (%.1f MiB each), VmRSS %.1f MiB each\n",
			w1[1], 100 * (w1[2] - w0[2]) / hz / secs, w1[3] / 1024, w1[3] / 1024 / w1[1], w1[4] / 1024 / w1[1]
}'
