#!/usr/bin/env bash
# The node API under a junk flood (a bench: it prints figures, asserts only
# that it could run, and stops by itself). Node 0 (public, 192.0.2.10) runs
# wgmeshd and BIRD in the lab; a namespace at 192.0.2.16 sends junk requests
# as fast as one core can (tests/tools/wgm-api-flood) for SECONDS; halfway
# through, node 2 joins node 0 with a token. Prints the flood's counts
# (after the guard blocks the flooder, its requests are answered 403 or
# dropped), wgmeshd's CPU time and RSS before and after, and how long the
# honest join took. Needs root and a build (WGM_BUILD_DIR, default build/).
#   tests/bench/bench_api_load.sh [SECONDS] [CONNECTIONS]    (default 20 s, 32)
. "$(dirname "$0")/../e2e/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go nsenter unshare ping bird

seconds=${1:-20}
conns=${2:-32}
[[ $seconds =~ ^[0-9]+$ && $seconds -ge 4 && $seconds -le 3600 ]] || fail "SECONDS: 4-3600"
[[ $conns =~ ^[0-9]+$ && $conns -ge 1 && $conns -le 1024 ]] || fail "CONNECTIONS: 1-1024"

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
# CPU seconds (user + system) and RSS in KiB of a process.
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }
rss_of() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

e2e_node_add 0
e2e_node_add 2
e2e_node_add 6
e2e_underlay 0 2 6
e2e_node_init 0 public --ipv4 192.0.2.10 --ipv6 none
e2e_node_init 2 --ipv4 192.0.2.12 --ipv6 none
for id in 0 2; do
	e2e_bird_start "$id"
	e2e_daemon_start "$id"
done
pid=$(cat "$E2E_TMP/n0/wgmeshd.pid")
token=$(e2e_wgmesh 0 token 2>/dev/null) || fail "token failed"

cpu0=$(cpu_of "$pid")
rss0=$(rss_of "$pid")
t0=$(now)
e2e_in 6 "$WGM_BUILD_DIR/wgm-api-flood" 192.0.2.10 8080 "$seconds" "$conns" >"$E2E_TMP/flood.out" 2>&1 &
flood=$!
sleep $((seconds / 2))
tj=$(now)
out=$(e2e_wgmesh 2 connect http://192.0.2.10:8080 "$token" 2>&1) || fail "the honest join failed under the flood: $out"
join=$(since "$tj")
wait_until 30 e2e_in 2 ping -c1 -W1 10.0.0.1 >/dev/null 2>&1 || wait_until 30 e2e_in 2 ping -c1 -W1 10.0.0.0 ||
	e2e_log "note: node 2 does not reach node 0 over the new link yet"
wait "$flood" || fail "wgm-api-flood failed: $(cat "$E2E_TMP/flood.out")"
elapsed=$(since "$t0")
cpu1=$(cpu_of "$pid")
rss1=$(rss_of "$pid")
kill -0 "$pid" 2>/dev/null || fail "wgmeshd died under the flood: $(tail -5 "$E2E_TMP/n0/wgmeshd.log")"
blocked=$(grep -c 'blocked' "$E2E_TMP/n0/wgmeshd.log" || true)

printf 'bench_api_load: %s s, %s connections: %s\n' "$seconds" "$conns" "$(cat "$E2E_TMP/flood.out")"
printf 'bench_api_load: wgmeshd CPU %s s over %s s (%s%% of a core); RSS %s KiB -> %s KiB; log lines about blocking: %s\n' \
	"$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.2f", b - a }')" "$elapsed" \
	"$(awk -v a="$cpu0" -v b="$cpu1" -v e="$elapsed" 'BEGIN { printf "%.0f", 100 * (b - a) / e }')" \
	"$rss0" "$rss1" "$blocked"
printf 'bench_api_load: honest join (wgmesh connect) in the middle of the flood: %s s\n' "$join"
