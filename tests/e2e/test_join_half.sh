#!/usr/bin/env bash
# Half-made links: the accepting node made its end of a link and replied, but
# the joining node's end never came.
#  1. The joiner's own link fails (its WireGuard program cannot start): it asks
#     the acceptor to remove its end, which goes at once (the acceptor's
#     handshakeTimeout is off for this part, so nothing else could remove it).
#  2. The joiner is killed (-9) while making its end, before it could tell
#     anyone: the acceptor removes its end once handshakeTimeout passes without
#     a handshake, says why in a link_expired event, and a later join works.
#  3. A link that handshaked once is never removed by that rule, not even
#     after a restart of the acceptor with its WireGuard device made anew.
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go nsenter unshare ping jq

api=http://192.0.2.10:8080
timeout=15
e2e_pair

# set_wireguard_go ID PROGRAM : the userspace WireGuard program node ID starts
set_wireguard_go() {
	local cfg="$E2E_TMP/n$1/config.json"
	jq --arg p "$2" '.wireguardGo = $p' "$cfg" >"$cfg.new" && mv "$cfg.new" "$cfg"
}
pid_of() { cat "$E2E_TMP/n$1/wgmeshd.pid"; }
records() { ls "$E2E_TMP/n$1/state/links" 2>/dev/null | sed -n 's/\.json$//p' | sort | tr '\n' ' '; }
ifaces() { ip -n "$(e2e_node_ns "$1")" -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | grep '^pipe' | tr '\n' ' ' || true; }
no_links() { [ -z "$(records "$1")" ] && [ -z "$(ifaces "$1")" ]; }
# wireguard-go processes in node ID's namespace
wg_procs() { local p; for p in $(ip netns pids "$(e2e_node_ns "$1")"); do [ "$(cat /proc/"$p"/comm 2>/dev/null)" = wireguard-go ] && echo "$p"; done; true; }
expired_events() { e2e_wgmesh 0 events --json | jq -c 'select(.event == "link_expired")'; }

e2e_daemon_start 0
set_wireguard_go 2 /bin/false
e2e_daemon_start 2

# ---- 1. the joiner's own end fails: it tells the acceptor ----
out=$(e2e_wgmesh 0 set handshakeTimeout 0 2>&1) || fail "set handshakeTimeout 0 failed: $out"
token=$(e2e_wgmesh 0 token 2>/dev/null) || fail "wgmesh token failed"
if out=$(e2e_wgmesh 2 connect "$api" "$token" 2>&1); then
	fail "connect succeeded although node 2 cannot start WireGuard: $out"
fi
[[ $out == *pipe0* ]] || fail "connect failed without naming the link: $out"
wait_until 20 e2e_log_has 0 "node 2 could not make its end of pipe2 and asks to remove this one" ||
	fail "node 2 did not ask node 0 to remove its end; node 0 log: $(tail -5 "$E2E_TMP/n0/wgmeshd.log")"
wait_until 20 no_links 0 || fail "node 0 kept [$(records 0)] / interfaces [$(ifaces 0)] of the failed join"
wait_until 10 e2e_log_has 2 "node 0 removed its end of pipe0" || fail "node 2 did not log that node 0 removed its end"
no_links 2 || fail "node 2 kept [$(records 2)] / [$(ifaces 2)] of its failed link"
[ -z "$(expired_events)" ] || fail "the timeout rule acted although it was off: $(expired_events)"

