#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tui/console/layout.h"

/* Shaped like the console's links table. */
static const struct layout_col cols[] = {
	{ "NAME", 0, 8, 15, ALIGN_LEFT },      { "NODE", 1, 4, 5, ALIGN_RIGHT },
	{ "ENDPOINT", 5, 15, 40, ALIGN_LEFT }, { "TR", 6, 2, 2, ALIGN_LEFT },
	{ "TYPE", 7, 7, 12, ALIGN_LEFT },      { "STATE", 0, 5, 5, ALIGN_LEFT },
	{ "RTT", 0, 7, 8, ALIGN_RIGHT },       { "LOSS", 1, 5, 6, ALIGN_RIGHT },
	{ "JIT", 3, 7, 8, ALIGN_RIGHT },       { "COST", 1, 6, 7, ALIGN_RIGHT },
	{ "RX", 4, 9, 10, ALIGN_RIGHT },       { "TX", 4, 9, 10, ALIGN_RIGHT },
	{ "HS", 6, 6, 6, ALIGN_RIGHT },        { "RTT HISTORY", 2, 10, 60, ALIGN_LEFT },
};
#define NCOLS (sizeof(cols) / sizeof(cols[0]))

static int total(const int *w)
{
	int sum = 0, shown = 0;
	for (size_t i = 0; i < NCOLS; i++) {
		sum += w[i];
		shown += w[i] > 0;
	}
	return sum + (shown ? shown - 1 : 0);
}

static void test_80_columns_drop_the_least_important(void **state)
{
	int w[NCOLS];
	layout_fit(cols, NCOLS, 80, 1, w);
	assert_true(total(w) <= 80);
	assert_int_equal(w[4], 0);  /* TYPE, priority 7 */
	assert_int_equal(w[3], 0);  /* TR */
	assert_int_equal(w[12], 0); /* HS */
	assert_true(w[0] > 0 && w[5] > 0 && w[6] > 0 && w[13] > 0);
}

static void test_120_columns_keep_more(void **state)
{
	int w80[NCOLS], w120[NCOLS];
	size_t n80 = layout_fit(cols, NCOLS, 80, 1, w80);
	size_t n120 = layout_fit(cols, NCOLS, 120, 1, w120);
	assert_true(n120 > n80);
	assert_true(total(w120) <= 120);
	assert_true(w120[2] > 0); /* ENDPOINT back */
}

static void test_200_columns_show_all_and_grow(void **state)
{
	int w[NCOLS];
	assert_int_equal(layout_fit(cols, NCOLS, 200, 1, w), NCOLS);
	assert_true(total(w) <= 200);
	assert_true(w[13] > cols[13].min_width); /* sparkline got wider */
	for (size_t i = 0; i < NCOLS; i++)
		assert_true(w[i] >= cols[i].min_width && w[i] <= cols[i].max_width);
}

static void test_huge_terminal_stops_at_max_widths(void **state)
{
	int w[NCOLS];
	layout_fit(cols, NCOLS, 1000, 1, w);
	for (size_t i = 0; i < NCOLS; i++)
		assert_int_equal(w[i], cols[i].max_width);
}

static void test_too_narrow_for_anything_shows_nothing(void **state)
{
	int w[NCOLS];
	assert_int_equal(layout_fit(cols, NCOLS, 3, 1, w), 0);
}

static void test_equal_priority_drops_the_rightmost_first(void **state)
{
	const struct layout_col two[] = { { "A", 1, 5, 5, ALIGN_LEFT }, { "B", 1, 5, 5, ALIGN_LEFT } };
	int w[2];
	layout_fit(two, 2, 8, 1, w);
	assert_int_equal(w[0], 5);
	assert_int_equal(w[1], 0);
}

static void test_cell_pads_and_cuts(void **state)
{
	char out[64];
	layout_cell(out, sizeof(out), "ab", 4, ALIGN_LEFT);
	assert_string_equal(out, "ab  ");
	layout_cell(out, sizeof(out), "ab", 4, ALIGN_RIGHT);
	assert_string_equal(out, "  ab");
	layout_cell(out, sizeof(out), "2001:db8::1:51820", 8, ALIGN_LEFT);
	assert_string_equal(out, "2001:db~");
	layout_cell(out, sizeof(out), "▁▂▃▄", 3, ALIGN_LEFT);
	assert_string_equal(out, "▁▂~");
}

static void test_wrap_breaks_at_blanks_and_keeps_everything(void **state)
{
	(void)state;
	const char *text = "BIRD did not take the new link costs: cannot connect to /tmp/very/long/path/bird.ctl";
	size_t st[8], ln[8], n = layout_wrap(text, 30, st, ln, 8);
	size_t total = 0;
	assert_true(n >= 3);
	for (size_t i = 0; i < n; i++) {
		assert_true(ln[i] <= 30);
		total += ln[i];
	}
	assert_int_equal(strncmp(text + st[0], "BIRD did not take the new link", ln[0]), 0);
	assert_int_equal(ln[0], strlen("BIRD did not take the new link"));
	/* Every character but the blanks broken at is on some line. */
	assert_int_equal(total + (n - 1), strlen(text));
	assert_int_equal(strcmp(text + st[n - 1] + ln[n - 1], ""), 0);
	/* A word longer than the line is cut, not lost. */
	n = layout_wrap("abcdefghij", 4, st, ln, 8);
	assert_int_equal(n, 3);
	assert_int_equal(ln[2], 2);
	assert_int_equal(layout_wrap("", 10, st, ln, 8), 1);
	assert_int_equal(ln[0], 0);
	assert_int_equal(layout_wrap("a b c d e f", 1, st, ln, 2), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_80_columns_drop_the_least_important),
		cmocka_unit_test(test_120_columns_keep_more),
		cmocka_unit_test(test_200_columns_show_all_and_grow),
		cmocka_unit_test(test_huge_terminal_stops_at_max_widths),
		cmocka_unit_test(test_too_narrow_for_anything_shows_nothing),
		cmocka_unit_test(test_equal_priority_drops_the_rightmost_first),
		cmocka_unit_test(test_cell_pads_and_cuts),
		cmocka_unit_test(test_wrap_breaks_at_blanks_and_keeps_everything),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
