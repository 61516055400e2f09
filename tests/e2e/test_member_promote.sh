#!/usr/bin/env bash
# A second admin (`wgmesh member promote`), with real daemons and BIRD. Nodes
# 2 and 4 join node 0 (the admin: it made the mesh), node 6 joins node 2;
# node 8 waits outside. Promoting is refused on a non-admin, for an unknown
# ID and for an admin. `member promote 2` on node 0: every node's `member
# list` shows node 2 as admin. Then node 0's daemon stops, and node 2 acts as
# the admin: `member revoke 6` takes node 6's links away, and node 8 joins by
# a token of node 4 (no admin: it asks node 0, which does not answer, then
# node 2) and is certified by node 2. Node 2 stays admin over a restart.
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go nsenter unshare ping bird curl jq

IDS=(0 2 4 6)
e2e_nodes . 0 2 4 6 8
e2e_join 2 0
e2e_join 4 0
e2e_join 6 2
wait_until 120 e2e_full_mesh "${IDS[@]}" ||
	fail "no full mesh: $(for i in "${IDS[@]}"; do echo "node $i: $(e2e_wgmesh "$i" links)"; done)"

members() { e2e_wgmesh "$1" member list --json; }
four_members() { [ "$(members "$1" | jq '[.[] | select(.state == "member")] | length')" = 4 ]; }
for id in "${IDS[@]}"; do
	wait_until 60 four_members "$id" || fail "node $id does not list 4 member identities: $(members "$id")"
done

refused() { # NODE WANT ARGS... : the CLI fails and says WANT
	local node=$1 want=$2 out
	shift 2
	out=$(e2e_wgmesh "$node" "$@" 2>&1) && fail "node $node: wgmesh $* did not fail: $out"
	[[ $out == *"$want"* ]] || fail "node $node: wgmesh $* failed without saying '$want': $out"
}
refused 2 "node 2 is not an admin of this mesh; run it on node 0" member promote 4
refused 0 "node 0 is an admin already" member promote 0
refused 0 "node 9 has no current identity known here" member promote 9
refused 0 "promote takes one node ID" member promote

e2e_wgmesh 0 member promote 2 || fail "member promote 2 failed on node 0"
wait_until 60 e2e_log_has 2 "this node is an admin of the mesh from now on" ||
	fail "node 2 did not take the grant: $(tail -20 "$E2E_TMP/n2/wgmeshd.log")"
is_admin() { [ "$(members "$1" | jq -r --argjson id "$2" '.[] | select(.id == $id and .state == "member") | .admin')" = true ]; }
for id in "${IDS[@]}"; do
	wait_until 90 is_admin "$id" 2 || fail "node $id does not list node 2 as admin: $(members "$id")"
	is_admin "$id" 4 && fail "node $id lists node 4 (not promoted) as admin: $(members "$id")"
done
e2e_wgmesh 4 member list | grep -E '^2 .* admin' >/dev/null || fail "node 4's member list does not mark node 2 admin"
refused 0 "node 2 is an admin already" member promote 2

# A token of node 4 (no admin) for node 8, and node 0 gone.
tok=$(e2e_wgmesh 4 token 2>/dev/null) || fail "token on node 4 failed"
e2e_daemon_stop 0

# Node 2 revokes node 6: its links go.
e2e_wgmesh 2 member revoke 6 || fail "member revoke 6 failed on node 2 (the promoted admin)"
no_link_to_6() { ! e2e_has_link 2 6 && ! e2e_has_link 4 6; }
wait_until 60 no_link_to_6 || fail "links to node 6 remain: $(for i in 2 4; do echo "node $i: $(e2e_wgmesh $i links)"; done)"
[ "$(members 4 | jq -r '.[] | select(.id == 6) | .state')" = revoked ] ||
	fail "node 4 does not list node 6 as revoked: $(members 4)"

# Node 8 joins node 4; node 4 asks the admins it knows until node 2 answers.
out=$(e2e_wgmesh 8 connect http://192.0.2.14:8080 "$tok" 2>&1) ||
	fail "node 8 could not join node 4 with node 0 down: $out; node 4: $(tail -20 "$E2E_TMP/n4/wgmeshd.log")"
[ "$(members 8 | jq -r '.[] | select(.id == 8) | .admitted_by')" = 2 ] ||
	fail "node 8 was not certified by node 2: $(members 8)"
e2e_log_has 4 "certify joining node 8 (admin: node 2)" ||
	fail "node 4 did not ask node 2 (the second admin): $(grep certify "$E2E_TMP/n4/wgmeshd.log")"
wait_until 60 e2e_has_link 8 4 || fail "node 8 has no link to node 4: $(e2e_wgmesh 8 links)"

# The signing key is on disk: node 2 is an admin after a restart.
e2e_daemon_stop 2
e2e_daemon_start 2
is_admin 2 2 || fail "node 2 is no admin after a restart: $(members 2)"
e2e_log "ok"
