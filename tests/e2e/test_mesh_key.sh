#!/usr/bin/env bash
# Mesh-key rotation with real daemons and BIRD. Nodes 2 and 4 join node 0 (the
# admin), node 6 joins node 2; buildup links every pair. Node 0 revokes node 6
# (whose daemon then stops: it keeps its state, the old mesh key among it),
# node 4 is stopped, and node 0 rotates the mesh key with a 20 s grace. Node 2
# takes the new key; the links between 0 and 2 stay (same interfaces, up,
# pings go on). After the grace, a member call made with the old key (node 6's
# state) is refused with 403 "stale mesh key epoch 0, current 1". Node 4
# starts again, fetches the new key from the admin and its member call to node
# 2 is answered.
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go nsenter unshare ping bird curl jq

seal="$WGM_BUILD_DIR/wgm-api-seal"
e2e_member_mesh4

has_link() { e2e_has_link "$@"; }
link_up() { e2e_wgmesh "$1" links --json | jq -e --arg n "pipe$2" 'map(select(.name == $n and .state == "up")) | length > 0' >/dev/null; }
epoch_of() { e2e_wgmesh "$1" member list | sed -n 's/^mesh key: epoch \([0-9]*\).*/\1/p'; }
[ "$(epoch_of 2)" = 0 ] || fail "node 2's mesh key is not of epoch 0 before any rotation: $(e2e_wgmesh 2 member list)"
out=$(e2e_wgmesh 2 member rotate-key 2>&1) && fail "a non-admin rotated the mesh key: $out"
[[ $out == *"not an admin"* ]] || fail "node 2's refusal to rotate does not say why: $out"
rc=0
out=$(e2e_wgmesh 0 member rotate-key --grace 90000 2>&1) || rc=$?
[ "$rc" = 2 ] && [[ $out == *"0-86400"* ]] || fail "rotate-key --grace 90000 was not a usage error ($rc): $out"

e2e_wgmesh 0 member revoke 6 || fail "member revoke 6 failed on node 0"
no_link_to_6() {
	local id
	for id in 0 2 4; do ! has_link "$id" 6 || return 1; done
}
wait_until 30 no_link_to_6 || fail "links to node 6 remain: $(for i in 0 2 4; do echo "node $i: $(e2e_wgmesh $i links)"; done)"
e2e_daemon_stop 6
e2e_daemon_stop 4

# The links between 0 and 2 before the rotation: their interfaces' indexes.
ifindexes() { e2e_in "$1" ip -o link show 2>/dev/null | awk -F': ' '$2 ~ /^pipe/ {print $1 ":" $2}' | sort; }
before0=$(ifindexes 0)
before2=$(ifindexes 2)
[ -n "$before0" ] && [ -n "$before2" ] || fail "no link interfaces on nodes 0 and 2"
# -O: a lost reply is a line too (a background job ignores SIGINT, so the
# summary line never comes; the count is made from the lines).
e2e_in 0 ping -O -i 0.5 10.0.2.1 >"$E2E_TMP/ping.out" 2>&1 &
ping_pid=$!
e2e_on_exit "kill $ping_pid 2>/dev/null"

out=$(e2e_wgmesh 0 member rotate-key --grace 20 2>&1) || fail "member rotate-key failed on node 0: $out"
e2e_log "$out"
[ "$(epoch_of 0)" = 1 ] || fail "node 0 is not at epoch 1 after rotating: $(e2e_wgmesh 0 member list)"
e2e_wgmesh 0 member list | grep -q "epoch 0 still accepted until" ||
	fail "node 0 does not show the grace of epoch 0: $(e2e_wgmesh 0 member list)"
at_epoch1() { [ "$(epoch_of "$1")" = 1 ]; }
wait_until 30 at_epoch1 2 || fail "node 2 did not take the new mesh key: $(e2e_wgmesh 2 member list)"
e2e_log_has 2 "mesh key: epoch 1 taken" || fail "node 2 does not log taking epoch 1"
grep -qF "$(jq -r .mesh_key "$E2E_TMP/n0/state/node.json")" "$E2E_TMP/n2/state/node.json" ||
	fail "node 2's node.json does not hold node 0's new mesh key"
