#!/usr/bin/env bash
# The systemd unit's sandbox under a real systemd: the guest boots systemd as
# PID 1 (tests/vm/systemd_init.sh) and runs tests/vm/systemd_guest.sh, which
# installs with install.sh and checks that wgmeshd works under the sandbox.
# The programs are the optimised build without sanitizers, as install.sh
# builds them (the sanitizers' runtime needs calls the sandbox refuses).
set -euo pipefail
src=${WGM_SRC_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${WGM_BUILD_DIR:-$src/build}
rel=$build/release
start=$(date +%s)
if [ ! -f "$rel/CMakeCache.txt" ]; then
	cmake -S "$src" -B "$rel" -DWGM_SANITIZE=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$rel" -j2 --target wgmeshd wgmesh wgmesh-delayq >"$build/vm-release-build.log" 2>&1 ||
	{ echo "[vm:systemd] FAIL: the release build failed: $(tail -n 5 "$build/vm-release-build.log")" >&2; exit 1; }
echo "[vm:systemd] release programs ready in $(($(date +%s) - start)) s" >&2
exec bash "$src/tests/vm/vm_run.sh" --name systemd --timeout 900 --init "$src/tests/vm/systemd_init.sh" \
	--env "WGM_VM_RELEASE_DIR=$rel" -- bash "$src/tests/vm/systemd_guest.sh"
