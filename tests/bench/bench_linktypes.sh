#!/usr/bin/env bash
# Throughput and CPU of each link type, in one run on one machine: a lab of
# five nodes where node 2 joins node 0 with a default link, node 4 with
# wgobfs, node 6 with ipt_xor and node 8 with amneziawg (IPv4 transport, the
# userspace backend), then one iperf3 TCP run per link, one after the other,
# from the node to node 0 over its link. CPU is what wgmeshd and every
# wireguard-go of both nodes used during the run (utime + stime from
# /proc/PID/stat; the kernel's own softirq work on the queue is not in it),
# per Gbit transferred. Prints a table; nothing asserts on it.
#
#   sudo tests/bench/bench_linktypes.sh [SECONDS [ROUNDS]]   (default 8 s per type, 2 rounds)
#
# The types take turns, round after round, so a burst of other load on the
# machine hits them alike; "% dflt" compares with default in the same round.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-8}
rounds=${2:-2}
export WGM_BUILD_DIR=${WGM_BUILD_DIR:-$src/build/bench}
if [ ! -x "$WGM_BUILD_DIR/wgmeshd" ] || [ ! -x "$WGM_BUILD_DIR/wgmesh" ]; then
	cmake -S "$src" -B "$WGM_BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build "$WGM_BUILD_DIR" -j"$(nproc)" --target wgmeshd wgmesh wgmesh-delayq >/dev/null
fi
source "$src/tests/e2e/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go nsenter unshare bird iptables iperf3 jq

LAB=$src/tests/lab/wgmesh-lab
export WGMLAB_PREFIX="b$E2E_TAG"
export WGMLAB_BIN_DIR=$WGM_BUILD_DIR
e2e_on_exit "'$LAB' down"
TYPES=(default wgobfs ipt_xor amneziawg)
HZ=$(getconf CLK_TCK)

"$LAB" up 5 --link-types "$(IFS=,; echo "${TYPES[*]}")" >"$E2E_TMP/lab.log" 2>&1 ||
	fail "wgmesh-lab up failed: $(tail -n 1 "$E2E_TMP/lab.log")"
"$LAB" exec 0 iperf3 -s -D --logfile /dev/null || fail "iperf3 server did not start"

# peer_addr ID -> node 0's address on node ID's IPv4-transport link
peer_addr() {
	local a
	a=$("$LAB" exec "$1" wgmesh links --json | jq -r '.[] | select(.remote_id == 0 and .transport == "v4") | .local_addr')
	[[ $a =~ ^([0-9]+\.[0-9]+\.[0-9]+\.)([0-9]+)/31$ ]] || return 1
	echo "${BASH_REMATCH[1]}$((BASH_REMATCH[2] ^ 1))"
}

# cpu_ticks COMM_REGEX ID... -> utime + stime of the processes named so in those nodes
cpu_ticks() {
	local re=$1 id pid total=0 stat
	shift
	for id in "$@"; do
		for pid in $(ip netns pids "$WGMLAB_PREFIX-$id"); do
			[[ $(cat "/proc/$pid/comm" 2>/dev/null) =~ ^($re)$ ]] || continue
			stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
			stat=${stat##*) }
			set -- $stat
			total=$((total + ${12} + ${13}))
		done
	done
	echo "$total"
}

printf '%-5s %-10s %10s %8s %8s %12s %14s  %s\n' ROUND TYPE Mbit/s "% dflt" "CPU %" "CPU s/Gbit" "engine s/Gbit" "MTU"
for ((round = 1; round <= rounds; round++)); do
base=
for i in "${!TYPES[@]}"; do
	id=$((2 * (i + 1)))
	type=${TYPES[$i]}
	peer=$(peer_addr "$id") || fail "node $id: no IPv4-transport link to node 0"
	wait_until 30 "$LAB" exec "$id" ping -c1 -W1 "$peer" || fail "$type: link to node 0 does not pass pings"
	mtu=$("$LAB" exec "$id" ip -o link show pipe0 | grep -o 'mtu [0-9]*' | cut -d' ' -f2)
	before=$(cpu_ticks 'wgmeshd|wireguard-go' 0 "$id")
	before_d=$(cpu_ticks wgmeshd 0 "$id")
	t0=$(date +%s%N)
	"$LAB" exec "$id" iperf3 -c "$peer" -t "$seconds" -J >"$E2E_TMP/$type.json" 2>&1 ||
		fail "$type: iperf3 failed: $(tail -n 3 "$E2E_TMP/$type.json")"
	t1=$(date +%s%N)
	after=$(cpu_ticks 'wgmeshd|wireguard-go' 0 "$id")
	after_d=$(cpu_ticks wgmeshd 0 "$id")
	bps=$(jq '.end.sum_received.bits_per_second' "$E2E_TMP/$type.json")
	base=${base:-$bps}
	awk -v r="$round" -v t="$type" -v bps="$bps" -v base="$base" -v ticks=$((after - before)) -v dticks=$((after_d - before_d)) -v hz="$HZ" \
		-v secs="$(((t1 - t0) / 1000000))" -v s="$seconds" -v mtu="$mtu" 'BEGIN {
		cpu = ticks / hz; dcpu = dticks / hz; gbit = bps * s / 1e9;
		printf "%-5s %-10s %10.0f %7.0f%% %7.0f%% %12.2f %14.2f  %s\n", r, t, bps / 1e6, 100 * bps / base,
			100 * cpu / (secs / 1000), (gbit > 0 ? cpu / gbit : 0), (gbit > 0 ? dcpu / gbit : 0), mtu }'
done
done
echo "($(nproc) cores, ${seconds} s per type; CPU = wgmeshd + wireguard-go of both ends, 100 % = one core;"
echo " engine = wgmeshd alone: its obfuscation thread, what the engine costs a kernel-backend node too)"
