#!/usr/bin/env bash
# `wgmesh proximity` with real daemons, BIRD and wireguard-go in three nodes
# (0, 2, 4, full mesh over IPv4), node 0's underlay towards node 2 delayed by
# 80 ms (an NFQUEUE delay line): node 0 lists 4 before 2, with the links to
# each; with a 40 ms cutoff --dry-run plans the 0-2 link's removal and
# changes nothing; while 0-2 is node 2's only path from node 0 the cutoff
# keeps it; node 4, with no link to node 2 (learnt through the mesh only),
# connects to it as a close node; then the cutoff on node 0 removes 0-2, and
# node 0 still reaches node 2 through node 4. The cut is kept: node 0's status
# shows the cutoff, and after a restart of node 0's daemon with mesh buildup
# on, buildup links every routed node but node 2; with the cutoff kept but
# node 2 not cut yet, buildup measures it and cuts it instead of linking it;
# `proximity off` lifts the cut and buildup links node 2 again. A corrupt
# proximity.json is ignored with one log line.
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

# --- the cut is kept: status, the state file, and a restart ---
jq -e '.in_force.cutoff_ms == 40 and .in_force.cut == [2] and (has("state_error") | not)' <<<"$out" >/dev/null ||
	fail "the reply does not show the cutoff in force: $out"
[ "$(e2e_wgmesh 0 status --json | jq .proximity_cutoff_ms)" = 40 ] || fail "status --json lacks the cutoff: $(e2e_wgmesh 0 status --json)"
e2e_wgmesh 0 status | grep -qx 'proximity 40 ms cutoff' || fail "status lacks the cutoff row: $(e2e_wgmesh 0 status)"
state="$E2E_TMP/n0/state/proximity.json"
jq -e '.cutoff_ms == 40 and .cut == [2]' "$state" >/dev/null || fail "proximity.json does not hold the cut: $(cat "$state")"
# Buildup on: without the kept cut, node 0 would link routed node 2 again.
out=$(e2e_wgmesh 0 enable mesh 2>&1) || fail "enable mesh on node 0: $out"
e2e_daemon_stop 0
e2e_daemon_start 0
wait_until 20 e2e_log_has 0 "proximity: cutoff 40.00 ms in force, nodes cut: 1" || fail "node 0 did not load the cut"
status_is() { e2e_wgmesh 0 status --json | jq -e "$1" >/dev/null; }
# Buildup decides once the routed set (node 2 in it, through node 4) is
# stable: "done" after that means it chose not to link node 2.
wait_until 120 status_is '.nodes == 3' || fail "node 0 does not route 3 nodes: $(e2e_wgmesh 0 status)"
wait_until 120 status_is '.mesh == "done"' || fail "buildup on node 0 not done: $(e2e_wgmesh 0 status)"
[ -z "$(links_to 0 2)" ] || fail "buildup linked the cut node 2 again after the restart: $(links_to 0 2)"
[ -n "$(links_to 0 4)" ] || fail "node 0 lost its link to node 4 over the restart"
status_is '.proximity_cutoff_ms == 40' || fail "the cutoff is gone after the restart: $(e2e_wgmesh 0 status --json)"

# --- the cutoff applies to a node buildup has not linked yet ---
# A kept cutoff with nothing cut (node 2 new to it): buildup measures node 2
# before linking it, finds it beyond the cutoff and cuts it instead.
e2e_daemon_stop 0
printf '{"version":1,"cutoff_ms":40,"cut":[]}\n' >"$state"
e2e_daemon_start 0
wait_until 120 e2e_log_has 0 "proximity: node 2 is [0-9.]* ms away, beyond the 40 ms cutoff" ||
	fail "buildup did not measure node 2 against the cutoff: $(grep -E 'proximity|mesh buildup' "$E2E_TMP/n0/wgmeshd.log" | tail -5)"
wait_until 120 status_is '.nodes == 3' || fail "node 0 does not route 3 nodes: $(e2e_wgmesh 0 status)"
wait_until 120 status_is '.mesh == "done"' || fail "buildup on node 0 not done: $(e2e_wgmesh 0 status)"
[ -z "$(links_to 0 2)" ] || fail "buildup linked node 2, beyond the cutoff: $(links_to 0 2)"
wait_until 20 jq -e '.cut == [2]' "$state" >/dev/null || fail "the cut of node 2 is not kept: $(cat "$state")"

# --- `proximity off` lifts the cut: buildup links node 2 again ---
out=$(prox 0 off)
jq -e '.off and .released == [2] and .in_force == null' <<<"$out" >/dev/null || fail "proximity off: $out"
jq -e '.cutoff_ms == null and .cut == []' "$state" >/dev/null || fail "proximity.json still holds a cut: $(cat "$state")"
status_is '.proximity_cutoff_ms == null' || fail "status still shows a cutoff: $(e2e_wgmesh 0 status --json)"
! e2e_wgmesh 0 status | grep -q '^proximity' || fail "status still has a proximity row"
wait_until 120 e2e_has_link 0 2 || fail "buildup did not link node 2 after proximity off: $(e2e_wgmesh 0 links)"
rc=0
err=$(e2e_wgmesh 0 proximity off --dry-run 2>&1 >/dev/null) || rc=$?
[ "$rc" = 2 ] || fail "proximity off --dry-run: exit $rc, want 2 ($err)"

# --- a corrupt file: one log line, ignored, the daemon runs ---
e2e_daemon_stop 0
printf '{"version":1,"cutoff_ms":40,"cut":[2,' >"$state"
e2e_daemon_start 0
wait_until 20 e2e_log_has 0 "proximity: ignoring .*proximity.json" || fail "no log line for the corrupt proximity.json"
status_is '.proximity_cutoff_ms == null' || fail "a corrupt proximity.json gave a cutoff: $(e2e_wgmesh 0 status --json)"
e2e_log "ok"
