#!/usr/bin/env bash
# The automatic mesh with real BIRD: four nodes join node 0 one after
# another (or, with "concurrent", three of them at the same moment); mesh
# buildup links every pair, exactly once per transport; every node reaches
# every other's loopback over IPv4 and IPv6 and its VXLAN address; BIRD's
# neighbours are Full. A first join with an ID the mesh routes is refused
# (416). A node that leaves (disconnect of all its links) is dropped from
# the others' routes and VXLAN entries, and not linked again.
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go nsenter unshare ping bird bridge

mode=${1:-sequential}
IDS=(0 2 4 6)
ctl="$WGM_BUILD_DIR/bird_ctl"

for id in "${IDS[@]}" 200 8; do e2e_node_add $id; done
e2e_underlay "${IDS[@]}" 200 8
e2e_node_init 0 public --ipv4 192.0.2.10 --ipv6 2001:db8::10
# Node 2 is public too: a token join is asked of it below.
e2e_node_init 2 public --ipv4 192.0.2.12 --ipv6 2001:db8::12
for id in 4 6; do e2e_node_init $id --ipv4 192.0.2.$((10 + id)) --ipv6 2001:db8::$((10 + id)); done
for id in "${IDS[@]}"; do
	e2e_bird_start $id
	e2e_daemon_start $id
done

