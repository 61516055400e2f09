#!/usr/bin/env bash
# The accepting side of a link shows where the joining node is: after a join,
# node 0's `links` (text and --json) shows node 2's underlay address and
# WireGuard port for pipe2, read back from WireGuard, and says so in a
# link_endpoint event; the first handshake is kept in the link's record. When
# node 2 moves to another underlay address, node 0 shows the new endpoint and
# announces the move; after a restart of node 0's daemon it shows it again.
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go nsenter unshare ping jq

e2e_pair
e2e_daemon_start 0
e2e_daemon_start 2

# field ID LINK FIELD : one field of one link in node ID's `links --json`
field() { e2e_wgmesh "$1" links --json | jq -r --arg n "$2" --arg f "$3" '.[] | select(.name == $n) | .[$f]'; }
shows() { [ "$(field "$1" "$2" endpoint)" = "$3" ]; }
# endpoint_event ID JQ-FILTER : node ID has a link_endpoint event matching the filter
endpoint_event() {
	e2e_wgmesh "$1" events --json | jq -c "select(.event == \"link_endpoint\") | select($2)" | grep -q .
}

token=$(e2e_wgmesh 0 token 2>/dev/null) || fail "wgmesh token failed"
out=$(e2e_wgmesh 2 connect http://192.0.2.10:8080 "$token" 2>&1) || fail "connect failed: $out"
port2=$(field 2 pipe0 port)
[[ $port2 =~ ^[0-9]+$ ]] || fail "node 2's pipe0 has no listen port: '$port2'"
port0=$(field 0 pipe2 port)

# The joiner knew the acceptor's address all along; the acceptor learns the
# joiner's from WireGuard after the first handshake (the probes make one).
[ "$(field 2 pipe0 endpoint)" = "192.0.2.10:$port0" ] || fail "node 2 shows pipe0's endpoint as '$(field 2 pipe0 endpoint)'"
wait_until 30 shows 0 pipe2 "192.0.2.12:$port2" ||
	fail "node 0 shows pipe2's endpoint as '$(field 0 pipe2 endpoint)', not node 2's 192.0.2.12:$port2"
[ "$(field 0 pipe2 configured_endpoint)" = "" ] || fail "node 0 has a configured endpoint for pipe2: $(field 0 pipe2 configured_endpoint)"
e2e_wgmesh 0 links --wide | grep -Eq "^pipe2 .* 192\.0\.2\.12:$port2 " ||
	fail "node 0's links text has no endpoint for pipe2: $(e2e_wgmesh 0 links)"
endpoint_event 0 ".name == \"pipe2\" and .remote_id == 2 and .endpoint == \"192.0.2.12:$port2\" and .previous == null" ||
	fail "node 0 announced no link_endpoint for pipe2: $(e2e_wgmesh 0 events --json | grep link_endpoint)"

# The first handshake is kept in the record, both ends.
wait_until 10 sh -c "jq -e '.handshaked == true' '$E2E_TMP/n0/state/links/pipe2.json'" ||
	fail "node 0's pipe2 record does not say it handshaked"
wait_until 10 sh -c "jq -e '.handshaked == true' '$E2E_TMP/n2/state/links/pipe0.json'" ||
	fail "node 2's pipe0 record does not say it handshaked"
[ "$(field 0 pipe2 handshaked)" = true ] || fail "node 0's links does not say pipe2 handshaked"

# Node 2 moves to another underlay address: WireGuard follows it (roaming),
# and so does node 0's view.
# (Deleted first: removing a primary address takes its secondaries with it.)
e2e_in 2 ip addr del 192.0.2.12/24 dev u0
e2e_in 2 ip addr add 192.0.2.22/24 dev u0
wait_until 60 shows 0 pipe2 "192.0.2.22:$port2" ||
	fail "after node 2 moved to 192.0.2.22, node 0 shows pipe2's endpoint as '$(field 0 pipe2 endpoint)'"
endpoint_event 0 ".name == \"pipe2\" and .endpoint == \"192.0.2.22:$port2\" and .previous == \"192.0.2.12:$port2\"" ||
	fail "node 0 did not announce the move: $(e2e_wgmesh 0 events --json | grep link_endpoint)"
e2e_log_has 0 "pipe2: node 2 moved from 192.0.2.12:$port2 to 192.0.2.22:$port2" || fail "node 0 did not log the move"
wait_until 10 e2e_in 0 ping -c1 -W1 10.0.0.5 || fail "pipe2 does not carry traffic after the move"

# The learned endpoint is not stored: after a restart node 0 reads it again.
jq -e '.endpoint == ""' "$E2E_TMP/n0/state/links/pipe2.json" >/dev/null || fail "node 0 stored a learned endpoint"
e2e_daemon_stop 0
e2e_daemon_start 0
wait_until 60 shows 0 pipe2 "192.0.2.22:$port2" ||
	fail "after a restart node 0 shows pipe2's endpoint as '$(field 0 pipe2 endpoint)'"

e2e_log "ok"
