#!/usr/bin/env bash
# `wgmesh down` takes every link down (pings across fail, the links and their
# state stay), `wgmesh up` brings them all back (pings work again), on both
# the joining and the accepting node, and through a daemon restart in between.
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go nsenter unshare ping

e2e_node_add 0
e2e_node_add 2
e2e_node_add 4
e2e_underlay 0 2 4
e2e_node_init 0 public --ipv4 192.0.2.10 --ipv6 2001:db8::10
e2e_node_init 2 --ipv4 192.0.2.12 --ipv6 2001:db8::12
e2e_node_init 4 --ipv4 192.0.2.14 --ipv6 none
for id in 0 2 4; do e2e_daemon_start $id; done

for id in 2 4; do
	token=$(e2e_wgmesh 0 token 2>/dev/null) || fail "wgmesh token failed"
	out=$(e2e_wgmesh $id connect http://192.0.2.10:8080 "$token" 2>&1) || fail "node $id could not join: $out"
done
# Node 0's links: pipe2 10.0.0.4/31, pipe2v6 10.0.0.6/31, pipe4 10.0.0.8/31.
reach() { e2e_in "$1" ping -c1 -W1 "$2"; }
unreachable() { ! e2e_in "$1" ping -c1 -W1 "$2"; }
all_reach() {
	wait_until 15 reach 2 10.0.0.4 || fail "$1: node 2 cannot ping node 0 over pipe0"
	wait_until 15 reach 2 10.0.0.6 || fail "$1: node 2 cannot ping node 0 over pipe0v6"
	wait_until 15 reach 4 10.0.0.8 || fail "$1: node 4 cannot ping node 0 over pipe0"
}
all_reach "after the joins"

# down on the accepting node takes all three of its links down.
out=$(e2e_wgmesh 0 down 2>&1) || fail "wgmesh down failed: $out"
for dev in pipe2 pipe2v6 pipe4; do
	ip -n "$(e2e_node_ns 0)" -o link show "$dev" | grep -Eq '[<,]UP[,>]' &&
		fail "node 0: $dev is still up after down"
done
unreachable 2 10.0.0.4 || fail "node 2 still pings node 0 over pipe0 while node 0 is down"
unreachable 2 10.0.0.6 || fail "node 2 still pings node 0 over pipe0v6 while node 0 is down"
unreachable 4 10.0.0.8 || fail "node 4 still pings node 0 while node 0 is down"
# Down is not disconnect: the links and their state stay.
links=$(e2e_wgmesh 0 links)
for dev in pipe2 pipe2v6 pipe4; do
	[[ $links == *"$dev"* ]] || fail "down forgot $dev: $links"
	[ -e "$E2E_TMP/n0/state/links/$dev.json" ] || fail "down removed the state file of $dev"
done

out=$(e2e_wgmesh 0 up 2>&1) || fail "wgmesh up failed: $out"
all_reach "after up on node 0"

# The same from the joining side, and a restart while down keeps the links.
out=$(e2e_wgmesh 2 down 2>&1) || fail "wgmesh down on node 2 failed: $out"
unreachable 2 10.0.0.4 || fail "node 2 still pings node 0 over pipe0 after its own down"
unreachable 2 10.0.0.6 || fail "node 2 still pings node 0 over pipe0v6 after its own down"
wait_until 15 reach 4 10.0.0.8 || fail "node 2's down took node 4's link down"
e2e_daemon_stop 2
e2e_daemon_start 2
out=$(e2e_wgmesh 2 up 2>&1) || fail "wgmesh up on node 2 failed: $out"
all_reach "after down, restart and up on node 2"

e2e_log "ok"
