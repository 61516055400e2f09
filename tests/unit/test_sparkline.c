#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>

#include "tui/console/layout.h"
#include "tui/console/series.h"
#include "tui/console/sparkline.h"

static char out[512];

static void test_rising_series_uses_every_level(void **state)
{
	double v[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	assert_int_equal(sparkline_render(v, 8, 8, GLYPHS_UTF8, out, sizeof(out)), 24);
	assert_string_equal(out, "▁▂▃▄▅▆▇█");
}

static void test_scale_is_min_to_max_not_zero_based(void **state)
{
	double v[] = { 100, 107, 100 };
	sparkline_render(v, 3, 3, GLYPHS_UTF8, out, sizeof(out));
	assert_string_equal(out, "▁█▁");
}

static void test_lost_probe_is_marked(void **state)
{
	double v[] = { 1, NAN, 8 };
	sparkline_render(v, 3, 3, GLYPHS_UTF8, out, sizeof(out));
	assert_string_equal(out, "▁x█");
}

/* 25 % loss over 60 probes at 10 columns: every bucket with a lost probe is
 * marked, none hidden by the resample (the mean of the rest). */
static void test_loss_stays_visible_at_any_width(void **state)
{
	double v[60];
	for (int i = 0; i < 60; i++)
		v[i] = i % 4 == 3 ? NAN : 10.0 + (i % 3);
	for (size_t width = 4; width <= 60; width += 7) {
		sparkline_render(v, 60, width, GLYPHS_UTF8, out, sizeof(out));
		assert_non_null(strstr(out, SPARK_LOST));
		assert_int_equal(utf8_width(out), width);
	}
	sparkline_render(v, 60, 10, GLYPHS_ASCII, out, sizeof(out));
	assert_string_equal(out, "xxxxxxxxxx"); /* every 6-probe bucket lost one */
	double clean[60];
	for (int i = 0; i < 60; i++)
		clean[i] = 10.0;
	sparkline_render(clean, 60, 10, GLYPHS_ASCII, out, sizeof(out));
	assert_null(strstr(out, SPARK_LOST));
}

static void test_flat_series_is_the_lowest_level(void **state)
{
	double v[] = { 5, 5, 5, 5 };
	sparkline_render(v, 4, 4, GLYPHS_UTF8, out, sizeof(out));
	assert_string_equal(out, "▁▁▁▁");
}

static void test_short_series_is_right_aligned(void **state)
{
	double v[] = { 1, 2 };
	sparkline_render(v, 2, 5, GLYPHS_ASCII, out, sizeof(out));
	assert_string_equal(out, "   .#");
}

static void test_ascii_never_draws_a_sample_as_space(void **state)
{
	double v[] = { 3, 3, NAN, 3 };
	sparkline_render(v, 4, 4, GLYPHS_ASCII, out, sizeof(out));
	assert_string_equal(out, "..x.");
}

static void test_long_series_is_bucketed_to_the_width(void **state)
{
	double v[60];
	for (int i = 0; i < 60; i++)
		v[i] = i < 30 ? 1.0 : 9.0;
	sparkline_render(v, 60, 10, GLYPHS_ASCII, out, sizeof(out));
	assert_string_equal(out, ".....#####");
	assert_int_equal(utf8_width(out), 10);
}

static void test_bucket_all_lost_stays_a_gap_partly_lost_does_not(void **state)
{
	double v[] = { NAN, NAN, NAN, 4, 1, 1 };
	double b[3];
	assert_int_equal(series_bucket_mean(v, 6, b, 3), 3);
	assert_true(isnan(b[0]));
	assert_true(b[1] == 4.0);
	assert_true(b[2] == 1.0);
}

static void test_bucket_loss_and_jitter(void **state)
{
	double v[] = { 1, NAN, 3, 5 };
	double b[2];
	series_bucket_loss(v, 4, b, 2);
	assert_true(b[0] == 50.0);
	assert_true(b[1] == 0.0);
	series_bucket_jitter(v, 4, b, 2);
	assert_true(isnan(b[0]));
	assert_true(b[1] == 2.0); /* |3-1| and |5-3|: the step from before the bucket counts */
}

static void test_stats_skip_gaps(void **state)
{
	double v[] = { 2, NAN, 4 };
	struct series_stats st;
	series_stats(v, 3, &st);
	assert_int_equal(st.samples, 2);
	assert_int_equal(st.gaps, 1);
	assert_true(st.min == 2 && st.max == 4 && st.avg == 3);
}

static void test_too_small_buffer_is_an_error(void **state)
{
	double v[] = { 1, 2, 3, 4 };
	assert_int_equal(sparkline_render(v, 4, 4, GLYPHS_UTF8, out, 8), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rising_series_uses_every_level),
		cmocka_unit_test(test_scale_is_min_to_max_not_zero_based),
		cmocka_unit_test(test_lost_probe_is_marked),
		cmocka_unit_test(test_loss_stays_visible_at_any_width),
		cmocka_unit_test(test_flat_series_is_the_lowest_level),
		cmocka_unit_test(test_short_series_is_right_aligned),
		cmocka_unit_test(test_ascii_never_draws_a_sample_as_space),
		cmocka_unit_test(test_long_series_is_bucketed_to_the_width),
		cmocka_unit_test(test_bucket_all_lost_stays_a_gap_partly_lost_does_not),
		cmocka_unit_test(test_bucket_loss_and_jitter),
		cmocka_unit_test(test_stats_skip_gaps),
		cmocka_unit_test(test_too_small_buffer_is_an_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
