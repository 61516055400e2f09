#!/usr/bin/env bash
# Costs move traffic, with real daemons, BIRD and wireguard-go in three
# nodes (0, 2, 4, full mesh over IPv4): 30 % loss on the 0-2 path sends
# node 0's traffic for node 2 through 4, and it comes back soon after the
# loss stops (the penalty is lifted once the link is clean, not faded over
# costEventWindow); 80 ms more on 0-2 does the same; `drain pipe2` moves it at once and
# `undrain` brings it back; a TCP connection 0 -> 2 survives ten cost
# changes, and none of them resets the OSPF adjacency on pipe2; when node
# 2's end of the link disappears the traffic moves, and returns with it.
# With "death" only the mesh and that last part run (vm.reroute runs it with
# the kernel backend, where node 2's end is its kernel interface).
source "$(dirname "$0")/lib.sh"
mode=${1:-all}
case $mode in all | death) ;; *) fail "usage: test_reroute.sh [all|death]" ;; esac
e2e_require_root
e2e_require_cmd wireguard-go nsenter unshare ping bird jq iptables

# A short reload interval; no jitter events (jitterThreshold 1000 ms, the
# most), since a loaded test machine alone makes 5-40 ms of jitter on a
# veth, and nothing here is about jitter. The event window is 600 s for the
# loss part, so only the lift after a clean window can bring the traffic
# back in time (faded, the penalty would take minutes), then 12 s, so the
# later parts wait seconds, not minutes, for a stray loss penalty.
e2e_mesh3 '.costEventWindow = 600 | .jitterThreshold = 1000 | .bird.minReloadInterval = 2 | .bird.loglevel = "debug"'

via() { e2e_in 0 ip -4 route get 10.0.2.1 | grep -o 'dev [a-z0-9]*' | cut -d' ' -f2; }
via_is() { [ "$(via)" = "$1" ]; }
wait_until 40 via_is pipe2 || fail "node 0 does not reach node 2 directly: $(e2e_in 0 ip -4 route get 10.0.2.1)"
wait_until 20 e2e_in 4 ip -4 route get 10.0.0.1 >/dev/null || fail "node 4 has no route to node 0"

if [ "$mode" = all ]; then
# --- loss ---
# Node 0's daemon starts afresh, so this loss is pipe2's first episode: a
# loss while the mesh formed (probes lost during a handshake) would make it
# a repeat, held 30 s longer on purpose.
pipe2_json() { e2e_wgmesh 0 links --json | jq -c '.[] | select(.name == "pipe2")'; }
pipe2_reason_is() { [ "$(pipe2_json | jq -r .cost_reason)" = "$1" ]; }
e2e_daemon_stop 0
e2e_daemon_start 0
wait_until 30 pipe2_reason_is measured || fail "node 0 restarted: pipe2 has no measured cost: $(pipe2_json)"
wait_until 40 via_is pipe2 || fail "node 0 restarted: it does not reach node 2 directly: $(e2e_in 0 ip -4 route get 10.0.2.1)"
rule=(POSTROUTING -o u0 -d 192.0.2.12 -p udp -m statistic --mode random --probability 0.3 -j DROP)
# BIRD has (or is being given) a loss penalty for pipe2.
pipe2_penalised() { pipe2_json | jq -e '.cost_reason == "loss" and .cost >= 1000' >/dev/null; }
e2e_in 0 iptables -t mangle -A "${rule[@]}"
wait_until 40 pipe2_penalised || fail "30 % loss on 0-2: pipe2 got no loss penalty: $(pipe2_json)"
# The loss also takes BFD on pipe2 down now and then, which moves the route
# before the cost does, and back when BFD is up again while BIRD's router
# LSA still has the old cost (it is originated at most every 5 s). 8 s
# after the push the LSA has the penalty: a route away from then on is the
# cost's doing, and its return the lift's.
sleep 8
wait_until 60 via_is pipe4 || fail "30 % loss on 0-2: traffic still leaves on $(via) ($(pipe2_json))"
e2e_in 0 iptables -t mangle -D "${rule[@]}"
# The guarantee after a first loss episode: the fast-loss window clean (10
# probes at 1 s, the probe in flight at the clear lost at worst, 1 s more),
# the next push (minReloadInterval, 2 s) and BIRD's OSPF tick (1 s): 14 s.
# Three times that for a loaded machine; the faded penalty (600 s window)
# would keep the traffic away for minutes.
cleared=$(date +%s)
wait_until 42 via_is pipe2 || fail "loss cleared: traffic did not come back to pipe2 within 42 s ($(pipe2_json))"
e2e_log "loss cleared: traffic back on pipe2 after about $(($(date +%s) - cleared)) s"
! pipe2_reason_is loss || fail "traffic is back on pipe2 but its loss penalty is not lifted: $(pipe2_json)"
out=$(e2e_wgmesh 0 set costEventWindow 12 2>&1) || fail "set costEventWindow 12: $out"

