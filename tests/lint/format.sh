#!/usr/bin/env bash
# Every C file of the tree is formatted as .clang-format says (clang-format 14,
# Debian 12's). A file that differs fails with its name and the first lines
# clang-format would change; `clang-format -i FILE` mends it.
set -euo pipefail
src=${WGM_SRC_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$src"

if ! command -v clang-format >/dev/null; then
	echo "format: clang-format is not installed (tests/run.sh installs it as root: apt-get install clang-format)" >&2
	exit 1
fi

mapfile -t files < <(find common daemon tui bird tests -name '*.[ch]' -not -path '*/build/*' | sort)
if [ ${#files[@]} -lt 100 ]; then
	echo "format: found only ${#files[@]} C files under $src: wrong source directory?" >&2
	exit 1
fi

# One clang-format run over a copy of every file, then one diff: far quicker
# than a process per file on a loaded machine.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp --parents "${files[@]}" .clang-format "$tmp/"
(cd "$tmp" && clang-format --style=file -i "${files[@]}")

bad=0
for f in "${files[@]}"; do
	if ! cmp -s "$f" "$tmp/$f"; then
		echo "format: $f is not formatted as .clang-format says (clang-format -i $f); first differences:" >&2
		diff -u "$f" "$tmp/$f" | sed -n '3,14p' >&2 || true
		bad=1
	fi
done
[ "$bad" -eq 0 ] && echo "format: ${#files[@]} files formatted as .clang-format says ($(clang-format --version | head -1))"
exit "$bad"
