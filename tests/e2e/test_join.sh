#!/usr/bin/env bash
# Two nodes join by token over real WireGuard (wireguard-go; the kernel's in
# the guest of vm.join): links on both ends, pings across the tunnel over IPv4
# and IPv6 transport, the token refused on reuse, no secret in any log,
# disconnect on both ends, and a clean restart.
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go nsenter unshare ping

e2e_node_add 0
e2e_node_add 2
e2e_node_add 4
e2e_node_add 6
e2e_underlay 0 2 4 6
e2e_node_init 0 public --ipv4 192.0.2.10 --ipv6 2001:db8::10
e2e_node_init 2 --ipv4 192.0.2.12 --ipv6 2001:db8::12
e2e_node_init 4 --ipv4 192.0.2.14 --ipv6 none
e2e_daemon_start 0
e2e_daemon_start 2
e2e_daemon_start 4

token=$(e2e_wgmesh 0 token --ttl 10m 2>/dev/null) || fail "wgmesh token failed"
[[ $token == wgm1-* ]] || fail "token has the wrong form: ${token:0:8}..."

out=$(e2e_wgmesh 2 connect http://192.0.2.10:8080 "$token" 2>&1) || fail "connect failed: $out"
[[ $out == *"connected to node 0"*pipe0*pipe0v6* ]] || fail "connect said: $out"

e2e_wgmesh 0 links --json >"$E2E_TMP/links0.json"
grep -q '"name": "pipe2"' "$E2E_TMP/links0.json" || fail "node 0 has no pipe2: $(cat "$E2E_TMP/links0.json")"
grep -q '"name": "pipe2v6"' "$E2E_TMP/links0.json" || fail "node 0 has no pipe2v6"

# Link addresses: node 0 took 10.0.0.4/31 (server, even) for its first link.
wait_until 10 e2e_in 2 ping -c1 -W1 10.0.0.4 || fail "node 2 cannot ping node 0 over pipe0"
wait_until 10 e2e_in 0 ping -c1 -W1 10.0.0.5 || fail "node 0 cannot ping node 2 over pipe2"
wait_until 10 e2e_in 2 ping -c1 -W1 10.0.0.6 || fail "node 2 cannot ping node 0 over pipe0v6 (IPv6 transport)"
wait_until 10 e2e_in 2 ping -c1 -W1 -I pipe0 fe82::4 || fail "no IPv6 inside pipe0"

# Connecting again to a node it is linked to already is refused plainly.
if out=$(e2e_wgmesh 2 connect http://192.0.2.10:8080 "$token" 2>&1); then
	fail "a second connect to the same node succeeded: $out"
fi
[[ $out == *"already linked to node 0"* ]] || fail "second connect refused without a clear reason: $out"

# The token was for one use: another node cannot use it again, and is left
# with nothing half-made.
if out=$(e2e_wgmesh 4 connect http://192.0.2.10:8080 "$token" 2>&1); then
	fail "a used-up token was accepted: $out"
fi
[[ $out == *"401"*"used up"* ]] || fail "used-up token refused without a clear reason: $out"
ip -n "$(e2e_node_ns 4)" link show pipe0 >/dev/null 2>&1 && fail "a refused join left pipe0 on node 4"
[ -z "$(ls -A "$E2E_TMP/n4/state/links" 2>/dev/null)" ] || fail "a refused join left a link state file on node 4"
ip -n "$(e2e_node_ns 0)" link show pipe4 >/dev/null 2>&1 && fail "a refused join left pipe4 on node 0"

# A single-stack node joins over IPv4 only.
token4=$(e2e_wgmesh 0 token 2>/dev/null) || fail "second token failed"
out=$(e2e_wgmesh 4 connect http://192.0.2.10:8080 "$token4" 2>&1) || fail "node 4 could not join: $out"
[[ $out == "connected to node 0: pipe0" ]] || fail "single-stack join made: $out"

# A new node that took an ID the mesh has already is refused on its first join
# with 416, and keeps nothing of the attempt.
e2e_node_init 6 --ipv4 192.0.2.16 --ipv6 none
e2e_wgmesh 6 init 2 --force --state-dir "$E2E_TMP/n6/state" --socket "$E2E_TMP/n6/ctl.sock" \
	--backend "$(e2e_node_backend 6)" --ipv4 192.0.2.16 --ipv6 none 2>/dev/null || fail "re-init of node 6 as ID 2 failed"
e2e_daemon_start 6
token6=$(e2e_wgmesh 0 token 2>/dev/null) || fail "third token failed"
if out=$(e2e_wgmesh 6 connect http://192.0.2.10:8080 "$token6" 2>&1); then
	fail "a second node with ID 2 was accepted: $out"
fi
[[ $out == *"416"*"already in use"* ]] || fail "duplicate ID refused without 416: $out"
[ -z "$(ls -A "$E2E_TMP/n6/state/links" 2>/dev/null)" ] || fail "the refused duplicate kept a link state file"

# Secrets stay out of logs.
secret=${token#wgm1-}
for id in 0 2; do
	grep -qF -- "${secret:43:16}" "$E2E_TMP/n$id/wgmeshd.log" && fail "node $id logged the token"
done
grep -q '"psk"' "$E2E_TMP/n0/wgmeshd.log" && fail "node 0 logged a preshared key field"

# Link state files are private.
[ "$(stat -c %a "$E2E_TMP/n0/state/links/pipe2.json")" = 600 ] || fail "link state file is not 0600"

# Restart keeps the links (autostart) and adopts the running interfaces.
e2e_daemon_stop 0
e2e_daemon_start 0
wait_until 15 e2e_in 2 ping -c1 -W1 10.0.0.4 || fail "link did not come back after a daemon restart"

# disconnect removes both ends.
out=$(e2e_wgmesh 2 disconnect pipe0 2>&1) || fail "disconnect failed: $out"
wait_until 10 sh -c "! ip -n $(e2e_node_ns 0) link show pipe2 >/dev/null 2>&1" || fail "node 0 still has pipe2"
ip -n "$(e2e_node_ns 2)" link show pipe0 >/dev/null 2>&1 && fail "node 2 still has pipe0"
[ -e "$E2E_TMP/n0/state/links/pipe2.json" ] && fail "node 0 kept the state file of pipe2"
e2e_wgmesh 2 links --json | grep -q '"pipe0v6"' || fail "disconnect of pipe0 took pipe0v6 too"

# The status event follows the links: node 0's last one says what `status`
# says, without being asked.
status_event_current() {
	local now last
	now=$(e2e_wgmesh 0 status --json | jq -c '[.links_total, .links_up]')
	last=$(e2e_wgmesh 0 events --json | jq -s -c '[.[] | select(.event == "status")] | last | [.links_total, .links_up]')
	[ "$now" = "$last" ]
}
wait_until 10 status_event_current ||
	fail "node 0's last status event is not its status: $(e2e_wgmesh 0 events --json | jq -c 'select(.event == "status")' | tail -2) vs $(e2e_wgmesh 0 status --json | jq -c .)"

e2e_log "ok"
