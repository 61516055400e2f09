#!/usr/bin/env bash
# The console is safe to paste into and tells its figures whole (issue 17),
# against real daemons driven through tmux at 80x24 and read with
# capture-pane: a URL the connect prompt refuses keeps the prompt open with
# the reason and the input; a paste while no prompt is open (bracketed, or a
# burst from a terminal without it) runs no key (no prompt opens, the link
# stays, q in it does not quit); a paste into a prompt is text there; an
# event longer than the screen is read whole in the events view; a join
# shows each change once; the cost prompt starts empty and Enter on it
# clears the override; `s` then a column's key sorts; q closes help.
# `wgmesh connect` takes HOST:PORT and refuses a bad port with exit 2.
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd tmux wireguard-go nsenter unshare jq

e2e_node_add 0
e2e_node_add 2
e2e_underlay 0 2
e2e_node_init 0 public --ipv4 192.0.2.10 --ipv6 none
e2e_node_init 2 --ipv4 192.0.2.12 --ipv6 none
# No BIRD: the daemon reports it down with a message (its socket's path)
# longer than 80 columns, the long event this test reads.
e2e_daemon_start 0
e2e_daemon_start 2

tmux_sock="wgm-construth-$E2E_TAG"
t() { tmux -L "$tmux_sock" "$@"; }
e2e_on_exit "tmux -L $tmux_sock kill-server"
t new-session -d -s c0 -x 80 -y 24 \
	"env LANG=C.UTF-8 TERM=tmux-256color nsenter -t ${E2E_HOLDER[0]} -m -n \
	'$WGM_BUILD_DIR/wgmesh' --config '$E2E_TMP/n0/config.json' 2>'$E2E_TMP/c0.err'; echo \$? >'$E2E_TMP/c0.rc'; sleep 60"
screen() { t capture-pane -p -t c0; }
on_screen() {
	wait_until "${2:-15}" bash -c "tmux -L '$tmux_sock' capture-pane -p -t c0 | grep -qE -- \"\$1\"" _ "$1" ||
		fail "the console never showed '$1'; it shows:
$(screen)"
}
off_screen() {
	wait_until 15 bash -c "! tmux -L '$tmux_sock' capture-pane -p -t c0 | grep -qE -- \"\$1\"" _ "$1" ||
		fail "the console still shows '$1':
$(screen)"
}
still_running() { [ ! -e "$E2E_TMP/c0.rc" ] || fail "the console quit: $(cat "$E2E_TMP/c0.err")"; }
links_of_0() { e2e_wgmesh 0 links --json | jq -r '.[].name' | sort | tr '\n' ' '; }

on_screen 'node 0 10\.0\.0\.1'
on_screen 'no links yet'

# The long event: BIRD down with its socket's path, whole on the screen
# (wrapped, the continuation indented), not cut with ~ at 80 columns.
t send-keys -t c0 e
on_screen 'bird +BIRD down'
whole="bird: cannot connect to $E2E_TMP/n0/bird.ctl: No such file or directory"
wait_until 15 bash -c "tmux -L '$tmux_sock' capture-pane -p -t c0 | sed -n '/bird  *BIRD down/,\$p' | sed 's/^ *//' | tr '\n' ' ' | grep -qF -- \"\$1\"" _ "$whole" ||
	fail "the BIRD event is not readable whole ('$whole'):
$(screen)"

# The CLI takes HOST:PORT (no scheme) and refuses a bad port as a usage error.
token=$(e2e_wgmesh 0 token --ttl 10m 2>/dev/null) || fail "wgmesh token failed"
rc=0
out=$(e2e_wgmesh 2 connect 192.0.2.10:80a "$token" 2>&1) || rc=$?
[ "$rc" = 2 ] || fail "connect with port 80a exited $rc, not 2: $out"
head -n 1 <<<"$out" | grep -q "^wgmesh connect: URL '192.0.2.10:80a': the port is not a number" || fail "connect with port 80a said: $out"
out=$(e2e_wgmesh 2 connect 192.0.2.10:8080 "$token" 2>&1) || fail "connect 192.0.2.10:8080 failed: $out"

