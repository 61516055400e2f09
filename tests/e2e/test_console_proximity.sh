#!/usr/bin/env bash
# The console's proximity view (issue 14) against three real nodes (0, 2, 4,
# full mesh over IPv4, BIRD, wireguard-go), node 0's underlay towards node 2
# delayed by 80 ms, the console of node 0 in tmux at 80x24 with NO_COLOR:
# p lists node 4 before node 2, each with its address, RTT and link state;
# P with a cutoff that is not 0-60000 ms keeps the prompt open with the
# reason; a 40 ms cutoff shows the plan (disconnect the far 0-2 link), n
# leaves the links as they were, y removes the 0-2 link and node 2 stays
# reachable through node 4.
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd tmux wireguard-go nsenter unshare ping bird birdc jq iptables

e2e_mesh3

for e in "0 2" "2 0" "2 4" "4 2" "0 4" "4 0"; do
	# shellcheck disable=SC2086
	wait_until 60 e2e_ospf_edge 0 $e || fail "no OSPF adjacency $e"
done
# Links change only by the test from here on (mesh buildup would re-link).
for id in 0 2 4; do
	out=$(e2e_wgmesh $id disable mesh 2>&1) || fail "disable mesh on node $id: $out"
done

e2e_in 0 "$WGM_BUILD_DIR/wgmesh-delayq" --queue 7 --delay 80 >"$E2E_TMP/delayq.log" 2>&1 &
e2e_on_exit "kill $! 2>/dev/null"
wait_until 5 grep -q bound "$E2E_TMP/delayq.log" || fail "delay line did not bind: $(cat "$E2E_TMP/delayq.log")"
e2e_in 0 iptables -t mangle -A POSTROUTING -o u0 -d 192.0.2.12 -j NFQUEUE --queue-num 7 --queue-bypass

links_of_0() { e2e_wgmesh 0 links --json | jq -r '.[] | "\(.name)=\(.remote_id)"' | sort | tr '\n' ' '; }
before=$(links_of_0)
grep -q 'pipe2=2' <<<"$before" && grep -q 'pipe4=4' <<<"$before" || fail "node 0 lacks its links to 2 and 4: $before"

tmux_sock="wgm-conprox-$E2E_TAG"
t() { tmux -L "$tmux_sock" "$@"; }
e2e_on_exit "tmux -L $tmux_sock kill-server"
t new-session -d -s c0 -x 80 -y 24 \
	"env LANG=C.UTF-8 TERM=tmux-256color NO_COLOR=1 nsenter -t ${E2E_HOLDER[0]} -m -n \
	'$WGM_BUILD_DIR/wgmesh' --config '$E2E_TMP/n0/config.json' 2>'$E2E_TMP/c0.err'; echo \$? >'$E2E_TMP/c0.rc'; sleep 60"
screen() { t capture-pane -p -t c0; }
on_screen() {
	wait_until "${2:-15}" bash -c "tmux -L '$tmux_sock' capture-pane -p -t c0 | grep -qE -- \"\$1\"" _ "$1" ||
		fail "the console never showed '$1'; it shows:
$(screen)"
}
row_of() { screen | grep -nE "^ +$1 +192\.0\.2\.1$1 " | cut -d: -f1; }

on_screen 'node 0 10\.0\.0\.1'
on_screen 'links 2/2 up'

