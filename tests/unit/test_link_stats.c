#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/quality/link_stats.h"

#define SEC 1000000LL

static struct link_stats *new_stats(size_t capacity, size_t window)
{
	struct link_stats_params p = link_stats_params_default();
	p.capacity = capacity;
	p.window = window;
	p.recent_window = window < 10 ? window : 10;
	struct link_stats *ls = link_stats_new(&p);
	assert_non_null(ls);
	return ls;
}

/* Probe i is sent at i seconds. */
static void answered(struct link_stats *ls, int i, uint32_t rtt_us)
{
	link_stats_on_sent(ls, i * SEC);
	link_stats_on_answer(ls, i * SEC, rtt_us);
}

static void lost(struct link_stats *ls, int i)
{
	link_stats_on_sent(ls, i * SEC);
	link_stats_on_lost(ls, i * SEC);
}

static void test_srtt_follows_rtt_like_tcp(void **state)
{
	struct link_stats *ls = new_stats(600, 60);
	struct link_summary s;
	answered(ls, 0, 10000);
	link_stats_summary(ls, 1 * SEC, &s);
	assert_true(s.has_rtt);
	assert_int_equal(s.srtt_us, 10000);
	answered(ls, 1, 18000);
	link_stats_summary(ls, 2 * SEC, &s);
	assert_int_equal(s.srtt_us, 11000); /* 10000 + (18000 - 10000) / 8 */
	link_stats_free(ls);
}

static void test_min_max_and_jitter_over_window(void **state)
{
	struct link_stats *ls = new_stats(600, 4);
	answered(ls, 0, 1000); /* falls out of the 4-probe window */
	answered(ls, 1, 10000);
	answered(ls, 2, 12000);
	answered(ls, 3, 9000);
	answered(ls, 4, 13000);
	struct link_summary s;
	link_stats_summary(ls, 5 * SEC, &s);
	assert_int_equal(s.min_rtt_us, 9000);
	assert_int_equal(s.max_rtt_us, 13000);
	assert_int_equal(s.jitter_us, (2000 + 3000 + 4000) / 3);
	assert_int_equal(s.window_probes, 4);
	link_stats_free(ls);
}

static void test_loss_over_window_ignores_pending(void **state)
{
	struct link_stats *ls = new_stats(600, 10);
	for (int i = 0; i < 10; i++) {
		if (i % 5 == 0)
			lost(ls, i);
		else
			answered(ls, i, 5000);
	}
	link_stats_on_sent(ls, 10 * SEC); /* still in flight */
	struct link_summary s;
	link_stats_summary(ls, 10 * SEC, &s);
	assert_true(s.loss_pct > 19.9 && s.loss_pct < 20.1);
	assert_int_equal(s.window_probes, 10);
	assert_int_equal(s.probes_sent, 11);
	assert_int_equal(s.probes_lost, 2);
	assert_int_equal(s.state, LINK_STATE_UP);
	link_stats_free(ls);
}

static void test_results_may_arrive_out_of_order(void **state)
{
	struct link_stats *ls = new_stats(600, 60);
	link_stats_on_sent(ls, 1 * SEC);
	link_stats_on_sent(ls, 2 * SEC);
	link_stats_on_answer(ls, 2 * SEC, 3000);
	link_stats_on_lost(ls, 1 * SEC);
	uint32_t rtts[4];
	assert_int_equal(link_stats_recent_rtts(ls, rtts, 4), 2);
	assert_int_equal(rtts[0], LINK_RTT_LOST);
	assert_int_equal(rtts[1], 3000);
	link_stats_free(ls);
}

static void test_late_answer_turns_loss_into_answer(void **state)
{
	struct link_stats *ls = new_stats(600, 60);
	lost(ls, 1);
	link_stats_on_answer(ls, 1 * SEC, 1500000);
	struct link_summary s;
	link_stats_summary(ls, 3 * SEC, &s);
	assert_int_equal(s.probes_lost, 0);
	assert_int_equal(s.probes_answered, 1);
	assert_true(s.loss_pct == 0.0);
	link_stats_free(ls);
}

