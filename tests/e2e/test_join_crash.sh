#!/usr/bin/env bash
# kill -9 of the joining and of the accepting daemon at several points of a
# connect, then a restart of both: every state file parses, interfaces and
# state files match one for one on each node, and the link either works or is
# gone from both ends so that a new connect with a new token succeeds. Each
# round ends with a clean slate (disconnect) for the next.
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go nsenter unshare ping jq iptables

api=http://192.0.2.10:8080
e2e_pair
e2e_daemon_start 0
e2e_daemon_start 2

pid_of() { cat "$E2E_TMP/n$1/wgmeshd.pid"; }
ifaces() { ip -n "$(e2e_node_ns "$1")" -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | grep '^pipe' | sort || true; }
# wireguard-go processes running in node ID's namespace
wg_procs() { local p n=0; for p in $(ip netns pids "$(e2e_node_ns "$1")"); do [ "$(cat /proc/$p/comm 2>/dev/null)" = wireguard-go ] && n=$((n + 1)); done; echo $n; }
records() { ls "$E2E_TMP/n$1/state/links" 2>/dev/null | sed -n 's/\.json$//p' | sort; }

# consistent ROUND : the invariants after both daemons run again
consistent() {
	local round=$1 id f
	for id in 0 2; do
		while IFS= read -r -d '' f; do
			jq -e . "$f" >/dev/null 2>&1 || fail "$round: node $id: $(basename "$f") does not parse (torn)"
		done < <(find "$E2E_TMP/n$id/state" -type f -print0)
		# The daemon settles what it found (adopts, recreates, removes).
		wait_until 15 sh -c "[ \"\$(ip -n $(e2e_node_ns $id) -o link show | awk -F': ' '{print \$2}' | grep '^pipe' | sort)\" = \"\$(ls $E2E_TMP/n$id/state/links 2>/dev/null | sed -n 's/\\.json\$//p' | sort)\" ]" ||
			fail "$round: node $id: interfaces [$(ifaces $id | tr '\n' ' ')] but state files [$(records $id | tr '\n' ' ')]"
		# One wireguard-go per interface: none left over from a killed daemon.
		wait_until 10 sh -c "[ \$(ip netns pids $(e2e_node_ns $id) | while read p; do cat /proc/\$p/comm 2>/dev/null; done | grep -c '^wireguard-go\$') -eq $(ifaces $id | grep -c . || true) ]" ||
			fail "$round: node $id: $(wg_procs $id) wireguard-go processes for $(ifaces $id | grep -c . || true) interfaces"
	done
}

# settle ROUND : the link works, or is absent on both ends and a new join works
settle() {
	local round=$1 out token
	if [ -n "$(records 2)" ] && [ -n "$(records 0)" ] && wait_until 10 e2e_in 2 ping -c1 -W1 10.0.0.4; then
		e2e_log "$round: the link survived and works"
	else
		[ -z "$(records 2)" ] || e2e_log "$round: node 2 kept [$(records 2 | tr '\n' ' ')] without a working link"
		token=$(e2e_wgmesh 0 token 2>/dev/null) || fail "$round: wgmesh token failed"
		out=$(e2e_wgmesh 2 connect "$api" "$token" 2>&1) || fail "$round: a new join after the crash failed: $out"
		wait_until 10 e2e_in 2 ping -c1 -W1 10.0.0.4 || fail "$round: no ping after the new join"
		e2e_log "$round: the link was gone; a new join works"
	fi
	out=$(e2e_wgmesh 2 disconnect pipe0 2>&1) || fail "$round: disconnect failed: $out"
	wait_until 10 sh -c "[ -z \"\$(ls $E2E_TMP/n0/state/links)\" ]" || fail "$round: node 0 kept a link after disconnect"
}

# crash ROUND VICTIM DELAY : a connect from node 2, VICTIM (0 or 2) killed
# with SIGKILL DELAY seconds after the CLI started, then both restarted.
crash() {
	local round=$1 victim=$2 delay=$3 token cli
	token=$(e2e_wgmesh 0 token 2>/dev/null) || fail "$round: wgmesh token failed"
	e2e_wgmesh 2 connect "$api" "$token" >"$E2E_TMP/cli-$round.log" 2>&1 &
	cli=$!
	sleep "$delay"
	kill -KILL "$(pid_of "$victim")"
	wait "$(pid_of "$victim")" 2>/dev/null || true
	wait "$cli" 2>/dev/null || true
	e2e_log "$round: killed node $victim after ${delay}s; CLI said: $(head -c 200 "$E2E_TMP/cli-$round.log")"
	e2e_daemon_start "$victim"
	consistent "$round"
	settle "$round"
}

