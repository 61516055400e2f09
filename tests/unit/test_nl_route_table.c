#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "common/netlink/nl_route_table.h"

static char buf[WGM_NL_ROUTE_BUF] __attribute__((aligned(4)));

static struct wgm_nl_route_spec spec(const char *dst, unsigned plen, const char *gw, int ifindex, uint32_t metric)
{
	struct wgm_nl_route_spec r = { 0 };

	assert_int_equal(wgm_nl_ip_parse(dst, &r.dst), 0);
	r.prefixlen = plen;
	if (gw)
		assert_int_equal(wgm_nl_ip_parse(gw, &r.gateway), 0);
	r.ifindex = ifindex;
	r.metric = metric;
	return r;
}

static void roundtrip(const struct wgm_nl_route_spec *in)
{
	struct nlmsghdr *nlh = wgm_nl_route_build_table_route(buf, true, in);
	struct wgm_nl_route_spec out;
	const struct rtmsg *rtm;
	uint8_t protocol = 0;
	uint32_t table = 0;

	assert_non_null(nlh);
	assert_int_equal(nlh->nlmsg_type, RTM_NEWROUTE);
	/* Replace, not exclusive: re-adding after a restart must not fail. */
	assert_true(nlh->nlmsg_flags & NLM_F_REPLACE);
	assert_true(nlh->nlmsg_flags & NLM_F_CREATE);
	assert_false(nlh->nlmsg_flags & NLM_F_EXCL);
	rtm = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(rtm->rtm_type, RTN_UNICAST);
	assert_int_equal(wgm_nl_route_parse_table_route(nlh, &out, &protocol, &table), 0);
	assert_int_equal(protocol, WGM_NL_RTPROT_WGMESH);
	assert_int_equal(table, RT_TABLE_MAIN);
	assert_int_equal(out.dst.family, in->dst.family);
	assert_memory_equal(&out.dst.u, &in->dst.u, in->dst.family == AF_INET ? 4 : 16);
	assert_int_equal(out.prefixlen, in->prefixlen);
	assert_int_equal(out.gateway.family, in->gateway.family);
	if (in->gateway.family != AF_UNSPEC)
		assert_memory_equal(&out.gateway.u, &in->gateway.u, in->gateway.family == AF_INET ? 4 : 16);
	assert_int_equal(out.prefsrc.family, in->prefsrc.family);
	if (in->prefsrc.family != AF_UNSPEC)
		assert_memory_equal(&out.prefsrc.u, &in->prefsrc.u, in->prefsrc.family == AF_INET ? 4 : 16);
	assert_int_equal(out.ifindex, in->ifindex);
	assert_int_equal(out.metric, in->metric);
}

static void test_add_roundtrips(void **state)
{
	(void)state;
	struct wgm_nl_route_spec a = spec("10.0.2.0", 30, "10.0.128.1", 7, 64);
	struct wgm_nl_route_spec b = spec("10.0.0.0", 16, NULL, 3, 16);
	struct wgm_nl_route_spec c = spec("fd10:0:2::", 48, "fe80::1", 9, 64);
	struct wgm_nl_route_spec d = spec("fd10::", 16, "fe82::5", 9, 16);

	/* Packets this host sends along the route leave from its loopback. */
	assert_int_equal(wgm_nl_ip_parse("10.0.0.1", &a.prefsrc), 0);
	assert_int_equal(wgm_nl_ip_parse("fd10:0:0::1", &d.prefsrc), 0);
	roundtrip(&a);
	roundtrip(&d);
	roundtrip(&b);
	roundtrip(&c);
	assert_int_equal(
		((struct rtmsg *)mnl_nlmsg_get_payload(wgm_nl_route_build_table_route(buf, true, &b)))->rtm_scope,
		RT_SCOPE_LINK);
}

static void test_delete_is_not_create(void **state)
{
	(void)state;
	struct wgm_nl_route_spec a = spec("10.0.2.0", 30, "10.0.128.1", 7, 64);
	struct nlmsghdr *nlh = wgm_nl_route_build_table_route(buf, false, &a);

	assert_non_null(nlh);
	assert_int_equal(nlh->nlmsg_type, RTM_DELROUTE);
	assert_false(nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_REPLACE));
	/* The protocol is part of the match: BIRD's route of the same prefix
	 * and metric is never deleted by mistake. */
	assert_int_equal(((struct rtmsg *)mnl_nlmsg_get_payload(nlh))->rtm_protocol, WGM_NL_RTPROT_WGMESH);
}

