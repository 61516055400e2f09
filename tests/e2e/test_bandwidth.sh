#!/usr/bin/env bash
# Bandwidth mode (operationMode 2) with real daemons, BIRD, wireguard-go and
# iperf3 in three nodes (0, 2, 4, full mesh over IPv4): `set operationMode 1`
# is refused; `set operationMode 2` starts an iperf3 server per link that
# listens on the link's own address only; node 0's underlay towards node 2 is
# held to about 2 Mbit/s (iptables hashlimit), so its pipe2 measures less than
# pipe4 and ends with the higher cost; node 0 never runs two measurements at
# once; `set operationMode 0` stops its servers and brings the latency costs
# back; a run that hangs is killed; no iperf3 process outlives the daemons,
# even one killed by SIGKILL.
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go nsenter unshare ping bird jq iptables iperf3 ss pgrep

PORT=5301
# Every link measured every 20 s for 2 s, so the test waits seconds.
e2e_mesh3 ".bandwidthInterval = 20 | .bandwidthDuration = 2 | .bandwidthPort = $PORT | .bird.minReloadInterval = 2"

links_json() { e2e_wgmesh "$1" links --json; }
link_field() { # NODE LINK FIELD
	links_json "$1" | jq -r --arg n "$2" --arg f "$3" '.[] | select(.name == $n) | .[$f] // "null"'
}
both_up() {
	[ "$(link_field 0 pipe2 state)" = up ] && [ "$(link_field 0 pipe4 state)" = up ]
}
wait_until 60 both_up || fail "node 0's links are not up: $(e2e_wgmesh 0 links)"

# iperf3 processes running inside node ID (their command lines).
iperf_procs() {
	local p
	for p in $(ip netns pids "$(e2e_node_ns "$1")"); do
		{ tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null | grep '^iperf3[ -]' || true
	done
}

# --- the mode's values ---
if out=$(e2e_wgmesh 0 set operationMode 1 2>&1); then fail "operationMode 1 was accepted: $out"; fi
echo "$out" | grep -q 'operationMode: 1 is not supported' || fail "operationMode 1: unclear refusal: $out"
[ "$(echo "$out" | wc -l)" -eq 1 ] || fail "operationMode 1: more than one line: $out"
[ -z "$(iperf_procs 0)" ] || fail "iperf3 runs in latency mode: $(iperf_procs 0)"
links_json 0 | jq -e 'all(.[]; has("bandwidth_mbps") | not)' >/dev/null ||
	fail "bandwidth_mbps shown in latency mode"

# --- node 0 -> node 2 held to about 2 Mbit/s on the underlay ---
limit=(POSTROUTING -o u0 -d 192.0.2.12 -p udp -m hashlimit --hashlimit-name "bw$$" --hashlimit-above 250kb/s
	--hashlimit-burst 256kb -j DROP)
e2e_in 0 iptables -t mangle -A "${limit[@]}" || fail "iptables hashlimit rule refused"

for id in 0 2 4; do
	out=$(e2e_wgmesh $id set operationMode 2 2>&1) || fail "node $id: set operationMode 2: $out"
	echo "$out" | grep -q 'applied' || fail "node $id: operationMode 2 not applied live: $out"
done

# One measurement at a time on node 0: sample its iperf3 clients all along.
clients="$E2E_TMP/clients"
(while :; do
	pgrep -c --ns "${E2E_HOLDER[0]}" --nslist net -f '^iperf3 -c ' || true
	sleep 0.1
done >"$clients") &
sampler=$!
e2e_on_exit "kill $sampler 2>/dev/null"

# --- the servers listen on the link addresses only ---
local2=$(link_field 0 pipe2 local_addr)
local4=$(link_field 0 pipe4 local_addr)
want=$(printf '%s:%s\n' "${local2%/*}" $PORT "${local4%/*}" $PORT | sort)
listening() { e2e_in 0 ss -Hltnp | grep '"iperf3"' | awk '{print $4}' | sort; }
servers_right() { [ "$(listening)" = "$want" ]; }
wait_until 20 servers_right || fail "node 0's iperf3 servers listen on '$(listening | tr '\n' ' ')', want '$(echo $want)'"

# --- costs from the measurements: the held-down link costs more ---
measured() {
	links_json 0 | jq -e '[.[] | select(.name == "pipe2" or .name == "pipe4")] | length == 2 and
		all(.[]; .bandwidth_mbps != null and (.cost_detail | startswith("bandwidth")))' >/dev/null
}
wait_until 120 measured || fail "node 0's links were not measured: $(e2e_wgmesh 0 links); log: $(grep -i bandwidth "$E2E_TMP/n0/wgmeshd.log" | tail -5)"
order_right() {
	links_json 0 | jq -e '(map({(.name): .}) | add) as $l |
		$l.pipe2.bandwidth_mbps < $l.pipe4.bandwidth_mbps and
		$l.pipe2.cost > $l.pipe4.cost and $l.pipe2.cost_wanted > $l.pipe4.cost_wanted and
		$l.pipe4.cost > 1000' >/dev/null
}
wait_until 60 order_right || fail "pipe2 (held to 2 Mbit/s) does not cost more than pipe4: $(e2e_wgmesh 0 links)"
e2e_log "measured: $(links_json 0 | jq -c '[.[] | {name, bandwidth_mbps, cost}]')"
e2e_wgmesh 0 links | grep -q 'BANDWIDTH' || fail "wgmesh links shows no BANDWIDTH column in bandwidth mode"

kill "$sampler"
wait "$sampler" 2>/dev/null || true
max=$(sort -n "$clients" | tail -1)
[ "${max:-0}" -eq 1 ] || fail "node 0 ran ${max:-0} measurements at once at most (want 1)"

# --- back to latency mode on node 0 ---
out=$(e2e_wgmesh 0 set operationMode 0 2>&1) || fail "set operationMode 0: $out"
no_servers() { [ -z "$(iperf_procs 0)" ]; }
wait_until 10 no_servers || fail "iperf3 still runs on node 0 in latency mode: $(iperf_procs 0)"
# (Latency costs, with whatever jitter this loaded machine adds: far below
# any bandwidth cost.)
latency_costs() {
	links_json 0 | jq -e 'all(.[]; (has("bandwidth_mbps") | not) and .cost < 15000 and
		(.cost_detail | startswith("rtt")))' >/dev/null
}
wait_until 30 latency_costs || fail "latency costs did not come back: $(e2e_wgmesh 0 links)"

