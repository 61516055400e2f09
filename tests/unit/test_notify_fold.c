#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/quality/notify_fold.h"

#define S 1000000LL

static const struct notify_fold_params params = { .fold_us = 3 * S, .max_per_minute = 2 };

static void test_nothing_pending_nothing_due(void **state)
{
	struct notify_fold f = { 0 };
	char msg[64];
	unsigned lines;

	(void)state;
	assert_int_equal(notify_fold_due(&f, &params), 0);
	assert_false(notify_fold_take(&f, &params, 100 * S, msg, sizeof(msg), &lines));
}

static void test_burst_is_one_message(void **state)
{
	struct notify_fold f = { 0 };
	char msg[256];
	unsigned lines;

	(void)state;
	notify_fold_add(&f, "pipe2 is dead", 10 * S);
	notify_fold_add(&f, "pipe4 is dead", 11 * S);
	notify_fold_add(&f, "pipe6 is down", 12 * S);
	assert_int_equal(notify_fold_due(&f, &params), 13 * S);
	assert_false(notify_fold_take(&f, &params, 12 * S, msg, sizeof(msg), &lines));
	assert_true(notify_fold_take(&f, &params, 13 * S, msg, sizeof(msg), &lines));
	assert_string_equal(msg, "pipe2 is dead\npipe4 is dead\npipe6 is down");
	assert_int_equal(lines, 3);
	assert_int_equal(notify_fold_due(&f, &params), 0);
}

static void test_cap_per_minute_holds_the_third(void **state)
{
	struct notify_fold f = { 0 };
	char msg[256];
	unsigned lines;

	(void)state;
	notify_fold_add(&f, "a", 10 * S);
	assert_true(notify_fold_take(&f, &params, 13 * S, msg, sizeof(msg), &lines));
	notify_fold_add(&f, "b", 20 * S);
	assert_true(notify_fold_take(&f, &params, 23 * S, msg, sizeof(msg), &lines));
	/* Two sent in this minute: the third waits until the first is 60 s old. */
	notify_fold_add(&f, "c", 30 * S);
	assert_int_equal(notify_fold_due(&f, &params), 73 * S);
	assert_false(notify_fold_take(&f, &params, 72 * S, msg, sizeof(msg), &lines));
	notify_fold_add(&f, "d", 50 * S);
	assert_true(notify_fold_take(&f, &params, 73 * S, msg, sizeof(msg), &lines));
	assert_string_equal(msg, "c\nd");
}

static void test_overflow_is_counted(void **state)
{
	struct notify_fold f = { 0 };
	char line[200], msg[NOTIFY_FOLD_TEXT + 64];
	unsigned lines, n = 0;

	(void)state;
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	for (int i = 0; i < 30; i++)
		notify_fold_add(&f, line, 10 * S);
	assert_true(notify_fold_take(&f, &params, 13 * S, msg, sizeof(msg), &lines));
	assert_int_equal(lines, 30);
	for (const char *p = msg; (p = strchr(p, 'x')); p += sizeof(line) - 1)
		n++;
	assert_true(n < 30);
	assert_non_null(strstr(msg, "(and "));
	assert_true(strlen(msg) < sizeof(msg));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing_pending_nothing_due),
		cmocka_unit_test(test_burst_is_one_message),
		cmocka_unit_test(test_cap_per_minute_holds_the_third),
		cmocka_unit_test(test_overflow_is_counted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
