#!/usr/bin/env bash
# The control plane of the obfuscated link types (docs/link-types.md): a node
# refuses a join asking for a link type it has not enabled, with the fix in
# the message; a join asking for no type gets defaultLinkType only where the
# other node accepts it; once enabled, ipt_xor, amneziawg and wgobfs links are made,
# shown with their type on both ends, their parameters equal in both ends'
# 0600 records and absent from logs and events; `wgmesh rotate` swaps an
# ipt_xor key on both ends while a TCP connection across the link lives on,
# and a wgobfs key too; a rotation cut short after staging resumes after a
# restart.
# Until the engine lands these links send plain WireGuard; every check here
# holds either way.
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go nsenter unshare ping jq

e2e_node_add 0
e2e_node_add 2
e2e_node_add 4
e2e_node_add 6
e2e_underlay 0 2 4 6
e2e_node_init 0 public --ipv4 192.0.2.10 --ipv6 none
e2e_node_init 2 --ipv4 192.0.2.12 --ipv6 none
e2e_node_init 4 --ipv4 192.0.2.14 --ipv6 none
e2e_node_init 6 --ipv4 192.0.2.16 --ipv6 none
for id in 0 2 4 6; do e2e_daemon_start $id; done
url=http://192.0.2.10:8080

# --- refused while disabled, with the fix in the message ---
e2e_wgmesh 0 disable ipt_xor >/dev/null || fail "disable ipt_xor failed"
token=$(e2e_wgmesh 0 token --uses 4 --ttl 10m 2>/dev/null) || fail "wgmesh token failed"
if out=$(e2e_wgmesh 2 connect $url "$token" ipt_xor 2>&1); then
	fail "a join asking for a disabled link type succeeded: $out"
fi
[[ $out == *"node 0 does not accept link type ipt_xor (enable it there with: wgmesh enable ipt_xor)"* ]] ||
	fail "refusal without the clear message: $out"
[ -z "$(ls -A "$E2E_TMP/n2/state/links" 2>/dev/null)" ] || fail "a refused join left a link record on node 2"
ip -n "$(e2e_node_ns 0)" link show pipe2 >/dev/null 2>&1 && fail "a refused join left pipe2 on node 0"

# --- no type asked for: defaultLinkType only where the other node accepts it ---
e2e_wgmesh 6 enable wgobfs >/dev/null || fail "enable wgobfs on node 6 failed"
out=$(e2e_wgmesh 6 set defaultLinkType wgobfs 2>&1) || fail "set defaultLinkType failed: $out"
[[ $out == "saved and applied" ]] || fail "defaultLinkType did not apply live: $out"
out=$(e2e_wgmesh 6 connect $url "$token" 2>&1) || fail "join without a type failed: $out"
[ "$(e2e_wgmesh 6 links --json | jq -r '.[0].link_type')" = default ] ||
	fail "node 0 does not accept wgobfs, yet the link is $(e2e_wgmesh 6 links --json | jq -r '.[0].link_type')"
out=$(e2e_wgmesh 6 disconnect pipe0 2>&1) || fail "disconnect failed: $out"

# --- enabled live (no restart), the types are made and shown ---
for t in ipt_xor amneziawg wgobfs; do
	out=$(e2e_wgmesh 0 enable $t 2>&1) || fail "enable $t failed: $out"
	[[ $out == "saved and applied" ]] || fail "enable $t did not apply live: $out"
done
out=$(e2e_wgmesh 2 connect $url "$token" ipt_xor 2>&1) || fail "ipt_xor join failed: $out"
out=$(e2e_wgmesh 4 connect $url "$token" amneziawg 2>&1) || fail "amneziawg join failed: $out"
# Node 6 asks for no type: its defaultLinkType, now that node 0 accepts it.
out=$(e2e_wgmesh 6 connect $url "$token" 2>&1) || fail "wgobfs join (defaultLinkType) failed: $out"

link_type() { e2e_wgmesh "$1" links --json | jq -r --arg n "$2" '.[] | select(.name == $n) | .link_type'; }
for pair in "2 pipe0 ipt_xor" "0 pipe2 ipt_xor" "4 pipe0 amneziawg" "0 pipe4 amneziawg" "6 pipe0 wgobfs" \
	"0 pipe6 wgobfs"; do
	set -- $pair
	[ "$(link_type $1 $2)" = "$3" ] || fail "node $1 shows $2 as '$(link_type $1 $2)', not $3"
done
e2e_wgmesh 0 links --wide | grep -E '^pipe2 .* ipt_xor ' >/dev/null || fail "wgmesh links shows no type: $(e2e_wgmesh 0 links)"
wait_until 20 e2e_in 2 ping -c1 -W1 10.0.0.4 || fail "node 2 cannot ping node 0 over its ipt_xor link"
wait_until 20 e2e_in 4 ping -c1 -W1 10.0.0.6 || fail "node 4 cannot ping node 0 over its amneziawg link"

