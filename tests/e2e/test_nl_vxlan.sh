#!/usr/bin/env bash
# VXLAN devices and their forwarding entries made by common/netlink/nl_route.c, as
# iproute2 sees them, and the kernel's own words in an error.
source "$(dirname "$0")/lib.sh"

e2e_require_root
e2e_require_cmd bridge ip
TOOL="$WGM_BUILD_DIR/wgm-linktool"
[ -x "$TOOL" ] || fail "missing $TOOL (build first)"

A=$(e2e_netns_add a)
B=$(e2e_netns_add b)
e2e_veth "$A" "$B" 192.0.2.1/24 192.0.2.2/24
ip -n "$A" addr add 2001:db8::1/64 dev u0 nodad
in_a() { ip netns exec "$A" "$@"; }

in_a "$TOOL" vxlan vxlan1 --vni 1 --port 1789 --local 192.0.2.1 --dev u0 || fail "create vxlan1"
details=$(ip -n "$A" -d link show vxlan1)
echo "$details" | grep -q "vxlan id 1 local 192.0.2.1 dev u0 .*dstport 1789 .*nolearning" ||
	fail "vxlan1 is not id 1, local 192.0.2.1, dev u0, dstport 1789, nolearning: $details"
in_a "$TOOL" vxlan vxlan1v6 --vni 2 --port 1790 --local 2001:db8::1 || fail "create vxlan1v6"
ip -n "$A" -d link show vxlan1v6 | grep -q "vxlan id 2 local 2001:db8::1 .*dstport 1790" ||
	fail "vxlan1v6 is not id 2, local 2001:db8::1, dstport 1790"

in_a "$TOOL" fdb-append vxlan1 --dst 192.0.2.2 || fail "append forwarding entry 192.0.2.2"
in_a "$TOOL" fdb-append vxlan1 --dst 192.0.2.3 || fail "append forwarding entry 192.0.2.3"
fdb=$(bridge -n "$A" fdb show dev vxlan1)
echo "$fdb" | grep -q "^00:00:00:00:00:00 dst 192.0.2.2 self permanent" || fail "no entry for 192.0.2.2: $fdb"
echo "$fdb" | grep -q "^00:00:00:00:00:00 dst 192.0.2.3 self permanent" || fail "append replaced the first entry: $fdb"
in_a "$TOOL" fdb-delete vxlan1 --dst 192.0.2.2 || fail "delete forwarding entry 192.0.2.2"
fdb=$(bridge -n "$A" fdb show dev vxlan1)
echo "$fdb" | grep -q "dst 192.0.2.2 " && fail "entry for 192.0.2.2 still there: $fdb"
echo "$fdb" | grep -q "dst 192.0.2.3 " || fail "deleting one entry removed the other: $fdb"

# A second device with the same VNI and port: the kernel refuses and says
# why (extended ack); the error line carries its words.
msg=$(in_a "$TOOL" vxlan vxlan9 --vni 1 --port 1789 --local 192.0.2.1 --dev u0 2>&1) &&
	fail "a duplicate VNI was accepted"
echo "$msg" | grep -q "create link vxlan9 (vxlan): File exists (.*VNI.*)" ||
	fail "error does not carry the kernel's reason: $msg"
e2e_log "kernel's reason carried: $msg"

in_a "$TOOL" link-delete vxlan1 || fail "delete vxlan1"
ip -n "$A" link show vxlan1 >/dev/null 2>&1 && fail "vxlan1 still exists after delete"
e2e_log "ok"