# lost_reply ROUND VICTIM : node 0 makes the link but its boxed reply never
# reaches node 2 (dropped in node 2's namespace); once node 0's link is up,
# VICTIM is killed (and for the joiner, node 0 too). Then the reply's path is
# opened again and the killed daemons restart.
# Node 0 holds a link node 2 knows nothing of: a new join must work anyway.
lost_reply() {
	local round=$1 victim=$2 token cli ns2
	ns2=$(e2e_node_ns 2)
	token=$(e2e_wgmesh 0 token 2>/dev/null) || fail "$round: wgmesh token failed"
	ip netns exec "$ns2" iptables -A INPUT -p tcp --sport 8080 -m string --algo bm --string '"box"' -j DROP
	: >"$E2E_TMP/n0/wgmeshd.log"
	e2e_wgmesh 2 connect "$api" "$token" >"$E2E_TMP/cli-$round.log" 2>&1 &
	cli=$!
	wait_until 15 e2e_log_has 0 "link pipe2 to node 2 is up" || fail "$round: node 0 never made pipe2"
	kill -KILL "$(pid_of "$victim")"
	wait "$(pid_of "$victim")" 2>/dev/null || true
	# A killed process's socket still sends what it had queued: the reply
	# stays blocked until node 2 gave up on it (its 10 s call timeout).
	wait "$cli" 2>/dev/null || true
	ip netns exec "$ns2" iptables -D INPUT -p tcp --sport 8080 -m string --algo bm --string '"box"' -j DROP
	[ -z "$(records 2)" ] || fail "$round: node 2 stored a link without the reply"
	if [ "$victim" = 2 ]; then
		kill -KILL "$(pid_of 0)"
		wait "$(pid_of 0)" 2>/dev/null || true
	fi
	e2e_log "$round: CLI said: $(head -c 200 "$E2E_TMP/cli-$round.log")"
	e2e_daemon_start 0
	[ "$victim" = 0 ] || e2e_daemon_start 2
	consistent "$round"
	[ "$(records 0)" = pipe2 ] || fail "$round: node 0 did not keep the link it made"
	settle "$round"
	e2e_log_has 0 "asks again for pipe2" || fail "$round: node 0 did not say it replaced pipe2"
}

lost_reply "reply lost, joiner killed" 2
lost_reply "reply lost, acceptor killed" 0

# A join takes well under 0.1 s here; the early delays land inside it.
for delay in 0 0.01 0.02 0.03 0.05 0.07 0.1 0.3; do
	crash "joiner-$delay" 2 "$delay"
	crash "acceptor-$delay" 0 "$delay"
done

# A joiner that lost its end (killed before it stored the reply, which the
# rounds above hit only by chance, or state wiped): node 0 still holds pipe2.
# The same node (same API key) joining again with a new token replaces it
# instead of getting 412.
token=$(e2e_wgmesh 0 token 2>/dev/null) || fail "wgmesh token failed"
out=$(e2e_wgmesh 2 connect "$api" "$token" 2>&1) || fail "join before the state loss failed: $out"
kill -KILL "$(pid_of 2)"
wait "$(pid_of 2)" 2>/dev/null || true
ip -n "$(e2e_node_ns 2)" link del pipe0
rm -f "$E2E_TMP/n2/state/links/pipe0.json"
e2e_daemon_start 2
[ "$(records 0)" = pipe2 ] || fail "node 0 lost pipe2 on its own"
consistent "lost end"
token=$(e2e_wgmesh 0 token 2>/dev/null) || fail "wgmesh token failed"
out=$(e2e_wgmesh 2 connect "$api" "$token" 2>&1) || fail "joining again after losing the link's end: $out"
wait_until 10 e2e_in 2 ping -c1 -W1 10.0.0.4 || fail "no ping after joining again"
e2e_log_has 0 "asks again for pipe2" || fail "node 0 did not say it replaced pipe2"
consistent "joined again"

# Disconnected and stopped, nothing of the test keeps running.
out=$(e2e_wgmesh 2 disconnect pipe0 2>&1) || fail "final disconnect failed: $out"
e2e_daemon_stop 0
e2e_daemon_stop 2
for id in 0 2; do
	wait_until 10 sh -c "[ \$(ip netns pids $(e2e_node_ns $id) | while read p; do cat /proc/\$p/comm 2>/dev/null; done | grep -c '^wireguard-go\$') -eq 0 ]" ||
		fail "node $id: $(wg_procs $id) wireguard-go processes left after disconnect and stop"
done

e2e_log "ok"
