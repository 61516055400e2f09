#!/usr/bin/env bash
# Member calls act only on the caller's own links. Nodes 2 and 4 join node 0.
# Node 4, a real member (its own API key and the mesh key, sealed by
# wgm-api-seal --member), asks node 0 to disconnect and to update node 2's
# link: refused (403, one line), and the link stays as it was; its own link it
# may update. A member /connect claiming ID 2 under node 4's key is refused,
# and so is a token join for ID 2 that says first_join:false. A captured
# member /connect replayed after node 0 restarts is refused.
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go nsenter unshare ping curl jq

seal="$WGM_BUILD_DIR/wgm-api-seal"
api=http://192.0.2.10:8080
for id in 0 2 4; do e2e_node_add $id; done
e2e_underlay 0 2 4
e2e_node_init 0 public --ipv4 192.0.2.10 --ipv6 none
e2e_node_init 2 --ipv4 192.0.2.12 --ipv6 none
e2e_node_init 4 --ipv4 192.0.2.14 --ipv6 none
for id in 0 2 4; do e2e_daemon_start $id; done
for id in 2 4; do
	tok=$(e2e_wgmesh 0 token 2>/dev/null) || fail "wgmesh token failed"
	out=$(e2e_wgmesh $id connect $api "$tok" 2>&1) || fail "node $id: connect failed: $out"
done
e2e_wgmesh 0 links | grep -qw pipe2 || fail "node 0 has no link to node 2: $(e2e_wgmesh 0 links)"

# post ID ROUTE BODY [METHOD] : "STATUS BODY" of a call from node ID to node 0
post() {
	e2e_in "$1" curl -sS -m 10 -o "$E2E_TMP/body" -w '%{http_code}' -H 'Content-Type: application/json' \
		-X "${4:-POST}" --data-binary "$3" "$api$2" 2>"$E2E_TMP/curl.err" || true
	printf ' %s' "$(cat "$E2E_TMP/body" 2>/dev/null)"
}
member_body() { "$seal" --member "$E2E_TMP/n$1/state" "$E2E_TMP/n0/state" "$2" "$3"; }
# The link's record as node 0 keeps it (keys, port, cost): what a forged call
# would change; without what the link itself updates (first handshake, endpoint).
link_file() { jq -cS 'del(.handshaked, .endpoint)' "$E2E_TMP/n0/state/links/pipe2.json"; }
before=$(link_file) || fail "node 0 keeps no record of pipe2: $(ls "$E2E_TMP/n0/state/links")"

body=$(member_body 4 /disconnect '{"id":2,"transport":"v4"}') || fail "wgm-api-seal --member failed"
out=$(post 4 /disconnect "$body")
[[ $out == 403*"belongs to node 2"* ]] || fail "node 4 disconnecting node 2's link was not refused with 403: $out"
e2e_log "forged /disconnect: $out"

body=$(member_body 4 /update '{"id":2,"transport":"v4","cost":65000}') || fail "wgm-api-seal --member failed"
out=$(post 4 /update "$body" PATCH)
[[ $out == 403*"belongs to node 2"* ]] || fail "node 4 updating node 2's link was not refused with 403: $out"

e2e_wgmesh 0 links | grep -qw pipe2 || fail "node 2's link is gone from node 0 after the refusals"
[ "$(link_file)" = "$before" ] || fail "node 0's record of pipe2 changed after the refusals"
[[ $(e2e_wgmesh 0 links --json) != *65000* ]] || fail "the forged cost reached node 2's link"
# Node 2 joined first: its link is the first /31, node 0 holds 10.0.0.4.
wait_until 20 e2e_in 2 ping -c1 -W1 10.0.0.4 || fail "node 2 lost node 0 after the refusals"

# The tool's member calls are good ones: node 4 may update its own link.
body=$(member_body 4 /update '{"id":4,"transport":"v4","cost":0}') || fail "wgm-api-seal --member failed"
out=$(post 4 /update "$body" PATCH)
[[ $out == 200* ]] || fail "node 4 updating its own link was refused: $out"

# A member claiming ID 2 (node 4's key): refused, node 2's link stays.
wg_pk=$(head -c 32 /dev/urandom | base64)
body=$(member_body 4 /connect "{\"id\":2,\"wg_pk\":\"$wg_pk\",\"link_type\":\"default\",\"port\":0,\"transport\":\"v4\",\"first_join\":false}") ||
	fail "wgm-api-seal --member failed"
out=$(post 4 /connect "$body")
[[ $out == 403*"another API key"* ]] || fail "a member /connect claiming ID 2 was not refused with 403: $out"

# A token joiner saying first_join:false still meets the ID-in-use check.
tok=$(e2e_wgmesh 0 token 2>/dev/null) || fail "wgmesh token failed"
body=$("$seal" "$tok" /connect 2 not-first) || fail "wgm-api-seal failed"
out=$(post 4 /connect "$body")
[[ $out == 416*"already in use"* ]] || fail "a token join for ID 2 with first_join:false was not refused with 416: $out"

e2e_wgmesh 0 links | grep -qw pipe2 || fail "node 2's link is gone from node 0"
[ "$(link_file)" = "$before" ] || fail "node 0's record of pipe2 changed after the refused /connect calls"
# A captured member /connect is refused as a replay, also after node 0
# restarts (its replay cache is in stateDir). The call itself changes nothing:
# node 0 has no IPv6 address to link over (400), but its nonce was recorded.
body=$(member_body 4 /connect "{\"id\":4,\"wg_pk\":\"$wg_pk\",\"link_type\":\"default\",\"port\":0,\"transport\":\"v6\",\"first_join\":false}") ||
	fail "wgm-api-seal --member failed"
out=$(post 4 /connect "$body")
[[ $out == 400*IPv6* ]] || fail "the member /connect over IPv6 was not refused for the transport: $out"
out=$(post 4 /connect "$body")
[[ $out == 401*replayed* ]] || fail "the captured /connect, replayed, was not refused: $out"
e2e_daemon_stop 0
e2e_daemon_start 0
[ -s "$E2E_TMP/n0/state/replay.json" ] || fail "node 0 kept no replay cache in its state directory"
out=$(post 4 /connect "$body")
[[ $out == 401*replayed* ]] || fail "the captured /connect, replayed after a restart, was not refused: $out"
e2e_log "replay after restart: $out"

e2e_log "ok"