[ "$(stat -c %a "$E2E_TMP/n2/state/node.json")" = 600 ] || fail "node 2's node.json is not 0600"

# Past the grace (node 0 no longer shows it).
no_grace() { ! e2e_wgmesh "$1" member list | grep -q "still accepted"; }
wait_until 60 no_grace 0 || fail "node 0 still accepts epoch 0 after the grace: $(e2e_wgmesh 0 member list)"
wait_until 60 no_grace 2 || fail "node 2 still accepts epoch 0 after the grace: $(e2e_wgmesh 2 member list)"

# Node 6 (revoked, the old key) asks node 2 for a link: the old key is refused.
wg=$(head -c 32 /dev/urandom | base64)
body=$("$seal" --member "$E2E_TMP/n6/state" "$E2E_TMP/n2/state" /connect \
	"{\"id\":6,\"wg_pk\":\"$wg\",\"link_type\":\"default\",\"port\":0,\"transport\":\"v4\",\"first_join\":false}") ||
	fail "wgm-api-seal --member failed"
code=$(e2e_in 6 curl -sS -m 10 -o "$E2E_TMP/body6" -w '%{http_code}' --data-binary "$body" http://192.0.2.12:8080/connect || true)
[ "$code" = 403 ] && grep -q "stale mesh key epoch 0, current 1" "$E2E_TMP/body6" ||
	fail "node 6's call with the old mesh key was not refused as stale: $code $(cat "$E2E_TMP/body6")"

# The links between 0 and 2 never went: the same interfaces, up, and pings went on.
[ "$(ifindexes 0)" = "$before0" ] || fail "node 0's link interfaces changed: $before0 -> $(ifindexes 0)"
[ "$(ifindexes 2)" = "$before2" ] || fail "node 2's link interfaces changed: $before2 -> $(ifindexes 2)"
link_up 0 2 && link_up 2 0 || fail "the link between 0 and 2 is not up: $(e2e_wgmesh 0 links) $(e2e_wgmesh 2 links)"
kill "$ping_pid" 2>/dev/null || true
wait "$ping_pid" 2>/dev/null || true
got=$(grep -c "bytes from" "$E2E_TMP/ping.out" || true)
sent=$((got + $(grep -c "no answer yet" "$E2E_TMP/ping.out" || true)))
e2e_log "pings from node 0 to node 2 during the rotation: $got of $sent answered"
[ -n "$sent" ] && [ "$sent" -gt 10 ] && [ "$((got * 2))" -ge "$sent" ] ||
	fail "pings from node 0 to node 2 did not go on through the rotation: $(cat "$E2E_TMP/ping.out")"

# Node 4 was down during the rotation: it fetches the key and calls its peers.
e2e_daemon_start 4
wait_until 90 at_epoch1 4 || fail "node 4 did not catch up with the new mesh key: $(e2e_wgmesh 4 member list)"
call4() {
	local body
	body=$("$seal" --member "$E2E_TMP/n4/state" "$E2E_TMP/n2/state" /update '{"id":4,"transport":"v4","cost":0}') ||
		return 1
	e2e_in 4 curl -sS -m 10 -o "$E2E_TMP/body4" -w '%{http_code}' --data-binary "$body" -X PATCH \
		http://192.0.2.12:8080/update
}
[ "$(call4)" = 200 ] || fail "node 4's member call to node 2 with the new key was refused: $(cat "$E2E_TMP/body4")"
both4() { link_up 4 0 && link_up 4 2; }
wait_until 90 both4 || fail "node 4's links are not up after its restart: $(e2e_wgmesh 4 links)"
# The revoked node never got the new key.
[ "$(jq -r '.mesh_epoch // 0' "$E2E_TMP/n6/state/node.json")" = 0 ] || fail "revoked node 6 has a newer mesh key"
e2e_log "ok"
