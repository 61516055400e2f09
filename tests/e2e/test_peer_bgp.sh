#!/usr/bin/env bash
# BGP peering between two networks: mesh A (nodes 0 and 2, 10.0.0.0/16, AS
# 64512) and mesh B (node 4 alone, 10.1.0.0/16, AS 64513, its own mesh key).
# Node 0 runs `wgmesh peer` with node 4's token. Node 4 announces two
# prefixes from its static.conf; node 0 allows only one (AllowedPeers): that
# one reaches node 0's BIRD and kernel (and node 2's through OSPF, as node 2
# allows it too), the other reaches neither, and packets cross the peering.
# The peer is no member of either mesh; `disconnect` removes the link on both
# ends and the route goes, also when the link is the only way the answer has
# back (node 2 peering with node 4 over its loopback API).
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go nsenter unshare ping bird birdc jq

for id in 0 2 4; do e2e_node_add $id; done
e2e_underlay 0 2 4
e2e_node_init 0 public --ipv4 192.0.2.10 --ipv6 none
e2e_node_init 2 --ipv4 192.0.2.12 --ipv6 none
e2e_node_init 4 public --ipv4 192.0.2.14 --ipv6 none --subnet 10.1.0.0/16

# Mesh B's own prefixes: node 0 allows 198.51.100.0/24, not 203.0.113.0/24.
cat >"$E2E_TMP/n4/static.conf" <<'CONF'
protocol static net_b4 {
	ipv4;
	route 198.51.100.0/24 via "lo";
	route 203.0.113.0/24 via "lo";
}
CONF

for id in 0 2 4; do
	e2e_bird_start $id
	e2e_daemon_start $id
done
# An address inside each of mesh B's prefixes, for real packets.
e2e_in 4 ip addr add 198.51.100.1/32 dev lo
e2e_in 4 ip addr add 203.0.113.1/32 dev lo

set_key() {
	local id=$1 out
	shift
	out=$(e2e_wgmesh "$id" set "$@" 2>&1) || fail "node $id: set $* failed: $out"
}
set_key 4 localAS 64513
set_key 0 AllowedPeers 198.51.100.0/24
set_key 2 AllowedPeers 198.51.100.0/24
# Mesh B takes mesh A's aggregate, so that replies find their way back.
set_key 4 AllowedPeers 10.0.0.0/16

