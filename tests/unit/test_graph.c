#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>

#include "tui/console/fmt.h"
#include "tui/console/graph.h"
#include "tui/console/layout.h"

#define ROWS 4
static char storage[ROWS][512];
static char *lines[ROWS] = { storage[0], storage[1], storage[2], storage[3] };

static struct graph_opts opts(size_t width, enum glyphs g, bool zero_based)
{
	return (struct graph_opts){
		.width = width, .height = ROWS, .glyphs = g, .label = fmt_rtt, .zero_based = zero_based
	};
}

static void test_labels_mark_max_top_and_min_bottom(void **state)
{
	double v[] = { 1, 2, 3, 4 };
	struct graph_opts o = opts(GRAPH_LABEL_COLS + 4, GLYPHS_ASCII, false);
	struct series_stats st;
	assert_int_equal(graph_render(v, 4, &o, lines, sizeof(storage[0]), &st), 0);
	assert_non_null(strstr(lines[0], "4.00ms |"));
	assert_non_null(strstr(lines[ROWS - 1], "1.00ms |"));
	assert_true(st.avg == 2.5);
}

static void test_avg_label_sits_in_its_row(void **state)
{
	double v[] = { 1, 1, 1, 9 }; /* avg 3: low in the graph, above the bottom row */
	struct graph_opts o = opts(GRAPH_LABEL_COLS + 4, GLYPHS_ASCII, false);
	assert_int_equal(graph_render(v, 4, &o, lines, sizeof(storage[0]), NULL), 0);
	assert_non_null(strstr(lines[2], "3.00ms |"));
}

static void test_max_column_is_full_height_min_shows_on_floor(void **state)
{
	double v[] = { 1, 9 };
	struct graph_opts o = opts(GRAPH_LABEL_COLS + 2, GLYPHS_ASCII, false);
	assert_int_equal(graph_render(v, 2, &o, lines, sizeof(storage[0]), NULL), 0);
	assert_string_equal(lines[0] + GRAPH_LABEL_COLS, " #");
	assert_string_equal(lines[ROWS - 1] + GRAPH_LABEL_COLS, ".#");
}

static void test_gaps_are_blank_in_every_row(void **state)
{
	double v[] = { 5, NAN, 9 };
	struct graph_opts o = opts(GRAPH_LABEL_COLS + 3, GLYPHS_UTF8, false);
	assert_int_equal(graph_render(v, 3, &o, lines, sizeof(storage[0]), NULL), 0);
	for (int r = 0; r < ROWS; r++) {
		const char *plot = strstr(lines[r], "│") + strlen("│");
		/* second cell: after the first cell's glyph (1 or 3 bytes) */
		const char *second = plot + ((unsigned char)plot[0] < 0x80 ? 1 : 3);
		assert_int_equal(second[0], ' ');
	}
}

static void test_every_row_is_exactly_the_width(void **state)
{
	double v[100];
	for (int i = 0; i < 100; i++)
		v[i] = i % 7 ? (double)i : NAN;
	struct graph_opts o = opts(60, GLYPHS_UTF8, true);
	assert_int_equal(graph_render(v, 100, &o, lines, sizeof(storage[0]), NULL), 0);
	for (int r = 0; r < ROWS; r++)
		assert_int_equal(utf8_width(lines[r]), 60);
}

static void test_zero_based_flat_zero_stays_on_the_floor(void **state)
{
	double v[] = { 0, 0, 0 };
	struct graph_opts o = opts(GRAPH_LABEL_COLS + 3, GLYPHS_ASCII, true);
	assert_int_equal(graph_render(v, 3, &o, lines, sizeof(storage[0]), NULL), 0);
	assert_string_equal(lines[0] + GRAPH_LABEL_COLS, "   ");
	assert_string_equal(lines[ROWS - 1] + GRAPH_LABEL_COLS, "...");
}

static void test_no_room_to_plot_is_einval(void **state)
{
	double v[] = { 1 };
	struct graph_opts o = opts(GRAPH_LABEL_COLS, GLYPHS_ASCII, false);
	assert_int_equal(graph_render(v, 1, &o, lines, sizeof(storage[0]), NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_labels_mark_max_top_and_min_bottom),
		cmocka_unit_test(test_avg_label_sits_in_its_row),
		cmocka_unit_test(test_max_column_is_full_height_min_shows_on_floor),
		cmocka_unit_test(test_gaps_are_blank_in_every_row),
		cmocka_unit_test(test_every_row_is_exactly_the_width),
		cmocka_unit_test(test_zero_based_flat_zero_stays_on_the_floor),
		cmocka_unit_test(test_no_room_to_plot_is_einval),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
