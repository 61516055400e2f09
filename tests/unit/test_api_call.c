#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/api/api_call.h"

static void expect_url(const char *in, const char *out)
{
	char buf[256], err[256];

	assert_int_equal(api_base_url_normalise(in, buf, sizeof(buf), err, sizeof(err)), 0);
	assert_string_equal(buf, out);
}

static void expect_bad_url(const char *in, const char *why)
{
	char buf[256], err[256];

	assert_int_equal(api_base_url_normalise(in, buf, sizeof(buf), err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, why));
}

static void test_urls_are_normalised(void **state)
{
	expect_url("http://192.0.2.10:8080", "http://192.0.2.10:8080");
	expect_url("http://192.0.2.10", "http://192.0.2.10:8080");
	expect_url("http://192.0.2.10:9000/", "http://192.0.2.10:9000");
	expect_url("http://[2001:db8::1]", "http://[2001:db8::1]:8080");
	expect_url("https://[2001:db8::1]:443", "https://[2001:db8::1]:443");
}

static void test_bad_urls_are_refused_with_reason(void **state)
{
	expect_bad_url("192.0.2.10:8080", "http://");
	expect_bad_url("ftp://192.0.2.10", "http://");
	expect_bad_url("http://192.0.2.10:8080/connect", "no path");
	expect_bad_url("http://", "no path");
	expect_bad_url("http://user@192.0.2.10", "not allowed");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_urls_are_normalised),
		cmocka_unit_test(test_bad_urls_are_refused_with_reason),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
