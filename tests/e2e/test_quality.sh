#!/usr/bin/env bash
# Path quality in a real daemon: two nodes joined over wireguard-go; the
# links carry live metrics (RTT, loss, jitter, cost, WireGuard counters) in
# `wgmesh links` and the events; link_history serves the ring; cost, drain
# and undrain change the link's cost, are saved in its record and survive a
# restart; a link whose peer goes away turns dead and comes back.
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go nsenter unshare ping

ctl() { e2e_in "$1" "$WGM_BUILD_DIR/wgm-ctl" "$E2E_TMP/n$1/ctl.sock" "$2"; }
link_field() { # ID LINK FIELD
	e2e_wgmesh "$1" links --json | jq -c --arg l "$2" --arg f "$3" '.[] | select(.name == $l) | .[$f]'
}

e2e_require_cmd jq
e2e_pair
e2e_daemon_start 0
e2e_daemon_start 2

token=$(e2e_wgmesh 0 token 2>/dev/null) || fail "wgmesh token failed"
out=$(e2e_wgmesh 2 connect http://192.0.2.10:8080 "$token" 2>&1) || fail "connect failed: $out"

# Metrics: an RTT, no loss, a handshake, bytes, a cost from the RTT.
has_rtt() { [[ $(link_field 0 pipe2 rtt_ms) =~ ^[0-9.e-]+$ ]]; }
wait_until 15 has_rtt || fail "pipe2 has no RTT after 15 s: $(e2e_wgmesh 0 links --json)"
[ "$(link_field 0 pipe2 state)" = '"up"' ] || fail "pipe2 is not up: $(link_field 0 pipe2 state)"
[ "$(link_field 0 pipe2 loss_pct)" = 0 ] || fail "pipe2 reports loss on a clean link: $(link_field 0 pipe2 loss_pct)"
has_handshake() { [ "$(link_field 0 pipe2 last_handshake)" -gt 0 ]; }
wait_until 10 has_handshake || fail "pipe2 never shows a WireGuard handshake"
has_rx() { [ "$(link_field 0 pipe2 rx_bytes)" -gt 0 ]; }
wait_until 10 has_rx || fail "pipe2 shows no received bytes"
[ "$(link_field 0 pipe2 rtt_recent | jq length)" -gt 0 ] || fail "pipe2 has no recent RTT samples"
# The cost comes from the RTT (1 unit = 0.1 ms), not from the unmeasured default.
# Costs are worked out once per round: the first answer shows in the RTT one
# round before it shows in the cost.
cost_from_rtt() { [[ $(link_field 0 pipe2 cost_detail) == \"rtt* ]]; }
wait_until 5 cost_from_rtt || true
reason=$(link_field 0 pipe2 cost_detail)
word=$(link_field 0 pipe2 cost_reason)
# No loss penalty on a clean link (probes lost while the tunnel handshook do
# not count as loss); the hop cost (hopCost) is part of every measured cost.
[[ $reason =~ ^\"rtt\ [0-9.]+\ ms\ [0-9]+(\ \+\ hop\ \+[0-9]+)?(\ \+\ jitter\ \+[0-9]+)?\ =\ [0-9]+\"$ ]] ||
	fail "pipe2's cost does not come from its RTT alone: $reason"
[[ $word == '"measured"' || ($word == '"jitter"' && $reason == *jitter*) ]] || fail "pipe2's cost reason is $word for $reason"
table=$(e2e_wgmesh 0 links)
# RTT last/smoothed and loss window/minute as figures (docs/cli.md's columns).
[[ $table =~ pipe2\ +2\ +up\ +[^\ ]+\ +[^\ ]+\ +[0-9.-]+/[0-9.]+\ +[0-9]+/[0-9.]+\ +[0-9]+ ]] ||
	fail "wgmesh links shows no RTT/loss figures for pipe2: $table"

# link_history: the ring (interval, RTTs), and the same link's name.
hist=$(ctl 0 '{"cmd":"link_history","name":"pipe2"}') || fail "link_history failed: $hist"
[ "$(jq .interval_ms <<<"$hist")" = 1000 ] || fail "link_history interval: $hist"
[ "$(jq '.rtt_ms | length' <<<"$hist")" -gt 0 ] || fail "link_history has no RTTs: $hist"
out=$(ctl 0 '{"cmd":"link_history","name":"nope9"}') && fail "link_history of an unknown link succeeded"
[[ $out == *"nope9: no such link"* ]] || fail "unknown link refused without saying so: $out"

# Subscribers get a metrics event every round, with the links in it.
timeout 30 "$WGM_BUILD_DIR/wgmesh" --config "$E2E_TMP/n0/config.json" events --follow --json \
	>"$E2E_TMP/events0" 2>&1 &
e2e_on_exit "kill $! 2>/dev/null"
wait_until 10 grep -q '"event": *"metrics".*"pipe2"' "$E2E_TMP/events0" ||
	fail "no metrics event with pipe2: $(head -c 500 "$E2E_TMP/events0")"

# No BIRD runs here: that is said once, not at every probe round.
n=$(grep -c 'BIRD config not applied' "$E2E_TMP/n0/wgmeshd.log" || true)
[ "$n" -le 1 ] || fail "'BIRD config not applied' logged $n times without BIRD"
n=$(grep -c 'BIRD did not take the new link costs' "$E2E_TMP/n0/wgmeshd.log" || true)
[ "$n" -le 1 ] || fail "'BIRD did not take the new link costs' logged $n times without BIRD"

# The jitter threshold is a config key, applied without a restart.
out=$(e2e_wgmesh 0 set jitterThreshold 2 2>&1) || fail "wgmesh set jitterThreshold failed: $out"
[[ $out == *"saved and applied"* ]] || fail "jitterThreshold was not applied live: $out"
jq -e '.jitterThreshold == 2' "$E2E_TMP/n0/config.json" >/dev/null || fail "jitterThreshold is not in the config file"
out=$(e2e_wgmesh 0 set jitterThreshold 0 2>&1) && fail "jitterThreshold 0 was accepted: $out"
[[ $out == *"jitterThreshold: 0 is out of range (1-1000)"* ]] || fail "jitterThreshold 0 refused without a reason: $out"
has_rtt || fail "pipe2 lost its RTT after the jitter threshold changed"

# Operator control: override, drain, undrain; each saved in the record.
out=$(e2e_wgmesh 0 cost pipe2 4242 2>&1) || fail "wgmesh cost failed: $out"
[[ $out == "pipe2: cost 4242 (override)"* ]] || fail "wgmesh cost said: $out"
[ "$(link_field 0 pipe2 override)" = 4242 ] || fail "links does not show the override"
jq -e '.cost_override == 4242' "$E2E_TMP/n0/state/links/pipe2.json" >/dev/null ||
	fail "the override is not in pipe2's record"
out=$(e2e_wgmesh 0 cost pipe2 0 2>&1) && fail "cost 0 was accepted: $out"
[[ $out == *"0: not a cost (1-65535)"* ]] || fail "cost 0 refused without a reason: $out"
out=$(e2e_wgmesh 0 drain pipe2 2>&1) || fail "wgmesh drain failed: $out"
[[ $out == "pipe2: cost 65000"*"(drained)"* ]] || fail "wgmesh drain said: $out"
[ "$(link_field 0 pipe2 drained)" = true ] || fail "links does not show the drain"
out=$(e2e_wgmesh 0 drain nope9 2>&1) && fail "drain of an unknown link succeeded"
[[ $out == *"nope9: no such link"* ]] || fail "drain of an unknown link: $out"

# Both survive a restart.
e2e_daemon_stop 0
e2e_daemon_start 0
[ "$(link_field 0 pipe2 drained)" = true ] || fail "the drain did not survive a restart"
[ "$(link_field 0 pipe2 override)" = 4242 ] || fail "the override did not survive a restart"
out=$(e2e_wgmesh 0 undrain pipe2 2>&1) || fail "wgmesh undrain failed: $out"
[[ $out == "pipe2: cost 4242 (override)"* ]] || fail "undrain of an overridden link said: $out"
out=$(e2e_wgmesh 0 cost pipe2 2>&1) || fail "clearing the override failed: $out"
[ "$(link_field 0 pipe2 override)" = null ] || fail "the override was not cleared"
jq -e '.cost_override == null and .drained == false' "$E2E_TMP/n0/state/links/pipe2.json" >/dev/null ||
	fail "the record still has the override or the drain: $(jq -c '{cost_override, drained}' "$E2E_TMP/n0/state/links/pipe2.json")"

# node 2's wireguard-go of pipe0 dies while its daemon runs: the daemon
# notices its device no longer answers and starts it again.
wg_pid_of_pipe0() {
	local p
	for p in $(ip netns pids "$(e2e_node_ns 2)"); do
		tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q 'wireguard-go.* pipe0 *$' && echo "$p"
	done
}
wait_until 15 has_rtt || fail "pipe2 has no RTT after the restart"
wgpid=$(wg_pid_of_pipe0)
[ -n "$wgpid" ] || fail "cannot find node 2's wireguard-go for pipe0"
kill -KILL "$wgpid"
repaired() { e2e_log_has 2 "link pipe0: interface repaired"; }
wait_until 20 repaired || fail "node 2 did not restart pipe0's wireguard-go: $(tail -5 "$E2E_TMP/n2/wgmeshd.log")"
e2e_log_has 2 "link pipe0: its WireGuard device does not answer" || fail "node 2 did not say why it restarted pipe0"
is_up() { [ "$(link_field 0 pipe2 state)" = '"up"' ]; }
wait_until 20 is_up || fail "pipe2 did not come back after the repair"

# The peer goes away for good (daemon stopped, then its wireguard-go
# killed): node 0 sees pipe2 dead; when node 2 starts again, pipe2 is back.
e2e_daemon_stop 2
kill -KILL "$(wg_pid_of_pipe0)"
is_dead() { [ "$(link_field 0 pipe2 state)" = '"dead"' ]; }
wait_until 20 is_dead || fail "pipe2 is not dead after its peer went away: $(link_field 0 pipe2 state)"
e2e_log_has 0 "link pipe2 to node 2 is dead" || fail "node 0 did not log pipe2's death"
[ "$(link_field 0 pipe2 cost_wanted)" = 65535 ] || fail "dead pipe2 does not want cost 65535"
e2e_daemon_start 2
wait_until 30 is_up || fail "pipe2 did not come back with its peer: $(tail -5 "$E2E_TMP/n2/wgmeshd.log")"

e2e_log "ok"
