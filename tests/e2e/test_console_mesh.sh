#!/usr/bin/env bash
# The console against real daemons joined into a mesh, driven through tmux
# and read with capture-pane: a link row appears when a node joins (from the
# event stream), the detail and help screens open, a token issued with `t`
# is the one `wgmesh token list` shows and another node joins with it through
# its console's `c`, each row shows the RTT the daemon measures, `r` drains
# the selected link and `r` again undrains it (row, `wgmesh links`, events
# and BIRD agree), `C` sets and clears a cost override, the nodes view shows
# this node as self,
# disconnecting with `d` `y` removes the link on both ends (as `wgmesh links`
# says), and `d` `f` removes a link on this end alone.
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd tmux wireguard-go nsenter unshare bird birdc jq

e2e_node_add 0
e2e_node_add 2
e2e_node_add 4
e2e_underlay 0 2 4
e2e_node_init 0 public --ipv4 192.0.2.10 --ipv6 2001:db8::10
e2e_node_init 2 --ipv4 192.0.2.12 --ipv6 2001:db8::12
e2e_node_init 4 --ipv4 192.0.2.14 --ipv6 none
# BIRD on node 0 only: its link costs are real (a drain reaches OSPF) while
# nodes 2 and 4, without BIRD, learn no routes and build no links of their own.
e2e_bird_start 0
e2e_daemon_start 0
e2e_daemon_start 2
e2e_daemon_start 4

tmux_sock="wgm-consmesh-$E2E_TAG"
t() { tmux -L "$tmux_sock" "$@"; }
e2e_on_exit "tmux -L $tmux_sock kill-server"

# console_start SESSION ID COLS ROWS: the console of node ID in a tmux session;
# its exit status lands in a file so the test can check q exits 0.
console_start() {
	local s=$1 id=$2
	t new-session -d -s "$s" -x "$3" -y "$4" \
		"env LANG=C.UTF-8 TERM=tmux-256color nsenter -t ${E2E_HOLDER[$id]} -m -n \
		'$WGM_BUILD_DIR/wgmesh' --config '$E2E_TMP/n$id/config.json' 2>'$E2E_TMP/$s.err'; \
		echo \$? >'$E2E_TMP/$s.rc'; sleep 60"
}
screen() { t capture-pane -p -J -t "$1"; }
# on_screen SESSION PATTERN [SECONDS] / off_screen SESSION PATTERN: wait until
# the pane shows (or no longer shows) PATTERN (grep -E).
on_screen() {
	wait_until "${3:-15}" bash -c "tmux -L '$tmux_sock' capture-pane -p -J -t '$1' | grep -qE -- \"\$2\"" _ "$1" "$2" ||
		fail "console $1 never showed '$2'; it shows:
$(screen "$1")"
}
off_screen() {
	wait_until 15 bash -c "! tmux -L '$tmux_sock' capture-pane -p -J -t '$1' | grep -qE -- \"\$2\"" _ "$1" "$2" ||
		fail "console $1 still shows '$2':
$(screen "$1")"
}
console_quit() {
	t send-keys -t "$1" q
	wait_until 10 test -s "$E2E_TMP/$1.rc" || fail "console $1 did not quit on q"
	[ "$(cat "$E2E_TMP/$1.rc")" = 0 ] || fail "console $1 exited $(cat "$E2E_TMP/$1.rc"): $(cat "$E2E_TMP/$1.err")"
	[ ! -s "$E2E_TMP/$1.err" ] || fail "console $1 wrote to stderr: $(cat "$E2E_TMP/$1.err")"
}

console_start c0 0 100 30
on_screen c0 'node 0 10\.0\.0\.1'
on_screen c0 'no links yet'

