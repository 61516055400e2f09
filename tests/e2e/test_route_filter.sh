#!/usr/bin/env bash
# Route filtering between members: node 2 announces, from a BIRD static
# protocol in its own static.conf, a foreign default half (0.0.0.0/1), a
# foreign /24 and /48, and prefixes node 0 lists in AllowedPrefixes. Node 0's
# OSPF receives them all (they are in its link-state database) but installs
# only the allowed ones, in BIRD and in the kernel; `set AllowedPrefixes` adds
# and removes one at run time.
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go nsenter unshare ping bird birdc

e2e_node_add 0
e2e_node_add 2
e2e_underlay 0 2
e2e_node_init 0 public --ipv4 192.0.2.10 --ipv6 2001:db8::10
e2e_node_init 2 --ipv4 192.0.2.12 --ipv6 2001:db8::12

# The daemon keeps an existing static.conf as it is: the operator's own routes.
# Routes "via lo" stay out of node 2's own kernel (kernel_export rejects lo).
cat >"$E2E_TMP/n2/static.conf" <<'CONF'
protocol static member_routes4 {
	ipv4;
	route 0.0.0.0/1 via "lo";
	route 198.51.100.0/24 via "lo";
	route 203.0.113.0/24 via "lo";
	route 192.0.2.128/25 via "lo";
}
protocol static member_routes6 {
	ipv6;
	route 2001:db8:bad::/48 via "lo";
	route 2001:db8:600d::/48 via "lo";
}
CONF

for id in 0 2; do
	e2e_bird_start $id
	e2e_daemon_start $id
done
out=$(e2e_wgmesh 0 set AllowedPrefixes 203.0.113.0/24 2>&1) || fail "set AllowedPrefixes failed: $out"
out=$(e2e_wgmesh 0 set AllowedPrefixes 2001:db8:600d::/48 2>&1) || fail "set AllowedPrefixes (v6) failed: $out"
grep -q '"AllowedPrefixes": \[' "$E2E_TMP/n0/config.json" || grep -q '"AllowedPrefixes":\[' "$E2E_TMP/n0/config.json" ||
	fail "AllowedPrefixes not saved: $(cat "$E2E_TMP/n0/config.json")"

token=$(e2e_wgmesh 0 token 2>/dev/null) || fail "wgmesh token failed"
out=$(e2e_wgmesh 2 connect http://192.0.2.10:8080 "$token" 2>&1) || fail "connect failed: $out"

kroute() { local id=$1; shift; [ -n "$(e2e_in "$id" ip "$@" 2>/dev/null)" ]; }
birdc0() { e2e_in 0 birdc -s "$E2E_TMP/n0/bird.ctl" "$@"; }

# The allowed prefixes arrive: OSPF has converged on everything node 2 announces.
wait_until 60 kroute 0 route show 203.0.113.0/24 || fail "node 0: the allowed 203.0.113.0/24 never reached the kernel: $(e2e_in 0 ip route)"
wait_until 60 kroute 0 -6 route show 2001:db8:600d::/48 || fail "node 0: the allowed 2001:db8:600d::/48 never reached the kernel: $(e2e_in 0 ip -6 route)"
wait_until 20 kroute 0 route show 10.0.2.0/30 || wait_until 20 kroute 0 route show 10.0.2.1 ||
	fail "node 0: node 2's loopback is not routed: $(e2e_in 0 ip route)"
e2e_in 0 ping -c1 -W2 10.0.2.1 >/dev/null || fail "node 0 cannot reach node 2's loopback"

# The foreign ones reached node 0's OSPF (so the filter, not the network, holds
# them back); an external LSA's ID may carry host bits (RFC 2328 E).
lsdb=$(birdc0 show ospf lsadb ospf4 2>&1) || fail "birdc show ospf lsadb: $lsdb"
[[ $lsdb == *198.51.100.* ]] || fail "node 0: 198.51.100.0/24 is not in the OSPF database, the test proves nothing: $lsdb"
for p in 0.0.0.0/1 198.51.100.0/24 192.0.2.128/25; do
	! kroute 0 route show "$p" || fail "node 0: the foreign $p is in the kernel: $(e2e_in 0 ip route)"
	out=$(birdc0 show route "$p" 2>&1 || true)
	[[ $out != *"$p"* ]] || fail "node 0: BIRD took the foreign $p: $out"
done
! kroute 0 -6 route show 2001:db8:bad::/48 || fail "node 0: the foreign 2001:db8:bad::/48 is in the kernel"
# Traffic to the internet does not go to node 2.
out=$(e2e_in 0 ip route get 1.1.1.1 2>&1 || true)
[[ $out != *pipe* ]] || fail "node 0 routes 1.1.1.1 into the mesh: $out"

# At run time: allowed now, it arrives; removed again, it goes.
out=$(e2e_wgmesh 0 set AllowedPrefixes 198.51.100.0/24 2>&1) || fail "set AllowedPrefixes failed: $out"
wait_until 60 kroute 0 route show 198.51.100.0/24 || fail "node 0: 198.51.100.0/24 did not arrive once allowed"
out=$(e2e_wgmesh 0 set AllowedPrefixes 198.51.100.0/24 2>&1) || fail "set AllowedPrefixes (remove) failed: $out"
wait_until 60 sh -c "[ -z \"\$(nsenter -t ${E2E_HOLDER[0]} -m -n ip route show 198.51.100.0/24)\" ]" ||
	fail "node 0: 198.51.100.0/24 stayed after it was removed from AllowedPrefixes"
kroute 0 route show 203.0.113.0/24 || fail "node 0: the allowed 203.0.113.0/24 went away"

e2e_log "ok"
