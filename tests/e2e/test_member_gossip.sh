#!/usr/bin/env bash
# Certificate gossip with real daemons and BIRD: nodes 2 and 4 join node 0
# with mesh buildup off (`mesh` false), so 2 and 4 never call each other.
# Each still lists the other as a member of the mesh within the /trust
# exchanges with node 0 (every 15 s, a page of certificates each time).
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go nsenter unshare ping bird curl jq

e2e_nodes '.mesh = false' 0 2 4
e2e_join 2 0
e2e_join 4 0

members() { e2e_wgmesh "$1" member list --json; }
lists() { members "$1" | jq -e --argjson id "$2" 'map(select(.id == $id and .state == "member")) | length == 1' >/dev/null; }
wait_until 60 lists 2 4 || fail "node 2 does not list node 4 as a member: $(e2e_wgmesh 2 member list)"
wait_until 60 lists 4 2 || fail "node 4 does not list node 2 as a member: $(e2e_wgmesh 4 member list)"
[ "$(members 2 | jq -r '.[] | select(.id == 4) | .admitted_by')" = 0 ] ||
	fail "node 2 does not show node 4 as admitted by node 0: $(members 2)"
# It came by gossip: 2 and 4 have no link to each other.
e2e_has_link 2 4 && fail "node 2 has a link to node 4 although mesh buildup is off"
e2e_log_has 2 "member certificate.* learnt from" || fail "node 2 does not log learning certificates"
e2e_log "ok"