# --- a run that hangs is killed: node 0 again, with an iperf3 whose client
# never ends (its servers are the real one) ---
e2e_daemon_stop 0
fake="$E2E_TMP/fakebin"
mkdir -p "$fake"
printf '%s\n' '#!/bin/bash' \
	'case " $* " in *" -c "*) exec -a iperf3-hung sleep 1000 ;; esac' \
	'exec -a iperf3 /usr/bin/iperf3 "$@"' >"$fake/iperf3"
chmod +x "$fake/iperf3"
PATH="$fake:$PATH" e2e_daemon_start 0
out=$(e2e_wgmesh 0 set operationMode 2 2>&1) || fail "node 0: set operationMode 2 again: $out"
# The first hanging run's pid (the next link's run may follow it at once).
hung_pid() { ip netns pids "$(e2e_node_ns 0)" | xargs -r ps -o pid=,args= -p | awk '$2 == "iperf3-hung" {print $1; exit}'; }
hung() { [ -n "$(hung_pid)" ]; }
wait_until 60 hung || fail "node 0 started no measurement with the hanging iperf3"
pid=$(hung_pid)
wait_until 60 e2e_log_has 0 'did not finish within 17 s; killed' ||
	fail "the hanging run was not killed: $(grep -i bandwidth "$E2E_TMP/n0/wgmeshd.log" | tail -3)"
wait_until 5 sh -c "! kill -0 $pid" || fail "the hanging run (pid $pid) outlived its kill"

# --- nothing outlives the daemons ---
[ -n "$(iperf_procs 2)" ] || fail "node 2 (bandwidth mode) runs no iperf3 before it stops"
# Node 2's daemon dies without cleaning up (SIGKILL): its children die with it.
e2e_daemon_stop 2 KILL
for id in 0 4; do e2e_daemon_stop $id; done
none_in() { [ -z "$(iperf_procs "$1")" ]; }
for id in 0 2 4; do
	wait_until 10 none_in $id || fail "node $id: iperf3 outlived wgmeshd: $(iperf_procs $id)"
done

e2e_log "ok"
