#!/usr/bin/env bash
# The daemon's subsystems stand in layers (docs/architecture.md): a folder may
# include only folders below it. An include that points up, or a new folder
# missing from the list, fails with the file and the line.
set -euo pipefail
src=${WGM_SRC_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$src"

# Top to bottom.
layers=(control routing quality mesh api links obfs hooks core)
declare -A rank
for i in "${!layers[@]}"; do rank[${layers[$i]}]=$i; done

bad=0
for dir in daemon/*/; do
	d=$(basename "$dir")
	if [ -z "${rank[$d]+x}" ]; then
		echo "layering: daemon/$d is not in the layer list (tests/lint/layering.sh, docs/architecture.md)" >&2
		bad=1
		continue
	fi
	while IFS=: read -r file line inc; do
		target=$(sed -E 's/.*"daemon\/([a-z_]+)\/.*/\1/' <<<"$inc")
		[ "$target" = "$d" ] && continue
		if [ -z "${rank[$target]+x}" ] || [ "${rank[$target]}" -le "${rank[$d]}" ]; then
			echo "layering: $file:$line includes daemon/$target, which is not below daemon/$d" >&2
			bad=1
		fi
	done < <(grep -Hn '#include "daemon/[a-z_]*/' "$dir"*.[ch] || true)
done
# Nothing in common/ or bird/ depends on the programs.
if grep -rn '#include "\(daemon\|tui\)/' common bird; then
	echo "layering: common/ and bird/ must not include daemon/ or tui/" >&2
	bad=1
fi
[ "$bad" -eq 0 ] && echo "layering: daemon ${layers[*]} point one way"
exit "$bad"
