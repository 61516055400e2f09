#!/usr/bin/env bash
# The console against a real wgmeshd, driven through tmux and read with
# capture-pane: the header shows the node, help and events open, a terminal
# below 80x24 gets a clear message and the screen comes back when enlarged,
# a stopped daemon shows as disconnected and the console reconnects by
# itself when it returns, and q quits with status 0.
# (Link rows, tokens and disconnect through keys: test_console_mesh.sh.)
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd tmux

ns=$(e2e_netns_add n)
dir=$E2E_TMP
sock=$dir/run/wgmeshd.sock
cfg=$dir/config.json
# A node is made the way an operator makes one.
ip netns exec "$ns" "$WGM_BUILD_DIR/wgmesh" --config "$cfg" init 6 --state-dir "$dir/state" --socket "$sock" \
	--backend userspace --ipv4 none --ipv6 none 2>>"$dir/init.log" || fail "wgmesh init failed: $(cat "$dir/init.log")"

wgmeshd=$WGM_BUILD_DIR/wgmeshd
wgmesh=$WGM_BUILD_DIR/wgmesh
tmux_sock="wgm-console-$E2E_TAG"
t() { tmux -L "$tmux_sock" "$@"; }
e2e_on_exit "tmux -L $tmux_sock kill-server"

start_daemon() {
	ip netns exec "$ns" "$wgmeshd" --config "$cfg" --foreground 2>>"$dir/daemon.log" &
	daemon_pid=$!
	e2e_on_exit "kill -KILL $daemon_pid"
	wait_until 10 "$wgmesh" --config "$cfg" status || fail "wgmeshd did not answer on $sock"
}

screen() { t capture-pane -p -t console; }
# on_screen PATTERN: waits until the pane shows PATTERN (grep -E).
on_screen() {
	wait_until 10 bash -c "tmux -L '$tmux_sock' capture-pane -p -t console | grep -qE -- \"\$1\"" _ "$1" ||
		fail "the console never showed '$1'; it shows:
$(screen)"
}

start_daemon
# The console's exit status lands in a file so the test can check q exits 0.
t new-session -d -s console -x 100 -y 30 \
	"env LANG=C.UTF-8 TERM=tmux-256color ASAN_OPTIONS=detect_leaks=1 '$wgmesh' --config '$cfg' 2>'$dir/console.err'; echo \$? >'$dir/console.rc'; sleep 60"

on_screen 'node 6 10\.0\.6\.1 fd10:0:6::1'
on_screen 'daemon: up'
on_screen 'no links yet'

t send-keys -t console '?'
on_screen 'KEYS \(any key closes this help\)'
on_screen 'issue a join token'
t send-keys -t console x
on_screen 'no links yet'

t send-keys -t console e
on_screen 'serving node 6'

t resize-window -t console -x 70 -y 20
on_screen 'needs at least 80x24; this terminal is 70x20'
t resize-window -t console -x 80 -y 24
on_screen 'serving node 6'

kill -TERM "$daemon_pid"
wait "$daemon_pid" || true
on_screen 'daemon: disconnected, retrying'
start_daemon
on_screen 'daemon: up'

t send-keys -t console q
wait_until 10 test -s "$dir/console.rc" || fail "the console did not quit on q"
[ "$(cat "$dir/console.rc")" = 0 ] || fail "the console exited $(cat "$dir/console.rc") on q: $(cat "$dir/console.err")"
[ ! -s "$dir/console.err" ] || fail "the console wrote to stderr: $(cat "$dir/console.err")"
e2e_log "ok"
