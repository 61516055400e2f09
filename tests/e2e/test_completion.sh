#!/usr/bin/env bash
# Bash completion against running daemons: on node 0, after node 2 joined,
# `wgmesh cost <TAB>` and `wgmesh disconnect <TAB>` offer the link pipe2
# (asked from the daemon), and `wgmesh token revoke <TAB>` the ID of a token
# just issued. Commands, flags and keys without a daemon: lint.completion.
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go wg nsenter unshare ping bash

e2e_pair_joined
e2e_wgmesh 0 token --label completion >/dev/null 2>&1 || fail "second wgmesh token failed"
ids=$(e2e_wgmesh 0 token list --json | jq -r '.[].id') || fail "token list failed"
[ "$(wc -w <<<"$ids")" -eq 2 ] || fail "node 0 lists $(wc -w <<<"$ids") tokens, expected 2: $ids"

# offers ID WORD... : what TAB offers on node ID for the words after
# `wgmesh --config CONFIG` (the last one being typed), as bash computes it.
offers() {
	local id=$1
	shift
	e2e_in "$id" env PATH="$WGM_BUILD_DIR:$PATH" bash -c '
		source "$1/packaging/completion/wgmesh"
		shift
		COMP_WORDS=(wgmesh "$@")
		COMP_CWORD=$#
		_wgmesh
		echo "${COMPREPLY[*]}"' _ "$WGM_SRC_DIR" --config "$E2E_TMP/n$id/config.json" "$@"
}

got=$(offers 0 cost '')
[ "$got" = pipe2 ] || fail "node 0: 'wgmesh cost <TAB>' offers '$got', expected pipe2"
got=$(offers 0 cost pi)
[ "$got" = pipe2 ] || fail "node 0: 'wgmesh cost pi<TAB>' offers '$got', expected pipe2"
got=$(offers 2 drain '')
[ "$got" = pipe0 ] || fail "node 2: 'wgmesh drain <TAB>' offers '$got', expected pipe0"
got=$(offers 0 disconnect '')
[ "$got" = "pipe2 force" ] || fail "node 0: 'wgmesh disconnect <TAB>' offers '$got', expected 'pipe2 force'"
got=$(offers 0 token revoke '')
[ "$(tr ' ' '\n' <<<"$got" | sort)" = "$(sort <<<"$ids")" ] ||
	fail "node 0: 'wgmesh token revoke <TAB>' offers '$got', expected the token IDs $(echo $ids)"
e2e_log "ok: links ($(offers 0 cost '')), token IDs ($got)"
