#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "common/netlink/nl_route.h"
#include "common/netlink/nl_sock.h"

static char buf[WGM_NL_ROUTE_BUF] __attribute__((aligned(4)));

struct tb {
	const struct nlattr *a[64];
};

static int collect(const struct nlattr *attr, void *data)
{
	struct tb *t = data;
	if (mnl_attr_get_type(attr) < 64)
		t->a[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

static struct tb attrs(const struct nlmsghdr *nlh, size_t hdrlen)
{
	struct tb t = { 0 };
	assert_true(mnl_attr_parse(nlh, (unsigned int)hdrlen, collect, &t) >= 0);
	return t;
}

static struct tb nested(const struct nlattr *nest)
{
	struct tb t = { 0 };
	assert_non_null(nest);
	assert_true(mnl_attr_parse_nested(nest, collect, &t) >= 0);
	return t;
}

/* IFLA_INFO_KIND goes without a NUL, as iproute2 sends it. */
static void assert_kind(const struct nlattr *a, const char *kind)
{
	assert_non_null(a);
	assert_int_equal(mnl_attr_get_payload_len(a), strlen(kind));
	assert_memory_equal(mnl_attr_get_payload(a), kind, strlen(kind));
}

static struct wgm_nl_ip ip(const char *text)
{
	struct wgm_nl_ip out;
	assert_int_equal(wgm_nl_ip_parse(text, &out), 0);
	return out;
}

static void test_link_create_wireguard(void **state)
{
	struct nlmsghdr *nlh = wgm_nl_route_build_link_create(buf, "pipe2", "wireguard");
	assert_non_null(nlh);
	assert_int_equal(nlh->nlmsg_type, RTM_NEWLINK);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL);
	struct tb t = attrs(nlh, sizeof(struct ifinfomsg));
	assert_string_equal(mnl_attr_get_str(t.a[IFLA_IFNAME]), "pipe2");
	struct tb info = nested(t.a[IFLA_LINKINFO]);
	assert_kind(info.a[IFLA_INFO_KIND], "wireguard");
	assert_null(info.a[IFLA_INFO_DATA]);
}

static void test_link_create_rejects_bad_names(void **state)
{
	assert_null(wgm_nl_route_build_link_create(buf, "", "wireguard"));
	assert_null(wgm_nl_route_build_link_create(buf, "sixteen-chars-xx", "wireguard"));
	assert_null(wgm_nl_route_build_link_create(buf, "a/b", "wireguard"));
	assert_null(wgm_nl_route_build_link_create(buf, "pipe2", ""));
}

static void test_vxlan_create_v4_with_dev(void **state)
{
	struct wgm_nl_vxlan_spec spec = { .ifname = "vxlan1", .vni = 1, .dstport = 1789, .local = ip("10.0.4.1") };
	struct nlmsghdr *nlh = wgm_nl_route_build_vxlan_create(buf, &spec, 7);
	assert_non_null(nlh);
	struct tb t = attrs(nlh, sizeof(struct ifinfomsg));
	assert_string_equal(mnl_attr_get_str(t.a[IFLA_IFNAME]), "vxlan1");
	struct tb info = nested(t.a[IFLA_LINKINFO]);
	assert_kind(info.a[IFLA_INFO_KIND], "vxlan");
	struct tb data = nested(info.a[IFLA_INFO_DATA]);
	assert_int_equal(mnl_attr_get_u32(data.a[IFLA_VXLAN_ID]), 1);
	assert_int_equal(mnl_attr_get_u16(data.a[IFLA_VXLAN_PORT]), htons(1789));
	assert_int_equal(mnl_attr_get_payload_len(data.a[IFLA_VXLAN_LOCAL]), 4);
	assert_memory_equal(mnl_attr_get_payload(data.a[IFLA_VXLAN_LOCAL]), &spec.local.u.v4, 4);
	assert_null(data.a[IFLA_VXLAN_LOCAL6]);
	assert_int_equal(mnl_attr_get_u32(data.a[IFLA_VXLAN_LINK]), 7);
	assert_int_equal(mnl_attr_get_u8(data.a[IFLA_VXLAN_LEARNING]), 0);
}

static void test_vxlan_create_v6_without_dev(void **state)
{
	struct wgm_nl_vxlan_spec spec = { .ifname = "vxlan1v6", .vni = 2, .dstport = 1790, .local = ip("fd10:0:4::1") };
	struct nlmsghdr *nlh = wgm_nl_route_build_vxlan_create(buf, &spec, 0);
	assert_non_null(nlh);
	struct tb t = attrs(nlh, sizeof(struct ifinfomsg));
	struct tb data = nested(nested(t.a[IFLA_LINKINFO]).a[IFLA_INFO_DATA]);
	assert_int_equal(mnl_attr_get_u32(data.a[IFLA_VXLAN_ID]), 2);
	assert_memory_equal(mnl_attr_get_payload(data.a[IFLA_VXLAN_LOCAL6]), &spec.local.u.v6, 16);
	assert_null(data.a[IFLA_VXLAN_LOCAL]);
	assert_null(data.a[IFLA_VXLAN_LINK]);
}

static void test_vxlan_rejects_bad_vni_and_port(void **state)
{
	struct wgm_nl_vxlan_spec spec = {
		.ifname = "vxlan1", .vni = 1u << 24, .dstport = 1789, .local = ip("10.0.4.1")
	};
	assert_null(wgm_nl_route_build_vxlan_create(buf, &spec, 0));
	spec.vni = 1;
	spec.dstport = 0;
	assert_null(wgm_nl_route_build_vxlan_create(buf, &spec, 0));
	spec.dstport = 1789;
	spec.local.family = AF_UNSPEC;
	assert_null(wgm_nl_route_build_vxlan_create(buf, &spec, 0));
}

static void test_delete_and_set_messages(void **state)
{
	struct nlmsghdr *nlh = wgm_nl_route_build_link_delete(buf, "pipe2");
	assert_int_equal(nlh->nlmsg_type, RTM_DELLINK);
	assert_string_equal(mnl_attr_get_str(attrs(nlh, sizeof(struct ifinfomsg)).a[IFLA_IFNAME]), "pipe2");

	nlh = wgm_nl_route_build_link_set_up(buf, "pipe2", true);
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(nlh->nlmsg_type, RTM_NEWLINK);
	assert_int_equal(nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL), 0);
	assert_int_equal(ifm->ifi_change, IFF_UP);
	assert_int_equal(ifm->ifi_flags, IFF_UP);
	nlh = wgm_nl_route_build_link_set_up(buf, "pipe2", false);
	ifm = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(ifm->ifi_change, IFF_UP);
	assert_int_equal(ifm->ifi_flags, 0);

	nlh = wgm_nl_route_build_link_set_mtu(buf, "pipe2", 1420);
	assert_int_equal(mnl_attr_get_u32(attrs(nlh, sizeof(struct ifinfomsg)).a[IFLA_MTU]), 1420);
	assert_null(wgm_nl_route_build_link_set_mtu(buf, "pipe2", 67));
}