static void test_recent_rtts_oldest_first_with_gaps(void **state)
{
	struct link_stats *ls = new_stats(5, 5);
	for (int i = 0; i < 8; i++) { /* the ring keeps the last 5 */
		if (i == 6)
			lost(ls, i);
		else
			answered(ls, i, 1000 * (uint32_t)(i + 1));
	}
	uint32_t rtts[60];
	size_t n = link_stats_recent_rtts(ls, rtts, 60);
	assert_int_equal(n, 5);
	uint32_t want[] = { 4000, 5000, 6000, LINK_RTT_LOST, 8000 };
	assert_memory_equal(rtts, want, sizeof(want));
	assert_int_equal(link_stats_recent_rtts(ls, rtts, 2), 2);
	assert_int_equal(rtts[0], LINK_RTT_LOST);
	assert_int_equal(rtts[1], 8000);
	link_stats_free(ls);
}

static void test_consecutive_losses_make_link_down_then_dead(void **state)
{
	struct link_stats *ls = new_stats(600, 60); /* down after 3, dead after 5 */
	struct link_summary s;
	answered(ls, 0, 1000);
	for (int i = 1; i <= 2; i++)
		lost(ls, i);
	link_stats_summary(ls, 3 * SEC, &s);
	assert_int_equal(s.state, LINK_STATE_UP);
	lost(ls, 3);
	link_stats_summary(ls, 4 * SEC, &s);
	assert_int_equal(s.state, LINK_STATE_DOWN);
	lost(ls, 4);
	lost(ls, 5);
	link_stats_summary(ls, 6 * SEC, &s);
	assert_int_equal(s.state, LINK_STATE_DEAD);
	assert_int_equal(s.consecutive_lost, 5);
	answered(ls, 6, 1000);
	link_stats_summary(ls, 7 * SEC, &s);
	assert_int_equal(s.state, LINK_STATE_UP);
	link_stats_free(ls);
}

static void test_loss_run_longer_than_window_counts_in_full(void **state)
{
	struct link_stats *ls = new_stats(600, 10);
	answered(ls, 0, 1000);
	for (int i = 1; i <= 25; i++)
		lost(ls, i);
	struct link_summary s;
	link_stats_summary(ls, 26 * SEC, &s);
	assert_int_equal(s.consecutive_lost, 25);
	link_stats_free(ls);
}

static void test_outage_left_out_of_fast_loss(void **state)
{
	struct link_stats *ls = new_stats(600, 60);
	for (int i = 0; i < 10; i++)
		answered(ls, i, 1000);
	for (int i = 10; i < 16; i++) /* 6 in a row: an outage (dead after 5) */
		lost(ls, i);
	for (int i = 16; i < 20; i++)
		answered(ls, i, 1000);
	struct link_summary s;
	link_stats_summary(ls, 20 * SEC, &s);
	assert_true(s.loss_recent_pct == 0.0);
	assert_true(s.loss_pct > 29.9 && s.loss_pct < 30.1); /* the display figure keeps it */
	link_stats_free(ls);
}

/* How long the link has been clean: the answers in a row at the newest
 * end, a probe in flight skipped, a lost one ending the count, at most the
 * window. */
static void test_clean_probes_count_answers_since_the_last_loss(void **state)
{
	struct link_stats *ls = new_stats(600, 60);
	struct link_summary s;
	int i = 0;

	for (; i < 5; i++)
		answered(ls, i, 10000);
	lost(ls, i++);
	link_stats_summary(ls, i * SEC, &s);
	assert_int_equal(s.clean_probes, 0);
	for (int k = 0; k < 7; k++, i++)
		answered(ls, i, 10000);
	link_stats_on_sent(ls, i++ * SEC); /* in flight */
	link_stats_summary(ls, i * SEC, &s);
	assert_int_equal(s.clean_probes, 7);
	for (int k = 0; k < 100; k++, i++)
		answered(ls, i, 10000);
	link_stats_summary(ls, i * SEC, &s);
	assert_int_equal(s.clean_probes, 60);
	link_stats_free(ls);
}