# --- latency: +80 ms from node 0 to node 2 (an NFQUEUE delay line) ---
e2e_in 0 "$WGM_BUILD_DIR/wgmesh-delayq" --queue 7 --delay 80 >"$E2E_TMP/delayq.log" 2>&1 &
delayq=$!
e2e_on_exit "kill $delayq 2>/dev/null"
wait_until 5 grep -q bound "$E2E_TMP/delayq.log" || fail "delay line did not bind: $(cat "$E2E_TMP/delayq.log")"
qrule=(POSTROUTING -o u0 -d 192.0.2.12 -p udp -j NFQUEUE --queue-num 7 --queue-bypass)
e2e_in 0 iptables -t mangle -A "${qrule[@]}"
wait_until 60 via_is pipe4 || fail "+80 ms on 0-2: traffic still leaves on $(via) ($(e2e_wgmesh 0 links | grep pipe2))"
e2e_in 0 iptables -t mangle -D "${qrule[@]}"
kill "$delayq"
# The step down is a level shift: once 5 probes confirm it the smoothed RTT
# is back (see path-quality.md); the bound leaves room for a loaded machine.
wait_until 90 via_is pipe2 || fail "delay removed: traffic did not come back to pipe2 ($(e2e_wgmesh 0 links | grep pipe))"

# --- drain / undrain ---
e2e_wgmesh 0 drain pipe2 >/dev/null || fail "drain failed"
wait_until 15 via_is pipe4 || fail "drain pipe2: traffic still leaves on $(via)"
e2e_wgmesh 0 undrain pipe2 >/dev/null || fail "undrain failed"
wait_until 15 via_is pipe2 || fail "undrain pipe2: traffic did not come back"
# The metrics counted those moves of node 2's route (six so far; BIRD's
# routes are read every second, so a quick move and return may be missed).
reroutes=$(e2e_wgmesh 0 metrics | awk '$1 == "wgmesh_reroutes_total" {print $2}')
[ "${reroutes:-0}" -ge 2 ] || fail "wgmesh_reroutes_total is '${reroutes}' after six moves of node 2's route"

# --- a TCP connection across ten cost changes ---
e2e_in 2 "$WGM_BUILD_DIR/wgm-tcp-hold" serve 10.0.2.1 7070 &
e2e_on_exit "kill $! 2>/dev/null"
sleep 0.5
st="$E2E_TMP/tcp.status"
# The connection must survive, and TCP keeps one through a few seconds
# without a route: at load 27 BIRD on node 0 was starved long enough for
# every BFD session (pipe2's and pipe4's) to expire at once, and the echo
# waited out TCP's backoff (past the 5 s the client gives by default).
# The connection is made again if node 0 had no route to node 2 at that
# moment (at load 14 BFD took pipe2 down just before, and connect() met
# the mesh's unreachable route before BIRD had moved node 2 to pipe4).
client_started() { # exits 0 once the client is up, 1 once it failed
	wait_until 10 grep -q '^ok\|^error' "$st" && grep -q '^ok' "$st"
}
for try in 1 2 3 4 5; do
	rm -f "$st"
	e2e_in 0 "$WGM_BUILD_DIR/wgm-tcp-hold" client 10.0.2.1 7070 "$st" 30 &
	client=$!
	e2e_on_exit "kill $client 2>/dev/null"
	client_started && break
	e2e_log "TCP client, try $try: $(cat "$st" 2>/dev/null)"
	kill "$client" 2>/dev/null || true
	sleep 1
