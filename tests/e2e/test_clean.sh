#!/usr/bin/env bash
# `wgmesh clean` with real daemons, BIRD and wireguard-go in three nodes (0,
# 2, 4 over IPv4; 2 and 4 join 0): node 4's underlay goes dark and node 2
# drops WireGuard's UDP port, so both of node 0's links die. While they have
# been dead for less than cleanAfter nothing is listed; once cleanAfter has
# passed, --dry-run lists the link to node 4 (its endpoint is silent) and
# keeps the one to node 2 (its endpoint still answers), changing nothing;
# then clean removes the link to node 4 and keeps the one to node 2.
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd wireguard-go nsenter unshare bird jq iptables

e2e_nodes . 0 2 4
e2e_join 2 0
e2e_join 4 0
links_to() { e2e_wgmesh "$1" links --json | jq -r --argjson n "$2" '[.[] | select(.remote_id == $n) | .name] | join(" ")'; }
state_of() { e2e_wgmesh 0 links --json | jq -r --arg l "$1" '.[] | select(.name == $l) | .state'; }
is_state() { [ "$(state_of "$1")" = "$2" ]; }
l2=$(links_to 0 2)
l4=$(links_to 0 4)
[ -n "$l2" ] && [ -n "$l4" ] || fail "node 0 lacks its links: '$l2' '$l4'"
wait_until 60 is_state "$l2" up || fail "$l2 never came up"
wait_until 60 is_state "$l4" up || fail "$l4 never came up"

# --- bad arguments: one line, exit 2 ---
for args in "now" "--bogus"; do
	rc=0
	err=$(e2e_wgmesh 0 clean $args 2>&1 >/dev/null) || rc=$?
	[ "$rc" = 2 ] || fail "clean $args: exit $rc, want 2 ($err)"
	[ "$(wc -l <<<"$err")" -le 2 ] || fail "clean $args: more than a line and its usage: $err"
done

# Node 4 disappears from the underlay; node 2 stays, but drops WireGuard.
ip -n "$(e2e_node_ns 4)" link set u0 down
port2=$(e2e_wgmesh 2 links --json | jq -r '.[] | select(.remote_id == 0) | .port')
e2e_in 2 iptables -A INPUT -i u0 -p udp --dport "$port2" -j DROP
wait_until 60 is_state "$l4" dead || fail "$l4 did not die: $(state_of "$l4")"
wait_until 60 is_state "$l2" dead || fail "$l2 did not die: $(state_of "$l2")"

# Dead for less than cleanAfter (3600 s by default): not listed.
out=$(e2e_wgmesh 0 clean --json --dry-run) || fail "clean --dry-run failed"
jq -e '.links == [] and .clean_after == 3600' <<<"$out" >/dev/null || fail "links dead for seconds listed: $out"

out=$(e2e_wgmesh 0 set cleanAfter 2 2>&1) || fail "set cleanAfter: $out"
listed() { [ "$(e2e_wgmesh 0 clean --json --dry-run | jq '.links | length')" = 2 ]; }
wait_until 30 listed || fail "dead links not listed after cleanAfter: $(e2e_wgmesh 0 clean --json --dry-run)"

out=$(e2e_wgmesh 0 clean --json --dry-run) || fail "clean --dry-run failed"
jq -e --arg l "$l4" '.dry_run and (.links[] | select(.link == $l) | .action == "remove" and .address == "192.0.2.14")' \
	<<<"$out" >/dev/null || fail "dry run does not plan removing $l4: $out"
jq -e --arg l "$l2" '.links[] | select(.link == $l) | .action == "keep" and .rtt_ms != null' <<<"$out" >/dev/null ||
	fail "dry run does not keep $l2 (its endpoint answers): $out"
[ -n "$(links_to 0 4)" ] || fail "dry run removed $l4"

text=$(e2e_wgmesh 0 clean) || fail "clean failed"
grep -q "^$l4 .* removed (endpoint: " <<<"$text" || fail "clean did not say it removed $l4: $text"
grep -q "^$l2 .*kept: its endpoint answers" <<<"$text" || fail "clean did not say it kept $l2: $text"
[ -z "$(links_to 0 4)" ] || fail "$l4 still there after clean"
[ "$(links_to 0 2)" = "$l2" ] || fail "clean removed $l2, whose endpoint answers"
e2e_log "ok"
