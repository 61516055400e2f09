#!/usr/bin/env bash
# wireguard-go's own output reaches the daemon's log through a pipe, tagged
# with the link, and folded: with the link's underlay blocked (iptables DROP
# in the node, so every send fails) a flood of pings makes wireguard-go write
# one error line per packet, yet the log grows by a few lines per distinct
# message, not one per packet (the bound comes from the folding rule in
# common/util/line_fold.h, counted from the log itself, not from timing).
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go nsenter unshare ping iptables

e2e_pair
e2e_daemon_start 0
e2e_daemon_start 2
token=$(e2e_wgmesh 0 token 2>/dev/null) || fail "wgmesh token failed"
out=$(e2e_wgmesh 2 connect http://192.0.2.10:8080 "$token" 2>&1) || fail "node 2 could not join: $out"
reach() { e2e_in 0 ping -c1 -W1 10.0.0.5; }
wait_until 30 reach || fail "node 0 cannot ping node 2 over pipe2"

log="$E2E_TMP/n0/wgmeshd.log"
before=$(wc -l <"$log")
start=$(date +%s)
# Every WireGuard datagram node 0 sends to node 2 fails with EPERM.
e2e_in 0 iptables -w -I OUTPUT -p udp -d 192.0.2.12 -j DROP
e2e_on_exit "e2e_in 0 iptables -w -D OUTPUT -p udp -d 192.0.2.12 -j DROP"
packets=400
e2e_in 0 ping -q -c "$packets" -i 0.002 -W 1 10.0.0.5 >/dev/null 2>&1 || true
# Stopping the daemon logs the summaries still pending (as wireguard-go
# exiting would), without waiting for a period to pass.
e2e_in 0 iptables -w -D OUTPUT -p udp -d 192.0.2.12 -j DROP
e2e_daemon_stop 0
elapsed=$(($(date +%s) - start))

new=$(tail -n +"$((before + 1))" "$log")
wg=$(grep -E '^(<[0-9]>)?pipe2: wireguard-go: ' <<<"$new" || true)
sends=$(grep -c 'Failed to send' <<<"$wg" || true)
[ "$sends" -ge 1 ] || fail "no 'Failed to send' line of wireguard-go for pipe2 in the log: $(tail -20 <<<"$new")"
summary=$(grep -E 'Failed to send .* repeated [0-9]+ times' <<<"$wg" | head -1)
[ -n "$summary" ] || fail "the repeated send failures were not summarised: $(head -20 <<<"$wg")"
repeated=$(grep -Eo 'repeated [0-9]+ times' <<<"$wg" | awk '{s += $2} END {print s + 0}')
# The flood really was one line per packet, or this test proves nothing.
[ "$repeated" -ge $((packets / 2)) ] || fail "only $repeated repeats were folded for $packets packets: $wg"
# Each distinct message (digits aside): once, one summary per 60 s period
# that passed, one at the end.
distinct=$(sed -E 's/ \.\.\. repeated [0-9]+ times? \(first [0-9:]+, last [0-9:]+\)$//; s/[0-9]+/#/g' <<<"$wg" | sort -u | wc -l)
bound=$((distinct * (2 + elapsed / 60 + 1)))
lines=$(wc -l <<<"$wg")
e2e_log "$lines wireguard-go lines for $packets packets ($repeated folded, $distinct distinct, bound $bound)"
[ "$lines" -le "$bound" ] || fail "$lines wireguard-go lines for $distinct distinct messages over ${elapsed}s (bound $bound): $wg"
# Lines name their link, nothing bypasses the pipe.
! grep -Eq '^(<[0-9]>)?(ERROR|DEBUG|INFO): \(pipe2\)' "$log" || fail "a wireguard-go line reached the log untagged"

# With the daemon stopped nobody reads the pipe: wireguard-go goes on (no
# SIGPIPE, no blocking on a full pipe) and the restarted daemon adopts it
# and reads its output again.
wg_pid() {
	local pid
	for pid in $(ip netns pids "$(e2e_node_ns 0)"); do
		[ "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" = "$(command -v wireguard-go) pipe2 " ] && echo "$pid"
	done
	return 0
}
pid=$(wg_pid)
[ -n "$pid" ] || fail "node 0's wireguard-go for pipe2 is not running after the daemon stopped"
e2e_in 0 iptables -w -I OUTPUT -p udp -d 192.0.2.12 -j DROP
e2e_in 0 ping -q -c 200 -i 0.002 -W 1 10.0.0.5 >/dev/null 2>&1 || true
e2e_in 0 iptables -w -D OUTPUT -p udp -d 192.0.2.12 -j DROP
kill -0 "$pid" 2>/dev/null || fail "wireguard-go died writing its output with no daemon to read it"
after=$(wc -l <"$log")
start=$(date +%s)
e2e_daemon_start 0
wait_until 30 reach || fail "node 0 cannot ping node 2 over pipe2 after the daemon's restart"
[ "$(wg_pid)" = "$pid" ] || fail "wireguard-go for pipe2 was replaced ($pid -> $(wg_pid)), not adopted"

# The restarted daemon reads the adopted process's pipe again (taken from
# the process with pidfd_getfd): what it wrote while no daemon ran and what
# it writes now reach the log, tagged and folded like before.
wait_until 30 e2e_log_has 0 "pipe2: reading the output of the running $(command -v wireguard-go) (pid $pid) again" ||
	fail "the restarted daemon did not take the adopted wireguard-go's output: $(grep -E 'pipe2: .*(output|wireguard-go)' "$log" | tail -5)"
e2e_in 0 iptables -w -I OUTPUT -p udp -d 192.0.2.12 -j DROP
e2e_in 0 ping -q -c "$packets" -i 0.002 -W 1 10.0.0.5 >/dev/null 2>&1 || true
e2e_in 0 iptables -w -D OUTPUT -p udp -d 192.0.2.12 -j DROP
e2e_daemon_stop 0
elapsed=$(($(date +%s) - start))
wg=$(tail -n +"$((after + 1))" "$log" | grep -E '^(<[0-9]>)?pipe2: wireguard-go: ' || true)
grep -Eq 'Failed to send .* repeated [0-9]+ times' <<<"$wg" ||
	fail "the adopted wireguard-go's send failures are not in the restarted daemon's log, folded: $(head -20 <<<"$wg")"
repeated=$(grep -Eo 'repeated [0-9]+ times' <<<"$wg" | awk '{s += $2} END {print s + 0}')
# At most 200 lines were waiting in the pipe: more than that plus half the
# new flood means the lines written since the restart were read too.
[ "$repeated" -ge $((200 + packets / 2)) ] ||
	fail "the restarted daemon folded only $repeated repeats (200 waiting + $packets new packets): $wg"
distinct=$(sed -E 's/ \.\.\. repeated [0-9]+ times? \(first [0-9:]+, last [0-9:]+\)$//; s/[0-9]+/#/g' <<<"$wg" | sort -u | wc -l)
bound=$((distinct * (2 + elapsed / 60 + 1)))
lines=$(wc -l <<<"$wg")
[ "$lines" -le "$bound" ] || fail "$lines wireguard-go lines after the restart for $distinct distinct messages over ${elapsed}s (bound $bound): $wg"
! grep -Eq '^(<[0-9]>)?(ERROR|DEBUG|INFO): \(pipe2\)' "$log" || fail "a wireguard-go line reached the log untagged"
e2e_log "after the restart: $lines wireguard-go lines, $repeated repeats folded"

e2e_log "ok"
