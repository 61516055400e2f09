#!/usr/bin/env bash
# The console's members view (issue 12) against real daemons with BIRD: a
# 3-node mesh (0, 2, 4; node 0 made it, so it is the admin), consoles in
# tmux at 80x24 with NO_COLOR. On node 4 (no admin) m lists the identities
# it knows and says revocation needs an admin, and R refuses. On node 0: R on its
# own row refuses, R on node 2 asks for the ID naming node 2 and its
# fingerprint, a wrong ID keeps the prompt open and Esc cancels (node 2
# stays a member), the typed 2 revokes it: the status line says so, the row
# says revoked, `member list --json` has it revoked and node 0 has no link
# to node 2. A node of an earlier version (no mesh authority) gets one line.
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd tmux wireguard-go nsenter unshare ping bird birdc jq

e2e_mesh3
members() { e2e_wgmesh "$1" member list --json; }
state_of() { members "$1" | jq -r --argjson id "$2" '[.[] | select(.id == $id) | .state] | join(",")'; }
three_members() { [ "$(members "$1" | jq '[.[] | select(.state == "member")] | length')" = 3 ]; }
wait_until 60 three_members 0 || fail "node 0 does not list 3 member identities: $(members 0)"
fpr2=$(members 0 | jq -r '.[] | select(.id == 2) | .fingerprint')
[[ $fpr2 =~ ^[0-9a-f]{16}$ ]] || fail "node 0 lists no fingerprint for node 2: $(members 0)"
has_link() { e2e_wgmesh "$1" links --json | jq -e --argjson id "$2" 'map(select(.remote_id == $id)) | length > 0' >/dev/null; }
wait_until 60 has_link 0 2 || fail "node 0 has no link to node 2: $(e2e_wgmesh 0 links)"

# Node 6: a node of an earlier version (its node.json without the mesh
# authority's fields), alone.
e2e_node_add 6
e2e_node_init 6 --ipv4 none --ipv6 none
nj="$E2E_TMP/n6/state/node.json"
jq 'del(.mesh_pk, .mesh_sk, .cert)' "$nj" >"$nj.new" && cat "$nj.new" >"$nj" && rm -f "$nj.new" ||
	fail "cannot strip node 6's mesh authority"
e2e_daemon_start 6
out=$(e2e_wgmesh 6 member list 2>&1) && fail "member list on an earlier-version node did not fail: $out"
[[ $out == *"no authority"* ]] || fail "member list on node 6 does not say it has no authority: $out"

tmux_sock="wgm-conmem-$E2E_TAG"
t() { tmux -L "$tmux_sock" "$@"; }
e2e_on_exit "tmux -L $tmux_sock kill-server"
console() { # ID: a console on node ID in tmux session cID
	t new-session -d -s "c$1" -x 80 -y 24 \
		"env LANG=C.UTF-8 TERM=tmux-256color NO_COLOR=1 nsenter -t ${E2E_HOLDER[$1]} -m -n \
		'$WGM_BUILD_DIR/wgmesh' --config '$E2E_TMP/n$1/config.json' 2>'$E2E_TMP/c$1.err'; echo \$? >'$E2E_TMP/c$1.rc'; sleep 60"
}
screen() { t capture-pane -p -t "$1"; }
on_screen() { # SESSION PATTERN [SECONDS]
	wait_until "${3:-20}" bash -c "tmux -L '$tmux_sock' capture-pane -p -t '$1' | grep -qE -- \"\$2\"" _ "$2" ||
		fail "console $1 never showed '$2'; it shows:
$(screen "$1")"
}
quit() {
	t send-keys -t "$1" q
	wait_until 15 test -s "$E2E_TMP/$1.rc" || fail "console $1 did not quit on q"
	[ "$(cat "$E2E_TMP/$1.rc")" = 0 ] || fail "console $1 exited $(cat "$E2E_TMP/$1.rc"): $(cat "$E2E_TMP/$1.err")"
}
row() { echo "^ +$1 +[0-9a-f]{16} +$2"; } # ID STATE...

# --- an earlier version: one line, as member list says it ---
console 6
on_screen c6 'daemon: up'
t send-keys -t c6 m
on_screen c6 'ID +FINGERPRINT +STATE +ROLE'
on_screen c6 "this node's mesh has no authority \(made by an earlier version\)"
on_screen c6 'docs/api\.md, Mesh authority$' # wrapped, not cut
quit c6

# --- a non-admin: the identities it knows (its own, its admin's; node 2's
# only once node 2 made a member call to it), revocation needs an admin ---
console 4
on_screen c4 'links 2/2 up'
t send-keys -t c4 m
on_screen c4 "$(row 0 'member +0 ')"
on_screen c4 "$(row 4 'member +this node +0 ')"
on_screen c4 'this node is not an admin: revocation needs an admin'
on_screen c4 'R:revoke'
t send-keys -t c4 Down R
on_screen c4 'revoke: revocation needs an admin: this node is not one'
screen c4 | grep -q 'Type the ID' && fail "a non-admin's console asked to revoke:
$(screen c4)"

# --- the admin ---
console 0
on_screen c0 'links 2/2 up'
t send-keys -t c0 m
on_screen c0 "$(row 0 'member +admin, this node +0 ')"
on_screen c0 "^ +2 +$fpr2 +member"
on_screen c0 "$(row 4 member)"
on_screen c0 '3 identities; R revokes the selected one'
# The first row is node 0 itself.
t send-keys -t c0 R
on_screen c0 'revoke: node 0 is this node: an admin does not revoke itself'
# Node 2: the prompt names it and its fingerprint; a wrong ID is refused
# and the prompt stays; Esc cancels.
t send-keys -t c0 Down R
on_screen c0 "Revoke node 2 \($fpr2\)\? Type the ID to confirm:"
t send-keys -t c0 -l 4
t send-keys -t c0 Enter
on_screen c0 "revoke: '4' is not 2: type 2 to revoke node 2, Esc cancels"
on_screen c0 "Revoke node 2 \($fpr2\)\? Type the ID to confirm: 4"
t send-keys -t c0 Escape
on_screen c0 'revoke cancelled: nothing changed'
sleep 2 # a revocation sent anyway would show by now
[ "$(state_of 0 2)" = member ] || fail "node 2 is not a member after a refused and a cancelled prompt: $(members 0)"
has_link 0 2 || fail "node 0 lost its link to node 2 without a revocation"
# The typed ID revokes it.
t send-keys -t c0 R
on_screen c0 "Revoke node 2 \($fpr2\)\? Type the ID to confirm:"
t send-keys -t c0 -l 2
t send-keys -t c0 Enter
on_screen c0 'node 2 revoked: its links go on every node as the revocation arrives' 30
on_screen c0 "^ +2 +$fpr2 +revoked"
[ "$(state_of 0 2)" = revoked ] || fail "member list --json on node 0 does not have node 2 revoked: $(members 0)"
no_link() { ! has_link "$1" "$2"; }
wait_until 30 no_link 0 2 ||
	fail "node 0 still has a link to node 2: $(e2e_wgmesh 0 links)"
has_link 0 4 || fail "node 0 lost its link to node 4"
# R on the revoked row: nothing to do.
t send-keys -t c0 R
on_screen c0 "revoke: node 2's identity $fpr2 is already revoked"

# --- help lists the keys; q quits cleanly ---
t send-keys -t c0 '?'
on_screen c0 'm +members \(identities\)'
on_screen c0 'R +revoke member \(typed ID\)'
t send-keys -t c0 Escape
quit c0
quit c4
e2e_log "ok"