static void test_link_get_by_name_and_dump(void **state)
{
	struct nlmsghdr *nlh = wgm_nl_route_build_link_get(buf, "pipe2");
	assert_int_equal(nlh->nlmsg_type, RTM_GETLINK);
	assert_int_equal(nlh->nlmsg_flags & NLM_F_DUMP, 0);
	assert_string_equal(mnl_attr_get_str(attrs(nlh, sizeof(struct ifinfomsg)).a[IFLA_IFNAME]), "pipe2");
	nlh = wgm_nl_route_build_link_get(buf, NULL);
	assert_int_equal(nlh->nlmsg_flags & NLM_F_DUMP, NLM_F_DUMP);
}

static void test_addr_add_v4_with_peer_and_v6(void **state)
{
	struct wgm_nl_ip a = ip("10.0.0.4"), peer = ip("10.0.0.5"), a6 = ip("fe82:2::4");
	struct nlmsghdr *nlh = wgm_nl_route_build_addr(buf, true, 9, &a, 31, &peer);
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(nlh->nlmsg_type, RTM_NEWADDR);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE);
	assert_int_equal(ifa->ifa_family, AF_INET);
	assert_int_equal(ifa->ifa_prefixlen, 31);
	assert_int_equal(ifa->ifa_index, 9);
	struct tb t = attrs(nlh, sizeof(*ifa));
	assert_memory_equal(mnl_attr_get_payload(t.a[IFA_LOCAL]), &a.u.v4, 4);
	assert_memory_equal(mnl_attr_get_payload(t.a[IFA_ADDRESS]), &peer.u.v4, 4);

	nlh = wgm_nl_route_build_addr(buf, false, 9, &a6, 127, NULL);
	ifa = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(nlh->nlmsg_type, RTM_DELADDR);
	assert_int_equal(ifa->ifa_family, AF_INET6);
	assert_int_equal(ifa->ifa_prefixlen, 127);
	t = attrs(nlh, sizeof(*ifa));
	assert_memory_equal(mnl_attr_get_payload(t.a[IFA_LOCAL]), &a6.u.v6, 16);
	assert_memory_equal(mnl_attr_get_payload(t.a[IFA_ADDRESS]), &a6.u.v6, 16);
}

