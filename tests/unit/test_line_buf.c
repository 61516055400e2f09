/* Lines out of a program's output (common/util/line_buf.h): split across
 * reads, control characters shown as '?', long lines cut, the last line
 * without a newline kept for the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/util/line_buf.h"

static char got[8][WGM_LINE_BUF_MAX];
static size_t n_got;

static void collect(const char *line, void *ctx)
{
	(void)ctx;
	assert_true(n_got < 8);
	snprintf(got[n_got++], sizeof(got[0]), "%s", line);
}

static void test_lines_across_reads(void **state)
{
	struct wgm_line_buf b = { 0 };

	(void)state;
	n_got = 0;
	wgm_line_buf_feed(&b, "first li", 8, collect, NULL);
	assert_int_equal(n_got, 0);
	{
		static const char more[] = "ne\n\nsec\tond\x1b[31m\nlast";
		wgm_line_buf_feed(&b, more, strlen(more), collect, NULL);
	}
	assert_int_equal(n_got, 2);
	assert_string_equal(got[0], "first line");
	assert_string_equal(got[1], "sec?ond?[31m");
	wgm_line_buf_finish(&b, collect, NULL);
	assert_int_equal(n_got, 3);
	assert_string_equal(got[2], "last");
	wgm_line_buf_finish(&b, collect, NULL);
	assert_int_equal(n_got, 3);
}

static void test_long_line_is_cut(void **state)
{
	struct wgm_line_buf b = { 0 };
	char big[WGM_LINE_BUF_MAX + 10];

	(void)state;
	n_got = 0;
	memset(big, 'x', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	wgm_line_buf_feed(&b, big, sizeof(big), collect, NULL);
	assert_int_equal(n_got, 2);
	assert_int_equal(strlen(got[0]), WGM_LINE_BUF_MAX - 1);
	assert_int_equal(strlen(got[1]), sizeof(big) - 1 - (WGM_LINE_BUF_MAX - 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_across_reads),
		cmocka_unit_test(test_long_line_is_cut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
