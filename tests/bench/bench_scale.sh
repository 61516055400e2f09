#!/usr/bin/env bash
# A full mesh of N real nodes (default 16; wgmeshd, BIRD 2 and one
# wireguard-go per link end in namespaces on this machine), all joining node
# 0 at once, then the figures docs/scaling.md extrapolates from: links,
# wireguard-go processes, memory and CPU of wgmeshd, BIRD and wireguard-go,
# idle control traffic per link (probes, OSPF, BFD, WireGuard keepalives),
# OSPF LSDB size, BIRD's reconfigure time, and the time to reroute when one
# link dies. Needs root and a build (WGM_BUILD_DIR; use a RelWithDebInfo
# build without sanitizers). Raises fs.inotify.max_user_instances to fit.
#   tests/bench/bench_scale.sh [N] [SECONDS]   (default 16 nodes, 30 s of idle sampling)
n=${1:-16}
window=${2:-30}
BENCH_JOIN_LIB=1 . "$(dirname "$0")/bench_join.sh" "$n"
e2e_require_cmd jq

say() { printf 'bench_scale: %s\n' "$*"; }
# pids of COMM in this run's namespaces
pids_of() {
	local ns p
	for ns in $(e2e_my_netns); do
		for p in $(ip netns pids "$ns" 2>/dev/null); do
			[ "$(cat /proc/"$p"/comm 2>/dev/null)" = "$1" ] && echo "$p"
		done
	done
	true
}
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
# utime + stime in clock ticks
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
sum_ticks() { local p s=0; for p in "$@"; do s=$((s + $(cpu_ticks "$p"))); done; echo $s; }
sum_rss() { local p s=0; for p in "$@"; do s=$((s + $(rss_kb "$p"))); done; echo $s; }
tx_bytes() { e2e_wgmesh "$1" metrics 2>/dev/null | awk '/^wgmesh_link_transmit_bytes_total/ { s += $NF } END { printf "%d", s }'; }

bench_mesh_up "$n" concurrent
say "$n nodes: all joined node 0 at once; full reachability ${reach} s, buildup done ${done_at} s"
sleep 10 # past the first probe rounds' cost changes

total=0 min=999999 max=0
for id in "${ids[@]}"; do
	c=$(ls "$E2E_TMP/n$id/state/links" | grep -c '\.json$' || true)
	total=$((total + c))
	[ "$c" -lt "$min" ] && min=$c
	[ "$c" -gt "$max" ] && max=$c
done
say "links: $total link ends ($((total / 2)) links), per node $min-$max (full mesh: $((2 * (n - 1))) each)"
mapfile -t wgp < <(pids_of wireguard-go)
mapfile -t dp < <(pids_of wgmeshd)
mapfile -t bp < <(pids_of bird)
say "processes: ${#wgp[@]} wireguard-go, ${#dp[@]} wgmeshd, ${#bp[@]} bird"
say "memory (RSS): wgmeshd $(($(sum_rss "${dp[@]}") / ${#dp[@]})) KiB per node, bird $(($(sum_rss "${bp[@]}") / ${#bp[@]})) KiB per node, wireguard-go $(($(sum_rss "${wgp[@]}") / ${#wgp[@]})) KiB each ($(($(sum_rss "${wgp[@]}") / 1024)) MiB in all)"