static void test_bad_specs_refused(void **state)
{
	(void)state;
	struct wgm_nl_route_spec host_bits = spec("10.0.2.1", 30, NULL, 7, 64);
	struct wgm_nl_route_spec too_long = spec("10.0.2.0", 33, NULL, 7, 64);
	struct wgm_nl_route_spec no_dev = spec("10.0.2.0", 30, NULL, 0, 64);
	struct wgm_nl_route_spec mixed = spec("10.0.2.0", 30, "fe80::1", 7, 64);
	struct wgm_nl_route_spec v6_bits = spec("fd10:0:2::1", 48, NULL, 7, 64);
	struct wgm_nl_route_spec none = { 0 };
	struct wgm_nl_route_spec mixed_src = spec("10.0.2.0", 30, NULL, 7, 64);

	assert_int_equal(wgm_nl_ip_parse("fd10::1", &mixed_src.prefsrc), 0);
	assert_null(wgm_nl_route_build_table_route(buf, true, &mixed_src));

	assert_null(wgm_nl_route_build_table_route(buf, true, &host_bits));
	assert_null(wgm_nl_route_build_table_route(buf, true, &too_long));
	assert_null(wgm_nl_route_build_table_route(buf, true, &no_dev));
	assert_null(wgm_nl_route_build_table_route(buf, true, &mixed));
	assert_null(wgm_nl_route_build_table_route(buf, false, &v6_bits));
	assert_null(wgm_nl_route_build_table_route(buf, true, &none));
	assert_null(wgm_nl_route_build_table_route(buf, true, NULL));
	assert_null(wgm_nl_route_build_table_dump(buf, AF_UNSPEC));
	assert_non_null(wgm_nl_route_build_table_dump(buf, AF_INET6));
}

/* A preferred source goes out as RTA_PREFSRC (traffic this node starts
 * keeps its loopback as source); one of the other family is refused. */
static void test_prefsrc(void **state)
{
	(void)state;
	struct wgm_nl_route_spec a = spec("10.0.2.1", 32, "10.0.128.1", 7, 24);
	struct wgm_nl_route_spec mixed = a;
	const struct nlattr *attr;
	bool seen = false;
	struct nlmsghdr *nlh;

	assert_int_equal(wgm_nl_ip_parse("10.0.0.1", &a.prefsrc), 0);
	nlh = wgm_nl_route_build_table_route(buf, true, &a);
	assert_non_null(nlh);
	mnl_attr_for_each (attr, nlh, sizeof(struct rtmsg)) {
		if (mnl_attr_get_type(attr) == RTA_PREFSRC) {
			assert_memory_equal(mnl_attr_get_payload(attr), &a.prefsrc.u, 4);
			seen = true;
		}
	}
	assert_true(seen);
	assert_int_equal(wgm_nl_ip_parse("fd10::1", &mixed.prefsrc), 0);
	assert_null(wgm_nl_route_build_table_route(buf, true, &mixed));
}

static void test_parse_refuses_malformed(void **state)
{
	(void)state;
	struct wgm_nl_route_spec a = spec("10.0.2.0", 30, NULL, 7, 64);
	struct nlmsghdr *nlh = wgm_nl_route_build_table_route(buf, true, &a);
	struct wgm_nl_route_spec out;
	uint8_t protocol;
	uint32_t table;
	uint8_t six[6] = { 0 };

	/* A gateway of the wrong length for IPv4. */
	mnl_attr_put(nlh, RTA_GATEWAY, sizeof(six), six);
	assert_int_equal(wgm_nl_route_parse_table_route(nlh, &out, &protocol, &table), -EBADMSG);
	nlh->nlmsg_type = RTM_NEWLINK;
	assert_int_equal(wgm_nl_route_parse_table_route(nlh, &out, &protocol, &table), -ENOMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_roundtrips),          cmocka_unit_test(test_delete_is_not_create),
		cmocka_unit_test(test_bad_specs_refused),       cmocka_unit_test(test_prefsrc),
		cmocka_unit_test(test_parse_refuses_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
