/* Folding of repeated log lines (common/util/line_fold.h): a flood of one
 * line is one line plus a count; digits (timestamps) do not make lines
 * differ; summaries come at ticks, on eviction and at the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "common/util/line_fold.h"

static char out[64][WGM_LINE_FOLD_TEXT + 128];
static size_t n_out;

static void collect(const char *line, void *ctx)
{
	(void)ctx;
	assert_true(n_out < 64);
	snprintf(out[n_out++], sizeof(out[0]), "%s", line);
}

static int setup(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	n_out = 0;
	return 0;
}

/* 2026-12-05 19:00:00 UTC plus S seconds, in ms. */
#define T(s) ((1796497200LL + (s)) * 1000)

static void test_flood_is_one_line_and_a_count(void **state)
{
	struct wgm_line_fold f = { 0 };
	char line[200];

	(void)state;
	for (int i = 0; i < 1000; i++) {
		snprintf(line, sizeof(line),
			 "ERROR: (pipe2) 2026/12/05 19:00:%02d peer(AbCd) - Failed to send data packets: "
			 "write udp 192.0.2.10:51820->192.0.2.12:%d: operation not permitted",
			 i % 60, 51820 + i % 3);
		wgm_line_fold_add(&f, line, T(i / 10), collect, NULL);
	}
	assert_int_equal(n_out, 1);
	assert_non_null(strstr(out[0], "19:00:00 peer(AbCd) - Failed to send data packets"));
	wgm_line_fold_tick(&f, collect, NULL);
	assert_int_equal(n_out, 2);
	assert_non_null(strstr(out[1],
			       "Failed to send data packets: write udp 192.0.2.10:51820->192.0.2.12:51820: "
			       "operation not permitted ... repeated 999 times (first 19:00:00, last 19:01:39)"));
	/* Still coming: folded on, one summary per period. */
	wgm_line_fold_add(&f, line, T(120), collect, NULL);
	wgm_line_fold_add(&f, line, T(121), collect, NULL);
	assert_int_equal(n_out, 2);
	wgm_line_fold_tick(&f, collect, NULL);
	assert_int_equal(n_out, 3);
	assert_non_null(strstr(out[2], "... repeated 2 times (first 19:02:00, last 19:02:01)"));
	/* A quiet period frees it: when it comes back it is shown again. */
	wgm_line_fold_tick(&f, collect, NULL);
	wgm_line_fold_tick(&f, collect, NULL);
	assert_int_equal(n_out, 3);
	wgm_line_fold_add(&f, line, T(400), collect, NULL);
	assert_int_equal(n_out, 4);
	assert_string_equal(out[3], line);
}

static void test_alternating_lines_fold_each(void **state)
{
	struct wgm_line_fold f = { 0 };

	(void)state;
	for (int i = 0; i < 50; i++) {
		wgm_line_fold_add(&f, "Failed to send handshake initiation", T(i), collect, NULL);
		wgm_line_fold_add(&f, "Failed to send data packets", T(i), collect, NULL);
	}
	assert_int_equal(n_out, 2);
	wgm_line_fold_flush(&f, collect, NULL);
	assert_int_equal(n_out, 4);
	assert_string_equal(
		out[2], "Failed to send handshake initiation ... repeated 49 times (first 19:00:01, last 19:00:49)");
	assert_string_equal(out[3],
			    "Failed to send data packets ... repeated 49 times (first 19:00:01, last 19:00:49)");
	/* Flushed: nothing more to say, and the lines are new again. */
	wgm_line_fold_flush(&f, collect, NULL);
	assert_int_equal(n_out, 4);
	wgm_line_fold_add(&f, "Failed to send data packets", T(60), collect, NULL);
	assert_int_equal(n_out, 5);
}

static void test_single_repeat_and_no_repeat(void **state)
{
	struct wgm_line_fold f = { 0 };

	(void)state;
	wgm_line_fold_add(&f, "a", T(0), collect, NULL);
	wgm_line_fold_add(&f, "a", T(1), collect, NULL);
	wgm_line_fold_add(&f, "b", T(2), collect, NULL);
	wgm_line_fold_tick(&f, collect, NULL);
	assert_int_equal(n_out, 3);
	assert_string_equal(out[2], "a ... repeated 1 time (first 19:00:01, last 19:00:01)");
}

static void test_eviction_reports_the_oldest(void **state)
{
	struct wgm_line_fold f = { 0 };
	char line[32];

	(void)state;
	wgm_line_fold_add(&f, "old line", T(0), collect, NULL);
	wgm_line_fold_add(&f, "old line", T(1), collect, NULL);
	for (int i = 0; i < WGM_LINE_FOLD_SLOTS - 1; i++) {
		snprintf(line, sizeof(line), "line %c", 'a' + i);
		wgm_line_fold_add(&f, line, T(2 + i), collect, NULL);
	}
	assert_int_equal(n_out, WGM_LINE_FOLD_SLOTS);
	/* A ninth line needs the slot of the one that came longest ago. */
	wgm_line_fold_add(&f, "new line", T(20), collect, NULL);
	assert_int_equal(n_out, WGM_LINE_FOLD_SLOTS + 2);
	assert_string_equal(out[WGM_LINE_FOLD_SLOTS], "old line ... repeated 1 time (first 19:00:01, last 19:00:01)");
	assert_string_equal(out[WGM_LINE_FOLD_SLOTS + 1], "new line");
}

static void test_same_but_digits(void **state)
{
	(void)state;
	assert_true(wgm_line_fold_same("at 19:00:01 x=5", "at 9:13:59 x=123456"));
	assert_false(wgm_line_fold_same("at 19:00:01 x=5", "at 19:00:01 y=5"));
	assert_false(wgm_line_fold_same("abc", "abc1x"));
	assert_true(wgm_line_fold_same("", ""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_flood_is_one_line_and_a_count, setup),
		cmocka_unit_test_setup(test_alternating_lines_fold_each, setup),
		cmocka_unit_test_setup(test_single_repeat_and_no_repeat, setup),
		cmocka_unit_test_setup(test_eviction_reports_the_oldest, setup),
		cmocka_unit_test_setup(test_same_but_digits, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