static void test_addr_rejects_mismatches(void **state)
{
	struct wgm_nl_ip a = ip("10.0.0.4"), peer6 = ip("fe82::5");
	assert_null(wgm_nl_route_build_addr(buf, true, 9, &a, 33, NULL));
	assert_null(wgm_nl_route_build_addr(buf, true, 9, &a, 31, &peer6));
	assert_null(wgm_nl_route_build_addr(buf, true, 0, &a, 31, NULL));
}

static void test_fdb_append_and_delete(void **state)
{
	static const uint8_t zero_mac[6];
	struct wgm_nl_ip dst = ip("10.0.6.1");
	struct nlmsghdr *nlh = wgm_nl_route_build_fdb(buf, true, 12, &dst);
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(nlh->nlmsg_type, RTM_NEWNEIGH);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_APPEND);
	assert_int_equal(ndm->ndm_family, AF_BRIDGE);
	assert_int_equal(ndm->ndm_ifindex, 12);
	assert_int_equal(ndm->ndm_flags, NTF_SELF);
	assert_int_equal(ndm->ndm_state, NUD_NOARP | NUD_PERMANENT);
	struct tb t = attrs(nlh, sizeof(*ndm));
	assert_int_equal(mnl_attr_get_payload_len(t.a[NDA_LLADDR]), 6);
	assert_memory_equal(mnl_attr_get_payload(t.a[NDA_LLADDR]), zero_mac, 6);
	assert_memory_equal(mnl_attr_get_payload(t.a[NDA_DST]), &dst.u.v4, 4);

	nlh = wgm_nl_route_build_fdb(buf, false, 12, &dst);
	assert_int_equal(nlh->nlmsg_type, RTM_DELNEIGH);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST);
}

static void test_route_get_message(void **state)
{
	struct wgm_nl_ip dst = ip("2001:db8::2");
	struct nlmsghdr *nlh = wgm_nl_route_build_route_get(buf, &dst);
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(nlh->nlmsg_type, RTM_GETROUTE);
	assert_int_equal(rtm->rtm_family, AF_INET6);
	assert_int_equal(rtm->rtm_dst_len, 128);
	assert_memory_equal(mnl_attr_get_payload(attrs(nlh, sizeof(*rtm)).a[RTA_DST]), &dst.u.v6, 16);
}

/* ---- replies built by hand, as the kernel sends them ---- */

static struct nlmsghdr *link_reply(const char *name, int index, unsigned int flags, uint32_t mtu, const char *kind)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;
	nlh->nlmsg_type = RTM_NEWLINK;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_index = index;
	ifm->ifi_flags = flags;
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	if (kind) {
		struct nlattr *li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
		mnl_attr_put_str(nlh, IFLA_INFO_KIND, kind);
		mnl_attr_nest_end(nlh, li);
	}
	return nlh;
}

static void test_parse_link(void **state)
{
	struct wgm_nl_link link;
	assert_int_equal(
		wgm_nl_route_parse_link(link_reply("pipe2", 5, IFF_UP | IFF_RUNNING, 1420, "wireguard"), &link), 0);
	assert_string_equal(link.name, "pipe2");
	assert_int_equal(link.ifindex, 5);
	assert_string_equal(link.kind, "wireguard");
	assert_true(link.up);
	assert_true(link.running);
	assert_int_equal(link.mtu, 1420);

	assert_int_equal(wgm_nl_route_parse_link(link_reply("eth0", 2, 0, 1500, NULL), &link), 0);
	assert_string_equal(link.kind, "");
	assert_false(link.up);
}

