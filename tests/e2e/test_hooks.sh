#!/usr/bin/env bash
# Event hooks (docs/hooks.md) on real nodes: a hook in hooksDir records the
# link going down (`wgmesh down`) and up again, with the link and the node in
# its environment and the event as JSON on stdin, and the join's use of a
# token (token_used: its id, never the token, the joiner, "used up"); a
# world-writable and a
# non-executable file are skipped with one log line each however many events
# come; a hook that outlives hookTimeout is killed with its whole process
# group and logged once.
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go nsenter unshare jq

e2e_pair
hooks="$E2E_TMP/n0/hooks.d"
rec="$E2E_TMP/n0/hook-record"
mkdir -m 0755 "$hooks"

# Records one line of environment and the JSON line of stdin per event.
cat >"$hooks/10-record" <<HOOK
#!/bin/sh
{
	echo "ENV event=\$WGMESH_EVENT link=\${WGMESH_LINK:-} node=\${WGMESH_NODE:-} state=\${WGMESH_STATE:-} self=\$WGMESH_SELF"
	[ "\$WGMESH_EVENT" != token_used ] ||
		echo "TOKEN id=\$WGMESH_TOKEN_ID left=\$WGMESH_USES_LEFT used_up=\$WGMESH_USED_UP"
	cat
} >>'$rec'
echo "recorded \$WGMESH_EVENT"
HOOK
chmod 0755 "$hooks/10-record"
printf '#!/bin/sh\ntouch %q\n' "$E2E_TMP/n0/open-ran" >"$hooks/20-open"
chmod 0757 "$hooks/20-open"
printf '#!/bin/sh\ntouch %q\n' "$E2E_TMP/n0/noexec-ran" >"$hooks/30-noexec"
chmod 0644 "$hooks/30-noexec"
# Hangs on the first link_state "down", with a child in its process group.
cat >"$hooks/40-slow" <<HOOK
#!/bin/sh
[ "\$WGMESH_EVENT" = link_state ] && [ "\$WGMESH_STATE" = down ] || exit 0
[ -e '$E2E_TMP/n0/slow-pid' ] && exit 0
sleep 600 &
echo \$! >'$E2E_TMP/n0/slow-pid'
wait
HOOK
chmod 0755 "$hooks/40-slow"
# A leftover of a package upgrade: never run.
cp "$hooks/20-open" "$hooks/10-record.dpkg-old"
chmod 0755 "$hooks/10-record.dpkg-old"

cfg="$E2E_TMP/n0/config.json"
jq --arg d "$hooks" '.hooksDir = $d' "$cfg" >"$cfg.new" && mv "$cfg.new" "$cfg"
e2e_daemon_start 0
e2e_daemon_start 2
# hookTimeout applies live; hooksDir is not for whoever may use the socket.
out=$(e2e_wgmesh 0 set hookTimeout 2 2>&1) || fail "set hookTimeout failed: $out"
[[ $out == *"applied"* ]] || fail "set hookTimeout was not applied at once: $out"
if out=$(e2e_wgmesh 0 set hooksDir /usr/sbin 2>&1); then fail "set hooksDir was accepted: $out"; fi
[ "$(jq -r .hooksDir "$cfg")" = "$hooks" ] || fail "the refused set hooksDir changed the config file"

