#!/usr/bin/env bash
# A daemon restart adopts the running WireGuard interfaces without resetting
# them: two nodes joined by token carry a TCP connection and some traffic
# over the link; node 0's daemon is stopped (SIGTERM) and started again, then
# node 2's is killed (SIGKILL) and started again. Each time the link's
# session survives: the peer's receive counter never goes back (a replaced
# peer starts from zero), its handshake time is not reset, and the TCP
# connection keeps echoing. Runs with wireguard-go here and with the
# kernel's WireGuard in the guest of vm.restart.
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go wg nsenter unshare ping

e2e_pair
e2e_daemon_start 0
e2e_daemon_start 2
for id in 0 2; do
	e2e_log_has $id "WireGuard backend: $(e2e_node_backend $id)" ||
		fail "node $id does not run the $(e2e_node_backend $id) backend: $(grep 'WireGuard backend' "$E2E_TMP/n$id/wgmeshd.log")"
done

token=$(e2e_wgmesh 0 token 2>/dev/null) || fail "wgmesh token failed"
out=$(e2e_wgmesh 2 connect http://192.0.2.10:8080 "$token" 2>&1) || fail "connect failed: $out"
wait_until 20 e2e_in 2 ping -c1 -W1 10.0.0.4 || fail "node 2 cannot ping node 0 over pipe0"

# The peer's figures as `wg` (not our code) reads them: handshake time, rx bytes.
peer_field() { # peer_field ID IFNAME COLUMN (5 handshake, 6 rx, 7 tx of `wg show dump`)
	e2e_in "$1" wg show "$2" dump | awk -v c="$3" 'NR == 2 { print $c }'
}

e2e_in 0 "$WGM_BUILD_DIR/wgm-tcp-hold" serve 10.0.0.4 7070 &
e2e_on_exit "kill $! 2>/dev/null"
listening() { e2e_in 0 ss -Hltn 'sport = :7070' | grep -q .; }
wait_until 10 listening || fail "the TCP server on node 0 did not listen"
st="$E2E_TMP/tcp.status"
e2e_in 2 "$WGM_BUILD_DIR/wgm-tcp-hold" client 10.0.0.4 7070 "$st" &
client=$!
e2e_on_exit "kill $client 2>/dev/null"
wait_until 10 grep -q '^ok' "$st" || fail "TCP client did not start: $(cat "$st" 2>/dev/null)"
# Some bulk, so that a counter that restarted from zero would be far below.
e2e_in 2 ping -q -c 50 -i 0.05 -s 1200 10.0.0.4 >/dev/null || fail "ping burst over pipe0 lost packets"

trips() { cut -d' ' -f2 "$st"; }
# restart_keeps_session ID SIGNAL : restarts node ID's daemon with SIGNAL and
# checks that node 0's pipe2 and node 2's pipe0 kept their sessions.
restart_keeps_session() {
	local id=$1 sig=$2 hs0 hs2 rx0 rx2 tx0 before lines
	wait_until 10 test "$(peer_field 0 pipe2 5)" -gt 0 || fail "node 0: no handshake on pipe2"
	hs0=$(peer_field 0 pipe2 5) rx0=$(peer_field 0 pipe2 6) tx0=$(peer_field 0 pipe2 7)
	hs2=$(peer_field 2 pipe0 5) rx2=$(peer_field 2 pipe0 6)
	before=$(trips)
	lines=$(wc -l <"$E2E_TMP/n$id/wgmeshd.log")
	e2e_daemon_stop "$id" "$sig"
	e2e_daemon_start "$id"
	up_again() { tail -n +"$((lines + 1))" "$E2E_TMP/n$id/wgmeshd.log" | grep -q "link pipe[02] is up"; }
	wait_until 20 up_again || fail "node $id: no 'link is up' after the restart: $(tail -3 "$E2E_TMP/n$id/wgmeshd.log")"
	# The daemon has gone through its links; give a reset time to show.
	sleep 2
	grep -q '^ok' "$st" || fail "the TCP connection broke across the restart of node $id: $(cat "$st")"
	wait_until 10 test "$(trips)" -gt "$before" || fail "the TCP connection stalled across the restart of node $id: $(cat "$st")"
	[ "$(peer_field 0 pipe2 6)" -ge "$rx0" ] || fail "node 0: pipe2's rx counter went back ($rx0 -> $(peer_field 0 pipe2 6)): the peer was replaced"
	[ "$(peer_field 2 pipe0 6)" -ge "$rx2" ] || fail "node 2: pipe0's rx counter went back ($rx2 -> $(peer_field 2 pipe0 6)): the peer was replaced"
	# The handshake is not undone either. (It may be redone: WireGuard
	# renews a session after 120 s, and repeats a handshake whose answer
	# took over 5 s, which a loaded machine or an emulated guest can cause;
	# a replaced peer has no handshake and its counters start from zero.)
	[ "$(peer_field 0 pipe2 5)" -ge "$hs0" ] || fail "node 0: pipe2's handshake time went back ($hs0 -> $(peer_field 0 pipe2 5))"
	[ "$(peer_field 2 pipe0 5)" -ge "$hs2" ] || fail "node 2: pipe0's handshake time went back ($hs2 -> $(peer_field 2 pipe0 5))"
	[ "$(peer_field 0 pipe2 7)" -ge "$tx0" ] || fail "node 0: pipe2's tx counter went back ($tx0 -> $(peer_field 0 pipe2 7))"
	e2e_log "restart of node $id (SIG$sig): session kept (rx $rx0 -> $(peer_field 0 pipe2 6)), TCP alive"
}
restart_keeps_session 0 TERM
restart_keeps_session 2 KILL
e2e_wgmesh 0 links --json | grep -q '"name": "pipe2"' || fail "node 0 lost pipe2 from its links"
kill "$client"
e2e_log "ok"
