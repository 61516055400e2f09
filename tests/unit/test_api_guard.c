#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/api/api_guard.h"

static const int64_t T0 = 1700000000;

static struct wgm_guard_addr v4(const char *text)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct wgm_guard_addr a;

	assert_int_equal(inet_pton(AF_INET, text, &sin.sin_addr), 1);
	assert_int_equal(wgm_guard_addr_from_sockaddr((struct sockaddr *)&sin, &a), 0);
	return a;
}

static struct wgm_guard_addr v6(const char *text)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	struct wgm_guard_addr a;

	assert_int_equal(inet_pton(AF_INET6, text, &sin6.sin6_addr), 1);
	assert_int_equal(wgm_guard_addr_from_sockaddr((struct sockaddr *)&sin6, &a), 0);
	return a;
}

static void test_five_failures_in_a_minute_block(void **state)
{
	struct wgm_api_guard *g = wgm_api_guard_new(NULL);
	struct wgm_guard_addr a = v4("192.0.2.7");
	int64_t until;

	for (int i = 0; i < 4; i++)
		assert_false(wgm_api_guard_fail(g, &a, T0 + i * 10, 0));
	assert_false(wgm_api_guard_blocked(g, &a, T0 + 40, NULL));
	assert_true(wgm_api_guard_fail(g, &a, T0 + 40, 0));
	assert_true(wgm_api_guard_blocked(g, &a, T0 + 40, &until));
	assert_int_equal(until, T0 + 40 + 120);
	/* Still counted (the HTTP gate answers it 403), so a blocked client
	 * holds no more connections than any other. */
	assert_int_equal(wgm_api_guard_conn_open(g, &a, T0 + 41), 0);
	wgm_api_guard_conn_close(g, &a);
	assert_false(wgm_api_guard_blocked(g, &a, T0 + 160, NULL));
	wgm_api_guard_free(g);
}

static void test_block_length_stays_within_range(void **state)
{
	struct wgm_api_guard *g = wgm_api_guard_new(NULL);
	uint32_t randoms[] = { 0, 180, 181, 12345, UINT32_MAX };

	for (size_t r = 0; r < sizeof(randoms) / sizeof(randoms[0]); r++) {
		struct wgm_guard_addr a = v4("198.51.100.1");
		int64_t until = 0, start = T0 + (int64_t)r * 1000;
		a.bytes[15] = (uint8_t)r;
		for (int i = 0; i < 5; i++)
			wgm_api_guard_fail(g, &a, start, randoms[r]);
		assert_true(wgm_api_guard_blocked(g, &a, start, &until));
		assert_in_range(until - start, 120, 300);
	}
	wgm_api_guard_free(g);
}

static void test_failures_older_than_window_do_not_count(void **state)
{
	struct wgm_api_guard *g = wgm_api_guard_new(NULL);
	struct wgm_guard_addr a = v4("192.0.2.8");

	for (int i = 0; i < 10; i++)
		assert_false(wgm_api_guard_fail(g, &a, T0 + i * 15, 0));
	assert_false(wgm_api_guard_blocked(g, &a, T0 + 150, NULL));
	wgm_api_guard_free(g);
}

static void test_other_addresses_are_not_blocked(void **state)
{
	struct wgm_api_guard *g = wgm_api_guard_new(NULL);
	struct wgm_guard_addr a = v4("192.0.2.9"), b = v4("192.0.2.10");

	for (int i = 0; i < 5; i++)
		wgm_api_guard_fail(g, &a, T0, 0);
	assert_true(wgm_api_guard_blocked(g, &a, T0, NULL));
	assert_false(wgm_api_guard_blocked(g, &b, T0, NULL));
	assert_int_equal(wgm_api_guard_conn_open(g, &b, T0), 0);
	wgm_api_guard_free(g);
}

static void test_ipv6_callers_count_per_64(void **state)
{
	struct wgm_api_guard *g = wgm_api_guard_new(NULL);
	struct wgm_guard_addr a = v6("2001:db8:1:2::1"), b = v6("2001:db8:1:2:ffff::9"), c = v6("2001:db8:1:3::1");

	for (int i = 0; i < 5; i++)
		wgm_api_guard_fail(g, i % 2 ? &a : &b, T0, 0);
	assert_true(wgm_api_guard_blocked(g, &a, T0, NULL));
	assert_false(wgm_api_guard_blocked(g, &c, T0, NULL));
	wgm_api_guard_free(g);
}

static void test_v4_mapped_equals_v4(void **state)
{
	struct wgm_guard_addr a = v4("192.0.2.11"), b = v6("::ffff:192.0.2.11");

	assert_memory_equal(a.bytes, b.bytes, 16);
}

