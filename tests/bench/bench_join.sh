#!/usr/bin/env bash
# Prints how long a mesh of N real nodes (wgmeshd, wireguard-go, BIRD 2 in
# namespaces) takes from the first `wgmesh connect` to full reachability
# (every node answers a ping to every other node's loopback), and to mesh
# buildup done everywhere (a direct link per pair and transport), next to
# issue 18's targets for reachability: under 5 s for 3 nodes, 10 s for 8,
# 20 s for 16. Two ways to join: "sequential" (each joiner connects to node 0
# once the previous connect returned) and "concurrent" (all at the same
# moment). Needs root and a build (WGM_BUILD_DIR, default build/; a Release
# build gives the figures that count). Raises fs.inotify.max_user_instances
# when a full mesh of the largest N needs more (each wireguard-go takes one).
# BENCH_JOIN_KEEP=DIR keeps each run's daemon and BIRD logs and events in
# DIR/N-MODE/ (log timestamps against the t0 file).
# BENCH_JOIN_SETTLE=S waits S seconds after the last daemon started before the
# first connect (default 0): BIRD originates a router-LSA when OSPF starts and
# at most one per 5 s after (MinLSInterval), so a node that joins within 5 s
# of its daemon's start waits out the rest; S >= 5 times the join of a node
# whose daemon already runs.
# BENCH_JOIN_TRACE=1 (the default for 3 nodes) runs BIRD in the foreground at
# loglevel debug and prints where each join's time went: connect, the link on
# node 0, its BIRD reconfigure, the first handshake, OSPF Full on both ends,
# the router-LSAs, and the route to the joiner on every node (the daemon reads
# BIRD's routes once a second: those figures are up to 1 s late).
#   tests/bench/bench_join.sh [-m sequential|concurrent|both] [N...]   (default: both, 3 8 16)
. "$(dirname "$0")/../e2e/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go nsenter unshare ping bird

modes=(sequential concurrent)
if [ "${1:-}" = -m ]; then
	case ${2:-} in sequential | concurrent) modes=("$2") ;; both) ;; *) fail "-m: sequential, concurrent or both" ;; esac
	shift 2
fi
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(3 8 16)

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
target_of() { case $1 in 3) echo 5 ;; 8) echo 10 ;; 16) echo 20 ;; *) echo - ;; esac; }

max=0
for n in "${sizes[@]}"; do [ "$n" -gt "$max" ] && max=$n; done
need=$((2 * max * (max - 1) + 128))
cur=$(cat /proc/sys/fs/inotify/max_user_instances)
if [ "$cur" -lt "$need" ]; then
	e2e_log "raising fs.inotify.max_user_instances from $cur to $need ($max nodes: $((2 * max * (max - 1))) wireguard-go)"
	sysctl -q -w fs.inotify.max_user_instances="$need" || fail "cannot raise fs.inotify.max_user_instances"
