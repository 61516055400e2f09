#!/usr/bin/env bash
# Obfuscated link types through a DPI box, with the real daemon, BIRD and
# wireguard-go in the lab: node 2 joins node 0 while the bridge between them
# drops plain WireGuard handshake initiations (`wgmesh-lab impair 0 2 --dpi`).
# A `default` link (IPv4 and IPv6 transport) never completes a handshake;
# each obfuscated type does, over both transports, and carries pings and a
# TCP transfer, while a capture of the underlay shows no WireGuard message of
# standard type and size. With the daemon of either end stopped, the link's
# packets are dropped (fail closed, nothing plain on the wire); started again,
# the link works again. One lab serves every type: node 2 disconnects and
# connects again with the next type.
. "$(dirname "$0")/lib.sh"

e2e_require_root
e2e_require_cmd ip nsenter unshare setsid iptables ip6tables iptables-save nft tcpdump iperf3 ping \
	wireguard-go bird jq
TYPES=${WGM_OBFS_TYPES:-wgobfs ipt_xor amneziawg}

LAB=$WGM_SRC_DIR/tests/lab/wgmesh-lab
export WGMLAB_PREFIX="o$E2E_TAG"
export WGMLAB_BIN_DIR=$WGM_BUILD_DIR
e2e_on_exit "'$LAB' down"
BR_NS=$WGMLAB_PREFIX-br
URL=http://192.0.2.10:8080

lab() { "$LAB" "$@" >>"$E2E_TMP/lab.log" 2>&1 || fail "wgmesh-lab $* failed: $(tail -n 1 "$E2E_TMP/lab.log")"; }
on() { "$LAB" exec "$@"; }

# peer_addr TP -> node 0's IPv4 address on node 2's link of transport TP
peer_addr() {
	local local_addr
	local_addr=$(on 2 wgmesh links --json | jq -r --arg tp "$1" '.[] | select(.remote_id == 0 and .transport == $tp) | .local_addr')
	[[ $local_addr =~ ^([0-9]+\.[0-9]+\.[0-9]+\.)([0-9]+)/31$ ]] || return 1
	echo "${BASH_REMATCH[1]}$((BASH_REMATCH[2] ^ 1))"
}

links_to() { on "$1" wgmesh links --json | jq -r --argjson id "$2" 'map(select(.remote_id == $id)) | length'; }
no_links() { [ "$(links_to 2 0)" = 0 ] && [ "$(links_to 0 2)" = 0 ]; }

dpi_drops() {
	ip netns exec "$BR_NS" nft list table bridge wgmlab_dpi_0_2 | awk '/counter packets/ { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'
}

# A WireGuard message as a DPI box knows it: type 1-4 with three zero
# reserved bytes, and the type's size (148, 92, 64, 32 + 16n).
STD_V4='udp[9:2] = 0 and udp[11] = 0 and ((udp[8] = 1 and udp[4:2] = 156) or (udp[8] = 2 and udp[4:2] = 100) or (udp[8] = 3 and udp[4:2] = 72) or (udp[8] = 4 and udp[4:2] >= 40 and (udp[4:2] - 8) % 16 = 0))'
STD_V6='ip6[6] = 17 and ip6[49:2] = 0 and ip6[51] = 0 and ((ip6[48] = 1 and ip6[44:2] = 156) or (ip6[48] = 2 and ip6[44:2] = 100) or (ip6[48] = 3 and ip6[44:2] = 72) or (ip6[48] = 4 and ip6[44:2] >= 40 and (ip6[44:2] - 8) % 16 = 0))'
count_pcap() { tcpdump -r "$1" -nn "$2" 2>/dev/null | wc -l; }
std_wg_count() { echo $(($(count_pcap "$1" "ip and udp and ($STD_V4)") + $(count_pcap "$1" "ip6 and $STD_V6"))); }

CAP_PID=
capture_start() {
	ip netns exec "$BR_NS" tcpdump -i n2 -U -nn -w "$1" udp >"$E2E_TMP/tcpdump.log" 2>&1 &
	CAP_PID=$!
	wait_until 10 grep -q listening "$E2E_TMP/tcpdump.log" || fail "tcpdump did not start: $(cat "$E2E_TMP/tcpdump.log")"
}
capture_stop() {
	sleep 0.5
	kill -INT "$CAP_PID" 2>/dev/null || true
	wait "$CAP_PID" 2>/dev/null || true
	CAP_PID=
}
e2e_on_exit '[ -z "$CAP_PID" ] || kill "$CAP_PID"'

