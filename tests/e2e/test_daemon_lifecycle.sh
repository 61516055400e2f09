#!/usr/bin/env bash
# wgmeshd starts from a config, serves status and events on its control
# socket, refuses a second instance, replaces a crashed one's stale socket,
# and stops cleanly on SIGTERM (socket file removed).
source "$(dirname "$0")/lib.sh"
e2e_require_root

ns=$(e2e_netns_add n)
dir=$E2E_TMP
sock=$dir/run/wgmeshd.sock
cfg=$dir/config.json
# A node is made the way an operator makes one.
ip netns exec "$ns" "$WGM_BUILD_DIR/wgmesh" --config "$cfg" init 4 --state-dir "$dir/state" --socket "$sock" \
	--backend userspace --ipv4 none --ipv6 none 2>>"$dir/init.log" || fail "wgmesh init failed: $(cat "$dir/init.log")"

wgmeshd=$WGM_BUILD_DIR/wgmeshd
wgmesh=$WGM_BUILD_DIR/wgmesh

start_daemon() {
	ip netns exec "$ns" "$wgmeshd" --config "$cfg" --foreground 2>>"$dir/daemon.log" &
	daemon_pid=$!
	e2e_on_exit "kill -KILL $daemon_pid"
	wait_until 10 "$wgmesh" --config "$cfg" status || fail "wgmeshd did not answer on $sock"
}

start_daemon
[ "$(stat -c %a "$sock")" = 660 ] || fail "socket mode is $(stat -c %a "$sock"), want 660"

status=$(ip netns exec "$ns" "$wgmesh" --config "$cfg" status --json)
echo "$status" | grep -q '"id": 4' || fail "status --json lacks the node id: $status"
echo "$status" | grep -q '"loopback4": "10.0.4.1"' || fail "status --json lacks loopback4: $status"
# No BIRD runs in this namespace: the daemon says so.
"$wgmesh" --config "$cfg" status | grep -q '^bird      down$' || fail "human status does not say bird is down"

# A second daemon must not take over a live socket.
if ip netns exec "$ns" "$wgmeshd" --config "$cfg" 2>"$dir/second.log"; then
	fail "a second wgmeshd started on a live socket"
fi
grep -q "another daemon is serving" "$dir/second.log" || fail "second wgmeshd gave no clear reason: $(cat "$dir/second.log")"

# events --follow sees a log line that is produced after it subscribed.
"$wgmesh" --config "$cfg" events --follow --json >"$dir/events.out" 2>&1 &
follow_pid=$!
e2e_on_exit "kill $follow_pid"
wait_until 10 grep -q '"event":"log"' "$dir/events.out" || fail "events --follow printed no replayed event"
kill -HUP "$daemon_pid"
wait_until 10 grep -q 'SIGHUP received' "$dir/events.out" || fail "events --follow did not show the SIGHUP log line"

# SIGTERM: clean exit, socket removed, the follower is told the daemon stopped.
kill -TERM "$daemon_pid"
wait "$daemon_pid" || fail "wgmeshd exited with status $? on SIGTERM"
[ ! -e "$sock" ] || fail "socket file $sock left behind after SIGTERM"
set +e
wait "$follow_pid"
follow_rc=$?
set -e
[ "$follow_rc" -eq 1 ] || fail "events --follow exited $follow_rc after the daemon stopped, want 1"
grep -q "the daemon stopped" "$dir/events.out" || fail "events --follow did not say the daemon stopped"

# A crashed daemon's socket file is replaced on the next start.
start_daemon
kill -KILL "$daemon_pid"
wait "$daemon_pid" 2>/dev/null || true
[ -S "$sock" ] || fail "expected the killed daemon's socket file to remain"
start_daemon
kill -TERM "$daemon_pid"
wait "$daemon_pid" || fail "restarted wgmeshd did not stop cleanly"
[ ! -e "$sock" ] || fail "socket file left behind after the second SIGTERM"
e2e_log "ok"
