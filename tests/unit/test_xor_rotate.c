/* The XOR key rotation state machine (daemon/links/xor_rotate.h): its
 * schedule and the next action on each outcome, without I/O. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/links/xor_rotate.h"

static struct xor_rotate_params params(void)
{
	struct xor_rotate_params p = xor_rotate_params_default();

	p.settle_min_ms = 5000;
	p.settle_max_ms = 60000;
	p.verify_max_ms = 30000;
	p.call_tries = 3;
	p.call_retry_ms = 2000;
	return p;
}

static void test_schedule_is_five_to_seven_hours_by_default(void **state)
{
	const uint64_t now = 1000;

	assert_int_equal(xor_rotate_next_due_ms(now, 0, 12345), 0);
	assert_int_equal(xor_rotate_next_due_ms(now, 21600, 0), now + 5ull * 3600 * 1000);
	assert_true(xor_rotate_next_due_ms(now, 21600, UINT32_MAX) <= now + 7ull * 3600 * 1000);
	assert_true(xor_rotate_next_due_ms(now, 21600, UINT32_MAX) > now + 7ull * 3600 * 1000 - 1000);
	assert_true(xor_rotate_next_due_ms(now, 21600, 1u << 31) > now + 5ull * 3600 * 1000);
	assert_true(xor_rotate_next_due_ms(now, 21600, 1u << 31) < now + 7ull * 3600 * 1000);
	/* A short interval for tests and operators: still never "now". */
	assert_true(xor_rotate_next_due_ms(now, 6, 0) >= now + 5000);
}

static void test_a_clean_run_goes_through_every_step(void **state)
{
	struct xor_rotate_params p = params();
	struct xor_rotate r;
	uint64_t t = 100000;

	xor_rotate_init(&r);
	assert_false(xor_rotate_busy(&r));
	assert_int_equal(xor_rotate_step(&r, &p, XR_EV_TICK, true, t), XR_DO_NOTHING);
	assert_int_equal(xor_rotate_step(&r, &p, XR_EV_START, false, t), XR_DO_DRAIN);
	assert_true(xor_rotate_busy(&r));
	/* A second start while one runs does nothing. */
	assert_int_equal(xor_rotate_step(&r, &p, XR_EV_START, false, t), XR_DO_NOTHING);
	assert_int_equal(xor_rotate_step(&r, &p, XR_EV_OK, false, t + 10), XR_DO_NOTHING);
	assert_int_equal(r.step, XR_SETTLE);
	/* Quiet at once, but routes need settle_min to move. */
	assert_int_equal(xor_rotate_step(&r, &p, XR_EV_TICK, true, t + 1000), XR_DO_NOTHING);
	assert_int_equal(xor_rotate_step(&r, &p, XR_EV_TICK, true, t + 5010), XR_DO_STAGE);
	assert_int_equal(xor_rotate_step(&r, &p, XR_EV_OK, false, t + 5020), XR_DO_SWAP_REMOTE);
	assert_false(r.swapped);
	assert_int_equal(xor_rotate_step(&r, &p, XR_EV_OK, false, t + 5100), XR_DO_SWAP_LOCAL);
	assert_true(r.swapped);
	assert_int_equal(xor_rotate_step(&r, &p, XR_EV_OK, false, t + 5110), XR_DO_NOTHING);
	assert_int_equal(r.step, XR_VERIFY);
	assert_int_equal(xor_rotate_step(&r, &p, XR_EV_TICK, false, t + 6000), XR_DO_NOTHING);
	assert_int_equal(xor_rotate_step(&r, &p, XR_EV_TICK, true, t + 7000), XR_DO_RESTORE);
	assert_int_equal(xor_rotate_step(&r, &p, XR_EV_OK, false, t + 7100), XR_DO_REPORT_DONE);
	assert_false(xor_rotate_busy(&r));
	assert_false(r.failed);
}

static void test_busy_link_is_swapped_after_settle_max(void **state)
{
	struct xor_rotate_params p = params();
	struct xor_rotate r;

	xor_rotate_init(&r);
	xor_rotate_step(&r, &p, XR_EV_START, false, 0);
	xor_rotate_step(&r, &p, XR_EV_OK, false, 0);
	assert_int_equal(xor_rotate_step(&r, &p, XR_EV_TICK, false, 59999), XR_DO_NOTHING);
	assert_int_equal(xor_rotate_step(&r, &p, XR_EV_TICK, false, 60000), XR_DO_STAGE);
}

