#!/usr/bin/env bash
# The lab's network without the daemon: nodes on the underlay bridge reach each
# other over IPv4 and IPv6, `impair` adds delay and loss to one path only,
# `clear` restores it, and `down` leaves nothing behind, also after the lab
# itself was killed half-way through `up`.
. "$(dirname "$0")/lib.sh"

e2e_require_root
e2e_require_cmd ip nsenter unshare setsid iptables ip6tables ping

LAB=$WGM_SRC_DIR/tests/lab/wgmesh-lab
export WGMLAB_PREFIX="l$E2E_TAG"
export WGMLAB_BIN_DIR=$WGM_BUILD_DIR
[ -x "$WGMLAB_BIN_DIR/wgmesh-delayq" ] || fail "wgmesh-delayq is not built in $WGMLAB_BIN_DIR"
e2e_on_exit "'$LAB' down"

lab() { "$LAB" "$@" >>"$E2E_TMP/lab.log" 2>&1 || fail "wgmesh-lab $* failed: $(tail -n 1 "$E2E_TMP/lab.log")"; }

# min_rtt_ms FROM ADDR -> the minimum RTT of 10 pings, in whole ms (rounded up)
min_rtt_ms() {
	"$LAB" exec "$1" ping -q -c 10 -i 0.05 -W 2 "$2" |
		awk -F'[/ ]' '/^rtt/ { printf "%d\n", $7 + 0.999 }'
}

# loss_pct FROM ADDR COUNT -> percentage of pings lost
loss_pct() {
	"$LAB" exec "$1" ping -q -c "$3" -i 0.005 -W 1 "$2" |
		awk '/packets transmitted/ { printf "%d\n", ($1 - $4) * 100 / $1 }'
}

# A zombie is gone for our purpose (PID 1 reaps it in its own time).
# Read once: a process may be reaped between two reads of its stat file.
running() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

# Everything of this lab that runs: PIDs inside its namespaces.
lab_pids() {
	local ns
	for ns in $(ip netns list | awk '{print $1}' | grep -E "^$WGMLAB_PREFIX-" || true); do
		ip netns pids "$ns"
	done
}

assert_nothing_left() {
	local what=$1 pids=$2 pid
	ip netns list | awk '{print $1}' | grep -qE "^$WGMLAB_PREFIX-" && fail "$what: a namespace of the lab is left: $(ip netns list | grep "$WGMLAB_PREFIX-")"
	for pid in $pids; do
		running "$pid" && fail "$what: process $pid ($(cat "/proc/$pid/comm")) is still running"
	done
	grep -q "$WGMLAB_PREFIX-" /proc/self/mountinfo && fail "$what: a mount of the lab is left: $(grep "$WGMLAB_PREFIX-" /proc/self/mountinfo)"
	[ -e "/run/wgmesh-lab/$WGMLAB_PREFIX" ] && fail "$what: state directory /run/wgmesh-lab/$WGMLAB_PREFIX is left"
	return 0
}

e2e_log "up 3 --no-daemon (prefix $WGMLAB_PREFIX)"
lab up 3 --no-daemon

e2e_log "nodes reach each other over the bridge, IPv4 and IPv6"
for pair in "0 192.0.2.12" "0 2001:db8::12" "2 192.0.2.14" "4 2001:db8::10"; do
	set -- $pair
	"$LAB" exec "$1" ping -q -c 1 -W 2 "$2" >/dev/null || fail "node $1 cannot ping $2 over the underlay"
done

e2e_log "each node has its own /etc/wgmesh and /run/wgmesh"
"$LAB" exec 0 touch /etc/wgmesh/mark-of-node-0
[ -e "/run/wgmesh-lab/$WGMLAB_PREFIX/0/etc/mark-of-node-0" ] || fail "node 0's /etc/wgmesh is not its lab directory"
"$LAB" exec 2 test ! -e /etc/wgmesh/mark-of-node-0 || fail "node 2 sees node 0's /etc/wgmesh"
[ ! -e /etc/wgmesh/mark-of-node-0 ] || fail "the host sees node 0's /etc/wgmesh"

