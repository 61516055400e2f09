#!/usr/bin/env bash
# The lab with the real daemon: `wgmesh-lab up 3` makes nodes 0, 2 and 4, each
# joined to node 0 by token; pings cross every link; BIRD routes every node's
# loopback to every other; the console opens; `impair` slows down and
# `clear` restores the WireGuard underlay path between two nodes only; `down`
# leaves no namespace, process, mount or iptables rule behind.
. "$(dirname "$0")/lib.sh"

e2e_require_root
e2e_require_cmd ip nsenter unshare setsid iptables ip6tables iptables-save ping wireguard-go bird tmux

LAB=$WGM_SRC_DIR/tests/lab/wgmesh-lab
export WGMLAB_PREFIX="l$E2E_TAG"
export WGMLAB_BIN_DIR=$WGM_BUILD_DIR
e2e_on_exit "'$LAB' down"
LAB_DIR=/run/wgmesh-lab/$WGMLAB_PREFIX

lab() { "$LAB" "$@" >>"$E2E_TMP/lab.log" 2>&1 || fail "wgmesh-lab $* failed: $(tail -n 1 "$E2E_TMP/lab.log")"; }

# link_peer_addr FROM REMOTE_ID TRANSPORT -> the far end's IPv4 link address
# of FROM's link to REMOTE_ID over TRANSPORT (v4 or v6), from `wgmesh links`
# as a user reads it: the /31's other address.
link_peer_addr() {
	local local_addr
	local_addr=$("$LAB" exec "$1" wgmesh links --wide | awk -v id="$2" -v tp="$3" '$2 == id && $9 == tp { print $12 }')
	[[ $local_addr =~ ^([0-9]+\.[0-9]+\.[0-9]+\.)([0-9]+)/31$ ]] || return 1
	echo "${BASH_REMATCH[1]}$((BASH_REMATCH[2] ^ 1))"
}

# min_rtt_ms FROM ADDR -> the minimum RTT of 10 pings, in whole ms (rounded up)
min_rtt_ms() {
	"$LAB" exec "$1" ping -q -c 10 -i 0.05 -W 2 "$2" |
		awk -F'[/ ]' '/^rtt/ { printf "%d\n", $7 + 0.999 }'
}

# Read once: a process may be reaped between two reads of its stat file.
running() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

lab_pids() {
	local ns
	for ns in $(ip netns list | awk '{print $1}' | grep -E "^$WGMLAB_PREFIX-" || true); do
		ip netns pids "$ns"
	done
}

e2e_log "up 3 (prefix $WGMLAB_PREFIX): real wgmeshd, BIRD and wireguard-go in each node"
lab up 3

e2e_log "status shows every node's daemon, BIRD and links"
"$LAB" status >"$E2E_TMP/status" || fail "status failed"
for id in 0 2 4; do
	line=$(grep "^node $id " "$E2E_TMP/status") || fail "status has no line for node $id: $(cat "$E2E_TMP/status")"
	[[ $line =~ wgmeshd\ +[0-9]+\ +bird\ +[0-9]+ ]] || fail "node $id: wgmeshd or BIRD not running: $line"
	grep -A1 "^node $id " "$E2E_TMP/status" | grep -q 'links: pipe' || fail "status lists no link of node $id: $(cat "$E2E_TMP/status")"
done

e2e_log "every node has links to node 0 over IPv4 and IPv6 transport, and node 0 to each of them"
for id in 2 4; do
	"$LAB" exec "$id" wgmesh links --wide >"$E2E_TMP/links$id" || fail "node $id: wgmesh links failed"
	for tp in v4 v6; do
		awk -v tp="$tp" '$2 == 0 && $9 == tp && $3 == "up"' "$E2E_TMP/links$id" | grep -q . ||
			fail "node $id has no $tp link up to node 0: $(cat "$E2E_TMP/links$id")"
	done
done
"$LAB" exec 0 wgmesh links --wide >"$E2E_TMP/links0" || fail "node 0: wgmesh links failed"
for id in 2 4; do
	[ "$(awk -v id="$id" '$2 == id && $3 == "up"' "$E2E_TMP/links0" | wc -l)" -eq 2 ] ||
		fail "node 0 does not have two links up to node $id: $(cat "$E2E_TMP/links0")"
done

e2e_log "pings cross every link, both ways"
for id in 2 4; do
	for tp in v4 v6; do
		peer=$(link_peer_addr "$id" 0 "$tp") || fail "node $id: no $tp link address towards node 0"
		wait_until 10 "$LAB" exec "$id" ping -c1 -W1 "$peer" || fail "node $id cannot ping node 0 at $peer ($tp link)"
		back=$(link_peer_addr 0 "$id" "$tp") || fail "node 0: no $tp link address towards node $id"
		wait_until 10 "$LAB" exec 0 ping -c1 -W1 "$back" || fail "node 0 cannot ping node $id at $back ($tp link)"
	done
done

e2e_log "BIRD routes the mesh: every node reaches every other node's loopback, IPv4 and IPv6"
for from in 0 2 4; do
	for to in 0 2 4; do
		[ "$from" != "$to" ] || continue
		wait_until 60 "$LAB" exec "$from" ping -c1 -W1 "10.0.$to.1" ||
			fail "node $from cannot reach node $to's loopback 10.0.$to.1: $("$LAB" exec "$from" wgmesh status 2>&1 | tr '\n' ' ')"
		wait_until 30 "$LAB" exec "$from" ping -c1 -W1 "fd10:0:$to::1" ||
			fail "node $from cannot reach node $to's loopback fd10:0:$to::1"
	done