# Mesh A: node 2 joins node 0.
token=$(e2e_wgmesh 0 token 2>/dev/null) || fail "wgmesh token on node 0 failed"
out=$(e2e_wgmesh 2 connect http://192.0.2.10:8080 "$token" 2>&1) || fail "node 2: connect failed: $out"

# Bad arguments: one line, exit 2.
set +e
out=$(e2e_wgmesh 0 peer 2>&1)
rc=$?
set -e
[ "$rc" = 2 ] || fail "peer without arguments exited $rc, not 2: $out"
[[ $(head -1 <<<"$out") == "wgmesh peer: needs the URL"* ]] || fail "peer without arguments: no one-line reason: $out"

# The peering: node 0 with node 4's token.
token4=$(e2e_wgmesh 4 token 2>/dev/null) || fail "wgmesh token on node 4 failed"
out=$(e2e_wgmesh 0 peer http://192.0.2.14:8080 "$token4" 2>&1) || fail "node 0: peer failed: $out"
[[ $out == *pipePeer4* ]] || fail "node 0: peer did not name pipePeer4: $out"

peer_link() { # ID NAME: the link NAME is a peering link in `links --json`
	e2e_wgmesh "$1" links --json | jq -e --arg n "$2" 'any(.[]; .name == $n and .peer == true)' >/dev/null
}
wait_until 30 peer_link 0 pipePeer4 || fail "node 0: no peering link pipePeer4: $(e2e_wgmesh 0 links --json)"
wait_until 30 peer_link 4 pipePeer0 || fail "node 4: no peering link pipePeer0: $(e2e_wgmesh 4 links --json)"
e2e_wgmesh 0 links --wide | grep -E '^pipePeer4 .* BGP .* peer .* bgp$' >/dev/null ||
	fail "node 0: links does not show pipePeer4 as a BGP peering link: $(e2e_wgmesh 0 links --wide)"
addr0=$(e2e_wgmesh 0 links --json | jq -r '.[] | select(.name == "pipePeer4") | .local_addr')
addr4=$(e2e_wgmesh 4 links --json | jq -r '.[] | select(.name == "pipePeer0") | .local_addr')
[[ $addr0 == 172.31.4.* && $addr4 == 172.31.4.* && $addr0 != "$addr4" ]] ||
	fail "peering addresses are not one /31 of node 4's subnetPeer block: $addr0 / $addr4"

birdc_in() { local id=$1; shift; e2e_in "$id" birdc -s "$E2E_TMP/n$id/bird.ctl" "$@"; }
established() { birdc_in "$1" show protocols "$2" 2>/dev/null | grep -q Established; }
wait_until 90 established 0 peer_pipePeer4 ||
	fail "node 0: BGP session not Established: $(birdc_in 0 show protocols all peer_pipePeer4 2>&1 | tail -20)"
wait_until 30 established 4 peer_pipePeer0 || fail "node 4: BGP session not Established"

kroute() { local id=$1; shift; [ -n "$(e2e_in "$id" ip route show "$@" 2>/dev/null)" ]; }
wait_until 60 kroute 0 198.51.100.0/24 dev pipePeer4 ||
	fail "node 0: the allowed 198.51.100.0/24 never reached the kernel: $(e2e_in 0 ip route)"
out=$(birdc_in 0 show route 198.51.100.0/24 2>&1)
[[ $out == *peer_pipePeer4* ]] || fail "node 0: BIRD has no BGP route for 198.51.100.0/24: $out"

# Node 4 does announce the other prefix (so the filter, not the network,
# holds it back), and node 0 takes it nowhere.
out=$(birdc_in 4 show route export peer_pipePeer0 2>&1)
[[ $out == *203.0.113.0/24* ]] || fail "node 4 does not announce 203.0.113.0/24; the test proves nothing: $out"
! kroute 0 203.0.113.0/24 || fail "node 0: the unlisted 203.0.113.0/24 is in the kernel: $(e2e_in 0 ip route)"
out=$(birdc_in 0 show route 203.0.113.0/24 2>&1 || true)
[[ $out != *203.0.113.0/24* ]] || fail "node 0: BIRD took the unlisted 203.0.113.0/24: $out"

# Real packets across the peering, from mesh A's loopback.
wait_until 30 e2e_in 0 ping -c1 -W2 -I 10.0.0.1 198.51.100.1 >/dev/null ||
	fail "node 0 cannot reach 198.51.100.1 in mesh B: $(e2e_in 0 ip route get 198.51.100.1 2>&1)"
out=$(e2e_in 0 ip route get 203.0.113.1 2>&1 || true)
[[ $out != *pipePeer* ]] || fail "node 0 routes the unlisted 203.0.113.1 into the peering: $out"

# Inside mesh A the allowed prefix travels by OSPF to node 2 (which allows it too).
wait_until 60 kroute 2 198.51.100.0/24 || fail "node 2: 198.51.100.0/24 did not arrive through mesh A: $(e2e_in 2 ip route)"
! kroute 2 203.0.113.0/24 || fail "node 2: the unlisted 203.0.113.0/24 is in the kernel"

# The peer is no member: neither mesh counts the other's node, and no OSPF
# runs on the peering link.
# Node 2's loopback reaches node 0 once node 2's router LSA names the link
# (BIRD spaces LSAs by MinLSInterval, 5 s): wait for it rather than race it.
used_is() { [ "$(e2e_wgmesh "$1" used --json | jq -c 'sort')" = "$2" ]; }
wait_until 30 used_is 0 "[0,2]" ||
	fail "node 0: used is $(e2e_wgmesh 0 used --json), not [0,2]; nodes: $(e2e_wgmesh 0 nodes --json | jq -c '[.[].id]')"
used4=$(e2e_wgmesh 4 used --json)
[ "$(jq -c 'sort' <<<"$used4")" = "[4]" ] || fail "node 4: used is $used4, not [4]"
! e2e_wgmesh 4 nodes --json | jq -e 'any(.[]; .id == 0 or .id == 2)' >/dev/null ||
	fail "node 4 lists mesh A's nodes: $(e2e_wgmesh 4 nodes)"
out=$(birdc_in 0 show ospf interface 2>&1)
[[ $out != *pipePeer* ]] || fail "node 0: OSPF runs on the peering link: $out"

# Disconnect from node 0: the link goes on both ends, and with it the route.
out=$(e2e_wgmesh 0 disconnect pipePeer4 2>&1) || fail "node 0: disconnect pipePeer4 failed: $out"
no_link() { ! e2e_wgmesh "$1" links --json | jq -e --arg n "$2" 'any(.[]; .name == $n)' >/dev/null; }
wait_until 30 no_link 0 pipePeer4 || fail "node 0: pipePeer4 is still listed"
wait_until 30 no_link 4 pipePeer0 || fail "node 4: pipePeer0 is still listed after node 0 disconnected"
! e2e_in 4 ip link show pipePeer0 >/dev/null 2>&1 || fail "node 4: interface pipePeer0 is still there"
wait_until 30 sh -c "! nsenter -t ${E2E_HOLDER[0]} -m -n ip route show 198.51.100.0/24 | grep -q ." ||
	fail "node 0: 198.51.100.0/24 stayed after the peering went: $(e2e_in 0 ip route)"
# Mesh A's own link is untouched.
e2e_wgmesh 0 links --json | jq -e 'any(.[]; .name == "pipe2")' >/dev/null || fail "node 0: pipe2 went too"

# A peering whose link is the only way between the two APIs: node 2 is not
# public, so its API URL is its loopback, which node 4 reaches across
# pipePeer2 alone (from its own loopback, which node 2 takes from mesh B for
# this). Node 4 disconnects: node 2 answers before its end goes, so the
# command succeeds, with no unanswered call tried again (an answer sent after
# the removal was lost, and the command failed after its 10 s timeout).
set_key 2 AllowedPeers 10.1.0.0/16
token4=$(e2e_wgmesh 4 token 2>/dev/null) || fail "wgmesh token on node 4 failed"
out=$(e2e_wgmesh 2 peer http://192.0.2.14:8080 "$token4" 2>&1) || fail "node 2: peer failed: $out"
wait_until 30 peer_link 2 pipePeer4 || fail "node 2: no peering link pipePeer4: $(e2e_wgmesh 2 links --json)"
wait_until 30 peer_link 4 pipePeer2 || fail "node 4: no peering link pipePeer2: $(e2e_wgmesh 4 links --json)"
wait_until 90 established 4 peer_pipePeer2 || fail "node 4: BGP session with node 2 not Established"
wait_until 60 sh -c "nsenter -t ${E2E_HOLDER[4]} -m -n ip route get 10.0.2.1 | grep -q pipePeer2" ||
	fail "node 4: node 2's loopback is not routed across pipePeer2: $(e2e_in 4 ip route get 10.0.2.1 2>&1)"
out=$(e2e_wgmesh 4 disconnect pipePeer2 2>&1) || fail "node 4: disconnect pipePeer2 failed: $out"
! grep -q "disconnect pipePeer2: node 2 did not answer" "$E2E_TMP/n4/wgmeshd.log" ||
	fail "node 4: node 2's first answer to /peer_disconnect was lost: $(grep pipePeer2 "$E2E_TMP/n4/wgmeshd.log")"
wait_until 30 no_link 4 pipePeer2 || fail "node 4: pipePeer2 is still listed"
wait_until 30 no_link 2 pipePeer4 || fail "node 2: pipePeer4 is still listed after node 4 disconnected"

e2e_log "ok"
