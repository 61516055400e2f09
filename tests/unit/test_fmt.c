#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <math.h>
#include <cmocka.h>

#include "tui/console/fmt.h"

static char buf[64];

static void test_rtt_precision_follows_magnitude(void **state)
{
	assert_string_equal(fmt_rtt(buf, sizeof(buf), 0.45), "0.45ms");
	assert_string_equal(fmt_rtt(buf, sizeof(buf), 1.234), "1.23ms");
	assert_string_equal(fmt_rtt(buf, sizeof(buf), 12.34), "12.3ms");
	assert_string_equal(fmt_rtt(buf, sizeof(buf), 123.4), "123ms");
	assert_string_equal(fmt_rtt(buf, sizeof(buf), 1234), "1.2s");
	assert_string_equal(fmt_rtt(buf, sizeof(buf), 12345), "12s");
}

static void test_rtt_rounding_moves_to_the_next_format(void **state)
{
	assert_string_equal(fmt_rtt(buf, sizeof(buf), 9.999), "10.0ms");
	assert_string_equal(fmt_rtt(buf, sizeof(buf), 99.96), "100ms");
	assert_string_equal(fmt_rtt(buf, sizeof(buf), 999.7), "1.0s");
}

static void test_rtt_unknown_is_a_dash(void **state)
{
	assert_string_equal(fmt_rtt(buf, sizeof(buf), NAN), "-");
	assert_string_equal(fmt_rtt(buf, sizeof(buf), -1), "-");
	assert_string_equal(fmt_jitter(buf, sizeof(buf), INFINITY), "-");
}

static void test_loss(void **state)
{
	assert_string_equal(fmt_loss(buf, sizeof(buf), 0), "0%");
	assert_string_equal(fmt_loss(buf, sizeof(buf), 12.5), "12.5%");
	assert_string_equal(fmt_loss(buf, sizeof(buf), 50), "50%");
	assert_string_equal(fmt_loss(buf, sizeof(buf), 100), "100%");
	assert_string_equal(fmt_loss(buf, sizeof(buf), 33.333), "33.3%");
	assert_string_equal(fmt_loss(buf, sizeof(buf), NAN), "-");
}

static void test_small_loss_never_reads_as_none(void **state)
{
	assert_string_equal(fmt_loss(buf, sizeof(buf), 0.01), "<0.1%");
}

static void test_rates_and_bytes(void **state)
{
	assert_string_equal(fmt_rate(buf, sizeof(buf), 0), "0 B/s");
	assert_string_equal(fmt_rate(buf, sizeof(buf), 512), "512 B/s");
	assert_string_equal(fmt_rate(buf, sizeof(buf), 1229), "1.2 KB/s");
	assert_string_equal(fmt_rate(buf, sizeof(buf), 123.0 * 1024), "123 KB/s");
	assert_string_equal(fmt_rate(buf, sizeof(buf), 5.5 * 1024 * 1024), "5.5 MB/s");
	assert_string_equal(fmt_bytes(buf, sizeof(buf), 3.0 * 1024 * 1024 * 1024), "3.0 GB");
	assert_string_equal(fmt_bytes(buf, sizeof(buf), -5), "-");
}

static void test_bytes_never_print_four_digits(void **state)
{
	assert_string_equal(fmt_bytes(buf, sizeof(buf), 1000), "1.0 KB");
	assert_string_equal(fmt_bytes(buf, sizeof(buf), 1023.9 * 1024), "1.0 MB");
}

static void test_durations(void **state)
{
	assert_string_equal(fmt_duration(buf, sizeof(buf), 0), "0s");
	assert_string_equal(fmt_duration(buf, sizeof(buf), 59), "59s");
	assert_string_equal(fmt_duration(buf, sizeof(buf), 192), "3m12s");
	assert_string_equal(fmt_duration(buf, sizeof(buf), 2 * 3600 + 5 * 60 + 9), "2h05m");
	assert_string_equal(fmt_duration(buf, sizeof(buf), 3 * 86400 + 4 * 3600), "3d04h");
	assert_string_equal(fmt_duration(buf, sizeof(buf), -1), "-");
}

static void test_handshake_age(void **state)
{
	assert_string_equal(fmt_handshake_age(buf, sizeof(buf), 0, 1000), "never");
	assert_string_equal(fmt_handshake_age(buf, sizeof(buf), 1000 - 75, 1000), "1m15s");
	assert_string_equal(fmt_handshake_age(buf, sizeof(buf), 1010, 1000), "0s");
}

static void test_cost_marks(void **state)
{
	assert_string_equal(fmt_cost(buf, sizeof(buf), 12, false, false), "12");
	assert_string_equal(fmt_cost(buf, sizeof(buf), 200, true, false), "200*");
	assert_string_equal(fmt_cost(buf, sizeof(buf), 65535, false, true), "65535D");
	assert_string_equal(fmt_cost(buf, sizeof(buf), 200, true, true), "200*D");
	assert_string_equal(fmt_cost(buf, sizeof(buf), -1, true, true), "-");
}

static void test_small_buffer_is_truncated_not_overrun(void **state)
{
	char small[4];
	assert_string_equal(fmt_rate(small, sizeof(small), 1229), "1.2");
}

static void test_parse_duration(void **state)
{
	int64_t s = 0;
	assert_int_equal(parse_duration("90", &s), 0);
	assert_int_equal(s, 90);
	assert_int_equal(parse_duration("30m", &s), 0);
	assert_int_equal(s, 1800);
	assert_int_equal(parse_duration("1h", &s), 0);
	assert_int_equal(s, 3600);
	assert_int_equal(parse_duration("7d", &s), 0);
	assert_int_equal(s, 7 * 86400);
	assert_int_equal(parse_duration("", &s), -EINVAL);
	assert_int_equal(parse_duration("0", &s), -EINVAL);
	assert_int_equal(parse_duration("1hh", &s), -EINVAL);
	assert_int_equal(parse_duration("h", &s), -EINVAL);
	assert_int_equal(parse_duration("-5m", &s), -EINVAL);
	assert_int_equal(parse_duration("99999999999999", &s), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rtt_precision_follows_magnitude),
		cmocka_unit_test(test_rtt_rounding_moves_to_the_next_format),
		cmocka_unit_test(test_rtt_unknown_is_a_dash),
		cmocka_unit_test(test_loss),
		cmocka_unit_test(test_small_loss_never_reads_as_none),
		cmocka_unit_test(test_rates_and_bytes),
		cmocka_unit_test(test_bytes_never_print_four_digits),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_handshake_age),
		cmocka_unit_test(test_cost_marks),
		cmocka_unit_test(test_small_buffer_is_truncated_not_overrun),
		cmocka_unit_test(test_parse_duration),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
