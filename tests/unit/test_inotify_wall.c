/* The inotify wall (common/util/inotify_wall.h): wireguard-go's line when the
 * per-user inotify instance limit is reached is recognised, other lines are
 * not, and the explanation names the limit, its value and how to raise it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/util/inotify_wall.h"

static void test_the_wall_line_is_recognised(void **state)
{
	(void)state;
	/* As wireguard-go 0.0.2023 writes it when inotify_init fails with EMFILE. */
	assert_true(wgm_inotify_wall_line("ERROR: (pipe14v6) 2026/12/05 21:07:44 Failed to listen on uapi socket: "
					  "too many open files"));
	assert_true(wgm_inotify_wall_line("Failed to listen on uapi socket: too many open files"));
}

static void test_other_lines_are_not(void **state)
{
	(void)state;
	assert_false(wgm_inotify_wall_line(NULL));
	assert_false(wgm_inotify_wall_line(""));
	assert_false(
		wgm_inotify_wall_line("INFO: (pipe2) 2026/12/05 21:07:44 Starting wireguard-go version 0.0.20230223"));
	/* Another reason to fail the same step is another problem. */
	assert_false(wgm_inotify_wall_line("ERROR: (pipe2) 2026/12/05 21:07:44 Failed to listen on uapi socket: "
					   "address already in use"));
	/* The fd limit when opening the UAPI file is another message. */
	assert_false(
		wgm_inotify_wall_line("ERROR: (pipe2) 2026/12/05 21:07:44 UAPI listen error: too many open files"));
	assert_false(
		wgm_inotify_wall_line("ERROR: (pipe2) 2026/12/05 21:07:44 peer(AbCd) - Failed to send data packets: "
				      "write udp: too many open files"));
}

static void test_the_explanation_is_one_line_with_the_fix(void **state)
{
	char out[400];

	(void)state;
	wgm_inotify_wall_explain(128, out, sizeof(out));
	assert_null(strchr(out, '\n'));
	assert_non_null(strstr(out, "fs.inotify.max_user_instances is 128"));
	assert_non_null(strstr(out, "sysctl -w fs.inotify.max_user_instances=1152"));
	assert_non_null(strstr(out, "each wireguard-go takes one"));
	wgm_inotify_wall_explain(-1, out, sizeof(out));
	assert_non_null(strstr(out, "fs.inotify.max_user_instances is unknown"));
	/* A short buffer cuts the line, never overruns it. */
	wgm_inotify_wall_explain(128, out, 16);
	assert_int_equal(strlen(out), 15);
}

static void test_the_current_limit_is_read(void **state)
{
	(void)state;
	/* Every Linux with inotify has the file; its value is at least 1. */
	assert_true(wgm_inotify_wall_current() >= 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_wall_line_is_recognised),
		cmocka_unit_test(test_other_lines_are_not),
		cmocka_unit_test(test_the_explanation_is_one_line_with_the_fix),
		cmocka_unit_test(test_the_current_limit_is_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