# Each change once: the join's link_state is there, the daemon's log line
# saying the same ("link pipe2 to node 2 is up") is not.
on_screen 'link_state +pipe2 up \(node 2\)'
sleep 2 # what arrives late would be a duplicate: give it the time to show
[ "$(screen | grep -cE 'pipe2 up \(node 2\)')" = 1 ] || fail "the link_state event shows more than once: $(screen)"
screen | grep -qE 'link pipe2 to node 2 is up' && fail "the join's log twin is shown beside its event: $(screen)"

t send-keys -t c0 l
on_screen '^pipe2 +2 .*up '
on_screen 'links 1/1 up'

# A refused URL: the prompt stays, with the reason and the input.
t send-keys -t c0 c
on_screen 'Connect to \(HOST, HOST:PORT'
t send-keys -t c0 -l 'http://192.0.2.10:80a'
t send-keys -t c0 Enter
on_screen 'the port is not a number from 1 to 65535'
on_screen 'Connect to .*: http://192\.0\.2\.10:80a'
# Pasted into the open prompt, text is text (no Enter, no key).
t send-keys -t c0 C-u
t set-buffer -b p1 'qd192.0.2.10:9'
t paste-buffer -p -b p1 -t c0
on_screen 'Connect to .*: qd192\.0\.2\.10:9'
still_running
t send-keys -t c0 Escape
off_screen 'Connect to'

# A token pasted with no prompt open: none of its letters is a key
# (t would open the token prompt, d y would disconnect, q would quit).
before=$(links_of_0)
t set-buffer -b p2 'wgm1-tdyqCtdyq/ey'
t paste-buffer -p -b p2 -t c0
on_screen 'ignored [0-9]+ pasted keys'
sleep 1
screen | grep -qE 'Token TTL|Disconnect pipe2|Cost override|Filter' && fail "a paste opened a prompt: $(screen)"
still_running
# The same from a terminal without bracketed paste: a burst, dropped.
t send-keys -t c0 -l 'tdyqtdyqCdy'
sleep 1
screen | grep -qE 'Token TTL|Disconnect pipe2|Cost override' && fail "a burst of keys opened a prompt: $(screen)"
still_running
[ "$(links_of_0)" = "$before" ] || fail "the pastes changed the links: '$before' -> '$(links_of_0)'"
on_screen '^pipe2 +2 .*up '

# The cost prompt starts empty; Enter on it clears the override.
t send-keys -t c0 C
on_screen 'Cost override for pipe2 \(1-65535\): \[no override'
t send-keys -t c0 -l 4242
t send-keys -t c0 Enter
on_screen 'pipe2: cost 4242 \(operator override\)'
[ "$(e2e_wgmesh 0 links --json | jq '.[] | select(.name == "pipe2") | .override')" = 4242 ] ||
	fail "the override did not reach the daemon"
t send-keys -t c0 C
on_screen 'Cost override for pipe2 \(1-65535\): \[empty clears override 4242'
t send-keys -t c0 Enter
on_screen 'pipe2: cost [0-9]+ \(override cleared\)'
[ "$(e2e_wgmesh 0 links --json | jq '.[] | select(.name == "pipe2") | .override')" = null ] ||
	fail "Enter on the empty cost prompt did not clear the override"

# s, then a column's key.
t send-keys -t c0 s
on_screen 'sort by: r rtt'
t send-keys -t c0 c
on_screen 'sorted by cost, descending'
on_screen 'sort cost desc'

# q closes help (the text says any key does), a second q quits.
t send-keys -t c0 '?'
on_screen 'KEYS \(any key closes this help\)'
t send-keys -t c0 q
on_screen '^pipe2 +2 .*up '
still_running
t send-keys -t c0 q
wait_until 10 test -s "$E2E_TMP/c0.rc" || fail "the console did not quit on q"
[ "$(cat "$E2E_TMP/c0.rc")" = 0 ] || fail "the console exited $(cat "$E2E_TMP/c0.rc"): $(cat "$E2E_TMP/c0.err")"
[ ! -s "$E2E_TMP/c0.err" ] || fail "the console wrote to stderr: $(cat "$E2E_TMP/c0.err")"
e2e_log "ok"
