#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tests/lab/delay_line.h"

static void test_hold_spans_delay_plus_minus_jitter(void **state)
{
	assert_int_equal(delay_line_hold_us(20000, 0, 0), 20000);
	assert_int_equal(delay_line_hold_us(20000, 0, UINT32_MAX), 20000);
	assert_int_equal(delay_line_hold_us(20000, 5000, 0), 15000);
	assert_int_equal(delay_line_hold_us(20000, 5000, UINT32_MAX), 25000);
	assert_int_equal(delay_line_hold_us(20000, 5000, UINT32_MAX / 2), 20000);
}

static void test_hold_never_goes_below_zero(void **state)
{
	assert_int_equal(delay_line_hold_us(1000, 5000, 0), 0);
}

static void test_nothing_is_released_before_its_time(void **state)
{
	struct delay_line line;
	uint64_t next;
	uint32_t id;

	assert_int_equal(delay_line_init(&line, 20000, 0, 8), 0);
	assert_false(delay_line_next_release(&line, &next));
	assert_int_equal(delay_line_push(&line, 7, 1, 1000, 0), 0);
	assert_true(delay_line_next_release(&line, &next));
	assert_int_equal(next, 21000);
	assert_false(delay_line_pop_due(&line, 20999, &id));
	assert_true(delay_line_pop_due(&line, 21000, &id));
	assert_int_equal(id, 7);
	assert_false(delay_line_pop_due(&line, 99999, &id));
	delay_line_free(&line);
}

static void test_a_flow_keeps_its_order_under_jitter(void **state)
{
	struct delay_line line;
	uint32_t id, expected = 1;

	assert_int_equal(delay_line_init(&line, 20000, 10000, 8), 0);
	/* The first packet draws the longest hold, the next ones the shortest. */
	assert_int_equal(delay_line_push(&line, 1, 42, 0, UINT32_MAX), 0);
	assert_int_equal(delay_line_push(&line, 2, 42, 100, 0), 0);
	assert_int_equal(delay_line_push(&line, 3, 42, 200, 0), 0);
	while (delay_line_pop_due(&line, 1000000, &id))
		assert_int_equal(id, expected++);
	assert_int_equal(expected, 4);
	delay_line_free(&line);
}

static void test_other_flows_overtake_a_slow_packet(void **state)
{
	struct delay_line line;
	uint32_t id;

	assert_int_equal(delay_line_init(&line, 20000, 10000, 8), 0);
	assert_int_equal(delay_line_push(&line, 1, 42, 0, UINT32_MAX), 0);
	assert_int_equal(delay_line_push(&line, 2, 43, 100, 0), 0);
	assert_true(delay_line_pop(&line, &id));
	assert_int_equal(id, 2);
	delay_line_free(&line);
}

static void test_equal_release_times_leave_in_arrival_order(void **state)
{
	struct delay_line line;
	uint32_t id, expected = 10;

	assert_int_equal(delay_line_init(&line, 5000, 0, 64), 0);
	for (uint32_t i = 10; i < 40; i++)
		assert_int_equal(delay_line_push(&line, i, i, 0, 0), 0);
	while (delay_line_pop(&line, &id))
		assert_int_equal(id, expected++);
	assert_int_equal(expected, 40);
	delay_line_free(&line);
}

static void test_full_line_refuses_new_packets(void **state)
{
	struct delay_line line;
	uint32_t id;

	assert_int_equal(delay_line_init(&line, 5000, 0, 2), 0);
	assert_int_equal(delay_line_push(&line, 1, 1, 0, 0), 0);
	assert_int_equal(delay_line_push(&line, 2, 2, 0, 0), 0);
	assert_int_equal(delay_line_push(&line, 3, 3, 0, 0), -ENOBUFS);
	assert_true(delay_line_pop(&line, &id));
	assert_int_equal(delay_line_push(&line, 3, 3, 0, 0), 0);
	delay_line_free(&line);
}

static void test_zero_capacity_is_refused(void **state)
{
	struct delay_line line;

	assert_int_equal(delay_line_init(&line, 5000, 0, 0), -EINVAL);
}

static void udp4(uint8_t *p, uint8_t last_src_byte, uint16_t sport)
{
	memset(p, 0, 28);
	p[0] = 0x45;
	p[9] = 17;
	p[12] = 192, p[13] = 0, p[14] = 2, p[15] = last_src_byte;
	p[16] = 192, p[17] = 0, p[18] = 2, p[19] = 12;
	p[20] = (uint8_t)(sport >> 8), p[21] = (uint8_t)sport;
	p[22] = 0xca, p[23] = 0x6c;
}

static void test_flow_hash_tells_udp_flows_apart_by_port_and_address(void **state)
{
	uint8_t a[28], b[28], c[28], a2[28];

	udp4(a, 10, 51820);
	udp4(a2, 10, 51820);
	udp4(b, 10, 51821);
	udp4(c, 14, 51820);
	assert_int_equal(delay_line_flow_hash(a, sizeof(a)), delay_line_flow_hash(a2, sizeof(a2)));
	assert_int_not_equal(delay_line_flow_hash(a, sizeof(a)), delay_line_flow_hash(b, sizeof(b)));
	assert_int_not_equal(delay_line_flow_hash(a, sizeof(a)), delay_line_flow_hash(c, sizeof(c)));
}

static void test_flow_hash_of_ipv6_uses_addresses(void **state)
{
	uint8_t a[48] = { 0x60 }, b[48] = { 0x60 };

	a[6] = b[6] = 58; /* ICMPv6 */
	a[23] = 0x10;
	b[23] = 0x12;
	assert_int_not_equal(delay_line_flow_hash(a, sizeof(a)), delay_line_flow_hash(b, sizeof(b)));
}

static void test_flow_hash_of_short_or_non_ip_is_zero(void **state)
{
	uint8_t p[28];

	udp4(p, 10, 1);
	assert_int_equal(delay_line_flow_hash(p, 19), 0);
	assert_int_equal(delay_line_flow_hash(NULL, 0), 0);
	p[0] = 0x25;
	assert_int_equal(delay_line_flow_hash(p, sizeof(p)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hold_spans_delay_plus_minus_jitter),
		cmocka_unit_test(test_hold_never_goes_below_zero),
		cmocka_unit_test(test_nothing_is_released_before_its_time),
		cmocka_unit_test(test_a_flow_keeps_its_order_under_jitter),
		cmocka_unit_test(test_other_flows_overtake_a_slow_packet),
		cmocka_unit_test(test_equal_release_times_leave_in_arrival_order),
		cmocka_unit_test(test_full_line_refuses_new_packets),
		cmocka_unit_test(test_zero_capacity_is_refused),
		cmocka_unit_test(test_flow_hash_tells_udp_flows_apart_by_port_and_address),
		cmocka_unit_test(test_flow_hash_of_ipv6_uses_addresses),
		cmocka_unit_test(test_flow_hash_of_short_or_non_ip_is_zero),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