# Before a capture starts: the previous link's last datagrams are not the next one's.
disconnect() {
	if [ "$(links_to 2 0)" != 0 ]; then
		on 2 wgmesh disconnect pipe0 pipe0v6 >>"$E2E_TMP/lab.log" 2>&1 || fail "node 2: disconnect failed"
	fi
	wait_until 30 no_links || fail "links between node 0 and 2 did not go: $(on 0 wgmesh links; on 2 wgmesh links)"
}

connect() {
	local type=$1 token try
	# Until OSPF on node 0 has let go of node 2's routes, node 0 takes node
	# 2 for a member already and refuses a first join (416): retry then.
	for ((try = 0; ; try++)); do
		token=$(on 0 wgmesh token 2>/dev/null) || fail "node 0: wgmesh token failed"
		on 2 wgmesh connect "$URL" "$token" "$type" >>"$E2E_TMP/lab.log" 2>&1 && break
		tail -n 1 "$E2E_TMP/lab.log" | grep -q ': 416 ' && [ $try -lt 120 ] ||
			fail "node 2: connect with link type $type failed: $(tail -n 1 "$E2E_TMP/lab.log")"
		sleep 0.5
	done
	[ "$(on 2 wgmesh links --json | jq -r 'map(select(.remote_id == 0)) | .[0].link_type')" = "$type" ] ||
		fail "node 2's link to node 0 is not of type $type: $(on 2 wgmesh links)"
}

pings() { on 2 ping -c1 -W1 "$1"; }

e2e_log "lab: nodes 0 and 2 (prefix $WGMLAB_PREFIX), every link type enabled; DPI box on the 0-2 path"
lab up 2 --link-types default
lab impair 0 2 --dpi
for id in 0 2; do
	on "$id" iptables-save -t mangle | grep -q WGMESH-OBFS && fail "node $id has obfuscation chains with only default links"
done
on 0 iperf3 -s -D --logfile /dev/null || fail "node 0: iperf3 server did not start"

e2e_log "default: the DPI box drops the initiations, no handshake, no ping (IPv4 and IPv6 transport)"
disconnect
capture_start "$E2E_TMP/default.pcap"
connect default
for tp in v4 v6; do
	peer=$(peer_addr $tp) || fail "node 2: no $tp link to node 0"
	eval "peer_$tp=$peer"
done
wait_until 30 test "$(dpi_drops)" -ge 2 || fail "the DPI box dropped nothing (counter $(dpi_drops))"
for tp in v4 v6; do
	eval "peer=\$peer_$tp"
	on 2 ping -c 3 -i 1 -W 1 "$peer" >/dev/null 2>&1 && fail "a default link ($tp) passed traffic through the DPI box"
done
on 2 wg show pipe0 latest-handshakes | awk '{ exit !($2 == 0) }' || fail "pipe0 completed a handshake through the DPI box"
on 2 wg show pipe0v6 latest-handshakes | awk '{ exit !($2 == 0) }' || fail "pipe0v6 completed a handshake through the DPI box"
capture_stop
[ "$(std_wg_count "$E2E_TMP/default.pcap")" -gt 0 ] ||
	fail "the capture check finds no plain WireGuard message even on a default link (the check is broken)"

