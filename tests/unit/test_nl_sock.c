/* Read-only requests over a real rtnetlink socket: dumps that span several
 * messages, single replies, and the kernel's errors. Nothing is changed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/netlink/nl_route.h"
#include "common/netlink/nl_sock.h"

static struct wgm_nl_sock rt;

static int setup(void **state)
{
	char err[256];
	return wgm_nl_sock_open(&rt, NETLINK_ROUTE, err, sizeof(err));
}

static int teardown(void **state)
{
	wgm_nl_sock_close(&rt);
	return 0;
}

static void test_list_links_has_loopback(void **state)
{
	struct wgm_nl_link *links = NULL;
	size_t n = 0;
	char err[256] = "";
	bool found = false;
	assert_int_equal(wgm_nl_route_list_links(&rt, &links, &n, err, sizeof(err)), 0);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(links[i].name, "lo") == 0) {
			found = true;
			assert_true(links[i].ifindex > 0);
		}
	}
	free(links);
	assert_true(found);
}

static void test_route_to_loopback_address(void **state)
{
	struct wgm_nl_route_info ri;
	struct wgm_nl_ip dst;
	char err[256] = "";
	wgm_nl_ip_parse("127.0.0.1", &dst);
	assert_int_equal(wgm_nl_route_get(&rt, &dst, &ri, err, sizeof(err)), 0);
	assert_string_equal(ri.oif_name, "lo");
	assert_true(wgm_nl_route_info_mtu(&ri) > 0);
	assert_int_equal(ri.src.family, AF_INET);
}

static void test_addresses_include_loopback(void **state)
{
	struct wgm_nl_addr *addrs = NULL;
	size_t n = 0;
	char err[256] = "";
	struct in_addr lo = { htonl(INADDR_LOOPBACK) };
	bool found = false;
	assert_int_equal(wgm_nl_route_list_addrs(&rt, AF_INET, &addrs, &n, err, sizeof(err)), 0);
	for (size_t i = 0; i < n; i++)
		if (addrs[i].addr.family == AF_INET && addrs[i].addr.u.v4.s_addr == lo.s_addr &&
		    addrs[i].prefixlen == 8)
			found = true;
	free(addrs);
	assert_true(found);
}

static void test_missing_link_is_a_named_error(void **state)
{
	struct wgm_nl_link link;
	char err[256] = "";
	assert_int_equal(wgm_nl_route_link_get(&rt, "wgmnosuchlink0", &link, err, sizeof(err)), -ENODEV);
	assert_non_null(strstr(err, "get link wgmnosuchlink0: No such device"));
	assert_int_equal(wgm_nl_route_ifindex(&rt, "wgmnosuchlink0", err, sizeof(err)), -ENODEV);
}

static void test_requests_in_a_row_keep_in_step(void **state)
{
	/* Each request gets its own sequence number; no reply of one is taken
	 * for another's. */
	for (int i = 0; i < 50; i++) {
		char err[256];
		struct wgm_nl_link link;
		assert_int_equal(wgm_nl_route_link_get(&rt, "lo", &link, err, sizeof(err)), 0);
		assert_string_equal(link.name, "lo");
		assert_int_equal(wgm_nl_route_link_get(&rt, "wgmnosuchlink0", &link, err, sizeof(err)), -ENODEV);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_links_has_loopback),
		cmocka_unit_test(test_route_to_loopback_address),
		cmocka_unit_test(test_addresses_include_loopback),
		cmocka_unit_test(test_missing_link_is_a_named_error),
		cmocka_unit_test(test_requests_in_a_row_keep_in_step),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
