#!/usr/bin/env bash
# Self-repair by port change, with real daemons, BIRD and wireguard-go in
# three nodes (0, 2, 4 over IPv4; 2 and 4 join 0, buildup links 2-4): node
# 2 drops every packet to node 0's WireGuard port of their link, so the link
# dies while node 0 stays reachable through node 4. With repairAfter 3 node
# 2 moves node 0's end to another port through /update by itself, the link
# comes back up there, and a link_repaired event and the log say so. A link
# node 2 did not make (the accepting end) is never repaired from node 0.
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go nsenter unshare bird jq iptables

e2e_nodes '.repairAfter = 3' 0 2 4
e2e_join 2 0
e2e_join 4 0
link_json() { e2e_wgmesh 2 links --json | jq -c --argjson n "$1" '.[] | select(.remote_id == $n)'; }
is_up() { [ "$(link_json "$1" | jq -r .state)" = up ]; }
wait_until 60 is_up 0 || fail "node 2's link to node 0 never came up"
wait_until 90 is_up 4 || fail "mesh buildup gave node 2 no working link to node 4"
link=$(link_json 0 | jq -r .name)
[ "$(link_json 0 | jq -r .role)" = client ] || fail "node 2's link to node 0 is not the side it made: $(link_json 0)"
old=$(link_json 0 | jq -r .configured_endpoint)
old_port=${old##*:}
e2e_log "blocking $link's port $old_port (node 2 -> node 0)"

e2e_in 2 iptables -A OUTPUT -d 192.0.2.10 -p udp --dport "$old_port" -j DROP
e2e_in 2 iptables -A INPUT -s 192.0.2.10 -p udp --sport "$old_port" -j DROP

moved() {
	local ep
	ep=$(link_json 0 | jq -r .configured_endpoint)
	[ "${ep##*:}" != "$old_port" ]
}
wait_until 120 moved || fail "$link never moved off port $old_port: $(link_json 0); log: $(grep self-repair "$E2E_TMP/n2/wgmeshd.log" | tail -3)"
wait_until 60 is_up 0 || fail "$link did not come back up on its new port: $(link_json 0)"
new=$(link_json 0 | jq -r .configured_endpoint)
new_port=${new##*:}
e2e_log "$link: port $old_port -> $new_port"
[ "${new%:*}" = "192.0.2.10" ] || fail "the endpoint's host changed: $new"
port0=$(e2e_wgmesh 0 links --json | jq -r '.[] | select(.remote_id == 2) | .port')
[ "$port0" = "$new_port" ] || fail "node 0 listens on $port0 for the link, node 2 sends to $new_port"
e2e_wgmesh 2 events --json >"$E2E_TMP/events.json" || fail "events on node 2 failed"
jq -e --arg l "$link" --argjson o "$old_port" --argjson p "$new_port" -s \
	'any(.[]; .event == "link_repaired" and .name == $l and .old_port == $o and .new_port == $p)' \
	"$E2E_TMP/events.json" >/dev/null || fail "no link_repaired event: $(grep -v '"log"' "$E2E_TMP/events.json" | tail -5)"
e2e_log_has 2 "self-repair: link $link to node 0 moved from port $old_port to $new_port" || fail "no self-repair line in node 2's log"
! e2e_log_has 0 "self-repair:" || fail "node 0, the accepting end, tried a repair: $(grep self-repair "$E2E_TMP/n0/wgmeshd.log")"
e2e_log "ok"
