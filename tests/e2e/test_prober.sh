#!/usr/bin/env bash
# The prober (daemon/quality/prober.c) with link_stats, driven by tests/tools/wgm-probe
# in namespace A, probing namespace B over two veth links (u0, u1):
#  - an answered link reports an RTT and state up;
#  - 30 % random ICMP drop in B shows as loss between 10 and 55 % over 100 probes;
#  - with probes dropped on u1 only, u0's targets stay clean and u1's lose
#    everything: replies are attributed to the link they belong to, also for
#    the same IPv6 link-local address on both links (egress pinned per link).
. "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_require_cmd iptables ip6tables

probe="$WGM_BUILD_DIR/wgm-probe"
[ -x "$probe" ] || fail "missing $probe (build the project first)"

a=$(e2e_netns_add a)
b=$(e2e_netns_add b)
e2e_veth "$a" "$b" 192.0.2.0/31 192.0.2.1/31
ip link add "${E2E_TAG}c" type veth peer name "${E2E_TAG}d"
ip link set "${E2E_TAG}c" netns "$a" name u1
ip link set "${E2E_TAG}d" netns "$b" name u1
ip -n "$a" addr add 198.51.100.0/31 dev u1
ip -n "$b" addr add 198.51.100.1/31 dev u1
# The same link-local address behind both links: only the egress interface
# tells the two targets apart.
for ifc in u0 u1; do
	ip -n "$a" link set "$ifc" up
	ip -n "$b" link set "$ifc" up
	ip -n "$a" -6 addr add fe80::a/64 dev "$ifc" nodad
	ip -n "$b" -6 addr add fe80::b/64 dev "$ifc" nodad
done
wait_until 5 ip netns exec "$a" ping -c1 -W1 192.0.2.1 || fail "veth u0 does not pass ping"

# field LINE NAME -> value of NAME=... in a wgm-probe output line
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }
line_for() { grep "^target $2 $3 " <<<"$1" || fail "no line for $2 $3 in: $1"; }

e2e_log "RTT on a clean link"
out=$(ip netns exec "$a" "$probe" -i 50 -c 20 -t 500 u0 192.0.2.1) || fail "wgm-probe failed: $out"
l=$(line_for "$out" u0 192.0.2.1)
[ "$(field "$l" answered)" = 20 ] || fail "expected 20 answers: $l"
[ "$(field "$l" srtt_us)" -gt 0 ] || fail "no RTT reported: $l"
[ "$(field "$l" min_us)" -le "$(field "$l" max_us)" ] || fail "min above max: $l"
[ "$(field "$l" state)" = up ] || fail "state not up: $l"

e2e_log "30 % random drop"
ip netns exec "$b" iptables -A INPUT -i u0 -p icmp -m statistic --mode random --probability 0.3 -j DROP
out=$(ip netns exec "$a" "$probe" -i 50 -c 100 -t 500 u0 192.0.2.1) || fail "wgm-probe failed: $out"
l=$(line_for "$out" u0 192.0.2.1)
loss=$(field "$l" loss_pct)
e2e_log "measured loss ${loss}%"
awk -v x="$loss" 'BEGIN { exit !(x >= 10 && x <= 55) }' || fail "loss $loss% outside 10-55%: $l"
[ "$(field "$l" sent)" = 100 ] || fail "expected 100 probes: $l"
ip netns exec "$b" iptables -F INPUT

e2e_log "two links, probes dropped on u1 only"
ip netns exec "$b" iptables -A INPUT -i u1 -p icmp -j DROP
ip netns exec "$b" ip6tables -A INPUT -i u1 -p ipv6-icmp --icmpv6-type echo-request -j DROP
out=$(ip netns exec "$a" "$probe" -i 50 -c 30 -t 500 \
	u0 192.0.2.1 u1 198.51.100.1 u0 fe80::b u1 fe80::b) || fail "wgm-probe failed: $out"
for t in "u0 192.0.2.1" "u0 fe80::b"; do
	l=$(line_for "$out" $t)
	[ "$(field "$l" answered)" = 30 ] && [ "$(field "$l" lost)" = 0 ] || fail "clean link $t not clean: $l"
done
for t in "u1 198.51.100.1" "u1 fe80::b"; do
	l=$(line_for "$out" $t)
	[ "$(field "$l" answered)" = 0 ] && [ "$(field "$l" lost)" = 30 ] || fail "dropping link $t got answers: $l"
	[ "$(field "$l" state)" = dead ] || fail "dropping link $t not dead: $l"
done
e2e_log "ok"