static void test_parse_link_rejects_nameless_and_other_types(void **state)
{
	struct wgm_nl_link link;
	assert_int_equal(wgm_nl_route_parse_link(link_reply(NULL, 5, 0, 1420, NULL), &link), -EBADMSG);
	struct nlmsghdr *nlh = link_reply("x", 1, 0, 1, NULL);
	nlh->nlmsg_type = RTM_NEWADDR;
	assert_int_equal(wgm_nl_route_parse_link(nlh, &link), -ENOMSG);
}

static void test_parse_addr_v4_peer_and_v6(void **state)
{
	struct wgm_nl_ip local = ip("10.0.0.4"), peer = ip("10.0.0.5"), v6 = ip("fe82::4");
	struct wgm_nl_addr out;
	struct nlmsghdr *nlh = wgm_nl_route_build_addr(buf, true, 3, &local, 31, &peer);
	nlh->nlmsg_type = RTM_NEWADDR;
	assert_int_equal(wgm_nl_route_parse_addr(nlh, &out), 0);
	assert_int_equal(out.ifindex, 3);
	assert_int_equal(out.prefixlen, 31);
	assert_memory_equal(&out.addr.u.v4, &local.u.v4, 4);
	assert_int_equal(out.peer.family, AF_INET);
	assert_memory_equal(&out.peer.u.v4, &peer.u.v4, 4);

	/* IPv6 replies carry only IFA_ADDRESS. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWADDR;
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET6;
	ifa->ifa_prefixlen = 127;
	ifa->ifa_index = 4;
	mnl_attr_put(nlh, IFA_ADDRESS, 16, &v6.u.v6);
	assert_int_equal(wgm_nl_route_parse_addr(nlh, &out), 0);
	assert_int_equal(out.addr.family, AF_INET6);
	assert_memory_equal(&out.addr.u.v6, &v6.u.v6, 16);
	assert_int_equal(out.peer.family, AF_UNSPEC);

	/* A 4-byte address in an IPv6 message is malformed. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWADDR;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET6;
	mnl_attr_put(nlh, IFA_ADDRESS, 4, &local.u.v4);
	assert_int_equal(wgm_nl_route_parse_addr(nlh, &out), -EBADMSG);
}

static void test_parse_route_with_metrics(void **state)
{
	struct wgm_nl_ip src = ip("192.0.2.1"), gw = ip("192.0.2.254");
	struct wgm_nl_route_info ri;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWROUTE;
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	mnl_attr_put_u32(nlh, RTA_OIF, 4);
	mnl_attr_put(nlh, RTA_PREFSRC, 4, &src.u.v4);
	mnl_attr_put(nlh, RTA_GATEWAY, 4, &gw.u.v4);
	struct nlattr *mx = mnl_attr_nest_start(nlh, RTA_METRICS);
	mnl_attr_put_u32(nlh, RTAX_MTU, 1400);
	mnl_attr_nest_end(nlh, mx);
	assert_int_equal(wgm_nl_route_parse_route(nlh, &ri), 0);
	assert_int_equal(ri.oif, 4);
	assert_memory_equal(&ri.src.u.v4, &src.u.v4, 4);
	assert_memory_equal(&ri.gateway.u.v4, &gw.u.v4, 4);
	assert_int_equal(ri.route_mtu, 1400);
	ri.dev_mtu = 1500;
	assert_int_equal(wgm_nl_route_info_mtu(&ri), 1400);
	ri.route_mtu = 0;
	assert_int_equal(wgm_nl_route_info_mtu(&ri), 1500);
}

static void test_parse_route_without_oif_is_malformed(void **state)
{
	struct wgm_nl_route_info ri;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWROUTE;
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct rtmsg));
	assert_int_equal(wgm_nl_route_parse_route(nlh, &ri), -EBADMSG);
}

/* ---- errors and extended acks ---- */

static struct nlmsghdr *error_reply(int error, const char *text, bool capped)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlmsgerr *e;
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = (capped ? NLM_F_CAPPED : 0) | (text ? NLM_F_ACK_TLVS : 0);
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = error;
	e->msg.nlmsg_len = sizeof(struct nlmsghdr) + (capped ? 0 : 8);
	if (!capped)
		memset(mnl_nlmsg_put_extra_header(nlh, 8), 0xaa, 8); /* the echoed request */
	if (text)
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, text);
	return nlh;
}

