#!/usr/bin/env bash
# Faults over time (a bench, not in CI; it stops by itself). Four nodes (0,
# 2, 4, 6: wgmeshd, BIRD 2, wireguard-go in namespaces, IPv4 and IPv6
# underlay) build a full mesh, then for SECONDS (default 1800) suffer one
# random fault after another: 30 % loss or +80 ms on a path, a path's death
# (all UDP between two nodes), kill -9 of a wgmeshd (restarted), of a
# wireguard-go (the daemon repairs it) or of BIRD (restarted), and once a
# fifth node (8) joining while the accepting daemon is killed mid-join and
# restarted. Then every fault is lifted and the mesh must heal within 180 s:
# every link up, every loopback reachable over IPv4 and IPv6, one interface,
# one wireguard-go and one state record per link and nothing else, no leftover
# impairment rule, the tokens file without duplicates. Prints wgmeshd's RSS
# and open file descriptors per node at the start and at the end (growth is
# a leak to fix) and the faults it applied. Exits 1 when the mesh does not
# heal. Needs root and a build (WGM_BUILD_DIR, default build/).
#   tests/bench/soak.sh [SECONDS]     (60-86400)
. "$(dirname "$0")/../e2e/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go nsenter unshare ping bird jq iptables ip6tables

seconds=${1:-1800}
[[ $seconds =~ ^[0-9]+$ && $seconds -ge 60 && $seconds -le 86400 ]] || fail "SECONDS: 60-86400"
ids=(0 2 4 6)
RANDOM=$$

for id in "${ids[@]}" 8; do e2e_node_add $id; done
e2e_underlay "${ids[@]}" 8
for id in "${ids[@]}" 8; do
	e2e_node_init $id public --ipv4 "192.0.2.$((10 + id))" --ipv6 "2001:db8::$((10 + id))"
	cfg="$E2E_TMP/n$id/config.json"
	# Penalties that end in seconds, not the default half hour, and
	# half-made links (a join cut by a crash) removed after a minute, not
	# ten, so that the heal at the end is about the product, not about
	# waiting out a window.
	jq '.costEventWindow = 20 | .jitterThreshold = 20 | .bird.minReloadInterval = 2 | .handshakeTimeout = 60' \
		"$cfg" >"$cfg.new" && mv "$cfg.new" "$cfg"
done
for id in "${ids[@]}"; do
	e2e_bird_start $id
	e2e_daemon_start $id
done
join() { # FROM TO
	local token
	token=$(e2e_wgmesh "$2" token 2>/dev/null) || return 1
	e2e_wgmesh "$1" connect "http://192.0.2.$((10 + $2)):8080" "$token" >/dev/null 2>&1
}
for id in "${ids[@]:1}"; do join "$id" 0 || fail "node $id could not join node 0"; done

# --- checks ---
links_json() { e2e_wgmesh "$1" links --json 2>/dev/null; }
all_links_up() {
	local id
	for id in "$@"; do
		links_json "$id" | jq -e 'length > 0 and all(.[]; .state == "up")' >/dev/null || return 1
	done
}
reach_all() {
	local a b
	for a in "$@"; do
		for b in "$@"; do
			[ "$a" = "$b" ] && continue
			e2e_in "$a" ping -c1 -W1 "10.0.$b.1" >/dev/null 2>&1 || return 1
			e2e_in "$a" ping -6 -c1 -W1 "fd10:0:$b::1" >/dev/null 2>&1 || return 1
		done
	done
}
fully_meshed() { # every node has a link (per transport) to every other
	local id n=$#
	for id in "$@"; do
		[ "$(links_json "$id" | jq '[.[].remote_id] | unique | length')" -eq $((n - 1)) ] || return 1
	done
}
wait_until 180 fully_meshed "${ids[@]}" || fail "no full mesh after 180 s: $(for i in "${ids[@]}"; do links_json $i | jq -c '[.[].name]'; done)"
wait_until 120 all_links_up "${ids[@]}" || fail "links not all up at the start"
wait_until 120 reach_all "${ids[@]}" || fail "no full reachability at the start"

daemon_pid() { cat "$E2E_TMP/n$1/wgmeshd.pid"; }
rss_fds() { # ID -> "RSS KiB, FDS fds"
	local pid
	pid=$(daemon_pid "$1")
	printf '%s KiB, %s fds' "$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")" "$(ls "/proc/$pid/fd" | wc -l)"
}
declare -A start_figures
for id in "${ids[@]}"; do start_figures[$id]=$(rss_fds $id); done

