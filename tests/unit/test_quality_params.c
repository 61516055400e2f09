#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common/config.h"
#include "daemon/quality_params.h"

static void test_default_interval_keeps_engine_defaults(void **state)
{
	struct link_stats_params p = quality_stats_params(1000), d = link_stats_params_default();

	(void)state;
	assert_int_equal(p.capacity, d.capacity);
	assert_int_equal(p.window, d.window);
	assert_int_equal(p.recent_window, d.recent_window);
	assert_int_equal(link_stats_params_check(&p, NULL, 0), 0);
}

static void test_fast_probing_keeps_ten_minutes(void **state)
{
	struct link_stats_params p = quality_stats_params(100);

	(void)state;
	assert_int_equal(p.capacity, 6000);     /* 10 min at 100 ms */
	assert_int_equal(p.window, 600);        /* a minute */
	assert_int_equal(p.recent_window, 100); /* 10 s */
	assert_int_equal(link_stats_params_check(&p, NULL, 0), 0);
}

static void test_slow_probing_still_has_usable_windows(void **state)
{
	struct link_stats_params p = quality_stats_params(60000);

	(void)state;
	assert_true(p.capacity * 60000 >= 600 * 1000);
	assert_int_equal(p.window, 10);
	assert_int_equal(p.recent_window, 5);
	assert_int_equal(link_stats_params_check(&p, NULL, 0), 0);
}

static void test_odd_interval_rounds_up(void **state)
{
	struct link_stats_params p = quality_stats_params(700);

	(void)state;
	assert_true(p.capacity * 700 >= 600 * 1000);
	assert_true(p.window * 700 >= 60 * 1000);
}

static void test_cost_params_from_config(void **state)
{
	struct wgm_config cfg;
	struct cost_params p;

	(void)state;
	wgm_config_defaults(&cfg);
	cfg.bird.reload_percentage = 25;
	cfg.bird.min_reload_interval = 7;
	cfg.bird.reload_interval = 120;
	cfg.cost_event_window_s = 60;
	p = quality_cost_params(&cfg);
	assert_true(p.reload_percentage == 25.0);
	assert_int_equal(p.min_reload_interval_us, 7000000);
	assert_int_equal(p.reload_interval_us, 120000000);
	assert_int_equal(p.event_window_us, 60000000);
	assert_int_equal(cost_params_check(&p, NULL, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_interval_keeps_engine_defaults),
		cmocka_unit_test(test_fast_probing_keeps_ten_minutes),
		cmocka_unit_test(test_slow_probing_still_has_usable_windows),
		cmocka_unit_test(test_odd_interval_rounds_up),
		cmocka_unit_test(test_cost_params_from_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
