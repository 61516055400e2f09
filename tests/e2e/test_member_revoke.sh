#!/usr/bin/env bash
# Member identities and revocation with real daemons and BIRD. Nodes 2 and 4
# join node 0 (the admin: it made the mesh), node 6 joins node 2 (no admin:
# node 2 has node 0 certify it); mesh buildup links every pair. Every node's
# `member list` shows the 4 identities. A member presenting another node's
# certificate (a known ID with another API key) is refused. `member revoke 6`
# on node 0: the links to node 6 go on every node, node 6 cannot reconnect
# (/connect refused) nor join again with a token, and the revocation
# survives a restart of node 4.
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go nsenter unshare ping bird curl jq

seal="$WGM_BUILD_DIR/wgm-api-seal"
e2e_member_mesh4

has_link() { e2e_has_link "$@"; }

members() { e2e_wgmesh "$1" member list --json; }
four_members() { [ "$(members "$1" | jq '[.[] | select(.state == "member")] | length')" = 4 ]; }
for id in "${IDS[@]}"; do
	wait_until 30 four_members "$id" || fail "node $id does not list 4 member identities: $(members "$id")"
done
[ "$(members 6 | jq -r '.[] | select(.id == 6) | .admitted_by')" = 0 ] ||
	fail "node 6 was not admitted by node 0 (the admin): $(members 6)"
e2e_wgmesh 0 member list | grep -q admin || fail "node 0 is not shown as the admin: $(e2e_wgmesh 0 member list)"
out=$(e2e_wgmesh 2 member revoke 6 2>&1) && fail "a non-admin revoked a member: $out"
[[ $out == *"not an admin"* ]] || fail "node 2's refusal to revoke does not say why: $out"

# Node 4 (its own API key, the mesh key) presents node 2's certificate: a
# known ID with another key.
wg_pk=$(head -c 32 /dev/urandom | base64)
body=$("$seal" --member "$E2E_TMP/n4/state" "$E2E_TMP/n0/state" /connect \
	"{\"id\":2,\"wg_pk\":\"$wg_pk\",\"link_type\":\"default\",\"port\":0,\"transport\":\"v4\",\"first_join\":false}" \
	"$E2E_TMP/n2/state") || fail "wgm-api-seal --member failed"
out=$(e2e_in 4 curl -sS -m 10 -o "$E2E_TMP/body" -w '%{http_code}' --data-binary "$body" http://192.0.2.10:8080/connect || true)
[ "$out" = 403 ] && grep -q "another API key" "$E2E_TMP/body" ||
	fail "node 4 with node 2's certificate was not refused with 403: $out $(cat "$E2E_TMP/body")"

# A token with uses left, for node 6 to try after its revocation.
tok=$(e2e_wgmesh 0 token --uses 5 2>/dev/null) || fail "wgmesh token failed"
e2e_wgmesh 0 member revoke 6 || fail "member revoke 6 failed on node 0"
no_link_to_6() {
	local id
	for id in 0 2 4; do ! has_link "$id" 6 || return 1; done
}
wait_until 30 no_link_to_6 || fail "links to node 6 remain: $(for i in 0 2 4; do echo "node $i: $(e2e_wgmesh $i links)"; done)"
for id in 0 2 4; do
	wait_until 30 e2e_log_has "$id" "node 6's identity is revoked\|node 6's identity revoked" ||
		fail "node $id did not take in the revocation"
	[ "$(members "$id" | jq -r '.[] | select(.id == 6) | .state')" = revoked ] ||
		fail "node $id does not list node 6 as revoked: $(members "$id")"
done

# Node 6 (its own keys and certificate) asks node 4 for a new link as a
# member: refused.
reconnect6() {
	local body wg=$(head -c 32 /dev/urandom | base64)
	body=$("$seal" --member "$E2E_TMP/n6/state" "$E2E_TMP/n4/state" /connect \
		"{\"id\":6,\"wg_pk\":\"$wg\",\"link_type\":\"default\",\"port\":0,\"transport\":\"v4\",\"first_join\":false}") ||
		fail "wgm-api-seal --member failed"
	printf '%s ' "$(e2e_in 6 curl -sS -m 10 -o "$E2E_TMP/body6" -w '%{http_code}' --data-binary "$body" \
		http://192.0.2.14:8080/connect || true)"
	cat "$E2E_TMP/body6"
}
out=$(reconnect6)
[[ $out == 403*revoked* ]] || fail "node 6's /connect to node 4 was not refused as revoked: $out"

# The revocation is on disk: node 4 restarts and still refuses node 6.
e2e_daemon_stop 4
e2e_daemon_start 4
[ "$(members 4 | jq -r '.[] | select(.id == 6) | .state')" = revoked ] ||
	fail "node 4 forgot the revocation over a restart: $(members 4)"
refused6() { out=$(reconnect6) && [[ $out == 403*revoked* ]]; }
wait_until 30 refused6 || fail "node 6 was not refused as revoked by node 4 after its restart: $(reconnect6)"

# Node 6 drops its own ends and joins again with node 0's token: refused.
e2e_wgmesh 6 disconnect --all force >/dev/null 2>&1 || true
wait_until 30 bash -c "! ip -n $(e2e_node_ns 6) -o link show | grep -q pipe" || fail "node 6 kept its links"
out=$(e2e_wgmesh 6 connect http://192.0.2.10:8080 "$tok" 2>&1) && fail "revoked node 6 joined again with a token: $out"
[[ $out == *403*revoked* ]] || fail "node 6's token join was not refused as revoked: $out"
has_link 0 6 && fail "node 0 has a link to node 6 again"

# The rest of the mesh is whole: 0, 2 and 4 still linked.
for a in 0 2 4; do for b in 0 2 4; do [ "$a" = "$b" ] || has_link "$a" "$b" || fail "node $a lost its link to node $b"; done; done
e2e_log "ok"