# --- faults ---
rules=() # "ID|table|iptables-cmd|rule..." currently applied
add_rule() { # ID CMD RULE... (mangle POSTROUTING)
	local id=$1 cmd=$2
	shift 2
	e2e_in "$id" "$cmd" -t mangle -A POSTROUTING "$@" && rules+=("$id $cmd $*")
}
lift_rules() {
	local r id cmd
	for r in "${rules[@]}"; do
		read -r id cmd rest <<<"$r"
		# shellcheck disable=SC2086
		e2e_in "$id" "$cmd" -t mangle -D POSTROUTING $rest 2>/dev/null || true
	done
	rules=()
}
delayq_pid=
lift_delay() {
	if [ -n "$delayq_pid" ]; then
		kill "$delayq_pid" 2>/dev/null || true
		wait "$delayq_pid" 2>/dev/null || true
	fi
	delayq_pid=
}
e2e_on_exit lift_delay
pick() { local a=("$@"); echo "${a[RANDOM % ${#a[@]}]}"; }
pair() { # -> "A B", two different nodes
	local a b
	a=$(pick "${ids[@]}")
	while b=$(pick "${ids[@]}") && [ "$b" = "$a" ]; do :; done
	echo "$a $b"
}
kill_wireguard_go() { # ID: one of its wireguard-go processes
	local p
	for p in $(ip netns pids "$(e2e_node_ns "$1")"); do
		if tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q '^wireguard-go\|/wireguard-go '; then
			kill -KILL "$p" && return 0
		fi
	done
	return 1
}
declare -A applied
joined8=0
end=$((SECONDS + seconds))
while [ $SECONDS -lt $end ]; do
	read -r a b <<<"$(pair)"
	fault=$(pick loss delay death kill_daemon kill_wg kill_bird)
	# The join cut by a restart happens once, halfway through.
	[ $joined8 = 0 ] && [ $SECONDS -ge $((end - seconds / 2)) ] && fault=join_restart
	case $fault in
	loss)
		add_rule "$a" iptables -o u0 -d "192.0.2.$((10 + b))" -p udp -m statistic --mode random --probability 0.3 -j DROP
		add_rule "$a" ip6tables -o u0 -d "2001:db8::$((10 + b))" -p udp -m statistic --mode random --probability 0.3 -j DROP
		;;
	delay)
		if [ -z "$delayq_pid" ]; then
			e2e_in "$a" "$WGM_BUILD_DIR/wgmesh-delayq" --queue 7 --delay 80 >"$E2E_TMP/delayq.log" 2>&1 &
			delayq_pid=$!
			wait_until 5 grep -q bound "$E2E_TMP/delayq.log" || fail "delay line did not bind: $(cat "$E2E_TMP/delayq.log")"
			add_rule "$a" iptables -o u0 -d "192.0.2.$((10 + b))" -p udp -j NFQUEUE --queue-num 7 --queue-bypass
		fi
		;;
	death)
		add_rule "$a" iptables -o u0 -d "192.0.2.$((10 + b))" -p udp -j DROP
		add_rule "$a" ip6tables -o u0 -d "2001:db8::$((10 + b))" -p udp -j DROP
		add_rule "$b" iptables -o u0 -d "192.0.2.$((10 + a))" -p udp -j DROP
		add_rule "$b" ip6tables -o u0 -d "2001:db8::$((10 + a))" -p udp -j DROP
		;;
	kill_daemon)
		e2e_daemon_stop "$a" KILL
		sleep 2
		e2e_daemon_start "$a"
		;;
	kill_wg)
		kill_wireguard_go "$a" || fault=kill_wg_none
		;;
	kill_bird)
		kill -KILL "$(cat "$E2E_TMP/n$a/bird.pid")" 2>/dev/null || true
		rm -f "$E2E_TMP/n$a/bird.pid" "$E2E_TMP/n$a/bird.ctl"
		sleep 2
		e2e_bird_start "$a"
		;;
	join_restart)
		# Node 8 joins node A; A's daemon dies a moment into the join.
		e2e_bird_start 8
		e2e_daemon_start 8
		token=$(e2e_wgmesh "$a" token 2>/dev/null) || fail "token on node $a failed"
		e2e_wgmesh 8 connect "http://192.0.2.$((10 + a)):8080" "$token" >"$E2E_TMP/join8.out" 2>&1 &
		jpid=$!
		sleep 0.$((RANDOM % 9 + 1))
		e2e_daemon_stop "$a" KILL
		wait "$jpid" || true
		sleep 1
		e2e_daemon_start "$a"
		# A join cut off may be retried with a new token; a completed one
		# must have left links on both ends.
		if [ "$(links_json 8 | jq length)" = 0 ]; then
			join 8 "$a" || e2e_log "node 8: the join after the restart failed too: $(cat "$E2E_TMP/join8.out")"
		fi
		ids+=(8)
		joined8=1
		;;
	esac
	applied[$fault]=$((${applied[$fault]:-0} + 1))
	sleep $((20 + RANDOM % 21))
	lift_rules
	lift_delay
