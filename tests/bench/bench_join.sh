#!/usr/bin/env bash
# Prints how long a mesh of N real nodes (wgmeshd, wireguard-go, BIRD 2 in
# namespaces) takes from `wgmesh connect` to full reachability: every node
# answers a ping to every other node's loopback. All joiners connect to node
# 0 at the same moment; mesh buildup then adds the direct links. Also prints
# when buildup reported done everywhere. Needs root and a build
# (WGM_BUILD_DIR, default build/).
#   tests/bench/bench_join.sh [N...]      (default: 3 5 8)
. "$(dirname "$0")/../e2e/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go nsenter unshare ping bird

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(3 5 8)

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

# Every node pings every other node's loopback once (in parallel per node).
all_reach() {
	local a b pids=() rc=0
	for a in "${ids[@]}"; do
		(
			for b in "${ids[@]}"; do
				[ "$a" = "$b" ] && continue
				e2e_in "$a" ping -c1 -W1 "10.0.$b.1" >/dev/null 2>&1 || exit 1
			done
		) &
		pids+=($!)
	done
	for a in "${pids[@]}"; do wait "$a" || rc=1; done
	return $rc
}
all_done() {
	local id
	for id in "${ids[@]}"; do e2e_wgmesh "$id" status --json 2>/dev/null | grep -q '"mesh": "done"' || return 1; done
}

run() {
	local n=$1 id t0 reach done_at pids=()
	ids=()
	for ((k = 0; k < n; k++)); do ids+=($((2 * k))); done
	for id in "${ids[@]}"; do e2e_node_add "$id"; done
	e2e_underlay "${ids[@]}"
	e2e_node_init 0 public --ipv4 192.0.2.10 --ipv6 2001:db8::10
	for id in "${ids[@]:1}"; do e2e_node_init "$id" --ipv4 "192.0.2.$((10 + id))" --ipv6 "2001:db8::$((10 + id))"; done
	for id in "${ids[@]}"; do
		e2e_bird_start "$id"
		e2e_daemon_start "$id"
	done
	for id in "${ids[@]:1}"; do tok[id]=$(e2e_wgmesh 0 token 2>/dev/null) || fail "token failed"; done
	t0=$(now)
	for id in "${ids[@]:1}"; do
		e2e_wgmesh "$id" connect http://192.0.2.10:8080 "${tok[id]}" >/dev/null 2>&1 & pids+=($!)
	done
	until all_reach; do
		awk -v a="$t0" -v b="$(now)" 'BEGIN { exit !(b - a > 120) }' && fail "$n nodes: no full reachability after 120 s"
	done
	reach=$(since "$t0")
	for id in "${pids[@]}"; do wait "$id" || fail "a connect failed"; done
	until all_done; do
		awk -v a="$t0" -v b="$(now)" 'BEGIN { exit !(b - a > 180) }' && fail "$n nodes: buildup not done after 180 s"
		sleep 0.2
	done
	done_at=$(since "$t0")
	printf 'bench_join: %d nodes: connect -> all loopbacks reachable from all nodes %6s s; mesh buildup done everywhere %6s s\n' \
		"$n" "$reach" "$done_at"
	# Tear this size down before the next one.
	for id in "${ids[@]}"; do e2e_daemon_stop "$id"; e2e_bird_stop "$id"; done
	for ns in $(e2e_my_netns); do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null || true; done
	done
	sleep 0.5
	for ns in $(e2e_my_netns); do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
		ip netns del "$ns" 2>/dev/null || true
	done
	rm -rf "${E2E_TMP:?}"/n*
}

for n in "${sizes[@]}"; do run "$n"; done
