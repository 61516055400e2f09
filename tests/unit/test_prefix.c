/* The one prefix parser: what it takes, what it refuses, host bits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sys/socket.h>

#include "common/util/prefix.h"

static void test_networks_of_both_families_parse(void **state)
{
	struct wgm_prefix p;

	(void)state;
	assert_int_equal(wgm_prefix_parse("10.0.0.0/16", AF_UNSPEC, &p), 0);
	assert_int_equal(p.family, AF_INET);
	assert_int_equal(p.len, 16);
	assert_false(wgm_prefix_has_host_bits(&p));
	assert_int_equal(wgm_prefix_parse("fd10:0:2::/48", AF_UNSPEC, &p), 0);
	assert_int_equal(p.family, AF_INET6);
	assert_int_equal(p.len, 48);
	assert_int_equal(wgm_prefix_parse("0.0.0.0/0", AF_INET, &p), 0);
	assert_int_equal(wgm_prefix_parse("::/0", AF_INET6, &p), 0);
}

static void test_malformed_prefixes_are_refused(void **state)
{
	static const char *const bad[] = { "10.0.0.0",
					   "10.0.0.0/",
					   "10.0.0.0/33",
					   "10.0.0.0/016x",
					   "10.0.0.0/+8",
					   "10.0.0.0/ 8",
					   "10.0.0/8",
					   "/8",
					   "::/129",
					   "fd10::/0048",
					   "" };
	struct wgm_prefix p;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (wgm_prefix_parse(bad[i], AF_UNSPEC, &p) == 0)
			fail_msg("'%s' was taken", bad[i]);
	assert_int_not_equal(wgm_prefix_parse(NULL, AF_UNSPEC, &p), 0);
}

static void test_family_is_enforced_when_asked(void **state)
{
	struct wgm_prefix p;

	(void)state;
	assert_int_not_equal(wgm_prefix_parse("fd10::/48", AF_INET, &p), 0);
	assert_int_not_equal(wgm_prefix_parse("10.0.0.0/8", AF_INET6, &p), 0);
}

static void test_host_bits_are_seen(void **state)
{
	struct wgm_prefix p;

	(void)state;
	assert_int_equal(wgm_prefix_parse("10.0.0.1/16", AF_INET, &p), 0);
	assert_true(wgm_prefix_has_host_bits(&p));
	assert_int_equal(wgm_prefix_parse("10.0.0.1/32", AF_INET, &p), 0);
	assert_false(wgm_prefix_has_host_bits(&p));
	assert_int_equal(wgm_prefix_parse("fd10:0:2::1/48", AF_INET6, &p), 0);
	assert_true(wgm_prefix_has_host_bits(&p));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_networks_of_both_families_parse),
		cmocka_unit_test(test_malformed_prefixes_are_refused),
		cmocka_unit_test(test_family_is_enforced_when_asked),
		cmocka_unit_test(test_host_bits_are_seen),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