done

e2e_log "console 0 opens node 0's console with its links; q quits it"
tmux_sock="wgm-lab-$E2E_TAG"
e2e_on_exit "tmux -L $tmux_sock kill-server"
tmux -L "$tmux_sock" new-session -d -s lab -x 120 -y 30 \
	"env WGMLAB_PREFIX='$WGMLAB_PREFIX' WGMLAB_BIN_DIR='$WGMLAB_BIN_DIR' LANG=C.UTF-8 TERM=tmux-256color '$LAB' console 0 2>'$E2E_TMP/console.err'; echo \$? >'$E2E_TMP/console.rc'; sleep 60"
screen() { tmux -L "$tmux_sock" capture-pane -p -t lab; }
wait_until 15 sh -c "tmux -L '$tmux_sock' capture-pane -p -t lab | grep -q 'wgmesh node 0 '" ||
	fail "console 0 did not show node 0: $(screen | head -n 3) $(cat "$E2E_TMP/console.err")"
wait_until 15 sh -c "tmux -L '$tmux_sock' capture-pane -p -t lab | grep -q '^pipe4v6 '" ||
	fail "console 0 does not list node 0's links: $(screen | head -n 8)"
tmux -L "$tmux_sock" send-keys -t lab q
wait_until 10 test -s "$E2E_TMP/console.rc" || fail "the console did not quit on q"
[ "$(cat "$E2E_TMP/console.rc")" = 0 ] || fail "the console exited $(cat "$E2E_TMP/console.rc"): $(cat "$E2E_TMP/console.err")"

e2e_log "impair 0 2 --delay 100 slows both 0-2 links (IPv4 and IPv6 underlay), not 0-4"
p2v4=$(link_peer_addr 2 0 v4)
p2v6=$(link_peer_addr 2 0 v6)
p4v4=$(link_peer_addr 4 0 v4)
lab impair 0 2 --delay 100
for addr in "$p2v4" "$p2v6"; do
	rtt=$(min_rtt_ms 2 "$addr")
	[ -n "$rtt" ] || fail "node 2: no reply from $addr with the delay on"
	[ "$rtt" -ge 80 ] || fail "node 2 -> $addr: min RTT ${rtt} ms through the link with --delay 100 (expected >= 80)"
done
rtt=$(min_rtt_ms 4 "$p4v4")
[ -n "$rtt" ] && [ "$rtt" -lt 80 ] || fail "node 4 -> $p4v4: min RTT '${rtt}' ms, but the 0-4 path is not impaired"

e2e_log "impair 0 2 --loss 100 cuts the 0-2 links; clear restores them"
lab impair 0 2 --loss 100
"$LAB" exec 2 ping -q -c 5 -i 0.1 -W 1 "$p2v4" >/dev/null && fail "node 2 reached $p2v4 with --loss 100"
lab clear 0 2
wait_until 15 "$LAB" exec 2 ping -c1 -W1 "$p2v4" || fail "after clear, node 2 cannot ping $p2v4"
rtt=$(min_rtt_ms 2 "$p2v6")
[ -n "$rtt" ] && [ "$rtt" -lt 80 ] || fail "after clear, node 2 -> $p2v6 min RTT is '${rtt}' ms"
for id in 0 2; do
	for ipt in iptables ip6tables; do
		"$LAB" exec "$id" "$ipt" -t mangle -S | grep -q wgmlab && fail "after clear, node $id still has $ipt rules of the lab"
	done
done

e2e_log "down leaves no namespace, process (daemons, BIRD, wireguard-go), mount or rule"
lab impair 0 4 --delay 10
pids=$(lab_pids)
echo "$pids" | grep -q . || fail "found no process of the running lab"
wg_pids=$(for pid in $pids; do [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = wireguard-go ] && echo "$pid"; done || true)
[ "$(echo "$wg_pids" | wc -w)" -ge 8 ] || fail "expected at least 8 wireguard-go processes (two links per pair, both ends), found: $wg_pids"
lab down
ip netns list | awk '{print $1}' | grep -qE "^$WGMLAB_PREFIX-" && fail "a namespace of the lab is left: $(ip netns list | grep "$WGMLAB_PREFIX-")"
for pid in $pids; do
	running "$pid" && fail "process $pid ($(cat "/proc/$pid/comm" 2>/dev/null)) is still running after down"
done
grep -q "$LAB_DIR" /proc/self/mountinfo && fail "a mount of the lab is left: $(grep "$LAB_DIR" /proc/self/mountinfo)"
holders=$(grep -ls "$LAB_DIR" /proc/[0-9]*/mountinfo || true)
[ -z "$holders" ] || fail "processes still hold a mount of the lab: $holders"
[ -e "$LAB_DIR" ] && fail "state directory $LAB_DIR is left"
for ipt in iptables ip6tables; do
	"$ipt-save" -t mangle 2>/dev/null | grep -q "WGMLAB" && fail "the host's $ipt has a rule of a lab"
done
"$LAB" status >/dev/null 2>&1 && fail "status reports a lab after down"

e2e_log "pass"