fi

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
# Buildup done everywhere: every node says so and has its direct links to every
# other node, one per transport (dual-stack: 2 per pair). The status alone is
# not enough: a joiner whose OSPF routes no other node yet (reachable through
# its interim routes, routing.md) has nothing left to do as far as it knows.
all_done() {
	local id want=$((2 * (${#ids[@]} - 1)))
	for id in "${ids[@]}"; do
		e2e_wgmesh "$id" status --json 2>/dev/null | grep -q '"mesh": "done"' || return 1
		[ "$(e2e_wgmesh "$id" links --json 2>/dev/null | jq length)" = "$want" ] || return 1
	done
}
over() { awk -v a="$1" -v b="$(now)" -v l="$2" 'BEGIN { exit !(b - a > l) }'; }

# bench_mesh_up N MODE : N nodes, BIRD and daemons started, joined to node 0;
# sets ids, t0 (the first connect), reach and done_at (seconds from t0).
bench_mesh_up() {
	local n=$1 mode=$2 id pids=()
	connect_at=() returned_at=()
	ids=()
	for ((k = 0; k < n; k++)); do ids+=($((2 * k))); done
	for id in "${ids[@]}"; do e2e_node_add "$id"; done
	e2e_underlay "${ids[@]}"
	e2e_node_init 0 public --ipv4 192.0.2.10 --ipv6 2001:db8::10
	for id in "${ids[@]:1}"; do e2e_node_init "$id" --ipv4 "192.0.2.$((10 + id))" --ipv6 "2001:db8::$((10 + id))"; done
	for id in "${ids[@]}"; do
		if tracing "$n"; then
			jq '.bird.loglevel = "debug"' "$E2E_TMP/n$id/config.json" >"$E2E_TMP/n$id/config.new" &&
				mv "$E2E_TMP/n$id/config.new" "$E2E_TMP/n$id/config.json" || fail "node $id: jq failed on its config"
			bench_bird_start_fg "$id"
		else
			e2e_bird_start "$id"
		fi
		e2e_daemon_start "$id"
	done
	for id in "${ids[@]:1}"; do tok[id]=$(e2e_wgmesh 0 token 2>/dev/null) || fail "token failed"; done
	sleep "${BENCH_JOIN_SETTLE:-0}"
	t0=$(now)
	for id in "${ids[@]:1}"; do
		connect_at[id]=$(now)
		if [ "$mode" = concurrent ]; then
			e2e_wgmesh "$id" connect http://192.0.2.10:8080 "${tok[id]}" >"$E2E_TMP/n$id/connect.out" 2>&1 &
			pids+=($!)
		else
			e2e_wgmesh "$id" connect http://192.0.2.10:8080 "${tok[id]}" >"$E2E_TMP/n$id/connect.out" 2>&1 ||
				fail "$n nodes: node $id: connect failed: $(cat "$E2E_TMP/n$id/connect.out")"
			returned_at[id]=$(now)
		fi
	done
	for id in "${pids[@]}"; do wait "$id" || fail "$n nodes: a connect failed"; done
	until all_reach; do
		over "$t0" 300 && fail "$n nodes ($mode): no full reachability after 300 s"
	done
	reach=$(since "$t0")
	for id in "${ids[@]}"; do e2e_wgmesh "$id" events --json >"$E2E_TMP/n$id/events.json" 2>/dev/null || true; done
	until all_done; do
		over "$t0" 600 && fail "$n nodes ($mode): buildup not done after 600 s"
		sleep 0.2
	done
	done_at=$(since "$t0")
}

bench_mesh_down() {
	local id ns pid
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

# Where the time went: buildup retries and failed attempts, from the logs.
waits() {
	local id r=0 f=0
	for id in "${ids[@]}"; do
		r=$((r + $(grep -c 'mesh buildup: node .* (retrying in' "$E2E_TMP/n$id/wgmeshd.log" || true)))
		f=$((f + $(grep -c 'connect to .* failed' "$E2E_TMP/n$id/wgmeshd.log" || true)))
	done
	echo "buildup retries $r, failed connects $f"
}

keep_logs() {
	local dir=$1 id
	mkdir -p "$dir"
	echo "$t0" >"$dir/t0"
	for id in "${ids[@]}"; do
		cp "$E2E_TMP/n$id/wgmeshd.log" "$dir/wgmeshd-$id.log"
		cp "$E2E_TMP/n$id/bird.log" "$dir/bird-$id.log" 2>/dev/null || true
		cp "$E2E_TMP/n$id/events.json" "$dir/events-$id.json" 2>/dev/null || true
	done
}

tracing() { [ "${BENCH_JOIN_TRACE:-$([ "$1" -le 3 ] && echo 1)}" = 1 ]; }

# BIRD in the foreground: a daemonised BIRD logs to a closed stderr, and the
# breakdown needs its timestamped OSPF events.
bench_bird_start_fg() {
	local id=$1 d="$E2E_TMP/n$1"
	e2e_in "$id" sysctl -q -w net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 >/dev/null
	printf '%s\n' "log stderr all;" "router id 10.0.$id.1;" "protocol device {}" >"$d/bird.conf"
	e2e_in "$id" bird -f -c "$d/bird.conf" -s "$d/bird.ctl" -P "$d/bird.pid" 2>>"$d/bird.log" &
	wait_until 5 test -s "$d/bird.pid" || fail "node $id: BIRD wrote no pid file"
	e2e_on_exit "kill \$(cat '$d/bird.pid') 2>/dev/null"
	wait_until 5 test -S "$d/bird.ctl" || fail "node $id: BIRD's control socket did not appear"
}

# Seconds from t0 to the first event of node ID matching JQ_COND, or "-".
ev_at() {
	local t
	t=$(jq -r "select($2) | .ts" "$E2E_TMP/n$1/events.json" 2>/dev/null | head -1)
	[ -n "$t" ] && awk -v a="$t0" -v b="$t" 'BEGIN { printf "%.2f", b - a }' || echo -
}
log_at() { ev_at "$1" ".event == \"log\" and (.msg | test(\"$2\"))"; }
# The same for the first line of node ID's BIRD log matching REGEX at or
# after AFTER seconds from t0 (default: the first connect).
bird_at() {
	awk -v a="$t0" -v re="$2" -v after="${3:-0}" '
		$0 ~ re {
			split($1, d, "-"); split($2, t, ":")
			s = mktime(d[1] " " d[2] " " d[3] " " t[1] " " t[2] " 0") + t[3] - a
			if (s >= after) { printf "%.2f", s; found = 1; exit }
		}
		END { if (!found) print "-" }' "$E2E_TMP/n$1/bird.log" 2>/dev/null
}
rel() { awk -v a="$t0" -v b="$1" 'BEGIN { printf "%.2f", b - a }'; }

# Where each joiner's time went, in seconds from t0 (the first connect):
# lsa0/lsaj are the first router-LSAs node 0 / the joiner originated once
# their adjacency was Full (the ones that list it); int0 node 0's interim
# route to the joiner's loopback, intj the joiner's sponsor route through
# node 0 (docs/routing.md#interim-routes).
breakdown() {
	local j k r f0 fj
	echo "bench_join: where the time went (s from the first connect; routes seen by the daemon, up to 1 s late):"
	printf '  %-5s %7s %7s %7s %7s %7s %7s %7s %7s %7s %7s %7s %7s %7s  %s\n' joiner connect return accept \
		link0 bird0 int0 intj hshake full0 fullj lsa0 lsaj route0 "routes to it on the others"
	for j in "${ids[@]:1}"; do
		f0=$(bird_at 0 "ospf4: Neighbor 10[.]0[.]$j[.]1 on pipe$j changed state from .* to Full")
		fj=$(bird_at "$j" "ospf4: Neighbor 10[.]0[.]0[.]1 on pipe0 changed state from .* to Full")
		r=""
		for k in "${ids[@]:1}"; do
			[ "$k" = "$j" ] && continue
			r="$r $k:$(ev_at "$k" ".event == \"route\" and .node == $j and .new_via != null")"
		done
		printf '  %-5s %7s %7s %7s %7s %7s %7s %7s %7s %7s %7s %7s %7s %7s %s\n' "$j" "$(rel "${connect_at[j]}")" \
			"$([ -n "${returned_at[j]:-}" ] && rel "${returned_at[j]}" || echo -)" \
			"$(log_at 0 "^node $j connects as a new member")" \
			"$(log_at 0 "^link pipe$j to node $j is up [(]v4")" \
			"$(bird_at 0 "ospf4: Adding interface pipe$j ")" \
			"$(log_at 0 "^interim route 10[.]0[.]$j[.]0/30 .* added")" \
			"$(log_at "$j" "^interim route .* [(]sponsor node 0[)] added")" \
			"$(log_at 0 "^link pipe$j: first WireGuard handshake")" "$f0" "$fj" \
			"$([ "$f0" = - ] && echo - || bird_at 0 "ospf4: Originating LSA: Type: 2001" "$f0")" \
			"$([ "$fj" = - ] && echo - || bird_at "$j" "ospf4: Originating LSA: Type: 2001" "$fj")" \
			"$(ev_at 0 ".event == \"route\" and .node == $j and .new_via != null")" "$r"
	done
}

# bench_scale.sh sources this file for the functions above.
[ "${BENCH_JOIN_LIB:-0}" = 1 ] && return 0

for n in "${sizes[@]}"; do
	for mode in "${modes[@]}"; do
		bench_mesh_up "$n" "$mode"
		t=$(target_of "$n")
		verdict="no target"
		[ "$t" != - ] && verdict=$(awk -v r="$reach" -v t="$t" 'BEGIN { print (r < t) ? "met" : "NOT met" }')
		printf 'bench_join: %2d nodes %-10s (settle %s s): reachable %6s s (target < %s s: %s); buildup done %6s s; %s\n' \
			"$n" "$mode" "${BENCH_JOIN_SETTLE:-0}" "$reach" "$t" "$verdict" "$done_at" "$(waits)"
		! tracing "$n" || breakdown
		[ -z "${BENCH_JOIN_KEEP:-}" ] || keep_logs "$BENCH_JOIN_KEEP/$n-$mode"
		bench_mesh_down
	done
done
