/* metricsListen's address parser and the config's checks of it: both
 * families, the port range, what is refused with which reason, and the node
 * API's port refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <sys/socket.h>

#include "common/config/config.h"
#include "common/util/hostport.h"

static void test_both_families_parse(void **state)
{
	struct wgm_hostport hp;
	char err[128];

	(void)state;
	assert_int_equal(wgm_hostport_parse("127.0.0.1:9586", &hp, err, sizeof(err)), 0);
	assert_int_equal(hp.family, AF_INET);
	assert_string_equal(hp.host, "127.0.0.1");
	assert_int_equal(hp.port, 9586);
	assert_int_equal(wgm_hostport_parse("[::1]:9586", &hp, err, sizeof(err)), 0);
	assert_int_equal(hp.family, AF_INET6);
	assert_string_equal(hp.host, "::1");
	assert_int_equal(wgm_hostport_parse("[2001:db8::1]:1", &hp, err, sizeof(err)), 0);
	assert_string_equal(hp.host, "2001:db8::1");
	assert_int_equal(hp.port, 1);
	assert_int_equal(wgm_hostport_parse("0.0.0.0:65535", &hp, err, sizeof(err)), 0);
	assert_int_equal(hp.port, 65535);
}

static void refused(const char *text, const char *reason)
{
	struct wgm_hostport hp;
	char err[128] = "";

	assert_int_equal(wgm_hostport_parse(text, &hp, err, sizeof(err)), -22);
	if (!strstr(err, reason))
		fail_msg("%s: said \"%s\", expected it to contain \"%s\"", text, err, reason);
}

static void test_bad_addresses_are_refused_with_the_reason(void **state)
{
	(void)state;
	refused("127.0.0.1", "not ADDRESS:PORT");
	refused("127.0.0.1:", "not a number");
	refused("127.0.0.1:0", "out of range");
	refused("127.0.0.1:65536", "out of range");
	refused("127.0.0.1:95x6", "not a number");
	refused("127.0.0.1:-1", "not a number");
	refused(":9586", "no address");
	refused("localhost:9586", "not an IPv4 address");
	refused("::1:9586", "in brackets");
	refused("[::1]9586", "[IPv6]:PORT");
	refused("[::1:9586", "[IPv6]:PORT");
	refused("[127.0.0.1]:9586", "not an IPv6 address");
	refused("[]:9586", "no address");
}

static void test_config_takes_empty_and_refuses_the_api_port(void **state)
{
	struct wgm_config cfg;
	char err[256];

	(void)state;
	wgm_config_defaults(&cfg);
	assert_string_equal(cfg.metrics_listen, "");
	assert_int_equal(wgm_config_validate(&cfg, err, sizeof(err)), 0);
	assert_int_equal(wgm_config_set(&cfg, "metricsListen", "[::]:9586", err, sizeof(err)), 1); /* restart */
	assert_string_equal(cfg.metrics_listen, "[::]:9586");
	/* The node API's port, whatever the address. */
	assert_int_equal(wgm_config_set(&cfg, "metricsListen", "127.0.0.1:8080", err, sizeof(err)), -22);
	assert_non_null(strstr(err, "listenPort"));
	assert_int_equal(wgm_config_set(&cfg, "metricsListen", "bogus", err, sizeof(err)), -22);
	assert_non_null(strstr(err, "metricsListen"));
	assert_int_equal(wgm_config_set(&cfg, "metricsListen", "", err, sizeof(err)) >= 0, 1);
	assert_string_equal(cfg.metrics_listen, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_both_families_parse),
		cmocka_unit_test(test_bad_addresses_are_refused_with_the_reason),
		cmocka_unit_test(test_config_takes_empty_and_refuses_the_api_port),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