done

# --- heal ---
t_heal=$SECONDS
wait_until 180 fully_meshed "${ids[@]}" || fail "no full mesh 180 s after the faults: $(for i in "${ids[@]}"; do echo "$i: $(links_json $i | jq -c '[.[] | [.name, .state]]')"; done)"
wait_until 180 all_links_up "${ids[@]}" || fail "links not all up 180 s after the faults: $(for i in "${ids[@]}"; do echo "$i: $(links_json $i | jq -c '[.[] | [.name, .state]]')"; done)"
wait_until 120 reach_all "${ids[@]}" || fail "no full reachability (v4 and v6) after the faults"
healed=$((SECONDS - t_heal))

for id in "${ids[@]}"; do
	want=$(links_json "$id" | jq -r '.[].name' | sort)
	have_if=$(e2e_in "$id" ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep '^pipe' | sort)
	[ "$want" = "$have_if" ] || fail "node $id: interfaces [$have_if] are not its links [$want]"
	have_rec=$(ls "$E2E_TMP/n$id/state/links" | sed 's/\.json$//' | sort)
	[ "$want" = "$have_rec" ] || fail "node $id: link records [$have_rec] are not its links [$want]"
	nwg=0
	for p in $(ip netns pids "$(e2e_node_ns "$id")"); do
		tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q '^wireguard-go\|/wireguard-go ' && nwg=$((nwg + 1))
	done
	[ "$nwg" -eq "$(wc -w <<<"$want")" ] || fail "node $id: $nwg wireguard-go processes for $(wc -w <<<"$want") links"
	left=$(e2e_in "$id" iptables -t mangle -S POSTROUTING | grep -c 'statistic\|NFQUEUE\|-j DROP' || true)
	[ "$left" = 0 ] || fail "node $id: impairment rules left in mangle POSTROUTING"
	if [ -s "$E2E_TMP/n$id/state/tokens.json" ]; then
		dups=$(jq '[.. | objects | select(has("id")) | .id] | length - (unique | length)' "$E2E_TMP/n$id/state/tokens.json")
		[ "$dups" = 0 ] || fail "node $id: duplicated tokens in tokens.json"
	fi
done

# Both nodes of every pair have IPv4 and IPv6, so each pair should have a
# link per transport; a pair left with one is printed (a join cut between
# its two links is not completed later: buildup goes by node, not transport).
one_transport=
for a in "${ids[@]}"; do
	for b in "${ids[@]}"; do
		[ "$a" -lt "$b" ] || continue
		n=$(links_json "$a" | jq --argjson b "$b" '[.[] | select(.remote_id == $b)] | length')
		[ "$n" -ge 2 ] || one_transport+=" $a-$b"
	done
done
[ -z "$one_transport" ] || printf 'soak: pairs with a link over one transport only:%s\n' "$one_transport"

faults=$(for k in "${!applied[@]}"; do printf '%s %s, ' "$k" "${applied[$k]}"; done)
printf 'soak: %s s of faults (%s); healed in %s s: full mesh, every link up, v4+v6 reachability, no orphans\n' \
	"$seconds" "${faults%, }" "$healed"
for id in "${ids[@]}"; do
	printf 'soak: node %s wgmeshd: start %s; end %s\n' "$id" "${start_figures[$id]:-(joined later)}" "$(rss_fds "$id")"
done
