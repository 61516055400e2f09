#!/usr/bin/env bash
# `wgmesh proximity` with real daemons, BIRD and wireguard-go in three nodes
# (0, 2, 4, full mesh over IPv4), node 0's underlay towards node 2 delayed by
# 80 ms (an NFQUEUE delay line): node 0 lists 4 before 2, with the links to
# each; with a 40 ms cutoff --dry-run plans the 0-2 link's removal and
# changes nothing; while 0-2 is node 2's only path from node 0 the cutoff
# keeps it; node 4, with no link to node 2 (learnt through the mesh only),
# connects to it as a close node; then the cutoff on node 0 removes 0-2, and
# node 0 still reaches node 2 through node 4.
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go nsenter unshare ping bird birdc jq iptables

e2e_mesh3

wait_until 60 e2e_ospf_edge 0 0 2 || fail "no OSPF adjacency 0-2"
wait_until 60 e2e_ospf_edge 0 2 4 || fail "no OSPF adjacency 2-4"
wait_until 60 e2e_ospf_edge 0 0 4 || fail "no OSPF adjacency 0-4"
# From here on links change only by proximity and the test: mesh buildup
# would link 2 and 4 again behind the test's back.
for id in 0 2 4; do
	out=$(e2e_wgmesh $id disable mesh 2>&1) || fail "disable mesh on node $id: $out"
done

e2e_in 0 "$WGM_BUILD_DIR/wgmesh-delayq" --queue 7 --delay 80 >"$E2E_TMP/delayq.log" 2>&1 &
e2e_on_exit "kill $! 2>/dev/null"
wait_until 5 grep -q bound "$E2E_TMP/delayq.log" || fail "delay line did not bind: $(cat "$E2E_TMP/delayq.log")"
e2e_in 0 iptables -t mangle -A POSTROUTING -o u0 -d 192.0.2.12 -j NFQUEUE --queue-num 7 --queue-bypass

prox() { # NODE ARGS... -> JSON on stdout
	local id=$1
	shift
	e2e_wgmesh "$id" proximity --json "$@" 2>"$E2E_TMP/prox.err" || fail "proximity $* on node $id: $(cat "$E2E_TMP/prox.err")"
}
links_to() { e2e_wgmesh "$1" links --json | jq -r --argjson n "$2" '[.[] | select(.remote_id == $n) | .name] | join(" ")'; }

# --- measurement: sorted, link states, truthful RTTs ---
out=$(prox 0)
[ "$(jq -r '[.nodes[].node] | join(" ")' <<<"$out")" = "4 2" ] || fail "not sorted near to far: $out"
rtt2=$(jq '.nodes[] | select(.node == 2) | .rtt_ms' <<<"$out")
rtt4=$(jq '.nodes[] | select(.node == 4) | .rtt_ms' <<<"$out")
jq -e -n "$rtt2 >= 70 and $rtt4 < 40" >/dev/null || fail "RTTs do not show the 80 ms delay: node 2 $rtt2, node 4 $rtt4"
jq -e '.nodes[] | select(.node == 2) | .address == "192.0.2.12" and (.links | length) >= 1 and .links[0].state == "up"' \
	<<<"$out" >/dev/null || fail "node 2's row lacks its address or link state: $out"
jq -e 'all(.nodes[]; .action == "none")' <<<"$out" >/dev/null || fail "no cutoff, yet actions planned: $out"
text=$(e2e_wgmesh 0 proximity) || fail "proximity (text) failed"
grep -Eq '^ +2 +192\.0\.2\.12 +[0-9.]+ms +pipe2 \(up\)' <<<"$text" || fail "text output lacks node 2's row: $text"

# --- bad arguments: one line, exit 2 ---
for args in "abc" "-5" "40 50" "--dry-run" "40 --bogus"; do
	rc=0
	# shellcheck disable=SC2086
	err=$(e2e_wgmesh 0 proximity $args 2>&1 >/dev/null) || rc=$?
	[ "$rc" = 2 ] || fail "proximity $args: exit $rc, want 2 ($err)"
done

# --- dry run: the far link is planned away, nothing changes ---
out=$(prox 0 40 --dry-run)
jq -e '.dry_run and (.nodes[] | select(.node == 2) | .action == "disconnect")' <<<"$out" >/dev/null ||
	fail "dry run did not plan the 0-2 link's removal: $out"
jq -e '.nodes[] | select(.node == 4) | .action == "none"' <<<"$out" >/dev/null || fail "dry run touches node 4: $out"
[ -n "$(links_to 0 2)" ] || fail "dry run removed the 0-2 link"

# --- the last path to a node stays ---
out=$(e2e_wgmesh 4 disconnect "$(links_to 4 2)" 2>&1) || fail "disconnect 4-2: $out"
no_edge() { ! e2e_ospf_edge 0 "$1" "$2" && ! e2e_ospf_edge 0 "$2" "$1"; }
wait_until 60 no_edge 2 4 ||
	fail "node 0 still sees the 2-4 adjacency"
out=$(prox 0 40)
jq -e '.nodes[] | select(.node == 2) | .action == "keep_last_path"' <<<"$out" >/dev/null ||
	fail "the 0-2 link is node 2's last path, yet not kept: $out"
[ -n "$(links_to 0 2)" ] || fail "proximity removed node 2's last path"

# --- a close node without a link is connected (address from /connectivity) ---
out=$(prox 4 40)
jq -e '.nodes[] | select(.node == 2) | .action == "connect" and .address == "192.0.2.12" and .result == "connected"' \
	<<<"$out" >/dev/null || fail "node 4 did not connect to close node 2: $out"
[ -n "$(links_to 4 2)" ] || fail "node 4 has no link to node 2 after proximity"
wait_until 60 e2e_ospf_edge 0 2 4 || fail "no OSPF adjacency 2-4 after proximity connected them"
wait_until 60 e2e_ospf_edge 0 4 2 || fail "node 4 does not list node 2 after proximity connected them"

# --- the far link goes once node 2 stays reachable through node 4 ---
out=$(prox 0 40)
jq -e '.nodes[] | select(.node == 2) | .action == "disconnect" and (.result | startswith("removed"))' <<<"$out" >/dev/null ||
	fail "proximity 40 did not remove the far 0-2 link: $out"
[ -z "$(links_to 0 2)" ] || fail "node 0 still has a link to node 2: $(links_to 0 2)"
[ -n "$(links_to 0 4)" ] || fail "proximity removed the near 0-4 link"
wait_until 60 e2e_in 0 ping -c1 -W1 10.0.2.1 >/dev/null || fail "node 2 unreachable from node 0 after proximity"
e2e_log "ok"