# ---- 2. the joiner dies while making its end: the acceptor's timeout ----
out=$(e2e_wgmesh 0 set handshakeTimeout $timeout 2>&1) || fail "set handshakeTimeout failed: $out"
[[ $out == *applied* ]] || fail "handshakeTimeout was not applied live: $out"
# Node 2's WireGuard program hangs, so node 2 is caught making its end.
cat >"$E2E_TMP/wg-hang" <<EOF
#!/bin/sh
echo \$\$ >"$E2E_TMP/wg-hang.pid"
exec sleep 120
EOF
chmod +x "$E2E_TMP/wg-hang"
e2e_daemon_stop 2
set_wireguard_go 2 "$E2E_TMP/wg-hang"
e2e_daemon_start 2
token=$(e2e_wgmesh 0 token 2>/dev/null) || fail "wgmesh token failed"
e2e_wgmesh 2 connect "$api" "$token" >"$E2E_TMP/cli-killed.log" 2>&1 &
cli=$!
# The hanging program runs only once node 0 has replied with its end up.
wait_until 30 test -s "$E2E_TMP/wg-hang.pid" || fail "node 2 never started making its end: $(cat "$E2E_TMP/cli-killed.log")"
[ "$(records 0)" = "pipe2 " ] || fail "node 0 has [$(records 0)] while node 2 makes its end"
kill -KILL "$(pid_of 2)" "$(cat "$E2E_TMP/wg-hang.pid")"
wait "$(pid_of 2)" 2>/dev/null || true
wait "$cli" 2>/dev/null || true
# Killed before it stored the reply, node 2 holds no end (the record made
# just before is what a crash a moment earlier would not have left).
rm -f "$E2E_TMP/n2/state/links/pipe0.json"
ip -n "$(e2e_node_ns 2)" link del pipe0 2>/dev/null || true
e2e_log "node 2 killed while making pipe0; waiting for node 0 to drop pipe2 after ${timeout}s"

wait_until $((timeout + 60)) no_links 0 || fail "node 0 kept [$(records 0)] / [$(ifaces 0)] with no handshake, past handshakeTimeout"
expired_events | jq -s -e "any(.[]; .name == \"pipe2\" and .remote_id == 2 and .timeout == $timeout and (.reason | test(\"never completed a WireGuard handshake\")))" >/dev/null ||
	fail "node 0 removed pipe2 without a link_expired event saying why: $(expired_events)"
e2e_log_has 0 "link pipe2: node 2 never completed a WireGuard handshake within $timeout s" || fail "node 0 did not log why pipe2 went"
wait_until 10 sh -c "[ -z \"\$(ip netns pids $(e2e_node_ns 0) | while read p; do cat /proc/\$p/comm 2>/dev/null; done | grep '^wireguard-go\$')\" ]" ||
	fail "node 0 kept a wireguard-go process for the removed pipe2"

# A later join works, and needs no stale-link replacement: pipe2 was gone.
set_wireguard_go 2 wireguard-go
e2e_daemon_start 2
token=$(e2e_wgmesh 0 token 2>/dev/null) || fail "wgmesh token failed"
out=$(e2e_wgmesh 2 connect "$api" "$token" 2>&1) || fail "join after the expiry failed: $out"
wait_until 10 e2e_in 2 ping -c1 -W1 10.0.0.4 || fail "no ping over the new link"
e2e_log_has 0 "asks again for pipe2" && fail "node 0 still held pipe2 when node 2 joined again"

# ---- 3. a link that ever handshaked stays ----
wait_until 20 sh -c "jq -e '.handshaked == true' '$E2E_TMP/n0/state/links/pipe2.json'" ||
	fail "node 0's pipe2 record does not say it handshaked"
# Node 2 goes silent for good, and node 0 restarts with its WireGuard device
# made anew, so only the record remembers the handshake.
kill -KILL "$(pid_of 2)" $(wg_procs 2)
wait "$(pid_of 2)" 2>/dev/null || true
kill -KILL "$(pid_of 0)" $(wg_procs 0)
wait "$(pid_of 0)" 2>/dev/null || true
n_expired=$(expired_events | grep -c . || true)
e2e_daemon_start 0
wait_until 20 sh -c "[ -n \"\$(ip netns pids $(e2e_node_ns 0) | while read p; do cat /proc/\$p/comm 2>/dev/null; done | grep '^wireguard-go\$')\" ]" ||
	fail "node 0 did not bring pipe2 up again"
# Waiting for something not to happen: past the timeout and a few readings.
sleep $((timeout + 10))
[ "$(records 0)" = "pipe2 " ] || fail "node 0 removed pipe2, which had handshaked, after its peer went silent"
[ "$(expired_events | grep -c . || true)" = "$n_expired" ] || fail "a link_expired event for a link that handshaked: $(expired_events)"

e2e_log "ok"
