#!/usr/bin/env bash
# Prints how long BIRD, with the generated config, takes to drop the route
# over a link that goes silent (all packets dropped, carrier still up: what a
# dead WireGuard peer looks like), i.e. the BFD + OSPF reaction time, and how
# long it takes to route over it again once it recovers. Two nodes in
# namespaces joined by a veth; needs root and a build (WGM_BUILD_DIR).
#   tests/bench/bird_failover.sh [ROUNDS]
. "$(dirname "$0")/../e2e/lib.sh"
e2e_require_root
e2e_require_cmd bird ip iptables

rounds=${1:-5}
ctl="$WGM_BUILD_DIR/bird_ctl"
[ -x "$ctl" ] || fail "missing $ctl (build first)"
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
ip -n "$A" addr add 10.0.0.1/30 dev lo
ip -n "$B" addr add 10.0.2.1/30 dev lo
ip -n "$A" link set pipe2 addrgenmode none
ip -n "$B" link set pipe0 addrgenmode none
ip -n "$A" addr add fe82::4/127 dev pipe2
ip -n "$B" addr add fe82::5/127 dev pipe0
ip -n "$A" link set pipe2 up
ip -n "$B" link set pipe0 up
"$ctl" render 0 pipe2 100 "$T" >"$T/a.conf"
"$ctl" render 2 pipe0 100 "$T" >"$T/b.conf"
ip netns exec "$A" bird -c "$T/a.conf" -s "$T/a.sock" -P "$T/a.pid"
ip netns exec "$B" bird -c "$T/b.conf" -s "$T/b.sock" -P "$T/b.pid"
e2e_on_exit "kill \$(cat $T/a.pid) \$(cat $T/b.pid)"

routed() { ip -n "$A" route show 10.0.2.1 | grep -q pipe2; }
ms() { echo $(( $(date +%s%N) / 1000000 )); }
wait_until 30 routed || fail "route to node 2 never appeared"
for ((i = 1; i <= rounds; i++)); do
	t0=$(ms)
	ip netns exec "$B" iptables -A INPUT -i pipe0 -j DROP
	wait_until 30 sh -c "! ip -n $A route show 10.0.2.1 | grep -q pipe2" || fail "route never dropped"
	t1=$(ms)
	ip netns exec "$B" iptables -D INPUT -i pipe0 -j DROP
	wait_until 60 routed || fail "route never came back"
	t2=$(ms)
	echo "round $i: silent link -> route gone: $((t1 - t0)) ms; link back -> routed: $((t2 - t1)) ms"
	sleep 2
done