static void test_remote_calls_are_retried_then_the_link_is_restored(void **state)
{
	struct xor_rotate_params p = params();
	struct xor_rotate r;

	xor_rotate_init(&r);
	assert_int_equal(xor_rotate_step(&r, &p, XR_EV_START, false, 0), XR_DO_DRAIN);
	xor_rotate_fail(&r, "node 0: no answer");
	assert_int_equal(xor_rotate_step(&r, &p, XR_EV_FAILED, false, 10), XR_DO_NOTHING);
	assert_int_equal(xor_rotate_step(&r, &p, XR_EV_TICK, false, 1000), XR_DO_NOTHING);
	assert_int_equal(xor_rotate_step(&r, &p, XR_EV_TICK, false, 2010), XR_DO_DRAIN); /* try 2 */
	assert_int_equal(xor_rotate_step(&r, &p, XR_EV_FAILED, false, 2020), XR_DO_NOTHING);
	assert_int_equal(xor_rotate_step(&r, &p, XR_EV_TICK, false, 4020), XR_DO_DRAIN); /* try 3 */
	assert_int_equal(xor_rotate_step(&r, &p, XR_EV_FAILED, false, 4030), XR_DO_RESTORE);
	assert_true(r.failed);
	assert_false(r.swapped);
	assert_string_equal(r.reason, "node 0: no answer");
	assert_int_equal(xor_rotate_step(&r, &p, XR_EV_OK, false, 4040), XR_DO_REPORT_FAILED);
	assert_false(xor_rotate_busy(&r));
	/* The next run starts clean. */
	assert_int_equal(xor_rotate_step(&r, &p, XR_EV_START, false, 5000), XR_DO_DRAIN);
	assert_false(r.failed);
	assert_string_equal(r.reason, "");
}

static void test_local_failures_restore_at_once(void **state)
{
	struct xor_rotate_params p = params();
	struct xor_rotate r;

	xor_rotate_init(&r);
	xor_rotate_step(&r, &p, XR_EV_START, false, 0);
	xor_rotate_step(&r, &p, XR_EV_OK, false, 0);
	assert_int_equal(xor_rotate_step(&r, &p, XR_EV_TICK, true, 6000), XR_DO_STAGE);
	xor_rotate_fail(&r, "cannot save the record");
	assert_int_equal(xor_rotate_step(&r, &p, XR_EV_FAILED, false, 6010), XR_DO_RESTORE);
	assert_true(r.failed);
	/* A failing restore still ends the run, reported as failed. */
	assert_int_equal(xor_rotate_step(&r, &p, XR_EV_FAILED, false, 6020), XR_DO_NOTHING);
	assert_int_equal(xor_rotate_step(&r, &p, XR_EV_TICK, false, 8020), XR_DO_RESTORE);
	assert_int_equal(xor_rotate_step(&r, &p, XR_EV_FAILED, false, 8030), XR_DO_NOTHING);
	assert_int_equal(xor_rotate_step(&r, &p, XR_EV_TICK, false, 10030), XR_DO_RESTORE);
	assert_int_equal(xor_rotate_step(&r, &p, XR_EV_FAILED, false, 10040), XR_DO_REPORT_FAILED);
	assert_string_equal(r.reason, "cannot save the record");
}

static void test_a_link_that_passes_nothing_after_the_swap_fails_and_restores(void **state)
{
	struct xor_rotate_params p = params();
	struct xor_rotate r;

	xor_rotate_init(&r);
	xor_rotate_step(&r, &p, XR_EV_START, false, 0);
	xor_rotate_step(&r, &p, XR_EV_OK, false, 0);
	xor_rotate_step(&r, &p, XR_EV_TICK, true, 5000);
	xor_rotate_step(&r, &p, XR_EV_OK, false, 5000);
	xor_rotate_step(&r, &p, XR_EV_OK, false, 5000);
	assert_int_equal(xor_rotate_step(&r, &p, XR_EV_OK, false, 5000), XR_DO_NOTHING);
	assert_int_equal(xor_rotate_step(&r, &p, XR_EV_TICK, false, 34999), XR_DO_NOTHING);
	assert_int_equal(xor_rotate_step(&r, &p, XR_EV_TICK, false, 35000), XR_DO_RESTORE);
	assert_true(r.failed);
	/* Both ends have the new key: the restore confirms it all the same. */
	assert_true(r.swapped);
	assert_non_null(strstr(r.reason, "no probe answered"));
	assert_int_equal(xor_rotate_step(&r, &p, XR_EV_OK, false, 35100), XR_DO_REPORT_FAILED);
}

static void test_stray_outcomes_are_ignored(void **state)
{
	struct xor_rotate_params p = params();
	struct xor_rotate r;

	xor_rotate_init(&r);
	assert_int_equal(xor_rotate_step(&r, &p, XR_EV_OK, false, 0), XR_DO_NOTHING);
	assert_int_equal(xor_rotate_step(&r, &p, XR_EV_FAILED, false, 0), XR_DO_NOTHING);
	assert_false(xor_rotate_busy(&r));
	xor_rotate_step(&r, &p, XR_EV_START, false, 0);
	xor_rotate_step(&r, &p, XR_EV_OK, false, 0);
	/* Settling waits for time, not for an outcome. */
	assert_int_equal(xor_rotate_step(&r, &p, XR_EV_OK, false, 10), XR_DO_NOTHING);
	assert_int_equal(xor_rotate_step(&r, &p, XR_EV_FAILED, false, 10), XR_DO_NOTHING);
	assert_int_equal(r.step, XR_SETTLE);
	assert_string_equal(xor_rotate_step_name(r.step), "settle");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schedule_is_five_to_seven_hours_by_default),
		cmocka_unit_test(test_a_clean_run_goes_through_every_step),
		cmocka_unit_test(test_busy_link_is_swapped_after_settle_max),
		cmocka_unit_test(test_remote_calls_are_retried_then_the_link_is_restored),
		cmocka_unit_test(test_local_failures_restore_at_once),
		cmocka_unit_test(test_a_link_that_passes_nothing_after_the_swap_fails_and_restores),
		cmocka_unit_test(test_stray_outcomes_are_ignored),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
