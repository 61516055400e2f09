#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <sodium.h>
#include <string.h>

#include "common/wg/wg.h"

static void test_endpoint_v4_v6_round_trip(void **state)
{
	struct wgm_wg_peer p = { 0 };
	char text[64];
	assert_int_equal(wgm_wg_endpoint_parse("192.0.2.2:51820", &p), 0);
	assert_int_equal(p.endpoint.addr.sa_family, AF_INET);
	assert_int_equal(ntohs(p.endpoint.v4.sin_port), 51820);
	wgm_wg_endpoint_format(&p, text, sizeof(text));
	assert_string_equal(text, "192.0.2.2:51820");
	assert_int_equal(wgm_wg_endpoint_parse("[2001:db8::2]:1", &p), 0);
	assert_int_equal(p.endpoint.addr.sa_family, AF_INET6);
	wgm_wg_endpoint_format(&p, text, sizeof(text));
	assert_string_equal(text, "[2001:db8::2]:1");
}

static void test_endpoint_with_a_zone(void **state)
{
	struct wgm_wg_peer p = { 0 };
	char text[80], want[80];

	assert_int_equal(wgm_wg_endpoint_parse("[fe80::2%7]:51820", &p), 0);
	assert_int_equal(p.endpoint.addr.sa_family, AF_INET6);
	assert_int_equal(p.endpoint.v6.sin6_scope_id, 7);
	wgm_wg_endpoint_format(&p, text, sizeof(text));
	assert_string_equal(text, "[fe80::2%7]:51820");
	/* By name, as wireguard-go writes it: the number comes back. */
	assert_int_equal(wgm_wg_endpoint_parse("[fe80::2%lo]:9", &p), 0);
	assert_int_equal(p.endpoint.v6.sin6_scope_id, if_nametoindex("lo"));
	snprintf(want, sizeof(want), "[fe80::2%%%u]:9", if_nametoindex("lo"));
	wgm_wg_endpoint_format(&p, text, sizeof(text));
	assert_string_equal(text, want);
	const char *bad[] = { "[fe80::2%]:1", "[fe80::2%no-such-if0]:1", "[192.0.2.2%1]:1", "192.0.2.2%1:1",
			      "[fe80::2%99999999999]:1" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(wgm_wg_endpoint_parse(bad[i], &p), -EINVAL);
}

static void test_endpoint_rejects(void **state)
{
	struct wgm_wg_peer p = { 0 };
	const char *bad[] = { "192.0.2.2",          "192.0.2.2:0",  "192.0.2.2:65536", "2001:db8::2:51820",
			      "[2001:db8::2]51820", "[192.0.2.2:1", "host:51820",      ":51820",
			      "192.0.2.2:-1",       "192.0.2.2:12x" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(wgm_wg_endpoint_parse(bad[i], &p), -EINVAL);
	char text[8] = "x";
	memset(&p, 0, sizeof(p));
	wgm_wg_endpoint_format(&p, text, sizeof(text));
	assert_string_equal(text, "");
}

static void test_allowed_ip_parse(void **state)
{
	struct wgm_wg_allowed_ip a;
	assert_int_equal(wgm_wg_allowed_ip_parse("0.0.0.0/0", &a), 0);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(a.cidr, 0);
	assert_int_equal(wgm_wg_allowed_ip_parse("::/0", &a), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_int_equal(wgm_wg_allowed_ip_parse("fd10:0:4::1/128", &a), 0);
	assert_int_equal(a.cidr, 128);
	assert_int_equal(wgm_wg_allowed_ip_parse("10.0.0.0/33", &a), -EINVAL);
	assert_int_equal(wgm_wg_allowed_ip_parse("10.0.0.0", &a), -EINVAL);
	assert_int_equal(wgm_wg_allowed_ip_parse("10.0.0.0/", &a), -EINVAL);
}

static void test_device_growth_keeps_peers(void **state)
{
	struct wgm_wg_device *dev = calloc(1, sizeof(*dev));
	for (int i = 0; i < 40; i++) {
		struct wgm_wg_peer *p = wgm_wg_device_add_peer(dev);
		assert_non_null(p);
		p->public_key[0] = (uint8_t)i;
		for (int j = 0; j <= i % 3; j++)
			assert_non_null(wgm_wg_peer_add_allowed_ip(p));
	}
	assert_int_equal(dev->n_peers, 40);
	for (int i = 0; i < 40; i++) {
		assert_int_equal(dev->peers[i].public_key[0], i);
		assert_int_equal(dev->peers[i].n_allowed_ips, (size_t)(i % 3 + 1));
	}
	wgm_wg_device_free(dev);
	wgm_wg_device_free(NULL);
}

static void test_backend_names(void **state)
{
	enum wgm_wg_backend_kind k;
	assert_int_equal(wgm_wg_backend_kind_from_name("auto", &k), 0);
	assert_int_equal(k, WGM_WG_BACKEND_AUTO);
	assert_int_equal(wgm_wg_backend_kind_from_name("userspace", &k), 0);
	assert_int_equal(k, WGM_WG_BACKEND_USERSPACE);
	assert_string_equal(wgm_wg_backend_kind_name(WGM_WG_BACKEND_KERNEL), "kernel");
	assert_int_equal(wgm_wg_backend_kind_from_name("kernal", &k), -EINVAL);
}

static void test_userspace_binary_search(void **state)
{
	char path[4096];
	assert_int_equal(wgm_wg_userspace_binary_find("sh", path, sizeof(path)), 0);
	assert_true(strchr(path, '/') != NULL);
	assert_int_equal(wgm_wg_userspace_binary_find("wgm-no-such-binary", path, sizeof(path)), -ENOENT);
	assert_int_not_equal(wgm_wg_userspace_binary_find("/nonexistent/wireguard-go", path, sizeof(path)), 0);
}

static void test_userspace_open_names_what_to_install(void **state)
{
	struct wgm_wg_backend_options opt = { .kind = WGM_WG_BACKEND_USERSPACE,
					      .userspace_binary = "wgm-no-such-binary" };
	struct wgm_wg_backend *b = NULL;
	char err[256] = "";
	assert_int_equal(wgm_wg_userspace_backend_open(&opt, NULL, &b, err, sizeof(err)), -ENOENT);
	assert_null(b);
	assert_non_null(strstr(err, "wgm-no-such-binary not found"));
	assert_non_null(strstr(err, "apt install wireguard-go"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_endpoint_v4_v6_round_trip),
		cmocka_unit_test(test_endpoint_with_a_zone),
		cmocka_unit_test(test_endpoint_rejects),
		cmocka_unit_test(test_allowed_ip_parse),
		cmocka_unit_test(test_device_growth_keeps_peers),
		cmocka_unit_test(test_backend_names),
		cmocka_unit_test(test_userspace_binary_search),
		cmocka_unit_test(test_userspace_open_names_what_to_install),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