static void test_stale_handshake_makes_link_dead(void **state)
{
	struct link_stats *ls = new_stats(600, 60);
	answered(ls, 0, 1000);
	link_stats_on_handshake(ls, 1 * SEC);
	struct link_summary s;
	link_stats_summary(ls, 100 * SEC, &s);
	assert_int_equal(s.state, LINK_STATE_UP);
	assert_int_equal(s.handshake_age_us, 99 * SEC);
	link_stats_summary(ls, 182 * SEC, &s);
	assert_int_equal(s.state, LINK_STATE_DEAD);
	link_stats_on_handshake(ls, 0); /* never */
	link_stats_summary(ls, 2 * SEC, &s);
	assert_int_equal(s.state, LINK_STATE_DEAD);
	link_stats_free(ls);
}

static void test_byte_rates_from_counters(void **state)
{
	struct link_stats *ls = new_stats(600, 60);
	struct link_summary s;
	link_stats_on_counters(ls, 10 * SEC, 1000, 500);
	link_stats_on_counters(ls, 12 * SEC, 5000, 2500);
	link_stats_summary(ls, 12 * SEC, &s);
	assert_int_equal(s.rx_bytes_per_s, 2000);
	assert_int_equal(s.tx_bytes_per_s, 1000);
	assert_int_equal(s.rx_bytes, 5000);
	link_stats_on_counters(ls, 13 * SEC, 100, 100); /* interface recreated */
	link_stats_summary(ls, 13 * SEC, &s);
	assert_int_equal(s.rx_bytes_per_s, 0);
	link_stats_on_counters(ls, 14 * SEC, 1100, 100);
	link_stats_summary(ls, 14 * SEC, &s);
	assert_int_equal(s.rx_bytes_per_s, 1000);
	link_stats_free(ls);
}

/* 1 ms +- 0.2 ms: a quiet short link (probe i's noise is fixed by i). */
static uint32_t quiet(int i, uint32_t level_us)
{
	return level_us - 200 + (uint32_t)((i * 7919) % 401);
}

static void test_step_in_rtt_is_a_level_shift_not_jitter(void **state)
{
	struct link_stats *ls = new_stats(600, 60);
	struct link_summary s;
	int i = 0;
	for (; i < 30; i++)
		answered(ls, i, quiet(i, 81000));
	/* The delay goes: RTT steps down by 80 ms and stays there. */
	answered(ls, i, quiet(i, 1000));
	i++;
	link_stats_summary(ls, i * SEC, &s);
	/* Not counted while it may still be a step (the next answers decide). */
	assert_int_equal(s.level_shifts, 1);
	assert_true(s.jitter_us < 500);
	assert_true(s.srtt_us > 70000); /* still gliding */
	for (int n = 1; n < 5; n++, i++)
		answered(ls, i, quiet(i, 1000));
	link_stats_summary(ls, i * SEC, &s);
	assert_int_equal(s.level_shifts, 1);
	assert_true(s.jitter_us < 500);
	/* Five answers at the new level confirm it: the smoothed RTT is there. */
	assert_true(s.srtt_us >= 800 && s.srtt_us <= 1200);
	for (; i < 80; i++)
		answered(ls, i, quiet(i, 1000));
	link_stats_summary(ls, i * SEC, &s);
	assert_true(s.srtt_us >= 800 && s.srtt_us <= 1200);
	assert_true(s.jitter_us < 500);
	link_stats_free(ls);
}

static void test_step_in_two_parts_is_a_level_shift(void **state)
{
	/* Two delay lines going one after the other: 81 -> 41 -> 1 ms. */
	struct link_stats *ls = new_stats(600, 60);
	struct link_summary s;
	int i = 0;
	for (; i < 30; i++)
		answered(ls, i, quiet(i, 81000));
	answered(ls, i, quiet(i, 41000));
	for (i++; i < 50; i++)
		answered(ls, i, quiet(i, 1000));
	link_stats_summary(ls, i * SEC, &s);
	assert_int_equal(s.level_shifts, 2);
	assert_true(s.jitter_us < 500);
	assert_true(s.srtt_us >= 800 && s.srtt_us <= 1200);
	link_stats_free(ls);
}