# Node 2 joins; the rows come from the daemon's events, not from a restart.
token=$(e2e_wgmesh 0 token --ttl 10m 2>/dev/null) || fail "wgmesh token failed"
out=$(e2e_wgmesh 2 connect http://192.0.2.10:8080 "$token" 2>&1) || fail "connect failed: $out"
on_screen c0 '^pipe2 +2 .*up '
on_screen c0 '^pipe2v6 +2 .*up '
on_screen c0 'links 2/2 up'

# The RTT column fills from the daemon's metrics events (the console asked
# for "links" before the join, when there were none) within a few probe
# rounds: a figure in ms where the row showed '-'.
rtt='[0-9]+(\.[0-9]+)?m?s'
on_screen c0 "^pipe2 +2 .*up +$rtt +[0-9.]+%" 30
on_screen c0 "^pipe2v6 +2 .*up +$rtt +[0-9.]+%" 30

# link_field LINK FIELD: node 0's `wgmesh links --json` for one link.
link_field() { e2e_wgmesh 0 links --json | jq -c --arg l "$1" --arg f "$2" '.[] | select(.name == $l) | .[$f]'; }
# events_have PATTERN: node 0's `wgmesh events` has a line matching PATTERN
# (grep -E; read whole, since grep -q would cut the pipe under pipefail).
events_have() { local out; out=$(e2e_wgmesh 0 events) && grep -qE -- "$1" <<<"$out"; }
# bird_cost IFACE: the cost node 0's BIRD runs on IFACE (OSPFv2, protocol ospf4).
bird_cost() {
	local out
	out=$(e2e_in 0 birdc -s "$E2E_TMP/n0/bird.ctl" show ospf interface ospf4 "\"$1\"") || return 1
	sed -n 's/^[[:space:]]*Cost: \([0-9]*\)$/\1/p' <<<"$out" | head -n 1
}
bird_cost_is() { [ "$(bird_cost "$1")" = "$2" ]; }
bird_cost_below_drain() { local c; c=$(bird_cost "$1"); [ -n "$c" ] && [ "$c" -lt 65000 ]; }

# r on the selected row (the first: pipe2) drains it: the status line and
# the row's COST (65000, marked D) say so, and the daemon agrees.
screen c0 | grep -qE '^pipe2 .*[0-9]D ' && fail "pipe2 shows drained before r: $(screen c0)"
t send-keys -t c0 Home r
on_screen c0 'pipe2 drained: cost 65000, traffic leaves it'
on_screen c0 '^pipe2 +2 .* 65000D '
screen c0 | grep -qE '^pipe2v6 .*[0-9]D ' && fail "r on pipe2 shows pipe2v6 drained too: $(screen c0)"
[ "$(link_field pipe2 drained)" = true ] || fail "wgmesh links does not show pipe2 drained after r"
[ "$(link_field pipe2v6 drained)" = false ] || fail "r on pipe2 drained pipe2v6 in the daemon"
events_have 'log notice: link pipe2: drained' ||
	fail "wgmesh events has no drain of pipe2: $(e2e_wgmesh 0 events | tail -5)"
wait_until 30 events_have 'cost \{"name":"pipe2","new":65000,.*"reason":"drained"' ||
	fail "wgmesh events has no cost event of pipe2 to 65000 (drained): $(e2e_wgmesh 0 events | grep ' cost ' | tail -3)"
wait_until 30 bird_cost_is pipe2 65000 || fail "BIRD runs pipe2 at cost '$(bird_cost pipe2)' after r, not 65000"

# r again undrains it: back to its measured cost, no D.
t send-keys -t c0 r
on_screen c0 'pipe2 undrained: cost [0-9]+'
off_screen c0 '^pipe2 +2 .*[0-9]D '
[ "$(link_field pipe2 drained)" = false ] || fail "wgmesh links still shows pipe2 drained after the second r"
events_have 'log notice: link pipe2: undrained' ||
	fail "wgmesh events has no undrain of pipe2: $(e2e_wgmesh 0 events | tail -5)"
wait_until 30 events_have 'cost \{"name":"pipe2","new":[0-9]+,"old":65000,' ||
	fail "wgmesh events has no cost event of pipe2 from 65000: $(e2e_wgmesh 0 events | grep ' cost ' | tail -3)"
wait_until 30 bird_cost_below_drain pipe2 || fail "BIRD runs pipe2 at cost '$(bird_cost pipe2)' after the second r"

# C sets an override (the row's COST marked *), an empty answer clears it.
t send-keys -t c0 C
on_screen c0 'Cost override for pipe2 \(1-65535'
t send-keys -t c0 -l 4242
t send-keys -t c0 Enter
on_screen c0 'pipe2: cost 4242 \(operator override\)'
on_screen c0 '^pipe2 +2 .* 4242\* '
[ "$(link_field pipe2 override)" = 4242 ] || fail "wgmesh links shows override $(link_field pipe2 override) after C 4242"
wait_until 30 bird_cost_is pipe2 4242 || fail "BIRD runs pipe2 at cost '$(bird_cost pipe2)' after C 4242, not 4242"
t send-keys -t c0 C
on_screen c0 'Cost override for pipe2 .*empty clears override 4242'
t send-keys -t c0 Enter
on_screen c0 'pipe2: cost [0-9]+ \(override cleared\)'
off_screen c0 '^pipe2 +2 .*[0-9]\* '
[ "$(link_field pipe2 override)" = null ] || fail "wgmesh links shows override $(link_field pipe2 override) after C cleared it"

# The nodes view lists this node (BIRD routes no other here) as self.
t send-keys -t c0 n
on_screen c0 '^ +0 +10\.0\.0\.1 .* self *$'
t send-keys -t c0 l
on_screen c0 '^NAME'

# At 80x24 the rows stay (columns drop, rows do not).
t resize-window -t c0 -x 80 -y 24
on_screen c0 '^pipe2 +2 .*up '

# Detail of the selected (first) link, then back.
t send-keys -t c0 Enter
on_screen c0 '^ pipe2  node 2  up '
on_screen c0 'local 10\.0\.0\.4/31  remote 10\.0\.0\.5'
on_screen c0 'RTT over'
t send-keys -t c0 Escape
on_screen c0 '^NAME'

t send-keys -t c0 '?'
on_screen c0 'KEYS \(any key closes this help\)'
on_screen c0 'disconnect link'
t send-keys -t c0 x
on_screen c0 '^pipe2 +2 .*up '

# t: TTL 10m, 1 use. The token is wider than 80 columns; -J joins the rows
# the terminal wrapped, as a copy from the terminal would.
t send-keys -t c0 t
on_screen c0 'Token TTL'
t send-keys -t c0 10m Enter
on_screen c0 'Uses \[1\]'
t send-keys -t c0 Enter
on_screen c0 'Join token \(shown once'
console_token=$(screen c0 | grep -oE '^wgm1-[A-Za-z0-9_=-]+' || true)
[[ $console_token == wgm1-* ]] || fail "no token on the screen: $(screen c0)"
id=$(screen c0 | grep -oE 'id [0-9a-f]{8}' | cut -d' ' -f2)
[ -n "$id" ] || fail "the token box shows no id: $(screen c0)"
e2e_wgmesh 0 token list | grep -q "$id" || fail "token $id is not in 'wgmesh token list': $(e2e_wgmesh 0 token list 2>&1)"
t send-keys -t c0 x
off_screen c0 'wgm1-'

# Node 4 joins through its own console's c, with the token copied from the
# screen of node 0's (the URL prompt takes HOST:PORT).
console_start c4 4 80 24
on_screen c4 'no links yet'
t send-keys -t c4 c
on_screen c4 'Connect to \(HOST'
t send-keys -t c4 -l 192.0.2.10:8080
t send-keys -t c4 Enter
on_screen c4 'Token:'
t send-keys -t c4 -l "$console_token"
t send-keys -t c4 Enter
on_screen c4 'connected to node 0: pipe0'
screen c4 | grep -qF -- "${console_token:5:20}" && fail "the console echoed the token it was given"
on_screen c4 '^pipe0 +0 .*up '
e2e_wgmesh 4 links --json | grep -q '"pipe0"' || fail "node 4 has no pipe0 after c"
on_screen c0 '^pipe4 +4 .*up '
console_quit c4

# d y on node 2 (its link knows node 0's API URL): both ends lose the link.
console_start c2 2 80 24
on_screen c2 '^pipe0v6 +0 .*up '
# The filter prompt first: keys arriving as one burst with no prompt open
# are a paste, which the console drops (docs/console.md, Pasting).
t send-keys -t c2 /
on_screen c2 'Filter'
t send-keys -t c2 v6 Enter
on_screen c2 "filter 'v6': 1 of 2 links"
t send-keys -t c2 d
on_screen c2 'Disconnect pipe0v6 \(node 0\)\?'
t send-keys -t c2 y
on_screen c2 'disconnected pipe0v6'
off_screen c2 '^pipe0v6 '
e2e_wgmesh 2 links --json | grep -q '"pipe0v6"' && fail "node 2 still lists pipe0v6 after d y"
wait_until 10 sh -c "! '$WGM_BUILD_DIR/wgmesh' --config '$E2E_TMP/n0/config.json' links --json 2>/dev/null | grep -q '\"pipe2v6\"'" ||
	fail "node 0 still lists pipe2v6"
off_screen c0 '^pipe2v6 '
e2e_wgmesh 2 links --json | grep -q '"pipe0"' || fail "d y on pipe0v6 took pipe0 too"

# Any key other than y or f cancels.
t send-keys -t c0 /
on_screen c0 'Filter'
t send-keys -t c0 pipe4 Enter
on_screen c0 "filter 'pipe4': 1 of"
t send-keys -t c0 d
on_screen c0 'Disconnect pipe4 \(node 4\)\?'
t send-keys -t c0 n
on_screen c0 'disconnect cancelled'
e2e_wgmesh 0 links --json | grep -q '"pipe4"' || fail "a cancelled disconnect removed pipe4"

# d f removes the link on this end even when the other end is not told.
t send-keys -t c0 d
on_screen c0 'Disconnect pipe4 \(node 4\)\?'
t send-keys -t c0 f
on_screen c0 'disconnected pipe4'
e2e_wgmesh 0 links --json | grep -q '"pipe4"' && fail "node 0 still lists pipe4 after d f"

console_quit c2
console_quit c0
e2e_log "ok"