join() { # join ID TOKEN
	local out
	out=$(e2e_wgmesh "$1" connect http://192.0.2.10:8080 "$2" 2>&1) || fail "node $1 could not join node 0: $out"
}
tokens=()
for id in 2 4 6; do tokens[id]=$(e2e_wgmesh 0 token 2>/dev/null) || fail "wgmesh token failed"; done
if [ "$mode" = concurrent ]; then
	pids=()
	for id in 2 4 6; do join $id "${tokens[id]}" & pids+=($!); done
	for p in "${pids[@]}"; do wait "$p" || fail "a concurrent join failed"; done
else
	for id in 2 4 6; do join $id "${tokens[id]}"; done
fi

# Exactly one link per pair and transport: pipeX and pipeXv6 to each other
# node, and no other link interface.
links_of() { ip -n "$(e2e_node_ns "$1")" -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | grep '^pipe' | sort | tr '\n' ' '; }
want_links() { # want_links ID [MORE_NAMES...]
	local id=$1 j w=""
	shift
	for j in "${IDS[@]}"; do [ "$j" = "$id" ] || w+="pipe$j pipe${j}v6 "; done
	w+="$* "
	echo "$w" | tr ' ' '\n' | grep . | sort | tr '\n' ' '
}
full_mesh() {
	local id
	for id in "${IDS[@]}"; do [ "$(links_of $id)" = "$(want_links $id)" ] || return 1; done
}
mesh_done() {
	local id
	for id in "${IDS[@]}"; do e2e_wgmesh $id status --json | grep -q '"mesh": "done"' || return 1; done
}
wait_until 90 full_mesh || {
	for id in "${IDS[@]}"; do e2e_log "node $id links: $(links_of $id)"; done
	fail "no full mesh with one link per pair and transport"
}
wait_until 70 mesh_done || fail "mesh buildup did not say done: $(for id in "${IDS[@]}"; do e2e_wgmesh $id status --json | grep mesh; done)"
# Node 6 joined last: its OSPF showed nobody (then only node 0) for seconds
# while it had its link to node 0, and it must not have said done before it
# held its links to every member. Its log holds every state change in order.
log6="$E2E_TMP/n6/wgmeshd.log"
first_done=$(grep -n 'mesh buildup: done' "$log6" | head -1 | cut -d: -f1)
[ -n "$first_done" ] || fail "node 6 never logged 'mesh buildup: done'"
for j in 0 2 4; do
	for p in pipe$j pipe${j}v6; do
		up=$(grep -n "link $p to node $j is up" "$log6" | head -1 | cut -d: -f1)
		[ -n "$up" ] && [ "$up" -lt "$first_done" ] ||
			fail "node 6 said done (log line $first_done) before $p was up (line ${up:-never}): $(grep -n 'mesh buildup: \(done\|waiting\|building\)\|is up' "$log6" | head -20)"
	done
done
# Buildup is over: still exactly one link per pair (no late duplicate).
full_mesh || fail "links changed after buildup was done"

reach() { # reach FROM TO
	e2e_in "$1" ping -c1 -W1 "10.0.$2.1" && e2e_in "$1" ping -c1 -W1 "fd10:0:$2::1" &&
		e2e_in "$1" ping -c1 -W1 "10.0.251.$2" || return 1
	# Node 0's VXLAN IPv6 address is fd10:251:: (vxlanOffset 0), which a
	# forwarding Linux host holds as the subnet-router anycast address and
	# never answers from; the other nodes reach each other over vxlan1v6.
	[ "$1" = 0 ] || [ "$2" = 0 ] || e2e_in "$1" ping -c1 -W1 "fd10:251::$2"
}
for a in "${IDS[@]}"; do
	for b in "${IDS[@]}"; do
		[ "$a" = "$b" ] && continue
		wait_until 20 reach "$a" "$b" || {
			for dst in "10.0.$b.1" "fd10:0:$b::1" "10.0.251.$b" "fd10:251::$b"; do
				e2e_in "$a" ping -c1 -W1 "$dst" >/dev/null 2>&1 || e2e_log "node $a: no answer from $dst"
			done
			e2e_log "node $a routes: $(e2e_in "$a" ip route; e2e_in "$a" ip -6 route | grep -v fe8)"
			e2e_log "node $a fdb: $(bridge -n "$(e2e_node_ns "$a")" fdb show dev vxlan1; bridge -n "$(e2e_node_ns "$a")" fdb show dev vxlan1v6)"
			e2e_log "node $a vxlan: $(e2e_in "$a" ip -d addr show vxlan1; e2e_in "$a" ip -d addr show vxlan1v6)"
			fail "node $a cannot reach node $b (loopbacks, VXLAN)"
		}
	done
done

full() { [ "$("$ctl" "$E2E_TMP/n$1/bird.ctl" neighbors | grep -c "^$2 .* Full ")" -eq 6 ]; }
for id in "${IDS[@]}"; do
	for p in ospf4 ospf6; do
		wait_until 20 full "$id" "$p" || fail "node $id: $p neighbours not all Full: $("$ctl" "$E2E_TMP/n$id/bird.ctl" neighbors)"
	done
done

used=$(e2e_wgmesh 2 used) || fail "wgmesh used failed"
[ "$used" = "0 2 4 6" ] || fail "used says '$used'"
e2e_wgmesh 0 nodes --json | grep -c '"direct": true' | grep -qx 3 || fail "node 0 does not list 3 direct nodes: $(e2e_wgmesh 0 nodes)"

# A client (ID 200) joins node 0: nobody meshes with it, yet every node
# routes it.
e2e_node_init 200 --ipv4 192.0.2.210 --ipv6 none
e2e_bird_start 200
e2e_daemon_start 200
join 200 "$(e2e_wgmesh 0 token 2>/dev/null)"
wait_until 20 sh -c "'$WGM_BUILD_DIR/wgmesh' --socket '$E2E_TMP/n2/ctl.sock' used | grep -qw 200" ||
	fail "node 2 does not route the client"
wait_until 20 e2e_in 200 ping -c1 -W1 10.0.2.1 || fail "the client cannot reach node 2"

# A first join with an ID the mesh routes is refused, though the node asked
# has no link to that ID (BIRD's routes tell): node "8" is made as ID 200.
e2e_wgmesh 8 init 200 --state-dir "$E2E_TMP/n8/state" --socket "$E2E_TMP/n8/ctl.sock" \
	--bird-config "$E2E_TMP/n8/bird.conf" --bird-socket "$E2E_TMP/n8/bird.ctl" --backend userspace \
	--ipv4 192.0.2.18 --ipv6 none 2>>"$E2E_TMP/n8/init.log" || fail "init of the duplicate ID failed"
e2e_daemon_start 8
tok=$(e2e_wgmesh 2 token 2>/dev/null) || fail "token on node 2 failed"
if out=$(e2e_wgmesh 8 connect http://192.0.2.12:8080 "$tok" 2>&1); then
	fail "a join with an ID in use succeeded: $out"
fi
[[ $out == *416* ]] || fail "the duplicate ID was not refused with 416: $out"
e2e_daemon_stop 8
for id in "${IDS[@]}"; do
	extra=""
	[ "$id" = 0 ] && extra=pipe200
	[ "$(links_of $id)" = "$(want_links $id $extra)" ] ||
		fail "node $id: links after the client joined: $(links_of $id)"
done

# Node 6 leaves: the others drop its routes and its VXLAN entries.
out=$(e2e_wgmesh 6 disconnect --all 2>&1) || fail "disconnect --all on node 6 failed: $out"
gone() { # gone ID : node ID has no route to 6 and no VXLAN entry for it
	! e2e_wgmesh "$1" used | grep -qw 6 &&
		! bridge -n "$(e2e_node_ns "$1")" fdb show dev vxlan1 | grep -q "dst 10.0.6.1 " &&
		! bridge -n "$(e2e_node_ns "$1")" fdb show dev vxlan1v6 | grep -q "dst fd10:0:6::1 "
}
for id in 0 2 4; do
	wait_until 20 gone $id || fail "node $id still has node 6: $(e2e_wgmesh $id used); $(bridge -n "$(e2e_node_ns $id)" fdb show dev vxlan1)"
done
# The entries for the nodes still there stay, or are back once OSPF has
# settled (a route that went through node 6 is withdrawn and comes back by
# another path, and the entry follows the route).
has4() { bridge -n "$(e2e_node_ns 0)" fdb show dev vxlan1 | grep -q "dst 10.0.4.1 "; }
wait_until 20 has4 || fail "node 0 lost its entry for node 4: $(e2e_wgmesh 0 used)"
# ...and buildup does not link node 6 again.
sleep 5
[ -z "$(links_of 6)" ] || fail "node 6 was linked again after it left: $(links_of 6)"

e2e_log "ok ($mode)"