static void test_error_with_extended_ack(void **state)
{
	char msg[128];
	assert_int_equal(wgm_nl_error_parse(error_reply(-EOPNOTSUPP, "Unknown device type", true), msg, sizeof(msg)),
			 -EOPNOTSUPP);
	assert_string_equal(msg, "Unknown device type");
	/* Uncapped: the echoed request sits between the header and the TLVs. */
	assert_int_equal(wgm_nl_error_parse(error_reply(-EINVAL, "VXLAN ID out of range", false), msg, sizeof(msg)),
			 -EINVAL);
	assert_string_equal(msg, "VXLAN ID out of range");
}

static void test_ack_and_plain_error(void **state)
{
	char msg[128];
	assert_int_equal(wgm_nl_error_parse(error_reply(0, NULL, true), msg, sizeof(msg)), 0);
	assert_int_equal(wgm_nl_error_parse(error_reply(-EEXIST, NULL, true), msg, sizeof(msg)), -EEXIST);
	assert_string_equal(msg, "");
	assert_int_equal(wgm_nl_error_parse(error_reply(5, NULL, true), msg, sizeof(msg)), -EBADMSG);
}

static void test_error_line_names_operation_and_reason(void **state)
{
	char err[160];
	wgm_nl_error_format(err, sizeof(err), "create link pipe2 (wireguard)", -EOPNOTSUPP, "Unknown device type");
	assert_string_equal(err, "create link pipe2 (wireguard): Operation not supported (Unknown device type)");
	wgm_nl_error_format(err, sizeof(err), "delete link pipe2", -ENODEV, "");
	assert_string_equal(err, "delete link pipe2: No such device");
}

static void test_ip_prefix_parse(void **state)
{
	struct wgm_nl_ip a;
	unsigned int len;
	char text[INET6_ADDRSTRLEN];
	assert_int_equal(wgm_nl_ip_prefix_parse("10.0.0.4/31", &a, &len), 0);
	assert_int_equal(len, 31);
	assert_string_equal(wgm_nl_ip_format(&a, text, sizeof(text)), "10.0.0.4");
	assert_int_equal(wgm_nl_ip_prefix_parse("fe82:2::4/127", &a, &len), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_int_equal(wgm_nl_ip_prefix_parse("10.0.0.4/33", &a, &len), -EINVAL);
	assert_int_equal(wgm_nl_ip_prefix_parse("10.0.0.4", &a, &len), -EINVAL);
	assert_int_equal(wgm_nl_ip_prefix_parse("10.0.0.4/", &a, &len), -EINVAL);
	assert_int_equal(wgm_nl_ip_prefix_parse("10.0.0.4/-1", &a, &len), -EINVAL);
	assert_int_equal(wgm_nl_ip_prefix_parse("host/24", &a, &len), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_create_wireguard),
		cmocka_unit_test(test_link_create_rejects_bad_names),
		cmocka_unit_test(test_vxlan_create_v4_with_dev),
		cmocka_unit_test(test_vxlan_create_v6_without_dev),
		cmocka_unit_test(test_vxlan_rejects_bad_vni_and_port),
		cmocka_unit_test(test_delete_and_set_messages),
		cmocka_unit_test(test_link_get_by_name_and_dump),
		cmocka_unit_test(test_addr_add_v4_with_peer_and_v6),
		cmocka_unit_test(test_addr_rejects_mismatches),
		cmocka_unit_test(test_fdb_append_and_delete),
		cmocka_unit_test(test_route_get_message),
		cmocka_unit_test(test_parse_link),
		cmocka_unit_test(test_parse_link_rejects_nameless_and_other_types),
		cmocka_unit_test(test_parse_addr_v4_peer_and_v6),
		cmocka_unit_test(test_parse_route_with_metrics),
		cmocka_unit_test(test_parse_route_without_oif_is_malformed),
		cmocka_unit_test(test_error_with_extended_ack),
		cmocka_unit_test(test_ack_and_plain_error),
		cmocka_unit_test(test_error_line_names_operation_and_reason),
		cmocka_unit_test(test_ip_prefix_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
