# Shared helpers for end-to-end tests. Source it; do not run it.
#
# Every namespace a test makes goes through e2e_netns_add, so the EXIT trap can
# kill what runs inside and delete it, also when the test fails half-way.
# Names carry the test's PID so concurrent runs never collide.

set -euo pipefail

E2E_NAME=$(basename "${0%.sh}")
E2E_TAG="w$$"
E2E_NETNS=()
E2E_CLEANUP=()
E2E_TMP=$(mktemp -d "/tmp/wgm-e2e-${E2E_NAME}.XXXXXX")

e2e_log() { printf '[%s] %s\n' "$E2E_NAME" "$*" >&2; }

fail() {
	printf '[%s] FAIL: %s\n' "$E2E_NAME" "$*" >&2
	exit 1
}

# End-to-end tests need root and network namespaces; without them they fail
# loudly, never skip.
e2e_require_root() {
	[ "$(id -u)" -eq 0 ] || fail "needs root (network namespaces, wireguard-go); run tests/run.sh as root"
	ip netns add "${E2E_TAG}probe" 2>/dev/null || fail "cannot create network namespaces (ip netns add failed)"
	ip netns del "${E2E_TAG}probe"
}

e2e_require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || fail "needs '$c' (tests/run.sh installs it when run as root)"
	done
}

# e2e_netns_add SUFFIX -> prints the namespace name
e2e_netns_add() {
	local ns="${E2E_TAG}$1"
	ip netns add "$ns"
	E2E_NETNS+=("$ns")
	ip -n "$ns" link set lo up
	echo "$ns"
}

# Run "$@" at exit, before namespaces are removed (last registered runs first).
e2e_on_exit() { E2E_CLEANUP+=("$*"); }

e2e_cleanup() {
	local rc=$? i ns pid
	for ((i = ${#E2E_CLEANUP[@]} - 1; i >= 0; i--)); do
		eval "${E2E_CLEANUP[$i]}" >/dev/null 2>&1 || true
	done
	for ns in "${E2E_NETNS[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null || true; done
	done
	sleep 0.2
	for ns in "${E2E_NETNS[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
		ip netns del "$ns" 2>/dev/null || true
	done
	if [ "$rc" -ne 0 ] && [ -d "$E2E_TMP" ]; then
		e2e_log "kept logs in $E2E_TMP"
	else
		rm -rf "$E2E_TMP"
	fi
	exit "$rc"
}
trap e2e_cleanup EXIT
trap 'exit 130' INT TERM

# wait_until SECONDS CMD... : polls CMD every 0.1 s until it succeeds.
wait_until() {
	local limit=$1 start
	shift
	start=$(date +%s%N)
	until "$@" >/dev/null 2>&1; do
		if (( ($(date +%s%N) - start) / 1000000000 >= limit )); then
			return 1
		fi
		sleep 0.1
	done
}

# e2e_veth NS_A NS_B ADDR_A/LEN ADDR_B/LEN : joins two namespaces by a veth pair "u0".
e2e_veth() {
	local a=$1 b=$2 ia="${E2E_TAG}a" ib="${E2E_TAG}b"
	ip link add "$ia" type veth peer name "$ib"
	ip link set "$ia" netns "$a" name u0
	ip link set "$ib" netns "$b" name u0
	ip -n "$a" addr add "$3" dev u0
	ip -n "$b" addr add "$4" dev u0
	ip -n "$a" link set u0 up
	ip -n "$b" link set u0 up
}

WGM_BUILD_DIR=${WGM_BUILD_DIR:-$(cd "$(dirname "$0")/../.." && pwd)/build}
WGM_SRC_DIR=${WGM_SRC_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
