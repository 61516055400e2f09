#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common/config/config.h"
#include "daemon/quality/quality_params.h"

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
	cfg.jitter_threshold_ms = 12;
	p = quality_cost_params(&cfg);
	assert_true(p.reload_percentage == 25.0);
	assert_int_equal(p.min_reload_interval_us, 7000000);
	assert_int_equal(p.reload_interval_us, 120000000);
	assert_int_equal(p.event_window_us, 60000000);
	assert_int_equal(p.jitter_event_us, 12000);
	/* A loss penalty is lifted once the fast-loss window is clean. */
	assert_int_equal(p.loss_clean_probes, quality_stats_params(cfg.probe_interval_ms).recent_window);
	cfg.probe_interval_ms = 500;
	assert_int_equal(quality_cost_params(&cfg).loss_clean_probes, 20);
	assert_int_equal(cost_params_check(&p, NULL, 0), 0);
}

/* A link up for long, nobody watching: read when its slow reading is due. */
static struct quality_wg_view steady_link(void)
{
	return (struct quality_wg_view){ .up = true, .since_us = 0, .next_us = 200 * 1000000LL };
}

static void test_wg_steady_link_read_seldom(void **state)
{
	struct quality_wg_view v = steady_link();

	(void)state;
	assert_false(quality_wg_read_due(&v, 199 * 1000000LL));
	assert_true(quality_wg_read_due(&v, 200 * 1000000LL));
	assert_true(quality_wg_read_due(&v, 201 * 1000000LL));
}

static void test_wg_watched_link_read_every_tick(void **state)
{
	struct quality_wg_view v = steady_link();

	(void)state;
	v.watched = true;
	assert_true(quality_wg_read_due(&v, 150 * 1000000LL));
}

static void test_wg_link_not_up_read_every_tick(void **state)
{
	struct quality_wg_view v = steady_link();

	(void)state;
	v.up = false;
	assert_true(quality_wg_read_due(&v, 150 * 1000000LL));
}

static void test_wg_failing_link_read_every_tick(void **state)
{
	struct quality_wg_view v = steady_link();

	(void)state;
	/* A second failed reading in a row is what repairs it. */
	v.failing = true;
	assert_true(quality_wg_read_due(&v, 150 * 1000000LL));
}

static void test_wg_young_link_read_every_tick(void **state)
{
	struct quality_wg_view v = steady_link();

	(void)state;
	v.since_us = 100 * 1000000LL;
	assert_true(quality_wg_read_due(&v, 150 * 1000000LL));
	assert_false(quality_wg_read_due(&v, 100 * 1000000LL + QUALITY_WG_YOUNG_MS * 1000LL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_interval_keeps_engine_defaults),
		cmocka_unit_test(test_fast_probing_keeps_ten_minutes),
		cmocka_unit_test(test_slow_probing_still_has_usable_windows),
		cmocka_unit_test(test_odd_interval_rounds_up),
		cmocka_unit_test(test_cost_params_from_config),
		cmocka_unit_test(test_wg_steady_link_read_seldom),
		cmocka_unit_test(test_wg_watched_link_read_every_tick),
		cmocka_unit_test(test_wg_link_not_up_read_every_tick),
		cmocka_unit_test(test_wg_failing_link_read_every_tick),
		cmocka_unit_test(test_wg_young_link_read_every_tick),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
