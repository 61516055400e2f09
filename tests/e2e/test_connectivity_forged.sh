#!/usr/bin/env bash
# Mesh buildup against a forged /connectivity answer: someone who is not a
# member sits where node 2's buildup goes for "node 4" (a route to 10.0.4.1 in
# node 2's BIRD, and a fake node API on it answering with node 4's ID, a key
# of its own and a MAC it cannot compute without the mesh key). Node 2 must
# ask with a challenge, refuse the answer ("not from a mesh member"), never
# send that key a /connect (it would be sealed to the impostor), make no
# link, and keep its real link to node 0. Node 0 does not take the route at
# all: node 4's loopback is node 4's to announce (docs/routing.md), so its
# buildup never goes for the impostor.
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go nsenter unshare bird birdc base64

e2e_pair

# Node 2 announces a loopback for a node 4 that does not exist and hosts the
# impostor on it.
cat >"$E2E_TMP/n2/static.conf" <<'CONF'
protocol static fake_node4 {
	ipv4;
	route 10.0.4.1/32 via "lo";
}
CONF
e2e_in 2 ip addr add 10.0.4.1/32 dev lo

forged_pk=$(head -c 32 /dev/urandom | base64 -w0)
forged_mac=$(head -c 32 /dev/urandom | base64 -w0)
printf '{"id":4,"ipv4":"192.0.2.14","link_types":["default"],"subnet":"10.0.0.0/16","api_pk":"%s","joins":true,"mac":"%s"}' \
	"$forged_pk" "$forged_mac" >"$E2E_TMP/forged.json"
sink=$E2E_TMP/impostor.log
: >"$sink"
e2e_in 2 "$WGM_BUILD_DIR/wgm-http-sink" 10.0.4.1 8080 "$sink" "$E2E_TMP/forged.json" &
e2e_on_exit "kill $!"

for id in 0 2; do
	e2e_bird_start $id
	e2e_daemon_start $id
done
token=$(e2e_wgmesh 0 token 2>/dev/null) || fail "wgmesh token failed"
out=$(e2e_wgmesh 2 connect http://192.0.2.10:8080 "$token" 2>&1) || fail "connect failed: $out"

# Node 2 sees node 4 routed (its own BIRD's route) and its buildup goes for it.
wait_until 90 grep -q '^POST /connectivity ' "$sink" ||
	fail "node 2's buildup never asked the impostor (the test proves nothing): routes $(e2e_in 2 ip route); log $(tail -5 "$E2E_TMP/n2/wgmeshd.log")"
grep '^POST /connectivity ' "$sink" | head -1 | grep -q '"challenge"' ||
	fail "node 2 asked /connectivity without a challenge: $(head -1 "$sink")"
wait_until 30 e2e_log_has 2 'not from a mesh member' ||
	fail "node 2 did not refuse the forged answer: $(grep -i 'connectivity\|node 4\|10.0.4.1' "$E2E_TMP/n2/wgmeshd.log" | tail -5)"
# Node 0 has OSPF from node 2 (its loopback is routed) but not node 4's
# loopback from it, and its buildup never tried node 4.
node2_routed() { e2e_in 0 ip -4 route get 10.0.2.1 | grep -q 'dev pipe2'; }
wait_until 30 node2_routed || fail "node 0 has no OSPF route to node 2's loopback: $(e2e_in 0 ip -4 route)"
! e2e_in 0 ip -4 route show 10.0.4.1 | grep -q . ||
	fail "node 0 took node 2's route to node 4's loopback: $(e2e_in 0 ip -4 route show 10.0.4.1)"
! e2e_log_has 0 'node 4' || fail "node 0's buildup went for node 4: $(grep 'node 4' "$E2E_TMP/n0/wgmeshd.log" | head -3)"

# Buildup retries a failed node after 15 s; each retry is refused the same way.
wait_until 60 sh -c "[ \$(grep -c '^POST /connectivity ' '$sink') -ge 2 ]" ||
	fail "node 2 did not retry node 4 (expected a second /connectivity): $(cat "$sink")"
if grep -v '^POST /connectivity ' "$sink" | grep -q .; then
	fail "node 2 went on after the forged answer: $(grep -v '^POST /connectivity ' "$sink")"
fi
links=$(e2e_wgmesh 2 links --json) || fail "wgmesh links failed"
[ "$(jq '[.[] | select(.remote_id == 4)] | length' <<<"$links")" = 0 ] ||
	fail "node 2 made a link to the impostor: $links"
[ "$(jq -r '.[] | select(.remote_id == 0) | .state' <<<"$links" | head -1)" = up ] ||
	fail "node 2's real link to node 0 is not up: $links"
status=$(e2e_wgmesh 2 status --json) || fail "wgmesh status failed"
[ "$(jq -r .mesh <<<"$status")" != done ] || fail "buildup says done while node 4 was never linked: $status"

e2e_log "forged /connectivity refused ($(grep -c '^POST /connectivity ' "$sink") attempts), no /connect sent, no link made"
