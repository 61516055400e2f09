#!/usr/bin/env bash
# Time from a change on a link to the kernel route moving, with real
# daemons, BIRD and wireguard-go in three nodes (0, 2, 4, full mesh over
# IPv4, default timings: probeInterval 1 s, minReloadInterval 5 s): 30 %
# loss on 0-2, 80 ms more on 0-2, and node 2's end of the link dying. The
# route of node 0 to node 2's loopback is polled every 50 ms. Prints figures.
#
#   sudo tests/bench/bench_reroute.sh [ROUNDS]   (default 3 rounds each)
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${1:-3}
export WGM_BUILD_DIR=${WGM_BUILD_DIR:-$src/build/bench}
if [ ! -x "$WGM_BUILD_DIR/wgmeshd" ] || [ ! -x "$WGM_BUILD_DIR/wgmesh-delayq" ]; then
	cmake -S "$src" -B "$WGM_BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build "$WGM_BUILD_DIR" -j"$(nproc)" --target wgmeshd wgmesh wgmesh-delayq >/dev/null
fi
source "$src/tests/e2e/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go nsenter unshare bird iptables

# Penalties fade in 12 s so rounds can follow each other.
e2e_mesh3 '.costEventWindow = 12'
via() { e2e_in 0 ip -4 route get 10.0.2.1 | grep -o 'dev [a-z0-9]*' | cut -d' ' -f2; }
via_is() { [ "$(via)" = "$1" ]; }
wait_until 60 via_is pipe2 || fail "node 0 does not reach node 2 directly"
sleep 15

now_ms() { date +%s%3N; }
# time_until DEV TIMEOUT_S: ms until node 0's route to 10.0.2.1 uses DEV
time_until() {
	local start end
	start=$(now_ms)
	end=$((start + $2 * 1000))
	while [ "$(now_ms)" -lt "$end" ]; do
		via_is "$1" && { echo $(($(now_ms) - start)); return 0; }
		sleep 0.05
	done
	echo timeout
}
results=()
loss=(POSTROUTING -o u0 -d 192.0.2.12 -p udp -m statistic --mode random --probability 0.3 -j DROP)
delay=(POSTROUTING -o u0 -d 192.0.2.12 -p udp -j NFQUEUE --queue-num 7 --queue-bypass)
e2e_in 0 "$WGM_BUILD_DIR/wgmesh-delayq" --queue 7 --delay 80 >"$E2E_TMP/delayq.log" 2>&1 &
e2e_on_exit "kill $! 2>/dev/null"
for ((r = 1; r <= rounds; r++)); do
	e2e_in 0 iptables -t mangle -A "${loss[@]}"
	results+=("loss 30%: $(time_until pipe4 60) ms")
	e2e_in 0 iptables -t mangle -D "${loss[@]}"
	results+=("loss cleared, back: $(time_until pipe2 120) ms")
	sleep 5
	e2e_in 0 iptables -t mangle -A "${delay[@]}"
	results+=("+80 ms: $(time_until pipe4 60) ms")
	e2e_in 0 iptables -t mangle -D "${delay[@]}"
	results+=("delay cleared, back: $(time_until pipe2 120) ms")
	sleep 5
	# Death: node 2's daemon stopped, then its wireguard-go for pipe0 killed.
	e2e_daemon_stop 2
	for p in $(ip netns pids "$(e2e_node_ns 2)"); do
		tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q 'wireguard-go.* pipe0 *$' && kill -KILL "$p"
	done
	results+=("peer death: $(time_until pipe4 60) ms")
	e2e_daemon_start 2
	results+=("peer back, route back: $(time_until pipe2 120) ms")
	sleep 10
done
printf 'reroute times (node 0 -> 10.0.2.1, direct pipe2 vs via pipe4), %d rounds:\n' "$rounds"
printf '  %s\n' "${results[@]}"
