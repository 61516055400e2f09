#!/usr/bin/env bash
# The one test command: installs what is missing (as root, Debian/Ubuntu),
# builds with -Werror plus AddressSanitizer and UBSan, and runs every unit and
# end-to-end test through ctest (also the kernel-backend tests in a qemu guest,
# label vm, and the fuzz targets, label fuzz); the unit tests run once more on
# the optimised build without sanitizers. Exits non-zero on any failure.
#
#   tests/run.sh              everything
#   tests/run.sh -L unit      only unit tests (any ctest arguments pass through)
#   tests/run.sh -L vm        only the kernel-backend tests in a qemu guest
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
build=${WGM_TEST_BUILD_DIR:-$src/build/test}

# Debian packages for building and for the end-to-end tests (real wireguard-go,
# BIRD 2, namespaces, iptables for impairment, tmux for the console tests),
# and for the "vm" tests: qemu and a Debian kernel with wireguard.ko, which
# tests/vm boots with an initrd of its own (initramfs-tools); groff and man
# render the man pages in lint.man; systemd is the guest's PID 1 in vm.systemd
# and scores the unit's sandbox (systemd-analyze) in lint.unit_sandbox.
# clang-format checks the layout of every C file in lint.format.
packages=(build-essential cmake pkg-config libmnl-dev libjansson-dev
	libcurl4-openssl-dev libmicrohttpd-dev libsodium-dev libcmocka-dev
	libncurses-dev wireguard-tools wireguard-go bird2 iproute2 iptables
	nftables iputils-ping tmux tcpdump procps psmisc util-linux curl jq iperf3
	qemu-system-x86 linux-image-amd64 initramfs-tools clang clang-format groff-base man-db systemd)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
		echo "tests/run.sh: installing ${missing[*]}" >&2
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	else
		echo "tests/run.sh: missing packages: ${missing[*]} (run as root to install them)" >&2
	fi
fi

# BIRD's package starts a system instance on install where systemd runs; the
# tests start their own instances in namespaces and need none.

cmake -S "$src" -B "$build" -DWGM_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)"

# The fuzz targets (tests/fuzz, ctest "fuzz.*") are clang's libFuzzer: a
# second tree in $build/fuzz, with the same sanitizers.
if command -v clang >/dev/null; then
	CC=clang cmake -S "$src" -B "$build/fuzz" -DWGM_SANITIZE=ON -DWGM_TESTS=OFF \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	fuzzers=()
	for f in "$src"/tests/fuzz/fuzz_*.c; do fuzzers+=("$(basename "${f%.c}")"); done
	cmake --build "$build/fuzz" -j"$(nproc)" --target "${fuzzers[@]}"
else
	echo "tests/run.sh: clang is missing: the fuzz.* tests will fail (run as root to install it)" >&2
fi

# The unit tests once more on the optimised build without sanitizers, as
# install.sh builds it: undefined behaviour the sanitizer build happens to
# tolerate can change what -O2 code does (strict aliasing once disabled the
# node API's blocklist in release builds only).
cmake -S "$src" -B "$build/release" -DWGM_SANITIZE=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build/release" -j"$(nproc)"
(cd "$build/release" && ctest --output-on-failure -j"$(nproc)" -L unit) ||
	{ echo "tests/run.sh: unit tests failed on the optimised build without sanitizers" >&2; exit 1; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
cd "$build"
ctest --output-on-failure -j"$(nproc)" "$@"
