/* The address forms `wgmesh connect` and the console's connect prompt take. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "common/util/url.h"

static void ok(const char *in, const char *want)
{
	char out[300], err[200] = "";
	int rc = wgm_url_normalise(in, out, sizeof(out), err, sizeof(err));
	if (rc != 0)
		fail_msg("'%s' refused: %s", in, err);
	assert_string_equal(out, want);
}

static void refused(const char *in)
{
	char out[300], err[200] = "";
	assert_int_equal(wgm_url_normalise(in, out, sizeof(out), err, sizeof(err)), -EINVAL);
	assert_true(strlen(err) > 0);
	assert_null(strchr(err, '\n'));
}

static void test_host_forms(void **state)
{
	(void)state;
	ok("192.0.2.10", "http://192.0.2.10");
	ok("192.0.2.10:8080", "http://192.0.2.10:8080");
	ok("node-a.example.org:9000", "http://node-a.example.org:9000");
	ok("[2001:db8::10]:8080", "http://[2001:db8::10]:8080");
	ok("[2001:db8::10]", "http://[2001:db8::10]");
	ok("2001:db8::10", "http://[2001:db8::10]");
	ok("  192.0.2.10:8080 \n", "http://192.0.2.10:8080");
}

static void test_full_urls(void **state)
{
	(void)state;
	ok("http://192.0.2.10:8080", "http://192.0.2.10:8080");
	ok("http://192.0.2.10:8080/", "http://192.0.2.10:8080");
	ok("https://[2001:db8::1]:443", "https://[2001:db8::1]:443");
	ok("HTTP://192.0.2.10", "http://192.0.2.10");
}

static void test_pasted_over_a_scheme(void **state)
{
	(void)state;
	ok("http://http://192.0.2.10:8080", "http://192.0.2.10:8080");
	ok("http://https://192.0.2.10:8443", "https://192.0.2.10:8443");
}

static void test_refused(void **state)
{
	(void)state;
	refused("");
	refused("   ");
	refused("ftp://192.0.2.10");
	refused("http://192.0.2.10:8080/join");
	refused("192.0.2.10:0");
	refused("192.0.2.10:65536");
	refused("192.0.2.10:80a");
	refused("192.0.2.10:");
	refused("user@192.0.2.10");
	refused("[2001:db8::1");
	refused("[]:80");
	refused("[2001:db8::1]x");
	refused("[zz::1]:80");
	refused("host name");
	refused("http://");
	refused(":8080");
	refused("wgm1-AAAAtokenlike$$");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_forms),
		cmocka_unit_test(test_full_urls),
		cmocka_unit_test(test_pasted_over_a_scheme),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
