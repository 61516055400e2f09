#!/usr/bin/env bash
# Real BIRD 2 in two namespaces joined by a veth "link" (pipe2 <-> pipe0),
# configured with the generated config, driven through bird/client (no
# birdc): OSPFv2 and OSPFv3 come up, routes parse and reach the kernel with
# the loopback as source, a config that fails `configure check` is refused
# while the old one stays, and a good one is applied.
. "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd bird ip ping

ctl="$WGM_BUILD_DIR/bird_ctl"
[ -x "$ctl" ] || fail "missing $ctl (build first)"
# Not $(e2e_netns_add ...): in a subshell the namespace would not be
# registered for cleanup.
e2e_netns_add ba >/dev/null
e2e_netns_add bb >/dev/null
A=${E2E_TAG}ba
B=${E2E_TAG}bb
T=$E2E_TMP
: >"$T/static.conf"
: >"$T/bgp.conf"

ip link add "${E2E_TAG}x" type veth peer name "${E2E_TAG}y"
ip link set "${E2E_TAG}x" netns "$A" name pipe2
ip link set "${E2E_TAG}y" netns "$B" name pipe0
ip -n "$A" addr add 10.0.0.4/31 dev pipe2
ip -n "$B" addr add 10.0.0.5/31 dev pipe0
ip -n "$A" addr add fe82::4/127 dev pipe2
ip -n "$B" addr add fe82::5/127 dev pipe0
ip -n "$A" addr add 10.0.0.1/30 dev lo
ip -n "$B" addr add 10.0.2.1/30 dev lo
ip -n "$A" addr add fd10:0:0::1/48 dev lo
ip -n "$B" addr add fd10:0:2::1/48 dev lo
# Like a WireGuard interface: no automatic fe80:: address, only the link's fe82::.
ip -n "$A" link set pipe2 addrgenmode none
ip -n "$B" link set pipe0 addrgenmode none
ip -n "$A" link set pipe2 up
ip -n "$B" link set pipe0 up

"$ctl" render 0 pipe2 100 "$T" >"$T/a.conf" || fail "render node 0"
"$ctl" render 2 pipe0 100 "$T" >"$T/b.conf" || fail "render node 2"
for n in a b; do
	ns=$A; [ $n = b ] && ns=$B
	ip netns exec "$ns" bird -c "$T/$n.conf" -s "$T/$n.sock" -P "$T/$n.pid" 2>"$T/$n.log" ||
		fail "bird refused the generated config of $n: $(cat "$T/$n.log")"
	e2e_on_exit "kill \$(cat $T/$n.pid)"
done
wait_until 10 test -S "$T/a.sock" || fail "BIRD's control socket did not appear"

full() { "$ctl" "$T/a.sock" neighbors | grep -q "^$1 10.0.2.1 Full pipe2 "; }
wait_until 30 full ospf4 || fail "OSPFv2 neighbour not Full: $("$ctl" "$T/a.sock" neighbors 2>&1)"
wait_until 30 full ospf6 || fail "OSPFv3 neighbour not Full: $("$ctl" "$T/a.sock" neighbors 2>&1)"

has_route() { "$ctl" "$T/a.sock" routes | grep -q "$1"; }
wait_until 20 has_route "^master4 10.0.2.1/32 ospf4 10.0.0.5 pipe2 100$" ||
	fail "no OSPF route to node 2's loopback: $("$ctl" "$T/a.sock" routes 2>&1)"
wait_until 20 has_route "^master6 fd10:0:2::/48 ospf6 fe82::5 pipe2 100$" ||
	fail "no OSPFv3 route to node 2's loopback: $("$ctl" "$T/a.sock" routes 2>&1)"

# BFD watches the link for both OSPF instances.
bfd_up() { [ "$("$ctl" "$T/a.sock" cmd show bfd sessions | grep -c "pipe2 .*Up")" -ge 2 ]; }
wait_until 20 bfd_up || fail "BFD sessions not Up: $("$ctl" "$T/a.sock" cmd show bfd sessions 2>&1)"

# Kernel: loopback as source, link /31 left to the connected route.
wait_until 10 sh -c "ip -n $A route get 10.0.2.1 | grep -q 'src 10.0.0.1'" || fail "kernel route lacks src 10.0.0.1"
ip -n "$A" route show proto bird | grep -q '10.0.0.4/31' && fail "link /31 exported to the kernel"
ip netns exec "$A" ping -c1 -W2 -I 10.0.0.1 10.0.2.1 >/dev/null || fail "node 0 cannot reach 10.0.2.1"
ip netns exec "$A" ping -c1 -W2 fd10:0:2::1 >/dev/null || fail "node 0 cannot reach fd10:0:2::1"

# The non-blocking path with an error reply.
if out=$("$ctl" "$T/a.sock" cmd show rout 2>&1); then fail "a bad command was accepted"; fi
echo "$out" | grep -q "syntax error" || fail "bad command: unexpected message: $out"

# A config that fails the check is refused; the old one stays, on disk and running.
cp "$T/a.conf" "$T/a.good"
sed 's/stub yes;/stub maybe;/' "$T/a.conf" >"$T/broken.conf"
if out=$("$ctl" "$T/a.sock" apply "$T/a.conf" "$T/broken.conf" 2>&1); then fail "broken config applied"; fi
echo "$out" | grep -q "refused" || fail "refusal message: $out"
[ "$(echo "$out" | wc -l)" -eq 1 ] || fail "refusal message is not one line: $out"
cmp -s "$T/a.conf" "$T/a.good" || fail "the last good config file was replaced"
ls "$T" | grep -q '^a\.conf\.' && fail "temp file left behind: $(ls "$T")"
"$ctl" "$T/a.sock" protocols | grep -q "^ospf4 OSPF up Running" || fail "ospf4 not running after a refused config"
full ospf4 || fail "neighbour lost after a refused config"

# A good config is applied: BIRD runs the new cost.
"$ctl" render 0 pipe2 500 "$T" >"$T/new.conf"
out=$("$ctl" "$T/a.sock" apply "$T/a.conf" "$T/new.conf" 2>&1) || fail "good config not applied: $out"
grep -q "cost 500;" "$T/a.conf" || fail "final config file not replaced"
full ospf4 || fail "a cost change dropped the OSPF adjacency"
"$ctl" "$T/a.sock" cmd show ospf interface ospf4 | grep -q "Cost: 500" || fail "BIRD does not run cost 500"
wait_until 10 has_route "^master4 10.0.2.1/32 ospf4 10.0.0.5 pipe2 500$" || fail "route metric did not follow cost 500"
e2e_log "OSPF up both families; bad config refused, good config applied"