static void test_spike_is_jitter(void **state)
{
	struct link_stats *ls = new_stats(600, 60);
	struct link_summary s;
	int i = 0;
	for (; i < 20; i++)
		answered(ls, i, 1000);
	answered(ls, i++, 41000);
	for (int n = 0; n < 10; n++, i++)
		answered(ls, i, 1000);
	link_stats_summary(ls, i * SEC, &s);
	assert_int_equal(s.level_shifts, 0);
	assert_int_equal(s.jitter_us, 2 * 40000 / 30);
	link_stats_free(ls);
}

static void test_jitter_around_a_level_still_counts(void **state)
{
	/* 20 ms and 50 ms in turn: 30 ms of jitter, no level to shift to. */
	struct link_stats *ls = new_stats(600, 60);
	struct link_summary s;
	for (int i = 0; i < 60; i++)
		answered(ls, i, i % 2 ? 50000 : 20000);
	link_stats_summary(ls, 60 * SEC, &s);
	/* Every step counts: no side of any of them sits at one level. */
	assert_int_equal(s.level_shifts, 0);
	assert_int_equal(s.jitter_us, 30000);
	answered(ls, 60, 20000);
	link_stats_summary(ls, 61 * SEC, &s);
	assert_int_equal(s.jitter_us, 30000);
	/* Random spread of 30 ms around 50 ms: a mean step of 10 ms, as before. */
	struct link_stats *rnd = new_stats(600, 60);
	uint64_t x = 88172645463325252ULL;
	for (int i = 0; i < 60; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		answered(rnd, i, 35000 + (uint32_t)(x % 30001));
	}
	link_stats_summary(rnd, 60 * SEC, &s);
	assert_true(s.level_shifts <= 1);
	assert_true(s.jitter_us >= 8000 && s.jitter_us <= 12000);
	link_stats_free(rnd);
	link_stats_free(ls);
}

static void test_params_check_names_field(void **state)
{
	struct link_stats_params p = link_stats_params_default();
	char err[128];
	assert_int_equal(link_stats_params_check(&p, err, sizeof(err)), 0);
	p.window = p.capacity + 1;
	assert_int_not_equal(link_stats_params_check(&p, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "window"));
	assert_null(link_stats_new(&p));
	p = link_stats_params_default();
	p.shift_probes = 1;
	assert_int_not_equal(link_stats_params_check(&p, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "shift_probes"));
}

static void test_ring_memory_stays_small(void **state)
{
	struct link_stats_params p = link_stats_params_default();
	/* 10 minutes at 1 s for 50 links in well under 1 MiB. */
	assert_true(link_stats_size(&p) * 50 < 1024 * 1024);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_srtt_follows_rtt_like_tcp),
		cmocka_unit_test(test_min_max_and_jitter_over_window),
		cmocka_unit_test(test_loss_over_window_ignores_pending),
		cmocka_unit_test(test_results_may_arrive_out_of_order),
		cmocka_unit_test(test_late_answer_turns_loss_into_answer),
		cmocka_unit_test(test_recent_rtts_oldest_first_with_gaps),
		cmocka_unit_test(test_consecutive_losses_make_link_down_then_dead),
		cmocka_unit_test(test_loss_run_longer_than_window_counts_in_full),
		cmocka_unit_test(test_outage_left_out_of_fast_loss),
		cmocka_unit_test(test_clean_probes_count_answers_since_the_last_loss),
		cmocka_unit_test(test_stale_handshake_makes_link_dead),
		cmocka_unit_test(test_byte_rates_from_counters),
		cmocka_unit_test(test_step_in_rtt_is_a_level_shift_not_jitter),
		cmocka_unit_test(test_step_in_two_parts_is_a_level_shift),
		cmocka_unit_test(test_spike_is_jitter),
		cmocka_unit_test(test_jitter_around_a_level_still_counts),
		cmocka_unit_test(test_params_check_names_field),
		cmocka_unit_test(test_ring_memory_stays_small),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
