/* The CLI's text tables: columns as wide as their widest cell, figures
 * right-aligned, empty cells as "-", no blanks at the end of a line — and a
 * long REASON next to short figures stays within 80 columns (the row that
 * made `wgmesh links` 81 wide with fixed widths). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tui/cli/text_table.h"

static char *render(const struct text_table *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	text_table_print(t, f);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void widths_follow_content(void **state)
{
	static const char *const heads[] = { "LINK", "NODE", "COST", "REASON" };
	static const bool right[] = { false, true, true, false };
	struct text_table t;
	char *out;

	(void)state;
	assert_int_equal(text_table_init(&t, 4, heads, right), 0);
	assert_int_equal(text_table_add(&t, (const char *const[]){ "pipe2", "2", "7905", "loss 23:03" }), 0);
	assert_int_equal(text_table_add(&t, (const char *const[]){ "pipe12", "12", "", NULL }), 0);
	out = render(&t);
	assert_string_equal(out, "LINK   NODE COST REASON\n"
				 "pipe2     2 7905 loss 23:03\n"
				 "pipe12   12    - -\n");
	free(out);
	text_table_free(&t);
}

static void links_row_fits_80_columns(void **state)
{
	static const char *const heads[] = { "LINK",         "NODE",       "STATE", "OSPF",  "CARRIES",
					     "RTT LAST/AVG", "LOSS 10/1m", "COST",  "REASON" };
	static const bool right[9] = { [1] = true, [7] = true };
	struct text_table t;
	char *out, *line;

	(void)state;
	assert_int_equal(text_table_init(&t, 9, heads, right), 0);
	assert_int_equal(text_table_add(&t, (const char *const[]){ "pipe4", "4", "up", "Full", "2,4", "1.4/60.7",
								   "0/0.0", "1563", "jitter 23:03" }),
			 0);
	assert_int_equal(text_table_add(&t, (const char *const[]){ "pipe2", "2", "up", "Exchange", "-", "1.9/119.8",
								   "40/20.0", "65535*D", "jitter 23:03" }),
			 0);
	out = render(&t);
	for (char *save = NULL, *s = out; (line = strtok_r(s, "\n", &save)); s = NULL) {
		assert_true(strlen(line) <= 80);
		assert_true(line[strlen(line) - 1] != ' ');
	}
	free(out);
	text_table_free(&t);
}

static void bad_shapes_refused(void **state)
{
	static const char *const heads[TEXT_TABLE_COLS_MAX + 1] = { "A" };
	struct text_table t;

	(void)state;
	assert_int_equal(text_table_init(&t, 0, heads, NULL), -EINVAL);
	assert_int_equal(text_table_init(&t, TEXT_TABLE_COLS_MAX + 1, heads, NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(widths_follow_content),
		cmocka_unit_test(links_row_fits_80_columns),
		cmocka_unit_test(bad_shapes_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
