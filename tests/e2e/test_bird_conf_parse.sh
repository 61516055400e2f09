#!/usr/bin/env bash
# Every golden BIRD config (tests/data/bird/*.conf) is accepted by the real
# BIRD's parser (`bird -p`), so the goldens, and the generator they pin, can
# not drift from what BIRD understands. Include paths point into a temp dir.
. "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd bird

data=${WGM_TEST_DATA:-$WGM_SRC_DIR/tests/data}
count=0
: >"$E2E_TMP/static.conf"
: >"$E2E_TMP/bgp.conf"
for golden in "$data"/bird/*.conf; do
	name=$(basename "$golden")
	sed "s#\"/etc/bird/#\"$E2E_TMP/#g" "$golden" >"$E2E_TMP/$name"
	grep -q "include \"$E2E_TMP/static.conf\"" "$E2E_TMP/$name" || fail "$name: include path not rewritten"
	out=$(bird -p -c "$E2E_TMP/$name" 2>&1) || fail "$name: bird -p refused it: $out"
	count=$((count + 1))
done
[ "$count" -ge 5 ] || fail "expected at least 5 golden configs, found $count"

# The check must be able to fail: a golden with a typo is refused.
sed 's/stub yes;/stub maybe;/' "$E2E_TMP/node.conf" >"$E2E_TMP/broken.conf"
if bird -p -c "$E2E_TMP/broken.conf" >/dev/null 2>&1; then
	fail "bird -p accepted a broken config; the parse check proves nothing"
fi
e2e_log "bird accepted $count golden configs"
