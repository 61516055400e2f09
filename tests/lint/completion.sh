#!/usr/bin/env bash
# Bash completion (packaging/completion/wgmesh) as bash runs it, without a
# daemon: commands, flags, config keys, options and literal arguments come
# from the program; asking a daemon that is not there prints nothing. Link
# names and token IDs from a running daemon: e2e.completion.
set -euo pipefail

fail() {
	echo "lint.completion: FAIL: $*" >&2
	exit 1
}
: "${WGM_BUILD_DIR:?run through ctest}" "${WGM_SRC_DIR:?run through ctest}"
export PATH=$WGM_BUILD_DIR:$PATH
# shellcheck source=/dev/null
source "$WGM_SRC_DIR/packaging/completion/wgmesh"
complete -p wgmesh | grep -q -- '-F _wgmesh' || fail "the script does not register _wgmesh for wgmesh"

# offers WORD... : what a TAB offers when the last word is being typed.
offers() {
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMPREPLY=()
	_wgmesh
	echo "${COMPREPLY[*]}"
}
# has "OFFER" WORD... : every word is offered
has() {
	local got=$1 w
	shift
	for w in "$@"; do
		[[ " $got " == *" $w "* ]] || fail "'$w' not offered (got: $got)"
	done
}

nosock=(--socket "$WGM_BUILD_DIR/no-such-daemon.sock")
got=$(offers wgmesh co)
has "$got" connect console cost
for w in $got; do [[ $w == co* ]] || fail "'wgmesh co<TAB>' offers '$w'"; done
[[ " $(offers wgmesh '') " != *" __"* ]] || fail "hidden commands are offered"
has "$(offers wgmesh -)" --config --socket --help --version
has "$(offers wgmesh "${nosock[@]}" set '')" basePort prefix area reloadInterval defaultLinkType
has "$(offers wgmesh "${nosock[@]}" set ba)" basePort
has "$(offers wgmesh "${nosock[@]}" enable '')" ospfv2 ospfv3 client wgobfs
has "$(offers wgmesh "${nosock[@]}" token '')" create list revoke
has "$(offers wgmesh links --)" --json --help
has "$(offers wgmesh token create --)" --ttl --uses --label
has "$(offers wgmesh "${nosock[@]}" disconnect '')" force
# No daemon: no links, and not a word on the terminal.
err=$(offers wgmesh "${nosock[@]}" cost '' 2>&1 >/dev/null)
[ -z "$err" ] || fail "completion without a daemon printed: $err"
[ -z "$(offers wgmesh "${nosock[@]}" cost '')" ] || fail "completion without a daemon offered links"
[ -z "$("$WGM_BUILD_DIR/wgmesh" "${nosock[@]}" __complete args token revoke 2>&1)" ] || fail "__complete printed something without a daemon"
! "$WGM_BUILD_DIR/wgmesh" --help | grep -q __ || fail "wgmesh --help shows a hidden command"
echo "lint.completion: ok"
