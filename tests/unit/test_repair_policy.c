/* Self-repair's decision: which link gets a new port, and when. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "daemon/quality/repair_policy.h"

static const struct repair_params params = { .after_ms = 60000, .loss_pct = 30, .cooldown_ms = 3600000 };

static struct repair_input dead_client(void)
{
	return (struct repair_input){ .client = true, .dead = true, .remote_reachable_elsewhere = true };
}

static void test_a_dead_client_link_is_repaired_after_the_threshold(void **state)
{
	struct repair_track t = { 0 };
	struct repair_input in = dead_client();

	(void)state;
	assert_false(repair_due(&params, &in, &t, 1000));
	assert_false(repair_due(&params, &in, &t, 60999));
	assert_true(repair_due(&params, &in, &t, 61000));
}

static void test_recovery_starts_the_wait_over(void **state)
{
	struct repair_track t = { 0 };
	struct repair_input in = dead_client(), ok = { .client = true, .remote_reachable_elsewhere = true };

	(void)state;
	assert_false(repair_due(&params, &in, &t, 1000));
	assert_false(repair_due(&params, &ok, &t, 30000));
	assert_false(repair_due(&params, &in, &t, 61000));
	assert_false(repair_due(&params, &in, &t, 120999));
	assert_true(repair_due(&params, &in, &t, 121000));
}

static void test_sustained_loss_counts_as_bad(void **state)
{
	struct repair_track t = { 0 };
	struct repair_input in = { .client = true, .loss_pct = 35, .remote_reachable_elsewhere = true };
	struct repair_params dead_only = params;

	(void)state;
	assert_false(repair_due(&params, &in, &t, 1000));
	assert_true(repair_due(&params, &in, &t, 62000));
	in.loss_pct = 29;
	assert_false(repair_due(&params, &in, &t, 63000));
	dead_only.loss_pct = 0;
	in.loss_pct = 100;
	struct repair_track t2 = { 0 };
	assert_false(repair_due(&dead_only, &in, &t2, 1000));
	assert_false(repair_due(&dead_only, &in, &t2, 100000));
}

static void test_never_the_accepting_end_nor_an_unreachable_node(void **state)
{
	struct repair_track t = { 0 }, t2 = { 0 };
	struct repair_input server = dead_client(), cut_off = dead_client();

	(void)state;
	server.client = false;
	cut_off.remote_reachable_elsewhere = false;
	assert_false(repair_due(&params, &server, &t, 1000));
	assert_false(repair_due(&params, &server, &t, 100000));
	assert_false(repair_due(&params, &cut_off, &t2, 1000));
	assert_false(repair_due(&params, &cut_off, &t2, 100000));
}

static void test_cooldown_between_repairs_of_one_link(void **state)
{
	struct repair_track t = { 0 };
	struct repair_input in = dead_client();

	(void)state;
	assert_false(repair_due(&params, &in, &t, 1000));
	assert_true(repair_due(&params, &in, &t, 61000));
	t.last_repair_ms = 61000;
	assert_false(repair_due(&params, &in, &t, 200000));
	assert_false(repair_due(&params, &in, &t, 3660999));
	assert_true(repair_due(&params, &in, &t, 3661000));
}

static void test_repair_after_zero_turns_it_off(void **state)
{
	struct repair_params off = params;
	struct repair_track t = { 0 };
	struct repair_input in = dead_client();

	(void)state;
	off.after_ms = 0;
	assert_false(repair_due(&off, &in, &t, 1000));
	assert_false(repair_due(&off, &in, &t, 10000000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_dead_client_link_is_repaired_after_the_threshold),
		cmocka_unit_test(test_recovery_starts_the_wait_over),
		cmocka_unit_test(test_sustained_loss_counts_as_bad),
		cmocka_unit_test(test_never_the_accepting_end_nor_an_unreachable_node),
		cmocka_unit_test(test_cooldown_between_repairs_of_one_link),
		cmocka_unit_test(test_repair_after_zero_turns_it_off),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
