#!/usr/bin/env bash
# The whole path of a route, from OSPF's topology, with real daemons, BIRD
# and wireguard-go in four nodes joined in a chain 0 - 2 - 4 - 6 (2 -> 0,
# 4 -> 2, 6 -> 4) with mesh buildup off from the start, so no other link is
# made: node 0 reports node 6 `indirect` with next hop node 2 and the whole
# path [0,2,4,6] (not [0,2,6]), node 4 as [0,2,4], `wgmesh nodes` shows
# 0>2>4>6 within 80 columns, and node 6 sees the way back as [6,4,2,0].
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go nsenter unshare bird jq

e2e_nodes '.mesh = false' 0 2 4 6
e2e_join 2 0
e2e_join 4 2
e2e_join 6 4

node() { # FROM ID -> the NODE object (for messages)
	e2e_wgmesh "$1" nodes --json | jq -c --argjson n "$2" '.[] | select(.id == $n)'
}
node_is() { # FROM ID STATE NEXT_HOP PATH (jq -e on no input at all succeeds: select inside)
	e2e_wgmesh "$1" nodes --json | jq -e --argjson n "$2" --arg s "$3" --argjson h "$4" --argjson p "$5" \
		'[.[] | select(.id == $n)] | length == 1 and (.[0] | .route_state == $s and .next_hop_id == $h and
		 .path == $p and .path_whole == true)' >/dev/null
}

wait_until 120 node_is 0 6 indirect 2 '[0,2,4,6]' || fail "node 0's path to node 6: $(node 0 6)"
node_is 0 4 indirect 2 '[0,2,4]' || fail "node 0's path to node 4: $(node 0 4)"
node_is 0 2 direct 2 '[0,2]' || fail "node 0's path to node 2: $(node 0 2)"
wait_until 60 node_is 6 0 indirect 4 '[6,4,2,0]' || fail "node 6's path to node 0: $(node 6 0)"
# Buildup stayed off: the chain is the only way, so the path is not a guess.
links=$(e2e_wgmesh 0 links --json | jq -c '[.[].remote_id]')
[ "$links" = '[2]' ] || fail "node 0 has links to $links, not only to node 2"

out=$(e2e_wgmesh 0 nodes 2>&1)
grep -Eq '^ +6 .* indirect .* 0>2>4>6$' <<<"$out" || fail "wgmesh nodes does not show 0>2>4>6 for node 6: $out"
width=$(awk '{ if (length($0) > w) w = length($0) } END { print w }' <<<"$out")
((width <= 80)) || fail "wgmesh nodes is $width columns wide: $out"
e2e_log "node 0: $(grep -E '^ +6 ' <<<"$out")"