# --- parameters: equal on both ends, in 0600 records, nowhere else ---
rec() { echo "$E2E_TMP/n$1/state/links/$2.json"; }
for f in "$(rec 0 pipe2)" "$(rec 2 pipe0)" "$(rec 0 pipe4)" "$(rec 4 pipe0)"; do
	[ "$(stat -c %a "$f")" = 600 ] || fail "$f is not 0600"
done
key=$(jq -r .obfs_key "$(rec 0 pipe2)")
[[ $key =~ ^[A-Za-z0-9_-]{32}$ ]] || fail "the ipt_xor key is not 32 base64url characters"
[ "$(jq -r .obfs_key "$(rec 2 pipe0)")" = "$key" ] || fail "the two ends of the ipt_xor link hold different keys"
[ "$(jq -r .obfs_key "$(rec 6 pipe0)")" = "$(jq -r .obfs_key "$(rec 0 pipe6)")" ] || fail "wgobfs keys differ"
awg0=$(jq -cS .awg "$(rec 0 pipe4)")
[ "$awg0" != null ] || fail "node 0's amneziawg record has no parameters"
[ "$(jq -cS .awg "$(rec 4 pipe0)")" = "$awg0" ] || fail "the AmneziaWG parameters differ: $awg0 / $(jq -cS .awg "$(rec 4 pipe0)")"
[ "$(jq -r .awg.version "$(rec 0 pipe4)")" = 2 ] || fail "amneziawg links are not AWG 2.0 by default"
[ "$(jq -r .awg "$(rec 0 pipe2)")" = null ] || fail "an ipt_xor record has AmneziaWG parameters"
h1=$(jq -r .awg.h1 "$(rec 0 pipe4)")
no_secret() { # no_secret WHAT FILE...
	local what=$1
	shift
	! grep -qF -- "$key" "$@" || fail "$what shows the ipt_xor key"
	! grep -qF -- "$h1" "$@" || fail "$what shows the AmneziaWG H1 value"
	! grep -q '"obfs_key\|"awg"' "$@" || fail "$what has an obfs_key or awg field"
}
for id in 0 2 4; do
	e2e_wgmesh $id events --json >"$E2E_TMP/events$id.json"
	e2e_wgmesh $id links --json >"$E2E_TMP/links$id.json"
	no_secret "node $id's log" "$E2E_TMP/n$id/wgmeshd.log"
	no_secret "node $id's events" "$E2E_TMP/events$id.json"
	no_secret "node $id's links" "$E2E_TMP/links$id.json"
done

# --- rotation on the connecting end, under a live TCP connection ---
if out=$(e2e_wgmesh 0 rotate pipe2 2>&1); then fail "rotate on the accepting end ran: $out"; fi
[[ $out == *"run it on node 2"* ]] || fail "rotate on the accepting end refused unclearly: $out"
if out=$(e2e_wgmesh 4 rotate pipe0 2>&1); then fail "rotate of an amneziawg link ran: $out"; fi
[[ $out == *"no key to rotate"* ]] || fail "rotate of an amneziawg link refused unclearly: $out"

e2e_in 0 "$WGM_BUILD_DIR/wgm-tcp-hold" serve 10.0.0.4 7070 &
e2e_on_exit "kill $! 2>/dev/null"
st="$E2E_TMP/tcp.status"
wait_until 10 sh -c "nsenter -t ${E2E_HOLDER[0]} -n ss -ltn | grep -q ':7070'" || fail "TCP server did not listen"
e2e_in 2 "$WGM_BUILD_DIR/wgm-tcp-hold" client 10.0.0.4 7070 "$st" &
client=$!
e2e_on_exit "kill $client 2>/dev/null"
wait_until 10 grep -q '^ok' "$st" || fail "TCP client did not start: $(cat "$st" 2>/dev/null)"

out=$(e2e_wgmesh 2 rotate pipe0 2>&1) || fail "rotate failed: $out ($(grep -i rotat "$E2E_TMP/n2/wgmeshd.log" | tail -3))"
new=$(jq -r .obfs_key "$(rec 2 pipe0)")
[ "$new" != "$key" ] || fail "the client end kept its old key"
[[ $new =~ ^[A-Za-z0-9_-]{32}$ ]] || fail "the new key is not 32 base64url characters"
wait_until 10 sh -c "[ \"\$(jq -r .obfs_key '$(rec 0 pipe2)')\" = '$new' ]" || fail "the accepting end does not hold the new key"
[ "$(jq -r '.obfs_key_next // "none"' "$(rec 2 pipe0)")" = none ] || fail "the client end kept a staged key"
[ "$(stat -c %a "$(rec 2 pipe0)")" = 600 ] || fail "the rotated record is not 0600"
e2e_wgmesh 2 events --json >"$E2E_TMP/events2.json"
grep -q '"rotate_started".*"pipe0"\|"pipe0".*"rotate_started"' <(jq -c . "$E2E_TMP/events2.json") ||
	fail "no rotate_started event on node 2"
