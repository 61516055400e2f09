# Shared helpers for end-to-end tests. Source it; do not run it.
#
# Every namespace a test makes goes through e2e_netns_add, so the EXIT trap can
# kill what runs inside and delete it, also when the test fails half-way.
# Names carry the test's PID so concurrent runs never collide.

set -euo pipefail

E2E_NAME=$(basename "${0%.sh}")
# "x" ends the PID, so one run's tag is never a prefix of another's.
E2E_TAG="w$$x"
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

# e2e_netns_add SUFFIX -> prints the namespace name. Callers often use
# $(e2e_netns_add ...), a subshell, so cleanup finds namespaces by the run's
# tag rather than by a list kept in this shell.
e2e_netns_add() {
	local ns="${E2E_TAG}$1"
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	echo "$ns"
}

e2e_my_netns() { ip netns list 2>/dev/null | awk '{print $1}' | grep "^${E2E_TAG}" || true; }

# Run "$@" at exit, before namespaces are removed (last registered runs first).
e2e_on_exit() { E2E_CLEANUP+=("$*"); }

e2e_cleanup() {
	local rc=$? i ns pid
	for ((i = ${#E2E_CLEANUP[@]} - 1; i >= 0; i--)); do
		eval "${E2E_CLEANUP[$i]}" >/dev/null 2>&1 || true
	done
	for ns in $(e2e_my_netns); do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null || true; done
	done
	sleep 0.2
	for ns in $(e2e_my_netns); do
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

# Limits of wait_until are scaled by WGM_E2E_TIME_SCALE (an integer, 1 by
# default): the same scripts run in an emulated guest (tests/vm), several
# times slower. Only the bound on waiting grows, never a requirement.
E2E_TIME_SCALE=${WGM_E2E_TIME_SCALE:-1}

# wait_until SECONDS CMD... : polls CMD every 0.1 s until it succeeds.
wait_until() {
	local limit=$(($1 * E2E_TIME_SCALE)) start
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

# ---- wgmesh nodes for end-to-end tests ----
# A node is a network namespace plus a private mount namespace (so that
# wireguard-go's /run/wireguard sockets of different nodes never meet),
# entered through a holder process. Its files live under $E2E_TMP/nID.

declare -A E2E_HOLDER

# e2e_node_ns ID -> namespace name
e2e_node_ns() { echo "${E2E_TAG}n$1"; }

# e2e_node_add ID : namespace + mount namespace holder
e2e_node_add() {
	local id=$1 ns pidfile
	ns=$(e2e_netns_add "n$id")
	mkdir -p /run/wireguard "$E2E_TMP/n$id"
	pidfile="$E2E_TMP/n$id/holder.pid"
	ip netns exec "$ns" unshare -m --propagation private \
		sh -c "mount -t tmpfs tmpfs /run/wireguard && echo \$\$ > '$pidfile' && exec sleep infinity" &
	wait_until 5 test -s "$pidfile" || fail "node $id: mount namespace holder did not start"
	E2E_HOLDER[$id]=$(cat "$pidfile")
}

# e2e_in ID CMD... : runs CMD inside node ID (network and mount namespace)
e2e_in() {
	local id=$1
	shift
	nsenter -t "${E2E_HOLDER[$id]}" -m -n "$@"
}

# e2e_wgmesh ID ARGS... : the CLI of node ID
e2e_wgmesh() {
	local id=$1
	shift
	e2e_in "$id" "$WGM_BUILD_DIR/wgmesh" --config "$E2E_TMP/n$id/config.json" "$@"
}

# The WireGuard backend of the nodes: userspace (wireguard-go) by default, as
# this machine's kernel has no wireguard module; the tests under tests/vm run
# the same scripts in a guest with WGM_E2E_BACKEND=kernel. WGM_E2E_BACKEND_<ID>
# gives one node another backend (a mixed pair).
E2E_BACKEND=${WGM_E2E_BACKEND:-userspace}
case $E2E_BACKEND in kernel | userspace) ;; *) fail "WGM_E2E_BACKEND=$E2E_BACKEND: want kernel or userspace" ;; esac

# e2e_node_backend ID -> the backend node ID is initialised with
e2e_node_backend() {
	local var="WGM_E2E_BACKEND_$1"
	echo "${!var:-$E2E_BACKEND}"
}

# e2e_node_init ID [init args...]
e2e_node_init() {
	local id=$1
	shift
	e2e_wgmesh "$id" init "$id" --state-dir "$E2E_TMP/n$id/state" --socket "$E2E_TMP/n$id/ctl.sock" \
		--bird-config "$E2E_TMP/n$id/bird.conf" --bird-socket "$E2E_TMP/n$id/bird.ctl" \
		--backend "$(e2e_node_backend "$id")" "$@" 2>>"$E2E_TMP/n$id/init.log" || fail "node $id: wgmesh init failed: $(cat "$E2E_TMP/n$id/init.log")"
}

# e2e_daemon_start ID : starts wgmeshd in node ID and waits for its socket
e2e_daemon_start() {
	local id=$1
	# nsenter without -p execs the daemon, so $! is the daemon itself.
	nsenter -t "${E2E_HOLDER[$id]}" -m -n "$WGM_BUILD_DIR/wgmeshd" --config "$E2E_TMP/n$id/config.json" \
		>>"$E2E_TMP/n$id/wgmeshd.log" 2>&1 &
	echo $! >"$E2E_TMP/n$id/wgmeshd.pid"
	wait_until 10 e2e_wgmesh "$id" status || fail "node $id: wgmeshd did not answer; log: $(tail -5 "$E2E_TMP/n$id/wgmeshd.log")"
}

# e2e_daemon_stop ID [SIGNAL]
e2e_daemon_stop() {
	local id=$1 sig=${2:-TERM} pid
	pid=$(cat "$E2E_TMP/n$id/wgmeshd.pid")
	kill -"$sig" "$pid" 2>/dev/null || true
	# The daemon is our child: wait reaps it; a watchdog bounds the wait.
	(sleep $((10 * E2E_TIME_SCALE)) && kill -KILL "$pid" 2>/dev/null && echo "node $id: wgmeshd ignored SIG$sig" >"$E2E_TMP/n$id/stop-timeout") &
	local watchdog=$!
	wait "$pid" 2>/dev/null || true
	kill "$watchdog" 2>/dev/null || true
	wait "$watchdog" 2>/dev/null || true
	[ ! -e "$E2E_TMP/n$id/stop-timeout" ] || fail "$(cat "$E2E_TMP/n$id/stop-timeout")"
}

# e2e_log_has ID PATTERN : the daemon's log has a line matching PATTERN
e2e_log_has() { grep -q -- "$2" "$E2E_TMP/n$1/wgmeshd.log"; }

# e2e_underlay ID... : one bridge namespace joining the given nodes on
# 192.0.2.(10+ID)/24 and 2001:db8::(10+ID)/64 (documentation ranges).
e2e_underlay() {
	local br id ns a b
	br=$(e2e_netns_add br)
	ip -n "$br" link add br0 type bridge
	ip -n "$br" link set br0 up
	for id in "$@"; do
		ns=$(e2e_node_ns "$id")
		a="${E2E_TAG}u$id"
		b="${E2E_TAG}p$id"
		ip link add "$a" type veth peer name "$b"
		ip link set "$a" netns "$ns" name u0
		ip link set "$b" netns "$br"
		ip -n "$br" link set "$b" master br0 up
		ip -n "$ns" addr add "192.0.2.$((10 + id))/24" dev u0
		ip -n "$ns" addr add "2001:db8::$((10 + id))/64" dev u0 nodad
		ip -n "$ns" link set u0 up
	done
}

# e2e_join FROM TO : node FROM joins node TO (a token from TO, `connect` to
# TO's node API on the underlay of e2e_underlay).
e2e_join() {
	local token out
	token=$(e2e_wgmesh "$2" token 2>/dev/null) || fail "token on node $2 failed"
	out=$(e2e_wgmesh "$1" connect "http://192.0.2.$((10 + $2)):8080" "$token" 2>&1) || fail "$1 -> $2: $out"
}

# e2e_nodes JQ_FILTER ID... : the nodes on one underlay (public, IPv4), each
# config.json passed through JQ_FILTER (settings the test needs), BIRD and
# wgmeshd started; joining them is left to the test.
e2e_nodes() {
	local id cfg filter=${1:-.}
	shift
	for id in "$@"; do e2e_node_add "$id"; done
	e2e_underlay "$@"
	for id in "$@"; do
		e2e_node_init "$id" public --ipv4 "192.0.2.$((10 + id))" --ipv6 none
		cfg="$E2E_TMP/n$id/config.json"
		jq "$filter" "$cfg" >"$cfg.new" && mv "$cfg.new" "$cfg" || fail "node $id: jq '$filter' failed on its config"
		e2e_bird_start "$id"
		e2e_daemon_start "$id"
	done
}

# e2e_has_link A B : node A has a link to node B (pipeB)
e2e_has_link() { e2e_wgmesh "$1" links --json | jq -e --arg n "pipe$2" 'map(select(.name == $n)) | length > 0' >/dev/null; }

# e2e_full_mesh ID... : every node of the list has a link to every other
e2e_full_mesh() {
	local a b
	for a in "$@"; do
		for b in "$@"; do [ "$a" = "$b" ] || e2e_has_link "$a" "$b" || return 1; done
	done
}

# e2e_member_mesh4 : e2e_nodes 0, 2, 4, 6 (IDS); 2 and 4 join node 0 (the
# admin), 6 joins node 2 (a non-admin: node 0 certifies it); waits until mesh
# buildup has linked every pair.
e2e_member_mesh4() {
	IDS=(0 2 4 6)
	e2e_nodes . "${IDS[@]}"
	e2e_join 2 0
	e2e_join 4 0
	e2e_join 6 2
	wait_until 120 e2e_full_mesh "${IDS[@]}" ||
		fail "no full mesh: $(for i in "${IDS[@]}"; do echo "node $i: $(e2e_wgmesh "$i" links)"; done)"
}

# e2e_mesh3 JQ_FILTER : e2e_nodes 0, 2, 4 joined into a full mesh (2 -> 0,
# 4 -> 0, 4 -> 2).
e2e_mesh3() {
	e2e_nodes "${1:-.}" 0 2 4
	e2e_join 2 0
	e2e_join 4 0
	e2e_join 4 2
}

# e2e_ospf_edge AT A B : node AT's BIRD holds, in its OSPF topology, router
# 10.0.A.1 with a link to router 10.0.B.1 (an adjacency A reports).
e2e_ospf_edge() {
	e2e_in "$1" birdc -s "$E2E_TMP/n$1/bird.ctl" show ospf topology ospf4 |
		awk -v a="10.0.$2.1" -v b="10.0.$3.1" '$1 == "router" && NF == 2 { cur = $2 }
			$1 == "router" && NF == 4 && cur == a && $2 == b { found = 1 } END { exit !found }'
}

# e2e_pair [dual] : the usual two nodes: 0 (public: the node others join, at
# 192.0.2.10) and 2, on one underlay and initialised; their public addresses
# are IPv4 only, or IPv4 and IPv6 with "dual". Starting BIRD and the daemons
# is left to the test.
e2e_pair() {
	local v6_0=none v6_2=none
	if [ "${1:-}" = dual ]; then
		v6_0=2001:db8::10
		v6_2=2001:db8::12
	fi
	e2e_node_add 0
	e2e_node_add 2
	e2e_underlay 0 2
	e2e_node_init 0 public --ipv4 192.0.2.10 --ipv6 "$v6_0"
	e2e_node_init 2 --ipv4 192.0.2.12 --ipv6 "$v6_2"
}

# e2e_pair_joined : e2e_pair with both daemons running and node 2 joined to
# node 0 by token: node 0's pipe2 and node 2's pipe0 carry a ping.
e2e_pair_joined() {
	local token out
	e2e_pair
	e2e_daemon_start 0
	e2e_daemon_start 2
	token=$(e2e_wgmesh 0 token 2>/dev/null) || fail "wgmesh token failed"
	out=$(e2e_wgmesh 2 connect http://192.0.2.10:8080 "$token" 2>&1) || fail "connect failed: $out"
	wait_until 20 e2e_in 2 ping -c1 -W1 10.0.0.4 || fail "node 2 cannot ping node 0 over pipe0"
}

# e2e_bird_start ID : makes node ID a router (the sysctls install.sh sets:
# forwarding, no reverse-path filter, since mesh paths are asymmetric) and
# starts BIRD 2 in it with the node's birdConfig and birdSocket (from
# e2e_node_init), as the bird2 package would before wgmeshd; a placeholder
# config until the daemon writes the real one.
e2e_bird_start() {
	local id=$1 d="$E2E_TMP/n$1"
	e2e_in "$id" sysctl -q -w net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 >/dev/null
	[ -s "$d/bird.conf" ] || printf '%s\n' "log stderr all;" "router id 10.0.$id.1;" "protocol device {}" >"$d/bird.conf"
	# In the foreground, so that BIRD's log (the generated config logs to
	# stderr) stays in bird.log, kept with a failed run; daemonized, BIRD
	# sends it to /dev/null.
	e2e_in "$id" bird -f -c "$d/bird.conf" -s "$d/bird.ctl" -P "$d/bird.pid" >>"$d/bird.log" 2>&1 &
	wait_until 5 test -s "$d/bird.pid" || fail "node $id: BIRD did not start: $(tail -3 "$d/bird.log")"
	e2e_on_exit "kill \$(cat '$d/bird.pid')"
	wait_until 5 test -S "$d/bird.ctl" || fail "node $id: BIRD's control socket did not appear"
}

# e2e_bird_stop ID
e2e_bird_stop() {
	local d="$E2E_TMP/n$1" pid
	pid=$(cat "$d/bird.pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null || true
	wait_until 5 sh -c "! kill -0 $pid" || kill -KILL "$pid" 2>/dev/null || true
	rm -f "$d/bird.pid"
}