static void test_text_addresses_key_like_socket_addresses(void **state)
{
	struct wgm_guard_addr t, s = v4("192.0.2.11"), s6 = v6("2001:db8:1:2::1");

	assert_int_equal(wgm_guard_addr_from_text("192.0.2.11", &t), 0);
	assert_memory_equal(t.bytes, s.bytes, 16);
	assert_int_equal(wgm_guard_addr_from_text("::ffff:192.0.2.11", &t), 0);
	assert_memory_equal(t.bytes, s.bytes, 16);
	assert_int_equal(wgm_guard_addr_from_text("2001:db8:1:2::99", &t), 0);
	assert_memory_equal(t.bytes, s6.bytes, 16);
	assert_int_equal(wgm_guard_addr_from_text("host.example", &t), -EINVAL);
	assert_int_equal(wgm_guard_addr_from_text(NULL, &t), -EINVAL);
}

static void test_connection_limits_per_address_and_total(void **state)
{
	struct wgm_api_guard_config cfg;
	struct wgm_api_guard *g;
	struct wgm_guard_addr a = v4("192.0.2.12"), b = v4("192.0.2.13"), c = v4("192.0.2.14");

	wgm_api_guard_config_default(&cfg);
	cfg.conns_per_addr = 2;
	cfg.conns_total = 3;
	g = wgm_api_guard_new(&cfg);
	assert_int_equal(wgm_api_guard_conn_open(g, &a, T0), 0);
	assert_int_equal(wgm_api_guard_conn_open(g, &a, T0), 0);
	assert_int_equal(wgm_api_guard_conn_open(g, &a, T0), -EBUSY);
	assert_int_equal(wgm_api_guard_conn_open(g, &b, T0), 0);
	assert_int_equal(wgm_api_guard_conn_open(g, &c, T0), -EAGAIN);
	wgm_api_guard_conn_close(g, &a);
	assert_int_equal(wgm_api_guard_conns(g), 2);
	assert_int_equal(wgm_api_guard_conn_open(g, &c, T0), 0);
	/* A close without an open changes nothing. */
	wgm_api_guard_conn_close(g, &c);
	wgm_api_guard_conn_close(g, &c);
	assert_int_equal(wgm_api_guard_conns(g), 2);
	wgm_api_guard_free(g);
}

static void test_memory_is_bounded_and_forgets_idle_first(void **state)
{
	struct wgm_api_guard_config cfg;
	struct wgm_api_guard *g;
	struct wgm_guard_addr blocked = v4("192.0.2.1"), busy = v4("192.0.2.2"), addr;

	wgm_api_guard_config_default(&cfg);
	cfg.max_addrs = 4;
	g = wgm_api_guard_new(&cfg);
	for (int i = 0; i < 5; i++)
		wgm_api_guard_fail(g, &blocked, T0, 0);
	assert_int_equal(wgm_api_guard_conn_open(g, &busy, T0), 0);
	for (int i = 0; i < 50; i++) {
		addr = v4("203.0.113.0");
		addr.bytes[15] = (uint8_t)i;
		wgm_api_guard_fail(g, &addr, T0 + 1 + i, 0);
	}
	assert_int_equal(wgm_api_guard_tracked(g), 4);
	assert_true(wgm_api_guard_blocked(g, &blocked, T0 + 60, NULL));
	wgm_api_guard_conn_close(g, &busy);
	assert_int_equal(wgm_api_guard_conns(g), 0);
	wgm_api_guard_free(g);
}

/* An attacker with many addresses must not lift its own block by filling
 * the table: blocked entries stay, newcomers are refused instead. */
static void test_blocked_entries_are_never_evicted(void **state)
{
	struct wgm_api_guard_config cfg;
	struct wgm_api_guard *g;
	struct wgm_guard_addr addr, fresh = v4("198.51.100.200");

	wgm_api_guard_config_default(&cfg);
	cfg.max_addrs = 3;
	g = wgm_api_guard_new(&cfg);
	for (int a = 0; a < 3; a++) {
		addr = v4("203.0.113.0");
		addr.bytes[15] = (uint8_t)a;
		for (int i = 0; i < 5; i++)
			wgm_api_guard_fail(g, &addr, T0, 0);
	}
	for (int i = 0; i < 20; i++) {
		addr = v4("192.0.2.0");
		addr.bytes[15] = (uint8_t)i;
		for (int k = 0; k < 5; k++)
			assert_int_equal(wgm_api_guard_fail(g, &addr, T0 + 1 + i, 0), WGM_GUARD_COUNTED);
		assert_false(wgm_api_guard_blocked(g, &addr, T0 + 1 + i, NULL));
	}
	for (int a = 0; a < 3; a++) {
		addr = v4("203.0.113.0");
		addr.bytes[15] = (uint8_t)a;
		assert_true(wgm_api_guard_blocked(g, &addr, T0 + 60, NULL));
	}
	assert_int_equal(wgm_api_guard_tracked(g), 3);
	assert_int_equal(wgm_api_guard_conn_open(g, &fresh, T0 + 60), -EAGAIN);
	/* Once the blocks end, the entries are ordinary idle ones again. */
	assert_int_equal(wgm_api_guard_conn_open(g, &fresh, T0 + 121), 0);
	wgm_api_guard_conn_close(g, &fresh);
	wgm_api_guard_free(g);
}