e2e_log "impair 0 2 --delay 40: the 0<->2 round trip grows by 40 ms, 0<->4 stays fast"
lab impair 0 2 --delay 40
for pair in "0 192.0.2.12" "0 2001:db8::12" "2 192.0.2.10"; do
	set -- $pair
	rtt=$(min_rtt_ms "$1" "$2")
	[ -n "$rtt" ] || fail "node $1: no reply from $2 with the delay on"
	[ "$rtt" -ge 32 ] && [ "$rtt" -lt 240 ] || fail "node $1 -> $2: min RTT ${rtt} ms with --delay 40 (expected 32-240)"
done
rtt=$(min_rtt_ms 0 192.0.2.14)
[ -n "$rtt" ] && [ "$rtt" -lt 20 ] || fail "node 0 -> 4: min RTT '${rtt}' ms, but that path is not impaired"

e2e_log "impair 0 2 --loss 50: about half the pings are lost, 0<->4 loses none"
lab impair 0 2 --loss 50
for addr in 192.0.2.12 2001:db8::12; do
	loss=$(loss_pct 0 "$addr" 300)
	[ -n "$loss" ] && [ "$loss" -ge 30 ] && [ "$loss" -le 70 ] || fail "node 0 -> $addr: lost '${loss}' % with --loss 50 (expected 30-70)"
done
rtt=$(min_rtt_ms 0 192.0.2.12)
[ -n "$rtt" ] && [ "$rtt" -lt 20 ] || fail "--loss 50 alone still delays 0 -> 2 (min RTT '${rtt}' ms): the old delay was not replaced"
loss=$(loss_pct 0 192.0.2.14 100)
[ "$loss" -le 1 ] || fail "node 0 -> 4 lost ${loss} %, but that path is not impaired"

e2e_log "clear 0 2 restores the path and removes the lab's rules and delay lines"
lab impair 0 2 --delay 40 --jitter 10 --loss 10
delayqs=$(cat "/run/wgmesh-lab/$WGMLAB_PREFIX"/*/delayq-*.pid | awk '{print $1}')
[ "$(echo "$delayqs" | wc -w)" -eq 2 ] || fail "expected one delay line per direction, found: $delayqs"
lab clear 0 2
rtt=$(min_rtt_ms 0 192.0.2.12)
[ -n "$rtt" ] && [ "$rtt" -lt 20 ] || fail "after clear, node 0 -> 2 min RTT is '${rtt}' ms"
loss=$(loss_pct 0 2001:db8::12 100)
[ "$loss" -le 1 ] || fail "after clear, node 0 -> 2 (IPv6) still loses ${loss} %"
for id in 0 2; do
	for ipt in iptables ip6tables; do
		"$LAB" exec "$id" $ipt -t mangle -S | grep -q wgmlab && fail "after clear, node $id still has $ipt rules of the lab"
	done
done
for pid in $delayqs; do
	running "$pid" && fail "after clear, delay line $pid still runs"
done

e2e_log "down leaves no namespace, process, mount or state"
pids=$(lab_pids)
[ -n "$pids" ] || fail "found no process of the running lab (holders should be there)"
lab impair 0 4 --delay 10
pids="$pids $(lab_pids)"
lab down
assert_nothing_left "down" "$pids"

e2e_log "kill -9 of the lab half-way through up; down still removes everything"
"$LAB" up 3 --no-daemon >>"$E2E_TMP/lab.log" 2>&1 &
up_pid=$!
wait_until 20 test -f "/run/wgmesh-lab/$WGMLAB_PREFIX/2/holder.pid" || fail "up did not reach node 2"
kill -9 "$up_pid"
wait "$up_pid" 2>/dev/null || true
pids=$(lab_pids)
[ -n "$pids" ] || fail "the killed up left no process to clean (the test lost its point)"
lab down
assert_nothing_left "down after kill -9" "$pids"
"$LAB" status >/dev/null 2>&1 && fail "status reports a lab after down"

e2e_log "pass"
