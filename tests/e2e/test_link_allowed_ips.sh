#!/usr/bin/env bash
# A link's WireGuard peer may send only what a member may source: the mesh's
# own ranges and AllowedPrefixes. Node 2 sends node 0 a ping from an address
# outside them (198.51.100.7, on its lo) and one from its loopback, over a
# route BIRD made (so OSPF itself works over the narrowed allowed IPs):
# node 0 counts the first never arriving and the second arriving. After
# `set AllowedPrefixes 198.51.100.0/24` on node 0 the first arrives too, and
# the link stayed up throughout (the peer's counters were never reset, as
# replacing the peer would).
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go nsenter unshare ping bird jq iptables

e2e_pair
for id in 0 2; do
	e2e_bird_start $id
	e2e_daemon_start $id
done
e2e_join 2 0

kroute() { local id=$1; shift; [ -n "$(e2e_in "$id" ip "$@" 2>/dev/null)" ]; }
wait_until 60 kroute 2 route show 10.0.0.1 || wait_until 5 kroute 2 route show 10.0.0.0/30 ||
	fail "node 2: no route to node 0's loopback: $(e2e_in 2 ip route)"
wait_until 30 e2e_in 2 ping -c1 -W1 -I 10.0.2.1 10.0.0.1 || fail "node 2 cannot reach node 0's loopback from its own"

e2e_in 2 ip addr add 198.51.100.7/32 dev lo || fail "node 2: cannot add 198.51.100.7"
# Counted on node 0 as they come out of the tunnel, before anything else.
for src in 198.51.100.7 10.0.2.1; do
	e2e_in 0 iptables -t raw -A PREROUTING -i pipe2 -s "$src" -p icmp --icmp-type echo-request ||
		fail "node 0: cannot add the counter for $src"
done
# The packet count of the counter for source $1 (its rule has no target).
arrived() { e2e_in 0 iptables -t raw -L PREROUTING -v -x -n | awk -v s="$1" '{ for (i = 2; i <= NF; i++) if ($i == s) print $1 }'; }
send_from() { e2e_in 2 ping -c1 -W1 -I "$1" 10.0.0.1 >/dev/null 2>&1 || true; }
rx_bytes() { e2e_wgmesh 0 links --json | jq -e '.[] | select(.name == "pipe2") | .rx_bytes // 0'; }
rx_bytes_at_least() { [ "$(rx_bytes)" -ge "$1" ]; }
# A ping from SRC, then whether node 0 has counted N of them (or more).
sent_and_counted() { send_from "$1"; [ "$(arrived "$1")" -ge "$2" ]; }
# A ping from 10.0.2.1, then whether node 0 has counted more than N of them.
# Packets cross the tunnel in order: once one sent later is counted, what
# was sent before it has arrived or never will (no waiting by the clock).
marker_after() { send_from 10.0.2.1; [ "$(arrived 10.0.2.1)" -gt "$1" ]; }
# One ping from SRC, settled by a marker; fails when no marker gets through.
send_settled() {
	local n
	n=$(arrived 10.0.2.1)
	send_from "$1"
	wait_until 20 marker_after "$n"
}

wait_until 30 marker_after 0 || fail "node 0 counted no ping from 10.0.2.1, the counter proves nothing"
for _ in 1 2 3; do send_settled 198.51.100.7 || fail "node 0 stopped counting pings from 10.0.2.1"; done
[ "$(arrived 198.51.100.7)" = 0 ] ||
	fail "node 0 took $(arrived 198.51.100.7) packets from 198.51.100.7 through the tunnel: $(e2e_in 0 iptables -t raw -L PREROUTING -v -n)"

wait_until 20 rx_bytes_at_least 1 || fail "node 0's pipe2 shows no traffic counters"
before=$(rx_bytes) || fail "node 0: no rx_bytes for pipe2"
out=$(e2e_wgmesh 0 set AllowedPrefixes 198.51.100.0/24 2>&1) || fail "set AllowedPrefixes failed: $out"
wait_until 30 sent_and_counted 198.51.100.7 1 || fail "node 0 still drops 198.51.100.7 after set AllowedPrefixes 198.51.100.0/24"

state=$(e2e_wgmesh 0 links --json | jq -r '.[] | select(.name == "pipe2") | .state')
[ "$state" = up ] || fail "node 0's pipe2 is $state after the change"
send_from 10.0.2.1
wait_until 20 rx_bytes_at_least "$before" || fail "node 0's pipe2 counters went back (from $before to $(rx_bytes)): its peer was replaced"
e2e_in 2 ping -c1 -W2 -I 10.0.2.1 10.0.0.1 >/dev/null || fail "node 2 cannot reach node 0 after the change"
! e2e_log_has 0 "link pipe2.*down" || fail "node 0's pipe2 went down: $(grep pipe2 "$E2E_TMP/n0/wgmeshd.log" | tail -5)"

# And back: removed again, the tunnel drops it again (once the change is in,
# which the control reply does not wait for).
out=$(e2e_wgmesh 0 set AllowedPrefixes 198.51.100.0/24 2>&1) || fail "set AllowedPrefixes (remove) failed: $out"
stands_still() {
	local n
	n=$(arrived 198.51.100.7)
	send_settled 198.51.100.7 && [ "$(arrived 198.51.100.7)" = "$n" ]
}
wait_until 30 stands_still || fail "node 0 still takes 198.51.100.7 after AllowedPrefixes dropped it"

e2e_log "ok"