# --- the view: nearest first, address, RTT, link state ---
t send-keys -t c0 p
on_screen 'NODE +PUBLIC ADDRESS +RTT +LINKS'
on_screen '^ +4 +192\.0\.2\.14 +[0-9.]+ms +pipe4 \(up\)' 30
on_screen '^ +2 +192\.0\.2\.12 +[0-9.]+ms +pipe2 \(up\)'
on_screen 'proximity: 2 nodes measured, nearest first'
[ "$(row_of 4)" -lt "$(row_of 2)" ] || fail "node 4 (near) is not above node 2 (80 ms away):
$(screen)"
rtt2=$(screen | grep -E '^ +2 +192\.0\.2\.12 ' | awk '{ sub("ms", "", $3); print $3 }')
rtt4=$(screen | grep -E '^ +4 +192\.0\.2\.14 ' | awk '{ sub("ms", "", $3); print $3 }')
jq -e -n "$rtt2 >= 70 and $rtt4 < 40" >/dev/null || fail "RTTs do not show the 80 ms delay: node 2 $rtt2, node 4 $rtt4:
$(screen)"
screen | grep -q 'ACTION' && fail "a measurement shows an ACTION column:
$(screen)"
# p again measures anew, the rows stay meanwhile.
t send-keys -t c0 p
on_screen '^ +2 +192\.0\.2\.12 +[0-9.]+ms +pipe2 \(up\)'
on_screen 'proximity: 2 nodes measured'

# --- a refused cutoff keeps the prompt open with the reason and the input ---
t send-keys -t c0 P
on_screen 'Proximity cutoff in ms \(0-60000\): '
t send-keys -t c0 -l '70000'
t send-keys -t c0 Enter
on_screen "cutoff '70000' is not milliseconds from 0 to 60000"
on_screen 'Proximity cutoff in ms \(0-60000\): 70000'
t send-keys -t c0 C-u
t send-keys -t c0 -l 'abc'
t send-keys -t c0 Enter
on_screen "cutoff 'abc' is not milliseconds from 0 to 60000"
on_screen 'Proximity cutoff in ms \(0-60000\): abc'

# --- the plan for 40 ms: the far link goes, the near one stays; n: nothing ---
t send-keys -t c0 C-u
t send-keys -t c0 -l '40'
t send-keys -t c0 Enter
on_screen 'Apply the plan for cutoff 40 ms \(1 change, see ACTION\)\? y yes' 30
on_screen 'NODE +PUBLIC ADDRESS +RTT +LINKS +ACTION'
on_screen '^ +2 +192\.0\.2\.12 +[0-9.]+ms +pipe2 \(up\) +disconnect'
on_screen '^ +4 +192\.0\.2\.14 +[0-9.]+ms +pipe4 \(up\) +-( |$)'
on_screen 'cutoff 40 ms, plan only \(dry run\): nothing changed'
t send-keys -t c0 n
on_screen 'proximity: plan not applied, nothing changed'
sleep 3 # a change sent anyway would show by now
after=$(links_of_0)
[ "$after" = "$before" ] || fail "n changed node 0's links: before '$before', after '$after'"
on_screen 'links 2/2 up'

# --- y applies it: the far link goes, node 2 stays reachable via node 4 ---
t send-keys -t c0 P
on_screen 'Proximity cutoff in ms \(0-60000\): '
t send-keys -t c0 -l '40'
t send-keys -t c0 Enter
on_screen 'Apply the plan for cutoff 40 ms' 30
t send-keys -t c0 y
on_screen 'proximity cutoff 40 ms applied' 120
on_screen '^ +2 +192\.0\.2\.12 +[0-9.]+ms +[^ ]+ +disconnect +removed'
on_screen 'cutoff 40 ms, applied'
after=$(links_of_0)
grep -q 'pipe2=2' <<<"$after" && fail "y did not remove the far 0-2 link: $after"
grep -q 'pipe4=4' <<<"$after" || fail "y removed the near 0-4 link: $after"
on_screen 'links 1/1 up'
wait_until 60 e2e_in 0 ping -c1 -W1 10.0.2.1 >/dev/null || fail "node 2 unreachable from node 0 after the cutoff"

# --- help lists the keys; q quits cleanly ---
t send-keys -t c0 '?'
on_screen 'p +proximity; again measures'
on_screen 'P +proximity cutoff plan\+y/n'
t send-keys -t c0 Escape
t send-keys -t c0 q
wait_until 15 test -e "$E2E_TMP/c0.rc" || fail "the console did not quit on q"
[ "$(cat "$E2E_TMP/c0.rc")" = 0 ] || fail "the console exited $(cat "$E2E_TMP/c0.rc"): $(cat "$E2E_TMP/c0.err")"
e2e_log "ok"
