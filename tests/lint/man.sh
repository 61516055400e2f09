#!/usr/bin/env bash
# The man pages: groff renders each without a warning, man(1) reads them,
# wgmesh(8) names every command of `wgmesh --help` and wgmesh-config(5) every
# key `wgmesh set` takes (both are written from the same tables by the build),
# and the hand-written wgmeshd(8) names exactly the options of `wgmeshd --help`.
set -euo pipefail

fail() {
	echo "lint.man: FAIL: $*" >&2
	exit 1
}
: "${WGM_BUILD_DIR:?run through ctest}"
command -v groff >/dev/null || fail "needs groff (Debian: groff-base)"
command -v man >/dev/null || fail "needs man (Debian: man-db)"
dir=$WGM_BUILD_DIR/man

# plain PAGE: the page as text, without bold or underlining.
plain() { groff -man -Tascii -P-cbou "$dir/$1" 2>/dev/null; }

for page in wgmesh.8 wgmeshd.8 wgmesh-config.5; do
	[ -s "$dir/$page" ] || fail "$dir/$page is missing (the build writes it: target man)"
	warnings=$(groff -man -Tutf8 -ww -z "$dir/$page" 2>&1) || fail "groff failed on $page: $warnings"
	[ -z "$warnings" ] || fail "groff warns about $page: $warnings"
	errors=$(MANWIDTH=80 man -l "$dir/$page" 2>&1 >/dev/null) || fail "man -l $page failed: $errors"
	[ -z "$errors" ] || fail "man -l $page complains: $errors"
done

commands=$("$WGM_BUILD_DIR/wgmesh" --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }')
[ -n "$commands" ] || fail "wgmesh --help lists no commands"
text=$(plain wgmesh.8)
for c in $commands; do
	grep -qE "^ {7}$c( |$)" <<<"$text" || fail "wgmesh(8) does not describe the command '$c'"
done
for o in --config --socket --help --version; do
	grep -qE "^ {7}$o( |$)" <<<"$text" || fail "wgmesh(8) does not describe the option '$o'"
done

keys=$("$WGM_BUILD_DIR/wgmesh" __complete args set)
[ -n "$keys" ] || fail "wgmesh __complete args set gave no keys"
text=$(plain wgmesh-config.5)
joined=$(tr -s " \n" "  " <<<"$text")
for k in $keys; do
	grep -qE "^ {7}([a-z]+\.)?$k( |$)" <<<"$text" || fail "wgmesh-config(5) does not describe the key '$k'"
	grep -q "wgmesh set $k\b" <<<"$joined" || fail "wgmesh-config(5) does not say that 'wgmesh set $k' changes it"
done
grep -q 'node API' <<<"$text" || fail "wgmesh-config(5) lacks the meanings from docs/configuration.md"

help_opts=$("$WGM_BUILD_DIR/wgmeshd" --help | grep -oE -- '--[a-z][a-z-]*' | sort -u)
man_opts=$(plain wgmeshd.8 | grep -oE -- '--[a-z][a-z-]*' | sort -u)
[ "$help_opts" = "$man_opts" ] ||
	fail "wgmeshd(8) and wgmeshd --help name different options: $(diff <(echo "$help_opts") <(echo "$man_opts") | grep '^[<>]' | tr '\n' ' ')"
echo "lint.man: ok ($(wc -w <<<"$commands") commands, $(wc -w <<<"$keys") settable keys, wgmeshd options: $(echo $help_opts))"