jq -e '[.. | objects | select(.event? == "rotate_done" and .name == "pipe0")] | length > 0' "$E2E_TMP/events2.json" \
	>/dev/null || fail "no rotate_done event on node 2"
key=$new
no_secret "node 2's log after the rotation" "$E2E_TMP/n2/wgmeshd.log"
no_secret "node 0's log after the rotation" "$E2E_TMP/n0/wgmeshd.log"
no_secret "node 2's events after the rotation" "$E2E_TMP/events2.json"
# Costs are back: no drain left on either end.
[ "$(jq -r .cost_override "$(rec 0 pipe2)")" = null ] || fail "node 0 kept the rotation's cost on pipe2"
e2e_wgmesh 2 links --json | jq -e '.[] | select(.name == "pipe0") | .drained == false' >/dev/null ||
	fail "node 2's pipe0 is still drained"

before=$(cut -d' ' -f2 "$st")
wait_until 10 sh -c "[ \$(cut -d' ' -f2 '$st') -gt $before ]" || fail "the TCP connection stalled after the rotation: $(cat "$st")"
grep -q '^ok' "$st" || fail "the TCP connection broke across the rotation: $(cat "$st")"
kill -0 "$client" 2>/dev/null || fail "the TCP client exited: $(cat "$st")"
wait_until 10 e2e_in 2 ping -c1 -W1 10.0.0.4 || fail "the link passes nothing after the rotation"

# wgobfs keys rotate the same way, on demand.
wkey=$(jq -r .obfs_key "$(rec 6 pipe0)")
out=$(e2e_wgmesh 6 rotate pipe0 2>&1) || fail "rotate of the wgobfs link failed: $out"
[ "$(jq -r .obfs_key "$(rec 6 pipe0)")" != "$wkey" ] || fail "the wgobfs link kept its key"
wait_until 10 sh -c "[ \"\$(jq -r .obfs_key '$(rec 0 pipe6)')\" = \"\$(jq -r .obfs_key '$(rec 6 pipe0)')\" ]" ||
	fail "the two ends of the wgobfs link disagree after the rotation"
far=$(e2e_wgmesh 6 links --json | jq -r '.[] | select(.name == "pipe0") | .remote_addr')
wait_until 20 e2e_in 6 ping -c1 -W1 "$far" || fail "the wgobfs link passes nothing after the rotation"

# --- xorRotateInterval is live; 0 turns scheduled rotation off ---
out=$(e2e_wgmesh 2 set xorRotateInterval 0 2>&1) || fail "set xorRotateInterval 0 failed: $out"
[[ $out == "saved and applied" ]] || fail "xorRotateInterval did not apply live: $out"
if out=$(e2e_wgmesh 2 set xorRotateInterval -5 2>&1); then fail "a negative interval was accepted"; fi

# --- a rotation cut short after staging its key resumes with it after a restart ---
# (what the record holds when the daemon dies between staging and the swap)
e2e_daemon_stop 2
staged=$(head -c 24 /dev/urandom | base64 | tr '+/' '-_')
jq --arg k "$staged" '.obfs_key_next = $k' "$(rec 2 pipe0)" >"$E2E_TMP/pipe0.json" &&
	cat "$E2E_TMP/pipe0.json" >"$(rec 2 pipe0)" || fail "cannot stage a key in node 2's record"
e2e_daemon_start 2
wait_until 180 sh -c "[ \"\$(jq -r .obfs_key '$(rec 2 pipe0)')\" = '$staged' ]" ||
	fail "the staged key was not taken up after the restart: $(grep -i rotat "$E2E_TMP/n2/wgmeshd.log" | tail -3)"
wait_until 20 sh -c "[ \"\$(jq -r .obfs_key '$(rec 0 pipe2)')\" = '$staged' ]" ||
	fail "the accepting end did not get the staged key"
e2e_wgmesh 2 events --json | jq -s -e '[.[] | .. | objects | select(.event? == "rotate_started" and .trigger == "resume")]
	| length > 0' >/dev/null || fail "no rotate_started event with trigger resume"
wait_until 20 e2e_in 2 ping -c1 -W1 10.0.0.4 || fail "the link passes nothing after the resumed rotation"

e2e_log "ok"
