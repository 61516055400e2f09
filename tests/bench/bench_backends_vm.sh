#!/usr/bin/env bash
# Prints, for the kernel's WireGuard and for wireguard-go side by side in one
# qemu guest (tests/vm): how long creating a configured link takes (interface,
# key, port, peer, address, up) and deleting it, over ROUNDS rounds in one
# process (bench_wg_link), and the RTT of a ping flood through a link between
# two namespaces. Figures only, nothing asserts. The guest is emulated (TCG)
# and runs the AddressSanitizer build of tests/run.sh: compare the two
# backends with each other, not with a real machine.
#   tests/bench/bench_backends_vm.sh [ROUNDS] [FLOOD_COUNT]     (default 20 2000)
set -euo pipefail
rounds=${1:-20}
count=${2:-2000}
here=$(cd "$(dirname "$0")" && pwd)

if [ "${WGM_BENCH_IN_GUEST:-0}" != 1 ]; then
	exec bash "$here/../vm/vm_run.sh" --name bench_backends --timeout 1200 --env WGM_BENCH_IN_GUEST=1 -- \
		bash "$here/bench_backends_vm.sh" "$rounds" "$count"
fi

# ---- in the guest ----
. "$here/../e2e/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go wg ping
TOOL="$WGM_BUILD_DIR/wgm-linktool"
[ -x "$TOOL" ] || fail "missing $TOOL (build first)"

A=$(e2e_netns_add a)
B=$(e2e_netns_add b)
e2e_veth "$A" "$B" 192.0.2.1/24 192.0.2.2/24
umask 077
for side in a b; do
	wg genkey >"$E2E_TMP/$side.key"
	wg pubkey <"$E2E_TMP/$side.key" >"$E2E_TMP/$side.pub"
done

create() { # create NS IFNAME BACKEND KEY PEER_PUB ENDPOINT PORT ADDR
	ip netns exec "$1" "$TOOL" create "$2" --backend "$3" --private-key-file "$4" --port "$7" \
		--peer "$5" --endpoint "$6" --addr "$8" --up 2>>"$E2E_TMP/tool.log"
}

C=$(e2e_netns_add c)
bench() {
	local backend=$1 times out
	local ifa="wgb${backend:0:1}a" ifb="wgb${backend:0:1}b"
	# wireguard-go in the foreground logs on its stdout, which it shares
	# with bench_wg_link: keep only the figures.
	ip netns exec "$C" "$WGM_BUILD_DIR/bench_wg_link" "$backend" "$rounds" >"$E2E_TMP/bench.out" 2>&1 ||
		fail "$backend: bench_wg_link failed: $(grep bench_wg_link "$E2E_TMP/bench.out")"
	times=$(grep "rounds, ms" "$E2E_TMP/bench.out")
	e2e_on_exit "ip netns exec $A $TOOL delete $ifa --backend $backend"
	e2e_on_exit "ip netns exec $B $TOOL delete $ifb --backend $backend"
	create "$A" "$ifa" "$backend" "$E2E_TMP/a.key" "$(cat "$E2E_TMP/b.pub")" 192.0.2.2:51901 51900 10.9.0.0/31 ||
		fail "$backend: create $ifa failed"
	create "$B" "$ifb" "$backend" "$E2E_TMP/b.key" "$(cat "$E2E_TMP/a.pub")" 192.0.2.1:51900 51901 10.9.0.1/31 ||
		fail "$backend: create $ifb failed"
	wait_until 20 ip netns exec "$A" ping -c1 -W1 10.9.0.1 || fail "$backend: no ping through the link"
	out=$(ip netns exec "$A" ping -q -f -c "$count" -s 1000 10.9.0.1 2>&1) || true
	echo "$times"
	printf '%-9s ping flood, %s x 1000 B: %s, %s\n' "$backend" "$count" \
		"$(echo "$out" | grep -o '[0-9.]*% packet loss')" "$(echo "$out" | grep -o 'rtt [^,]*' | sed 's/ = / /')"
	ip netns exec "$A" "$TOOL" delete "$ifa" --backend "$backend"
	ip netns exec "$B" "$TOOL" delete "$ifb" --backend "$backend"
}

echo "kernel $(uname -r), $(nproc) CPUs (qemu TCG), build $WGM_BUILD_DIR"
bench kernel
bench userspace
