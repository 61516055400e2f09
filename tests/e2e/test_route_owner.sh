#!/usr/bin/env bash
# Prefix ownership inside the mesh ranges: node 4 announces, from a BIRD
# static protocol in its own static.conf, addresses of node 2's loopbacks
# (10.0.2.1/32, which node 2 announces itself; 10.0.2.2/32 and
# fd10:0:2::1/128, more specific than what node 2 announces, so they would
# win) and a /30 across two of node 0's links. Node 0's OSPF receives them
# (they are in its link-state database), but BIRD takes none of them: node 0
# routes node 2's loopback to node 2 and node 4's own loopback to node 4.
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go nsenter unshare ping bird birdc

for id in 0 2 4; do e2e_node_add $id; done
e2e_underlay 0 2 4
# One link per pair (IPv4 transport); the tunnels carry both families.
e2e_node_init 0 public --ipv4 192.0.2.10 --ipv6 none
e2e_node_init 2 --ipv4 192.0.2.12 --ipv6 none
e2e_node_init 4 --ipv4 192.0.2.14 --ipv6 none
cat >"$E2E_TMP/n4/static.conf" <<'CONF'
protocol static forged4 {
	ipv4;
	route 10.0.2.1/32 via "lo";
	route 10.0.2.2/32 via "lo";
	route 10.0.0.8/30 via "lo";
}
protocol static forged6 {
	ipv6;
	route fd10:0:2::1/128 via "lo";
}
CONF
for id in 0 2 4; do
	e2e_bird_start $id
	e2e_daemon_start $id
done
e2e_join 2 0
e2e_join 4 0

kroute() { local id=$1; shift; [ -n "$(e2e_in "$id" ip "$@" 2>/dev/null)" ]; }
birdc0() { e2e_in 0 birdc -s "$E2E_TMP/n0/bird.ctl" "$@"; }
# routed_via DST LINK [-6]: node 0 sends DST into LINK (or LINKv6).
routed_via() {
	local dev
	dev=$(e2e_in 0 ip ${3:-} route get "$1" 2>/dev/null | sed -n 's/.* dev \([^ ]*\).*/\1/p' | head -1)
	[ "$dev" = "$2" ] || [ "$dev" = "${2}v6" ]
}
# An external LSA (type 5) from node 4 whose ID matches $1 (an external
# LSA's ID may carry host bits, RFC 2328 E).
from_node4() { birdc0 show ospf lsadb ospf4 2>&1 | grep -Eq -- "^ *0005 +$1 +10\.0\.4\.1 "; }

# Interim routes (routing.md#interim-routes) reach the joiners' loopbacks
# before OSPF does; once node 0 has none left, its routes are BIRD's.
no_interim() { [ -z "$(e2e_in 0 ip route show proto 247)$(e2e_in 0 ip -6 route show proto 247)" ]; }
wait_until 90 no_interim || fail "node 0: interim routes stayed: $(e2e_in 0 ip route show proto 247)"
# Node 4's own loopbacks route to node 4: it is a member like any other.
wait_until 60 routed_via 10.0.4.1 pipe4 || fail "node 0: node 4's loopback is not routed to pipe4: $(e2e_in 0 ip route)"
wait_until 60 routed_via fd10:0:4::1 pipe4 -6 || fail "node 0: node 4's IPv6 loopback is not routed to pipe4: $(e2e_in 0 ip -6 route)"
wait_until 60 routed_via 10.0.2.1 pipe2 || fail "node 0: node 2's loopback is not routed to pipe2: $(e2e_in 0 ip route)"
wait_until 60 routed_via fd10:0:2::1 pipe2 -6 || fail "node 0: node 2's IPv6 loopback is not routed to pipe2: $(e2e_in 0 ip -6 route)"

# The forged routes reached node 0's OSPF (so the filter, not the network,
# holds them back): external LSAs from node 4.
wait_until 30 from_node4 '10\.0\.2\.1' || fail "node 0: node 4's 10.0.2.1/32 is not in the OSPF database, the test proves nothing: $(birdc0 show ospf lsadb ospf4)"
wait_until 30 from_node4 '10\.0\.2\.2' || fail "node 0: node 4's 10.0.2.2/32 is not in the OSPF database: $(birdc0 show ospf lsadb ospf4)"
wait_until 30 from_node4 '10\.0\.0\.(8|9|10|11)' || fail "node 0: node 4's 10.0.0.8/30 is not in the OSPF database: $(birdc0 show ospf lsadb ospf4)"
in_state() { birdc0 show ospf state all "$1" 2>&1 | grep -q -- "$2"; }
wait_until 30 in_state ospf6 "fd10:0:2::1/128" || fail "node 0: node 4's fd10:0:2::1/128 is not in the OSPFv3 state: $(birdc0 show ospf state all ospf6)"
for p in 10.0.2.2/32 10.0.0.8/30 fd10:0:2::1/128; do
	out=$(birdc0 show route "$p" 2>&1 || true)
	[[ $out != *"$p"* ]] || fail "node 0: BIRD took node 4's forged $p: $out"
done
# 10.0.2.1/32 is node 2's own stub (an intra-area route, which OSPF prefers
# to node 4's external one anyway): BIRD's route names node 2 as its origin,
# and never node 4. Until node 2's stub has reached node 0 (its router-LSA
# can follow node 4's external LSA by seconds), OSPF's best is node 4's,
# which the filter refuses: BIRD then has no route, never node 4's.
forged_seen=
lo2_from_node2() {
	out=$(birdc0 show route 10.0.2.1/32 2>&1 || true)
	[[ $out != *"[10.0.4.1]"* ]] || forged_seen=$out
	[[ $out == *"[10.0.2.1]"* ]]
}
wait_until 30 lo2_from_node2 || fail "node 0: 10.0.2.1/32 does not come from node 2: $out"
[ -z "$forged_seen" ] || fail "node 0: BIRD took node 4's forged 10.0.2.1/32: $forged_seen"
[[ $out != *"[10.0.4.1]"* ]] || fail "node 0: 10.0.2.1/32 comes from node 4 too: $out"
! kroute 0 route show 10.0.2.2/32 || fail "node 0: the forged 10.0.2.2/32 is in the kernel: $(e2e_in 0 ip route)"
! kroute 0 route show 10.0.0.8/30 || fail "node 0: the forged 10.0.0.8/30 is in the kernel: $(e2e_in 0 ip route)"
! kroute 0 -6 route show fd10:0:2::1/128 || fail "node 0: the forged fd10:0:2::1/128 is in the kernel"

# Node 2's loopback still goes to node 2, also once everything settled
# (node 4 and node 2 linked by mesh buildup meanwhile), and answers from there.
routed_via 10.0.2.1 pipe2 || fail "node 0 routes node 2's loopback to $(e2e_in 0 ip route get 10.0.2.1)"
routed_via fd10:0:2::1 pipe2 -6 || fail "node 0 routes node 2's IPv6 loopback to $(e2e_in 0 ip -6 route get fd10:0:2::1)"
e2e_in 0 ping -c1 -W2 10.0.2.1 >/dev/null || fail "node 0 cannot reach node 2's loopback"
e2e_in 0 ping -c1 -W2 10.0.4.1 >/dev/null || fail "node 0 cannot reach node 4's loopback"

e2e_log "ok"
