#!/usr/bin/env bash
# Fast local repair with real daemons, BIRD and wireguard-go in three nodes
# (0, 2, 4, full mesh over IPv4): every underlay packet between nodes 0 and
# 2 is dropped (both transports, as when a host's uplink fails). BFD finds
# pipe2 (node 0) and pipe0 (node 2) dead, and each daemon moves its routes
# to the other over node 4 itself, before BIRD's OSPF does: a log line and
# an "installed" fast_repair event naming the dead link, the alternate and
# node 4. Traffic 0 -> 2 and 2 -> 0 (loopback to loopback) then flows through
# node 4; once BIRD's own route is the detour the repair routes are gone
# (a "removed" event, no proto 247 route left). When the path heals traffic
# returns direct and nothing of the repair is left. With `disable
# fastRepair` a path death repairs nothing and OSPF alone moves the route.
# No timings are asserted: tests/bench/bench_reroute.sh measures them.
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go nsenter unshare ping bird birdc jq iptables

# Jitter events off: a loaded machine alone makes jitter on a veth, and its
# penalty could hold traffic on a detour whatever the path does.
e2e_mesh3 '.jitterThreshold = 1000'
wait_until 120 e2e_full_mesh 0 2 4 || fail "no full mesh"

ns0=$(e2e_node_ns 0)
ns2=$(e2e_node_ns 2)
# route_is NS DST DEV : the kernel's route in NS to DST leaves on DEV
route_is() { ip -n "$1" -4 route get "$2" 2>/dev/null | grep -q "dev $3 "; }
# bird_route_is NS DST DEV : ... and it is BIRD's own (not a repair route)
bird_route_is() { ip -n "$1" -4 route show "$2/32" proto bird 2>/dev/null | grep -q "dev $3 "; }
# no_repair_routes NS : wgmeshd has no route of its own there (proto 247)
no_repair_routes() { [ -z "$(ip -n "$1" route show proto 247)$(ip -n "$1" -6 route show proto 247)" ]; }
# bfd_up ID IFACE : node ID's IPv4 BFD session on IFACE is Up
bfd_up() {
	e2e_in "$1" birdc -s "$E2E_TMP/n$1/bird.ctl" show bfd sessions |
		awk -v l="$2" '$2 == l && $1 ~ /^10\./ && $3 == "Up" { up = 1 } END { exit !up }'
}
reaches() { e2e_in "$1" ping -c 1 -W 1 -I "10.0.$1.1" "10.0.$2.1" >/dev/null; }
# repair_events ID : node ID's fast_repair events, one JSON object a line
repair_events() { e2e_wgmesh "$1" events --json | jq -c 'select(.event == "fast_repair")'; }
# installed ID DEAD : node ID moved routes off DEAD to node 4 over pipe4
installed() { # ID DEAD PREFIX
	repair_events "$1" | jq -se --arg d "$2" --arg p "$3" \
		'map(select(.action == "installed" and .link == $d and .via == "pipe4" and .node == 4 and (.prefixes | index($p)) != null)) | length > 0' >/dev/null
}
removed() { repair_events "$1" | jq -se --arg d "$2" 'map(select(.action == "removed" and .link == $d)) | length > 0' >/dev/null; }
block() {
	printf '*filter\n-%s INPUT -s 192.0.2.12 -j DROP\n-%s OUTPUT -d 192.0.2.12 -j DROP\nCOMMIT\n' "$1" "$1" |
		e2e_in 0 iptables-restore --noflush
}
e2e_on_exit "block D 2>/dev/null"

# next_hop ID NODE HOP : node ID's daemon (what it last read of BIRD's
# routes) has its route to NODE leave towards HOP
next_hop() { e2e_wgmesh "$1" nodes --json | jq -e --argjson n "$2" --argjson h "$3" '[.[] | select(.id == $n)] | length == 1 and .[0].next_hop_id == $h' >/dev/null; }
# direct WHEN : every pair of nodes uses its own link, as the daemons have
# read it. Node 4's shortest way to 0 and to 2 is then its own link, never
# back through the other: node 4 is a loop-free alternate for both.
direct() {
	wait_until 90 route_is "$ns0" 10.0.2.1 pipe2 || fail "$1: node 0 does not reach node 2 over pipe2"
	wait_until 90 route_is "$ns2" 10.0.0.1 pipe0 || fail "$1: node 2 does not reach node 0 over pipe0"
	wait_until 90 next_hop 4 0 0 || fail "$1: node 4 does not reach node 0 over its own link"
	wait_until 90 next_hop 4 2 2 || fail "$1: node 4 does not reach node 2 over its own link"
	wait_until 30 next_hop 0 2 2 || fail "$1: node 0's daemon does not see its route to node 2 over pipe2"
	wait_until 30 next_hop 2 0 0 || fail "$1: node 2's daemon does not see its route to node 0 over pipe0"
	wait_until 30 bfd_up 0 pipe2 || fail "$1: node 0's BFD session on pipe2 is not Up"
	wait_until 30 bfd_up 2 pipe0 || fail "$1: node 2's BFD session on pipe0 is not Up"
	wait_until 30 reaches 0 2 || fail "$1: no ping from node 0 to node 2"
	wait_until 30 reaches 2 0 || fail "$1: no ping from node 2 to node 0"
}