static void block_v6(struct wgm_api_guard *g, const char *text, int64_t now, enum wgm_guard_fail_result want)
{
	struct wgm_guard_addr a = v6(text);

	for (int i = 0; i < 4; i++)
		assert_int_equal(wgm_api_guard_fail(g, &a, now, 0), WGM_GUARD_COUNTED);
	assert_int_equal(wgm_api_guard_fail(g, &a, now, 0), want);
}

static void test_four_blocked_64s_block_their_48(void **state)
{
	struct wgm_api_guard *g = wgm_api_guard_new(NULL);
	struct wgm_guard_addr other64 = v6("2001:db8:1:ff::1"), other48 = v6("2001:db8:2::1");
	int64_t until;

	block_v6(g, "2001:db8:1:1::1", T0, WGM_GUARD_BLOCKED);
	block_v6(g, "2001:db8:1:2::1", T0, WGM_GUARD_BLOCKED);
	block_v6(g, "2001:db8:1:3::1", T0 + 1, WGM_GUARD_BLOCKED);
	assert_false(wgm_api_guard_blocked(g, &other64, T0 + 1, NULL));
	block_v6(g, "2001:db8:1:4::1", T0 + 2, WGM_GUARD_BLOCKED_48);
	/* One entry for the /48 instead of four. */
	assert_int_equal(wgm_api_guard_tracked(g), 1);
	assert_true(wgm_api_guard_blocked(g, &other64, T0 + 3, &until));
	assert_int_equal(until, T0 + 2 + 120);
	assert_false(wgm_api_guard_blocked(g, &other48, T0 + 3, NULL));
	/* Failures under a /48 block do not prolong it. */
	for (int i = 0; i < 10; i++)
		assert_int_equal(wgm_api_guard_fail(g, &other64, T0 + 100, 0), WGM_GUARD_COUNTED);
	assert_false(wgm_api_guard_blocked(g, &other64, T0 + 123, NULL));
	wgm_api_guard_free(g);
}

static void test_ipv4_never_aggregates(void **state)
{
	struct wgm_api_guard *g = wgm_api_guard_new(NULL);
	struct wgm_guard_addr a, next = v4("192.0.2.99");

	for (int h = 1; h <= 6; h++) {
		a = v4("192.0.2.0");
		a.bytes[15] = (uint8_t)h;
		for (int i = 0; i < 5; i++)
			assert_true(wgm_api_guard_fail(g, &a, T0, 0) != WGM_GUARD_BLOCKED_48);
	}
	assert_false(wgm_api_guard_blocked(g, &next, T0, NULL));
	wgm_api_guard_free(g);
}

static void test_refusal_logs_are_rate_limited(void **state)
{
	struct wgm_api_guard *g = wgm_api_guard_new(NULL);
	unsigned dropped, logged = 0;

	for (int i = 0; i < 1000; i++) {
		if (wgm_api_guard_log_allow(g, T0 + i / 100, &dropped))
			logged++;
		assert_int_equal(dropped, 0);
	}
	assert_int_equal(logged, 5);
	/* The next interval: its first line comes with the summary. */
	assert_true(wgm_api_guard_log_allow(g, T0 + 10, &dropped));
	assert_int_equal(dropped, 995);
	assert_true(wgm_api_guard_log_allow(g, T0 + 10, &dropped));
	assert_int_equal(dropped, 0);
	wgm_api_guard_free(g);
}

static void test_bad_config_is_refused(void **state)
{
	struct wgm_api_guard_config cfg;

	wgm_api_guard_config_default(&cfg);
	cfg.block_min = 400;
	assert_null(wgm_api_guard_new(&cfg));
	wgm_api_guard_config_default(&cfg);
	cfg.fail_limit = 17;
	assert_null(wgm_api_guard_new(&cfg));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_five_failures_in_a_minute_block),
		cmocka_unit_test(test_block_length_stays_within_range),
		cmocka_unit_test(test_failures_older_than_window_do_not_count),
		cmocka_unit_test(test_other_addresses_are_not_blocked),
		cmocka_unit_test(test_ipv6_callers_count_per_64),
		cmocka_unit_test(test_v4_mapped_equals_v4),
		cmocka_unit_test(test_text_addresses_key_like_socket_addresses),
		cmocka_unit_test(test_connection_limits_per_address_and_total),
		cmocka_unit_test(test_memory_is_bounded_and_forgets_idle_first),
		cmocka_unit_test(test_blocked_entries_are_never_evicted),
		cmocka_unit_test(test_four_blocked_64s_block_their_48),
		cmocka_unit_test(test_ipv4_never_aggregates),
		cmocka_unit_test(test_refusal_logs_are_rate_limited),
		cmocka_unit_test(test_bad_config_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
