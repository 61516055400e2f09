#!/usr/bin/env bash
# Gotify notifications from a real daemon to a small HTTP receiver inside
# the node: both links to a peer die together -> ONE "down" message naming
# both; they come back -> an "up" message; the URL's token reaches the
# server in the URL only, never in a message or the log.
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go nsenter unshare jq

e2e_pair dual

secret=tok3nS3cr3t
url="http://127.0.0.1:9099/message?token=$secret"
cfg="$E2E_TMP/n0/config.json"
jq --arg u "$url" '.notifications.enabled = true | .notifications.gotifyDown = $u | .notifications.gotifyUp = $u
	| .notifications.gotifyError = $u' "$cfg" >"$cfg.new" && mv "$cfg.new" "$cfg"

sink="$E2E_TMP/sink.log"
: >"$sink"
e2e_in 0 "$WGM_BUILD_DIR/wgm-http-sink" 127.0.0.1 9099 "$sink" &
sink_pid=$!
e2e_on_exit "kill $sink_pid 2>/dev/null"

e2e_daemon_start 0
e2e_daemon_start 2
token=$(e2e_wgmesh 0 token 2>/dev/null) || fail "wgmesh token failed"
out=$(e2e_wgmesh 2 connect http://192.0.2.10:8080 "$token" 2>&1) || fail "connect failed: $out"
both_up() { [ "$(e2e_wgmesh 0 links --json | jq '[.[] | select(.state == "up" and .rtt_ms != null)] | length')" = 2 ]; }
wait_until 20 both_up || fail "pipe2 and pipe2v6 are not both measured up"

# Node 2 goes away: its daemon stops, its wireguard-go processes die.
e2e_daemon_stop 2
for p in $(ip netns pids "$(e2e_node_ns 2)"); do
	tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q '^[^ ]*wireguard-go ' && kill -KILL "$p"
done
dead_msg() { grep -q '"title":"wgmesh node 0: down' "$sink"; }
wait_until 30 dead_msg || fail "no down notification: $(cat "$sink")"
sleep 5 # later deaths of the same burst would fold into a second message
down_lines=$(grep -c '"title":"wgmesh node 0: down' "$sink")
[ "$down_lines" -le 2 ] || fail "the burst was not folded: $down_lines down messages: $(cat "$sink")"
first=$(grep -m1 '"title":"wgmesh node 0: down' "$sink")
[[ $first == "POST /message?token=$secret "* ]] || fail "not a POST to the configured URL: $first"
[[ $first == *pipe2\ *pipe2v6* || $first == *pipe2v6*pipe2\ * ]] || fail "one message does not name both links: $first"
[[ $first == *'"priority":8'* ]] || fail "down message priority: $first"
body=${first#* * }
[[ $body == *"$secret"* ]] && fail "the token is in a message: $body"

e2e_daemon_start 2
up_msg() { grep -q '"title":"wgmesh node 0: up' "$sink"; }
wait_until 40 up_msg || fail "no up notification: $(cat "$sink")"
grep '"title":"wgmesh node 0: up' "$sink" | grep -q 'pipe2' || fail "up message names no link"
grep -q "$secret" "$E2E_TMP/n0/wgmeshd.log" && fail "the token is in the daemon's log"

# `set` of a Gotify URL neither logs it nor sends it to event subscribers,
# and the file holding it is root's alone.
e2e_in 0 timeout 20 "$WGM_BUILD_DIR/wgmesh" --config "$cfg" events --follow >"$E2E_TMP/events.log" 2>&1 &
events_pid=$!
e2e_on_exit "kill $events_pid 2>/dev/null"
sleep 1
e2e_wgmesh 0 set gotifyDiag "http://127.0.0.1:9099/message?token=${secret}2" >/dev/null 2>&1 || fail "set gotifyDiag failed"
wait_until 20 grep -q 'set gotifyDiag (redacted)' "$E2E_TMP/n0/wgmeshd.log" || fail "set gotifyDiag not logged redacted: $(grep gotifyDiag "$E2E_TMP/n0/wgmeshd.log")"
wait_until 20 grep -q 'gotifyDiag' "$E2E_TMP/events.log" || fail "the set did not reach the events stream: $(cat "$E2E_TMP/events.log")"
kill "$events_pid" 2>/dev/null || true
grep -q "$secret" "$E2E_TMP/n0/wgmeshd.log" "$E2E_TMP/events.log" && fail "a Gotify token is in the log or the events"
[ "$(stat -c %a "$cfg")" = 600 ] || fail "config.json is mode $(stat -c %a "$cfg"), not 600"

e2e_log "ok"
