#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "common/util/log.h"

struct captured {
	int count;
	enum wgm_log_level level;
	char line[256];
};

static void capture(enum wgm_log_level level, const char *line, void *ctx)
{
	struct captured *c = ctx;
	c->count++;
	c->level = level;
	snprintf(c->line, sizeof(c->line), "%s", line);
}

static void test_sink_receives_formatted_line(void **state)
{
	struct captured c = { 0 };
	wgm_log_set_level(WGM_LOG_INFO);
	wgm_log_set_sink(capture, &c);
	log_warn("link %s down after %d s", "pipe2", 3);
	wgm_log_set_sink(NULL, NULL);
	assert_int_equal(c.count, 1);
	assert_int_equal(c.level, WGM_LOG_WARNING);
	assert_string_equal(c.line, "link pipe2 down after 3 s");
}

static void test_lines_above_level_are_dropped(void **state)
{
	struct captured c = { 0 };
	wgm_log_set_level(WGM_LOG_NOTICE);
	wgm_log_set_sink(capture, &c);
	log_debug("noise");
	log_info("noise");
	log_notice("kept");
	wgm_log_set_sink(NULL, NULL);
	wgm_log_set_level(WGM_LOG_INFO);
	assert_int_equal(c.count, 1);
	assert_string_equal(c.line, "kept");
}

static void test_level_names_round_trip(void **state)
{
	enum wgm_log_level level;
	for (int i = WGM_LOG_ERR; i <= WGM_LOG_DEBUG; i++) {
		assert_int_equal(wgm_log_level_from_name(wgm_log_level_name((enum wgm_log_level)i), &level), 0);
		assert_int_equal(level, i);
	}
	assert_int_not_equal(wgm_log_level_from_name("loud", &level), 0);
	assert_int_not_equal(wgm_log_level_from_name(NULL, &level), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sink_receives_formatted_line),
		cmocka_unit_test(test_lines_above_level_are_dropped),
		cmocka_unit_test(test_level_names_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