token=$(e2e_wgmesh 0 token 2>/dev/null) || fail "wgmesh token failed"
out=$(e2e_wgmesh 2 connect http://192.0.2.10:8080 "$token" 2>&1) || fail "node 2 could not join: $out"

has_line() { grep -q -- "$1" "$rec"; }
up_line="ENV event=link_state link=pipe2 node=2 state=up self=0"
down_line="ENV event=link_state link=pipe2 node=2 state=down self=0"
wait_until 30 has_line "$up_line" || fail "no link_state up of pipe2 recorded after the join: $(cat "$rec" 2>/dev/null)"
has_line "ENV event=link_added link=pipe2 node=2 " || fail "link_added of pipe2 was not recorded: $(cat "$rec")"

# The join used the single-use token: the hook has its id, not the token.
id=$(e2e_wgmesh 0 token list --json | jq -r '.[0].id')
[[ $id =~ ^[0-9a-f]{8}$ ]] || fail "token list names no token: $(e2e_wgmesh 0 token list --json)"
wait_until 30 has_line "ENV event=token_used link=pipe2 node=2 " || fail "no token_used of the join recorded: $(cat "$rec")"
has_line "TOKEN id=$id left=0 used_up=true" || fail "token_used names another token or uses: $(grep -A2 'event=token_used' "$rec")"
! grep -qF -- "${token#wgm1-}" "$rec" || fail "the token itself reached a hook"
out=$(e2e_wgmesh 0 events) || fail "wgmesh events failed"
grep -q "token_used: token $id used by node 2 over pipe2; used up" <<<"$out" ||
	fail "wgmesh events does not tell the token's use: $(grep token <<<"$out")"

out=$(e2e_wgmesh 0 down 2>&1) || fail "wgmesh down failed: $out"
wait_until 30 has_line "$down_line" || fail "no link_state down of pipe2 recorded: $(cat "$rec")"
out=$(e2e_wgmesh 0 up 2>&1) || fail "wgmesh up failed: $out"
# The up after the down: the line after the last down line.
up_after_down() { sed -n "\|$down_line|,\$p" "$rec" | grep -q -- "$up_line"; }
wait_until 30 up_after_down || fail "no link_state up of pipe2 recorded after the down: $(cat "$rec")"

# stdin: the event as one JSON line, the same as the environment says.
json=$(grep -A1 -- "$down_line" "$rec" | sed -n 2p)
[ "$(jq -r '.event' <<<"$json")" = link_state ] || fail "stdin of the down run is not the event: $json"
[ "$(jq -r '.name + " " + .state + " " + (.remote_id|tostring)' <<<"$json")" = "pipe2 down 2" ] ||
	fail "stdin of the down run names another link or state: $json"
[ "$(jq -r '.link.name' <<<"$json")" = pipe2 ] || fail "stdin lacks the whole link: $json"
# No log or metrics events reach hooks.
! grep -Eq '^ENV event=(log|metrics) ' "$rec" || fail "a log or metrics event ran hooks: $(grep -E '^ENV event=(log|metrics) ' "$rec" | head -3)"

# The hook's output is in the daemon's log, tagged with its name.
e2e_log_has 0 "hook 10-record: recorded link_state" || fail "the hook's output is not in the log"

# The slow hook: killed at hookTimeout with its child, logged once.
wait_until 30 e2e_log_has 0 "hook 40-slow: still running after 2 s (hookTimeout), killed (link_state event)" ||
	fail "the slow hook was not killed: $(grep 'hook 40-slow' "$E2E_TMP/n0/wgmeshd.log")"
[ -s "$E2E_TMP/n0/slow-pid" ] || fail "the slow hook never started its child"
slow=$(cat "$E2E_TMP/n0/slow-pid")
wait_until 10 sh -c "! kill -0 $slow" || fail "the slow hook's child ($slow) survived the kill"

# Skipped files: never run, one line each over all these events.
[ ! -e "$E2E_TMP/n0/open-ran" ] || fail "a world-writable hook or a .dpkg-old file ran"
[ ! -e "$E2E_TMP/n0/noexec-ran" ] || fail "a non-executable hook ran"
n=$(grep -c "hook 20-open: skipped: writable by group or others" "$E2E_TMP/n0/wgmeshd.log" || true)
[ "$n" -eq 1 ] || fail "the world-writable hook was reported $n times, want once"
n=$(grep -c "hook 30-noexec: skipped: not executable" "$E2E_TMP/n0/wgmeshd.log" || true)
[ "$n" -eq 1 ] || fail "the non-executable hook was reported $n times, want once"
n=$(grep -c "hook 40-slow: still running" "$E2E_TMP/n0/wgmeshd.log" || true)
[ "$n" -eq 1 ] || fail "the slow hook's timeout was logged $n times, want once"
! e2e_log_has 0 "dpkg-old" || fail "the .dpkg-old file was mentioned: it should be ignored silently"

e2e_log "ok"
