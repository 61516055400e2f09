#!/usr/bin/env bash
# The systemd unit's sandbox, as `systemd-analyze security` scores it: the
# unit install.sh and the .deb lay down (packaging/wgmeshd.service.in, filled
# in as install.sh does) must stay at or below MAX, the exposure measured when
# the sandbox was written (2.6 "OK" on systemd 252; 9.6 "UNSAFE" without it).
# A loosened sandbox fails here; a tighter one passes and may lower MAX.
# tests/vm/test_systemd.sh proves the daemon works under it.
set -euo pipefail

MAX=2.6

fail() {
	echo "lint.unit_sandbox: FAIL: $*" >&2
	exit 1
}
: "${WGM_SRC_DIR:?run through ctest}"
command -v systemd-analyze >/dev/null || fail "needs systemd-analyze (Debian: systemd)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unit=$tmp/wgmeshd.service
sed -e 's|@SBINDIR@|/usr/local/sbin|g' -e 's|@DOCDIR@|/usr/local/share/doc/wgmesh|g' \
	"$WGM_SRC_DIR/packaging/wgmeshd.service.in" >"$unit"

set +e
systemd-analyze security --offline=true --no-pager "$unit" >"$tmp/report" 2>&1
rc=$?
set -e
line=$(grep -m1 'Overall exposure level' "$tmp/report" || true)
[ -n "$line" ] || fail "systemd-analyze gave no score (exit $rc): $(tail -n 3 "$tmp/report" | tr '\n' ' ')"
# Its warnings (an unknown directive, a bad value) would mean a line systemd ignores.
warnings=$(grep -E '^/.*wgmeshd\.service:[0-9]+:' "$tmp/report" || true)
[ -z "$warnings" ] || fail "systemd does not accept the unit: $warnings"
score=$(awk '/Overall exposure level/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+$/) { print $i; exit } }' "$tmp/report")
[ -n "$score" ] || fail "no figure in: $line"
echo "lint.unit_sandbox: wgmeshd.service exposure $score (at most $MAX allowed)"
awk -v s="$score" -v m="$MAX" 'BEGIN { exit !(s <= m) }' ||
	fail "the unit's exposure is $score, above $MAX: what loosened it?$(printf '\n')$(grep '✗' "$tmp/report")"