# The repair runs in the gap between BFD's verdict and BIRD's next OSPF
# tick; should BIRD's SPF ever land before the daemon read that verdict,
# OSPF has moved the route and nothing is left to repair: the path dies
# again then (at most three times).
direct "before the cut"
tries=0
while :; do
	tries=$((tries + 1))
	block I
	e2e_log "path 0-2 cut (try $tries)"
	wait_until 60 route_is "$ns0" 10.0.2.1 pipe4 || fail "node 0's route to node 2 did not move to pipe4"
	wait_until 60 route_is "$ns2" 10.0.0.1 pipe4 || fail "node 2's route to node 0 did not move to pipe4"
	wait_until 30 reaches 0 2 || fail "node 0 does not reach node 2 through node 4"
	wait_until 30 reaches 2 0 || fail "node 2 does not reach node 0 through node 4"
	if installed 0 pipe2 10.0.2.1/32 && installed 2 pipe0 10.0.0.1/32; then
		break
	fi
	[ "$tries" -lt 3 ] || fail "no fast repair in $tries path deaths; node 0: $(repair_events 0) node 2: $(repair_events 2); log: $(grep 'fast repair' "$E2E_TMP/n0/wgmeshd.log" | tail -3)"
	block D
	direct "after try $tries"
done
e2e_log_has 0 'fast repair: pipe2 is down (BFD): [0-9]* routes\? moved to node 4 over pipe4' ||
	fail "node 0's log has no repair line: $(grep 'fast repair' "$E2E_TMP/n0/wgmeshd.log" | tail -3)"
e2e_log_has 2 'fast repair: pipe0 is down (BFD): [0-9]* routes\? moved to node 4 over pipe4' ||
	fail "node 2's log has no repair line: $(grep 'fast repair' "$E2E_TMP/n2/wgmeshd.log" | tail -3)"

# BIRD catches up: its own route is the detour and the repair routes are gone.
wait_until 30 bird_route_is "$ns0" 10.0.2.1 pipe4 || fail "node 0: BIRD's route to node 2 is not over pipe4: $(ip -n "$ns0" route show 10.0.2.1/32)"
wait_until 30 bird_route_is "$ns2" 10.0.0.1 pipe4 || fail "node 2: BIRD's route to node 0 is not over pipe4: $(ip -n "$ns2" route show 10.0.0.1/32)"
wait_until 30 no_repair_routes "$ns0" || fail "node 0 keeps repair routes: $(ip -n "$ns0" route show proto 247)"
wait_until 30 no_repair_routes "$ns2" || fail "node 2 keeps repair routes: $(ip -n "$ns2" route show proto 247)"
removed 0 pipe2 || fail "node 0 published no removal: $(repair_events 0)"
removed 2 pipe0 || fail "node 2 published no removal: $(repair_events 2)"
wait_until 30 reaches 0 2 || fail "node 0 does not reach node 2 once OSPF rerouted"
# `wgmesh nodes` follows BIRD's route: node 2 is rerouted through node 4.
node2_via4() { e2e_wgmesh 0 nodes --json | jq -e '[.[] | select(.id == 2)] | length == 1 and .[0].next_hop_id == 4' >/dev/null; }
wait_until 30 node2_via4 ||
	fail "wgmesh nodes does not name node 4 as next hop to node 2: $(e2e_wgmesh 0 nodes --json | jq -c '.[] | select(.id == 2)')"

# The path heals: traffic goes direct again and nothing is left.
block D
direct "after the path healed"
no_repair_routes "$ns0" || fail "node 0 keeps repair routes after healing: $(ip -n "$ns0" route show proto 247)"
no_repair_routes "$ns2" || fail "node 2 keeps repair routes after healing: $(ip -n "$ns2" route show proto 247)"

# Turned off: a path death is OSPF's alone, and no repair is made.
out=$(e2e_wgmesh 0 disable fastRepair) || fail "disable fastRepair: $out"
out=$(e2e_wgmesh 2 disable fastRepair) || fail "disable fastRepair on node 2: $out"
cut_at=$(date +%s)
block I
wait_until 60 route_is "$ns0" 10.0.2.1 pipe4 || fail "fastRepair off: node 0's route did not move to pipe4"
wait_until 30 reaches 0 2 || fail "fastRepair off: node 0 does not reach node 2 through node 4"
repair_events 0 | jq -se --argjson t "$cut_at" 'map(select(.action == "installed" and .ts >= $t)) | length == 0' >/dev/null ||
	fail "fastRepair off, yet a repair: $(repair_events 0 | tail -1)"
no_repair_routes "$ns0" || fail "fastRepair off, yet repair routes: $(ip -n "$ns0" route show proto 247)"
block D
e2e_log "ok"