for type in $TYPES; do
	e2e_log "$type: comes up through the DPI box over IPv4 and IPv6 transport"
	disconnect
	# Counted once the old links are gone: until then a default link retries
	# its initiations (every 5 s) and the box rightly drops them.
	drops_before=$(dpi_drops)
	capture_start "$E2E_TMP/$type.pcap"
	connect "$type"
	for tp in v4 v6; do
		peer=$(peer_addr $tp) || fail "node 2: no $tp link to node 0"
		wait_until 45 pings "$peer" || fail "$type: no ping over the $tp link ($peer) within 45 s"
		e2e_log "$type: $tp link passes pings; TCP transfer of 4 MB"
		on 2 timeout 60 iperf3 -c "$peer" -n 4M >"$E2E_TMP/iperf-$type-$tp.log" 2>&1 ||
			fail "$type: TCP transfer over the $tp link failed: $(tail -n 3 "$E2E_TMP/iperf-$type-$tp.log")"
	done
	capture_stop
	total=$(count_pcap "$E2E_TMP/$type.pcap" "udp")
	std=$(std_wg_count "$E2E_TMP/$type.pcap")
	e2e_log "$type: underlay capture: $total UDP datagrams, $std of standard WireGuard type and size"
	[ "$total" -gt 1000 ] || fail "$type: the capture holds only $total datagrams"
	[ "$std" -eq 0 ] || fail "$type: $std datagrams on the wire look like plain WireGuard"
	# The engine writes every checksum itself (after a changed verdict the
	# kernel leaves it): tcpdump -vv recomputes them, IPv4 and IPv6.
	bad=$(tcpdump -r "$E2E_TMP/$type.pcap" -vv -nn udp 2>/dev/null | grep -c 'bad udp cksum' || true)
	[ "$bad" -eq 0 ] || fail "$type: $bad datagrams with a wrong UDP checksum on the wire"
	[ "$(dpi_drops)" = "$drops_before" ] || fail "$type: the DPI box recognised $(($(dpi_drops) - drops_before)) initiation(s)"
	counters=$(on 2 wgmesh links --json | jq -c '.[] | select(.name == "pipe0") | .obfs')
	e2e_log "$type: engine counters of node 2's pipe0: $counters"
	[ "$(jq '.out_packets > 1000 and .in_packets > 100' <<<"$counters")" = true ] ||
		fail "$type: the engine's counters do not show the transfer: $counters"
	if [ "$type" = amneziawg ]; then
		# Junk goes out on the engine's raw sockets, one per IP version.
		for l in pipe0 pipe0v6; do
			counters=$(on 2 wgmesh links --json | jq -c --arg l $l '.[] | select(.name == $l) | .obfs')
			[ "$(jq '.extra_sent > 0' <<<"$counters")" = true ] || fail "amneziawg sent no junk datagram on $l: $counters"
		done
	fi
done

type=${TYPES##* }
peer=$(peer_addr v4)
for id in 0 2; do
	e2e_log "$type: node $id's daemon stopped: the link's packets are dropped, not sent plain"
	capture_start "$E2E_TMP/stopped$id.pcap"
	lab daemon "$id" stop
	on 2 ping -c 3 -i 0.3 -W 1 "$peer" >/dev/null 2>&1 && fail "$type: the link passed traffic while node $id's daemon was down"
	capture_stop
	[ "$(std_wg_count "$E2E_TMP/stopped$id.pcap")" -eq 0 ] || fail "plain WireGuard on the wire while node $id's daemon was down"
	# A link removed while the daemon was down leaves its port queued;
	# the start reconciles it away once every stored link is back.
	on "$id" iptables -w -t mangle -A WGMESH-OBFS-OUT -p udp -m udp --sport 40000 -j NFQUEUE --queue-num 7700
	e2e_log "$type: node $id's daemon started again: the link works again, a stale port is unqueued"
	lab daemon "$id" start
	wait_until 45 pings "$peer" || fail "$type: no ping within 45 s of restarting node $id's daemon"
	wait_until 30 sh -c "! '$LAB' exec $id iptables -t mangle -S WGMESH-OBFS-OUT | grep -q 'sport 40000'" ||
		fail "node $id: the stale port's rule is still there after the start"
done
on 2 timeout 60 iperf3 -c "$peer" -n 2M >/dev/null 2>&1 || fail "$type: TCP transfer after the restarts failed"

e2e_log "disconnect removes the links' rules on both ends"
disconnect
for id in 0 2; do
	for ipt in iptables ip6tables; do
		on "$id" $ipt -t mangle -S WGMESH-OBFS-IN | grep -q NFQUEUE && fail "node $id: $ipt rules left after disconnect: $(on "$id" $ipt -t mangle -S WGMESH-OBFS-IN)"
	done
done

e2e_log "clear removes the DPI box"
lab clear 0 2
ip netns exec "$BR_NS" nft list table bridge wgmlab_dpi_0_2 >/dev/null 2>&1 && fail "clear left the DPI table"
e2e_log "ok"