hz=$(getconf CLK_TCK)
d0=$(sum_ticks "${dp[@]}") b0=$(sum_ticks "${bp[@]}") w0=$(sum_ticks "${wgp[@]}") x0=$(tx_bytes 0) s0=$(now)
sleep "$window"
d1=$(sum_ticks "${dp[@]}") b1=$(sum_ticks "${bp[@]}") w1=$(sum_ticks "${wgp[@]}") x1=$(tx_bytes 0) s1=$(now)
pct() { awk -v t="$1" -v hz="$hz" -v s="$(awk -v a="$s0" -v b="$s1" 'BEGIN { print b - a }')" -v k="$2" 'BEGIN { printf "%.2f", 100 * t / hz / s / k }'; }
say "CPU over ${window} s idle (% of one core): wgmeshd $(pct $((d1 - d0)) ${#dp[@]}) per node, bird $(pct $((b1 - b0)) ${#bp[@]}) per node, wireguard-go $(pct $((w1 - w0)) ${#wgp[@]}) each; all together $(pct $((d1 - d0 + b1 - b0 + w1 - w0)) 1) % of one core (this machine has $(nproc))"
links0=$(ls "$E2E_TMP/n0/state/links" | grep -c '\.json$' || true)
say "idle control traffic: node 0 sends $(awk -v a="$x0" -v b="$x1" -v s="$(awk -v a="$s0" -v b="$s1" 'BEGIN { print b - a }')" -v l="$links0" 'BEGIN { printf "%.0f B/s over %d links, %.0f B/s per link", (b - a) / s, l, (b - a) / s / l }') (WireGuard bytes: probes, OSPF, BFD, keepalives)"

ctl="$WGM_BUILD_DIR/bird_ctl"
if [ -x "$ctl" ]; then
	l4=$(e2e_in 0 "$ctl" "$E2E_TMP/n0/bird.ctl" cmd show ospf lsadb ospf4 2>/dev/null | grep -cE '^[[:space:]]*[0-9]{4}[[:space:]]' || true)
	l6=$(e2e_in 0 "$ctl" "$E2E_TMP/n0/bird.ctl" cmd show ospf lsadb ospf6 2>/dev/null | grep -cE '^[[:space:]]*[0-9]{4}[[:space:]]' || true)
	r4=$(e2e_in 0 "$ctl" "$E2E_TMP/n0/bird.ctl" cmd show route count 2>/dev/null | grep -o '[0-9]* of [0-9]* routes' | head -1)
	say "OSPF LSDB on node 0: $l4 LSAs (OSPFv2), $l6 LSAs (OSPFv3); BIRD: ${r4:-?}"
	ts=$(now)
	e2e_in 0 "$ctl" "$E2E_TMP/n0/bird.ctl" cmd configure >/dev/null 2>&1
	say "BIRD configure (unchanged config, $links0 interfaces): $(since "$ts") s"
else
	say "no bird_ctl in $WGM_BUILD_DIR: LSDB and reconfigure figures skipped"
fi

# One link dies: node 2 reaches node 4's loopback through link pipeX (X is
# 4 or the node the route goes through); node X loses its ends of the links
# to node 2 (its wireguard-go for them is killed), so node 2's route must
# leave pipeX and pipeXv6 (BFD, then OSPF).
via24() { e2e_in 2 ip -4 route get 10.0.4.1 2>/dev/null | grep -o 'dev [a-z0-9]*' | cut -d' ' -f2; }
before=$(via24)
x=${before#pipe}
x=${x%v6}
[[ $x =~ ^[0-9]+$ ]] || fail "node 2 reaches 10.0.4.1 over '$before', not a link"
off_link() { local v; v=$(via24); [ -n "$v" ] && [ "$v" != "pipe$x" ] && [ "$v" != "pipe${x}v6" ]; }
netx=$(readlink "/proc/${E2E_HOLDER[$x]}/ns/net")
ts=$(now)
for p in $(pids_of wireguard-go); do
	[ "$(readlink /proc/"$p"/ns/net 2>/dev/null)" = "$netx" ] || continue
	tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qwE 'pipe2|pipe2v6' && kill -KILL "$p"
done
while ! off_link; do
	over "$ts" 60 && break
	sleep 0.05
done
if off_link; then
	say "reroute: node 2 -> 10.0.4.1 left $before for $(via24) $(since "$ts") s after node $x's ends of the 2-$x links died"
else
	say "reroute: node 2 -> 10.0.4.1 still on $(via24) 60 s after node $x's ends of the 2-$x links died"
fi
bench_mesh_down