done
grep -q '^ok' "$st" || fail "TCP client did not start: $(cat "$st" 2>/dev/null)"
# A cost change is a BIRD reconfigure that must not reset the OSPF
# adjacency on pipe2. BIRD's own log (bird.loglevel debug) says what each
# reconfigure did; the adjacency's state alone cannot tell a reset by the
# reconfigure from BFD (100 ms x 3) timing out on a starved machine.
birdlog="$E2E_TMP/n0/bird.log"
logstart=$(wc -l <"$birdlog")
for i in 1 2 3 4 5 6 7 8 9 10; do
	if ((i % 2)); then cost=60000 want=pipe4; else cost=5 want=pipe2; fi
	e2e_wgmesh 0 cost pipe2 $cost >/dev/null || fail "cost change $i failed"
	wait_until 15 via_is $want || fail "cost change $i ($cost) did not move traffic to $want"
done
e2e_wgmesh 0 cost pipe2 >/dev/null || fail "clearing the override failed"
# The connection still carries data (a round trip may wait out TCP's
# backoff, so the bound is the client's own 30 s and more).
before=$(cut -d' ' -f2 "$st")
advanced() { grep -q '^ok' "$st" && [ "$(cut -d' ' -f2 "$st")" -gt "$before" ]; }
wait_until 40 advanced || fail "the TCP connection broke or stalled across the cost changes: $(cat "$st")"
kill -0 "$client" 2>/dev/null || fail "the TCP client exited: $(cat "$st")"
e2e_log "the TCP connection's longest round trip: $(cut -d' ' -f3 "$st") ms"
kill "$client"
window=$(tail -n +"$((logstart + 1))" "$birdlog")
changed=$(grep -c 'ospf4: Changing cost of pipe2 ' <<<"$window" || true)
[ "$changed" -ge 10 ] || fail "BIRD's log shows $changed cost changes of pipe2 in ospf4, not 10: $(grep -c . <<<"$window") lines"
# Inside a reconfigure (between BIRD's "Reconfiguring" and "Reconfigured",
# one step of its event loop) nothing but the cost of pipe2 changes, and no
# OSPF protocol or interface is restarted after it.
reset=$(awk '/<INFO> Reconfiguring$/ { in_rc = 1; next }
	/<INFO> Reconfigured$/ { in_rc = 0; next }
	in_rc && /pipe2/ && !/ospf[46]: Changing cost of pipe2 / { print; next }
	/Restarting protocol ospf|ospf[46]: (Shutting down|Restarting|Removing interface pipe2)/ { print }' <<<"$window")
[ -z "$reset" ] || fail "a cost change reset OSPF on pipe2: $(head -3 <<<"$reset")"
drops=$(grep -c 'on pipe2 changed state from Full to' <<<"$window" || true)
bfd=$(grep -c 'BFD session down for nbr .* on pipe2' <<<"$window" || true)
dead=$(grep -ci 'inactivity timer expired for nbr .* on pipe2' <<<"$window" || true)
e2e_log "during the cost changes pipe2's adjacencies (ospf4, ospf6) left Full $drops times, none in a reconfigure; BFD down $bfd times, dead timer $dead times"
pipe2_full() { pipe2_json | jq -e '.ospf == "Full"' >/dev/null; }
wait_until 30 pipe2_full || fail "the OSPF adjacency on pipe2 is not Full after the cost changes: $(pipe2_json)"
costs=$(e2e_wgmesh 0 events --json | grep -c '"event": *"cost".*"pipe2"')
[ "$costs" -ge 10 ] || fail "only $costs cost events for pipe2 reached BIRD"
fi

# --- node 2's end of 0-2 disappears (its daemon stopped, its wireguard-go
# killed, or its kernel interface deleted) ---
wait_until 30 via_is pipe2 || fail "traffic not back on pipe2 before the death test"
e2e_daemon_stop 2
if [ "$(e2e_node_backend 2)" = kernel ]; then
	e2e_in 2 ip link del pipe0 || fail "could not delete node 2's pipe0"
else
	for p in $(ip netns pids "$(e2e_node_ns 2)"); do
		tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q 'wireguard-go.* pipe0 *$' && kill -KILL "$p"
	done
fi
wait_until 30 via_is pipe4 || fail "pipe2's peer is gone: traffic still leaves on $(via)"
wait_until 10 sh -c "$WGM_BUILD_DIR/wgmesh --config $E2E_TMP/n0/config.json links --json | jq -e '.[] | select(.name == \"pipe2\") | .state == \"dead\"' >/dev/null" ||
	fail "pipe2 is not reported dead"
e2e_daemon_start 2
wait_until 40 via_is pipe2 || fail "node 2 came back: traffic did not return to pipe2"

e2e_log "ok"
