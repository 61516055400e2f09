#!/usr/bin/env bash
# wgmeshd writes BIRD's config from its links and applies it: two nodes
# joined by token reach each other's loopbacks over IPv4 and IPv6 through
# OSPF; status says BIRD is up; a config BIRD refuses is not applied and
# the last good one stays; `wgmesh recover` applies again.
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go nsenter unshare ping bird

e2e_pair dual
for id in 0 2; do
	e2e_bird_start $id
	e2e_daemon_start $id
done

bird_up() { e2e_wgmesh "$1" status --json | grep -q '"bird": "up"'; }
wait_until 10 bird_up 0 || fail "node 0: status does not say BIRD is up: $(e2e_wgmesh 0 status --json)"
# The daemon replaced the placeholder with its own config.
wait_until 10 grep -q "router id 10.0.0.1" "$E2E_TMP/n0/bird.conf" || fail "node 0: BIRD config not written"
[ -e "$E2E_TMP/n0/static.conf" ] || fail "node 0: static.conf was not created beside the BIRD config"

token=$(e2e_wgmesh 0 token 2>/dev/null) || fail "wgmesh token failed"
out=$(e2e_wgmesh 2 connect http://192.0.2.10:8080 "$token" 2>&1) || fail "connect failed: $out"

wait_until 20 e2e_in 2 ping -c1 -W1 10.0.0.1 || fail "node 2 cannot reach node 0's loopback over IPv4"
wait_until 20 e2e_in 0 ping -c1 -W1 10.0.2.1 || fail "node 0 cannot reach node 2's loopback over IPv4"
wait_until 20 e2e_in 2 ping -c1 -W1 fd10:0:0::1 || fail "node 2 cannot reach node 0's loopback over IPv6"
wait_until 20 e2e_in 0 ping -c1 -W1 fd10:0:2::1 || fail "node 0 cannot reach node 2's loopback over IPv6"
# The pings can pass on interim routes (routing.md) before buildup has made
# the IPv6-transport link: wait for it in BIRD's config.
wait_until 30 grep -q 'interface "pipe2v6"' "$E2E_TMP/n0/bird.conf" || fail "node 0: pipe2v6 is not in BIRD's config"

# An include BIRD cannot parse: the check refuses the new config, BIRD keeps
# running the old one, and the reason reaches the caller and the events.
cp "$E2E_TMP/n0/bird.conf" "$E2E_TMP/good.conf"
echo "this is not bird syntax" >"$E2E_TMP/n0/static.conf"
if out=$(e2e_wgmesh 0 recover 2>&1); then
	fail "recover with a broken static.conf succeeded: $out"
fi
[[ $out == *static.conf* ]] || fail "the refusal does not name static.conf: $out"
cmp -s "$E2E_TMP/good.conf" "$E2E_TMP/n0/bird.conf" || fail "a refused config replaced the good one"
e2e_wgmesh 0 events --json | grep '"bird"' | grep -q '"refused"' || fail "no bird event about the refusal"
# (A wait, not one ping: BFD notices a 300 ms stall of a loaded machine or an
# emulated guest as a dead link, and OSPF then takes a moment to come back.)
wait_until 5 e2e_in 2 ping -c1 -W1 10.0.0.1 || fail "routes were lost after a refused config"

: >"$E2E_TMP/n0/static.conf"
out=$(e2e_wgmesh 0 recover 2>&1) || fail "recover failed: $out"
[[ $out == *applied* ]] || fail "recover said: $out"

e2e_log "ok"
