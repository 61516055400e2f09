/* Cost engine and scheduler, fed with synthetic probe streams through the
 * real link_stats, one probe round per simulated second. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/quality/cost.h"
#include "daemon/quality/link_stats.h"

#define SEC 1000000LL
#define MAX_LINKS 4

struct link_sim {
	struct link_stats *stats;
	struct cost_link_state cost_state;
	bool client, drained;
	uint32_t override;
	char reason[160];
};

struct sim {
	struct cost_params p;
	struct cost_sched sched;
	struct link_sim link[MAX_LINKS];
	struct cost_sched_link sl[MAX_LINKS];
	size_t n;
	int64_t now;
	uint64_t rng;
	unsigned pushes, changing_pushes, urgent_pushes;
	struct cost_decision last;
};

/* The defaults without the hop cost: these tests check the RTT, loss and
 * jitter arithmetic in figures one can read; the hop cost has its own. */
static struct cost_params rtt_only_params(void)
{
	struct cost_params p = cost_params_default();

	p.hop_cost = 0;
	return p;
}

static void sim_init(struct sim *s, size_t n)
{
	memset(s, 0, sizeof(*s));
	s->p = rtt_only_params();
	s->n = n;
	s->rng = 0x9e3779b97f4a7c15ULL;
	struct link_stats_params lp = link_stats_params_default();
	for (size_t i = 0; i < n; i++) {
		s->link[i].stats = link_stats_new(&lp);
		assert_non_null(s->link[i].stats);
	}
}

static void sim_free(struct sim *s)
{
	for (size_t i = 0; i < s->n; i++)
		link_stats_free(s->link[i].stats);
}

/* Deterministic uniform [0, 1). */
static double sim_random(struct sim *s)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 7;
	s->rng ^= s->rng << 17;
	return (double)(s->rng >> 11) / 9007199254740992.0;
}

#define LOST UINT32_MAX

/* One round: probe results (LOST or an RTT) for every link, then cost and
 * scheduler as the daemon runs them; BIRD always accepts. */
static void sim_round(struct sim *s, const uint32_t *rtt)
{
	s->now += SEC;
	for (size_t i = 0; i < s->n; i++) {
		struct link_sim *l = &s->link[i];
		link_stats_on_sent(l->stats, s->now);
		if (rtt[i] == LOST)
			link_stats_on_lost(l->stats, s->now);
		else
			link_stats_on_answer(l->stats, s->now, rtt[i]);
		struct link_summary sum;
		link_stats_summary(l->stats, s->now, &sum);
		struct cost_input in = cost_input_from_summary(&sum, l->client, l->drained, l->override);
		s->sl[i].desired = cost_compute(&l->cost_state, &in, &s->p, s->now, l->reason, sizeof(l->reason));
	}
	s->last = cost_sched_decide(&s->sched, s->sl, s->n, &s->p, s->now);
	if (s->last.push) {
		s->pushes++;
		if (s->last.changed) {
			s->changing_pushes++;
			if (getenv("COST_DEBUG"))
				fprintf(stderr, "t=%lld push %s %u -> %u (%s)\n", (long long)(s->now / SEC),
					cost_push_reason_name(s->last.reason), s->sl[0].announced.cost,
					s->sl[0].target.cost, s->link[0].reason);
		}
		if (s->last.reason == COST_PUSH_URGENT)
			s->urgent_pushes++;
		cost_sched_commit(&s->sched, s->sl, s->n, s->now);
	}
}

static void sim_one(struct sim *s, uint32_t rtt)
{
	sim_round(s, &rtt);
}

static uint16_t announced(const struct sim *s, size_t i)
{
	return s->sl[i].announced.cost;
}

/* 20 ms +- 3 ms noise, a 40 ms spike now and then, a single lost probe
 * every few minutes: a link that is fine. */
static uint32_t noisy_rtt(struct sim *s)
{
	double r = sim_random(s);
	if (r < 0.001)
		return LOST;
	if (r < 0.011)
		return 40000;
	return 17000 + (uint32_t)(sim_random(s) * 6000);
}

static void test_noisy_stable_link_hour_barely_pushes(void **state)
{
	struct sim s;
	sim_init(&s, 1);
	for (int i = 0; i < 3600; i++)
		sim_one(&s, noisy_rtt(&s));
	/* The initial push, a handful of changes at most, and the
	 * reloadInterval refreshes. */
	assert_true(s.changing_pushes <= 4);
	assert_true(s.pushes <= 3600 / 600 + 2);
	assert_true(announced(&s, 0) >= 170 && announced(&s, 0) <= 260);
	unsigned changing = s.changing_pushes, pushes = s.pushes;
	sim_free(&s);

	/* Lifting loss penalties adds no push: the same hour with lifts off
	 * (never clean) pushes exactly as often. */
	sim_init(&s, 1);
	s.p.loss_clean_probes = 1000;
	for (int i = 0; i < 3600; i++)
		sim_one(&s, noisy_rtt(&s));
	assert_int_equal(s.changing_pushes, changing);
	assert_int_equal(s.pushes, pushes);
	sim_free(&s);
}

/* One clean 20 ms link (cost 200), two minutes in. */
static void sim_init_clean(struct sim *s)
{
	sim_init(s, 1);
	for (int i = 0; i < 120; i++)
		sim_one(s, 20000);
}

/* 20 ms, 30 % of the probes lost. */
static uint32_t lossy_rtt(struct sim *s)
{
	return sim_random(s) < 0.3 ? LOST : 20000;
}

/* 30 % loss for `seconds`, the last probe lost: the clean run starts after. */
static void sim_lossy(struct sim *s, int seconds)
{
	for (int i = 1; i < seconds; i++)
		sim_one(s, lossy_rtt(s));
	sim_one(s, LOST);
}

/* Clean rounds until BIRD has the clean link's cost (200) again; max + 1
 * if it does not within max. */
static int rounds_until_clean_cost(struct sim *s, int max)
{
	int rounds = 0;

	while (announced(s, 0) != 200 && rounds <= max) {
		sim_one(s, 20000);
		rounds++;
	}
	return rounds;
}

/* The guarantee after a first loss episode: the fast-loss window clean
 * (loss_clean_probes answered in a row), then the next push, at most
 * minReloadInterval later. */
static int lift_bound_rounds(const struct sim *s)
{
	return (int)s->p.loss_clean_probes + (int)(s->p.min_reload_interval_us / SEC);
}

static void test_loss_raises_cost_quickly_and_is_lifted_after_clear(void **state)
{
	struct sim s;
	sim_init_clean(&s);
	assert_int_equal(announced(&s, 0), 200);
	int rounds = 0;
	while (announced(&s, 0) < 1000 && rounds < 60) {
		sim_one(&s, lossy_rtt(&s));
		rounds++;
	}
	assert_true(rounds <= 8);
	/* 3 probes in every 10 lost: never a clean window while it lasts (see
	 * the next test for random loss). */
	for (int i = 0; i <= 120; i++) /* the last one lost */
		sim_one(&s, i % 10 < 3 ? LOST : 20000);
	uint16_t lossy = announced(&s, 0);
	assert_true(lossy >= 2000);
	assert_non_null(strstr(s.link[0].reason, "loss"));

	/* Clear: a first episode's penalty goes once the fast window is
	 * clean, in one step, not over costEventWindow (half an hour). */
	rounds = rounds_until_clean_cost(&s, 600);
	assert_true(rounds >= (int)s.p.loss_clean_probes);
	assert_true(rounds <= lift_bound_rounds(&s));
	assert_null(strstr(s.link[0].reason, "loss"));
	assert_int_equal(cost_loss_penalty(&s.link[0].cost_state, &s.p, s.now), 0);
	sim_free(&s);
}

/* Random 30 % loss has runs of 10 answers now and then (one in about 120
 * probes): the first lifts the penalty while the loss goes on, and traffic
 * comes back for a few probes. That lift makes the episode after it a
 * repeat, held 30 s more: 40 answers in a row do not happen at 30 %. So
 * ten minutes of it move traffic at most three times. */
static void test_ongoing_random_loss_returns_traffic_at_most_once(void **state)
{
	struct sim s;
	unsigned moves = 0;
	bool away = false;

	sim_init_clean(&s);
	for (int i = 0; i < 600; i++) {
		sim_one(&s, lossy_rtt(&s));
		if ((announced(&s, 0) > 400) != away) {
			away = !away;
			moves++;
		}
	}
	assert_true(away);
	assert_true(moves <= 3);
	sim_free(&s);
}

/* A link that stays a little lossy (one probe in ten: under the event
 * threshold, never a clean window) is never lifted: its penalty fades over
 * costEventWindow as before. */
static void test_loss_penalty_fades_while_never_clean(void **state)
{
	struct sim s;
	sim_init_clean(&s);
	sim_lossy(&s, 120);
	uint16_t lossy = announced(&s, 0);
	assert_true(lossy >= 2000);
	for (int i = 0; i < 600; i++)
		sim_one(&s, i % 10 == 0 ? LOST : 20000);
	assert_true(announced(&s, 0) < lossy);
	assert_true(announced(&s, 0) > 400);
	for (int i = 0; i < 1800; i++)
		sim_one(&s, i % 10 == 0 ? LOST : 20000);
	assert_int_equal(announced(&s, 0), 200);
	sim_free(&s);
}

/* Loss episodes one after another, each 20 s of 30 % loss and then clean
 * until BIRD has the clean cost back: the first is lifted once the window
 * is clean, every repeat holds it longer (30 s, 60 s, 120 s ... more),
 * up to costEventWindow. */
static void test_repeated_loss_episodes_are_held_longer(void **state)
{
	struct sim s;
	int took[7];
	sim_init_clean(&s);
	for (int e = 0; e < 7; e++) { /* holds 0, 30, 60 ... 960 s */
		sim_lossy(&s, 20);
		assert_true(announced(&s, 0) >= 2000);
		took[e] = rounds_until_clean_cost(&s, 3600);
		int64_t hold = cost_loss_hold_us(s.link[0].cost_state.loss_repeats, &s.p) / SEC;
		assert_int_equal(s.link[0].cost_state.loss_repeats, e);
		assert_true(took[e] >= (int)s.p.loss_clean_probes + hold);
		assert_true(took[e] <= lift_bound_rounds(&s) + hold);
		if (e > 0)
			assert_true(took[e] > took[e - 1]);
	}
	assert_int_equal(cost_loss_hold_us(1, &s.p), 30 * SEC);
	assert_int_equal(cost_loss_hold_us(3, &s.p), 120 * SEC);
	assert_int_equal(cost_loss_hold_us(7, &s.p), s.p.event_window_us); /* 1920 s, capped */
	sim_free(&s);
}

/* A link that stays clean for costEventWindow after a lift is forgiven:
 * its next episode counts as a first one again. */
static void test_loss_repeats_are_forgotten_after_a_clean_window(void **state)
{
	struct sim s;
	sim_init_clean(&s);
	for (int e = 0; e < 3; e++) {
		sim_lossy(&s, 20);
		rounds_until_clean_cost(&s, 3600);
	}
	assert_int_equal(s.link[0].cost_state.loss_repeats, 2);
	for (int i = 0; i < 1800; i++)
		sim_one(&s, 20000);
	sim_lossy(&s, 20);
	assert_int_equal(s.link[0].cost_state.loss_repeats, 0);
	assert_true(rounds_until_clean_cost(&s, 600) <= lift_bound_rounds(&s));
	sim_free(&s);
}

/* Route moves over an hour of intermittent loss: 15 s of 30 % loss every
 * 2 minutes on a 20 ms link whose detour costs 400. Traffic moves when
 * BIRD's cost crosses the detour's. */
static unsigned intermittent_hour_moves(struct sim *s)
{
	unsigned moves = 0;
	bool away = false;

	for (int i = 0; i < 120; i++)
		sim_one(s, 20000);
	for (int t = 0; t < 3600; t++) {
		sim_one(s, t % 120 < 15 ? lossy_rtt(s) : 20000);
		if ((announced(s, 0) > 400) != away) {
			away = !away;
			moves++;
		}
	}
	return moves;
}

/* With the hold, a link that keeps turning lossy is held away after a few
 * bursts: a handful of moves in the hour. Lifting every episode as soon as
 * the window is clean would move traffic twice per burst: 60. */
static void test_intermittent_loss_hour_is_held_away(void **state)
{
	struct sim s;
	sim_init(&s, 1);
	unsigned held = intermittent_hour_moves(&s);
	unsigned pushes = s.changing_pushes;
	uint16_t last = announced(&s, 0);
	sim_free(&s);
	if (getenv("COST_DEBUG"))
		fprintf(stderr, "intermittent hour: %u moves, %u changing pushes\n", held, pushes);
	assert_true(held <= 7);
	assert_true(pushes <= 35);
	assert_true(last > 400); /* still away at the hour's end */

	sim_init(&s, 1);
	s.p.loss_hold_base_us = 0;
	unsigned unheld = intermittent_hour_moves(&s);
	sim_free(&s);
	assert_true(unheld >= 50);

	sim_init(&s, 1);
	s.p.loss_clean_probes = 1000;
	unsigned before = intermittent_hour_moves(&s);
	if (getenv("COST_DEBUG"))
		fprintf(stderr,
			"intermittent hour without lifts: %u moves, %u changing pushes; without hold %u moves\n",
			before, s.changing_pushes, unheld);
	sim_free(&s);
}

static void test_added_latency_changes_cost(void **state)
{
	struct sim s;
	sim_init(&s, 1);
	for (int i = 0; i < 120; i++)
		sim_one(&s, 20000);
	for (int i = 0; i < 60; i++)
		sim_one(&s, 100000);
	assert_true(announced(&s, 0) >= 900 && announced(&s, 0) <= 1000);
	sim_free(&s);
}

/* A short link (2.5 ms) gets 80 ms more for 20 s. Its cost follows the
 * smoothed RTT up and down; the last step down is announced while the RTT
 * is still falling, under the 5 ms step from where it ends. It must still
 * end at the link's measured cost, or traffic keeps a detour after the
 * link healed. */
static void test_healed_short_link_returns_to_measured_cost(void **state)
{
	struct sim s;
	sim_init(&s, 1);
	for (int i = 0; i < 120; i++)
		sim_one(&s, 2500);
	assert_int_equal(announced(&s, 0), 25);
	for (int i = 0; i < 20; i++)
		sim_one(&s, 82500);
	assert_true(announced(&s, 0) > 500);
	for (int i = 0; i < 120; i++)
		sim_one(&s, 2500);
	assert_int_equal(announced(&s, 0), 25);
	sim_free(&s);
}

/* 1 ms +- 0.2 ms with d_us more. */
static uint32_t quiet_rtt(struct sim *s, uint32_t d_us)
{
	return 800 + d_us + (uint32_t)(sim_random(s) * 400);
}

/* 80 ms added for a minute, then gone. The steps up and down are level
 * shifts, not jitter: even at the lowest jitterThreshold (1 ms, where the
 * 80 ms step alone used to make 1.4 ms of jitter and a penalty for half an
 * hour) the healed link carries no jitter penalty, and its cost is back
 * within seconds (the smoothed RTT takes the new level once five answers
 * confirm it) instead of the 25 probes the RTT needed to glide down. */
static void test_removed_delay_is_a_level_shift_not_jitter(void **state)
{
	struct sim s;
	sim_init(&s, 1);
	s.p.jitter_event_us = 1000;
	for (int i = 0; i < 120; i++)
		sim_one(&s, quiet_rtt(&s, 0));
	uint16_t healthy = announced(&s, 0);
	assert_true(healthy >= 8 && healthy <= 12);
	for (int i = 0; i < 60; i++)
		sim_one(&s, quiet_rtt(&s, 80000));
	assert_true(announced(&s, 0) >= 750);
	assert_null(strstr(s.link[0].reason, "jitter"));
	int rounds = 0;
	while (announced(&s, 0) > healthy + 10 && rounds < 120) {
		sim_one(&s, quiet_rtt(&s, 0));
		rounds++;
	}
	assert_true(rounds <= 10);
	for (int i = 0; i < 120; i++) {
		sim_one(&s, quiet_rtt(&s, 0));
		assert_null(strstr(s.link[0].reason, "jitter"));
	}
	assert_true(announced(&s, 0) >= 8 && announced(&s, 0) <= 12);
	sim_free(&s);
}

/* 30 ms of jitter around a level is still jitter: penalised as before. */
static void test_steady_jittery_link_is_penalised(void **state)
{
	struct sim s;
	sim_init(&s, 1);
	for (int i = 0; i < 120; i++)
		sim_one(&s, 35000 + (uint32_t)(sim_random(&s) * 30000));
	assert_non_null(strstr(s.link[0].reason, "jitter +"));
	assert_true(cost_jitter_penalty(&s.link[0].cost_state, &s.p, s.now) >= 160);
	assert_true(announced(&s, 0) >= 500 + 160);
	sim_free(&s);
}

static void test_death_pushes_at_once_despite_rate_limit(void **state)
{
	struct sim s;
	sim_init(&s, 2);
	uint32_t both[2] = { 20000, 20000 };
	for (int i = 0; i < 120; i++)
		sim_round(&s, both);
	/* A latency change pushes; the death right after must not wait for
	 * minReloadInterval. */
	uint32_t slow[2] = { 20000, 60000 };
	for (int i = 0; i < 30 && s.last.reason != COST_PUSH_CHANGE; i++)
		sim_round(&s, slow);
	assert_int_equal(s.last.reason, COST_PUSH_CHANGE);
	uint32_t dying[2] = { LOST, 60000 };
	for (int i = 0; i < 5; i++)
		sim_round(&s, dying);
	assert_true(s.last.push);
	assert_int_equal(s.last.reason, COST_PUSH_URGENT);
	assert_int_equal(announced(&s, 0), COST_DEAD);
	assert_int_equal(s.sl[0].announced.basis, COST_BASIS_DEAD);
	sim_free(&s);
}

static void test_recovery_pushes_the_measured_cost(void **state)
{
	struct sim s;
	sim_init(&s, 1);
	for (int i = 0; i < 60; i++)
		sim_one(&s, 20000);
	for (int i = 0; i < 30; i++)
		sim_one(&s, LOST);
	assert_int_equal(announced(&s, 0), COST_DEAD);
	for (int i = 0; i < 10; i++)
		sim_one(&s, 20000);
	assert_int_equal(announced(&s, 0), 200); /* the outage is no loss penalty */
	sim_free(&s);
}

static void test_flapping_link_is_held_back(void **state)
{
	struct sim s;
	sim_init(&s, 1);
	for (int i = 0; i < 60; i++)
		sim_one(&s, 20000);
	unsigned recoveries = 0;
	bool was_dead = false;
	for (int cycle = 0; cycle < 30; cycle++) { /* 8 s dead, 12 s alive, 10 min */
		for (int i = 0; i < 20; i++) {
			sim_one(&s, i < 8 ? LOST : 20000);
			bool dead = s.sl[0].announced.basis == COST_BASIS_DEAD;
			if (was_dead && !dead)
				recoveries++;
			was_dead = dead;
		}
	}
	assert_true(recoveries <= 3);
	assert_true(s.pushes <= 10);
	/* Once stable, the hold-down ends and the link comes back. */
	for (int i = 0; i < 1000; i++)
		sim_one(&s, 20000);
	assert_int_equal(s.sl[0].announced.basis, COST_BASIS_MEASURED);
	sim_free(&s);
}

static void test_drain_override_undrain_are_immediate(void **state)
{
	struct sim s;
	sim_init(&s, 1);
	for (int i = 0; i < 60; i++)
		sim_one(&s, 20000);
	s.link[0].drained = true;
	sim_one(&s, 20000);
	assert_int_equal(s.last.reason, COST_PUSH_URGENT);
	assert_int_equal(announced(&s, 0), COST_DRAIN_DEFAULT);

	s.link[0].drained = false;
	sim_one(&s, 20000);
	assert_int_equal(s.last.reason, COST_PUSH_URGENT);
	assert_int_equal(announced(&s, 0), 200);

	s.link[0].override = 42;
	sim_one(&s, 20000);
	assert_int_equal(s.last.reason, COST_PUSH_URGENT);
	assert_int_equal(announced(&s, 0), 42);
	assert_string_equal(s.link[0].reason, "override 42");

	/* Drain wins over an override; a dead link is dead whatever the operator set. */
	s.link[0].drained = true;
	sim_one(&s, 20000);
	assert_int_equal(announced(&s, 0), COST_DRAIN_DEFAULT);
	for (int i = 0; i < 5; i++)
		sim_one(&s, LOST);
	assert_int_equal(announced(&s, 0), COST_DEAD);
	sim_free(&s);
}

static void test_client_link_costs_10000_more(void **state)
{
	struct sim s;
	sim_init(&s, 1);
	s.link[0].client = true;
	for (int i = 0; i < 60; i++)
		sim_one(&s, 20000);
	assert_int_equal(announced(&s, 0), 10200);
	assert_non_null(strstr(s.link[0].reason, "client +10000"));
	sim_free(&s);
}

static void test_small_changes_wait_until_settled(void **state)
{
	struct sim s;
	sim_init(&s, 1);
	for (int i = 0; i < 60; i++)
		sim_one(&s, 2000); /* 2 ms: cost 20 */
	/* +100 % but only 2 ms: under the absolute step, so not at once... */
	for (int i = 0; i < 25; i++)
		sim_one(&s, 4000);
	assert_int_equal(announced(&s, 0), 20);
	/* ...but once it has held for settle_us it is no noise. */
	for (int i = 0; i < 60; i++)
		sim_one(&s, 4000);
	assert_in_range(announced(&s, 0), 38, 40);
	sim_free(&s);
}

static void test_changes_wait_for_min_reload_interval(void **state)
{
	struct cost_params p = rtt_only_params();
	struct cost_sched sched = { 0 };
	struct cost_sched_link l[2] = { 0 };
	l[0].desired = (struct cost_value){ .cost = 200, .basis = COST_BASIS_MEASURED };
	l[1].desired = (struct cost_value){ .cost = 300, .basis = COST_BASIS_MEASURED };
	struct cost_decision d = cost_sched_decide(&sched, l, 2, &p, 100 * SEC);
	assert_true(d.push);
	cost_sched_commit(&sched, l, 2, 100 * SEC);

	l[0].desired.cost = 500;
	d = cost_sched_decide(&sched, l, 2, &p, 101 * SEC);
	assert_false(d.push);
	assert_int_equal(d.next_check_us, 105 * SEC);
	d = cost_sched_decide(&sched, l, 2, &p, 105 * SEC);
	assert_true(d.push);
	assert_int_equal(d.reason, COST_PUSH_CHANGE);
	assert_int_equal(d.changed, 1);
	assert_int_equal(l[0].target.cost, 500);
	assert_int_equal(l[1].target.cost, 300);
}

static void test_refresh_every_reload_interval(void **state)
{
	struct cost_params p = rtt_only_params();
	struct cost_sched sched = { 0 };
	struct cost_sched_link l = { .desired = { .cost = 1000, .basis = COST_BASIS_MEASURED } };
	cost_sched_decide(&sched, &l, 1, &p, 10 * SEC);
	cost_sched_commit(&sched, &l, 1, 10 * SEC);
	l.desired.cost = 1100; /* 10 %: not enough alone, but above 5 ms */
	struct cost_decision d = cost_sched_decide(&sched, &l, 1, &p, 20 * SEC);
	assert_false(d.push);
	assert_int_equal(d.next_check_us, 610 * SEC);
	d = cost_sched_decide(&sched, &l, 1, &p, 610 * SEC);
	assert_true(d.push);
	assert_int_equal(d.reason, COST_PUSH_REFRESH);
	assert_int_equal(l.target.cost, 1100);
}

static struct cost_input jittery_link(uint32_t jitter_us)
{
	return (struct cost_input){ .has_rtt = true, .srtt_us = 20000, .jitter_us = jitter_us };
}

static void test_jitter_under_threshold_records_no_event(void **state)
{
	struct cost_params p = rtt_only_params();
	struct cost_link_state st = { 0 };
	struct cost_input in = jittery_link(3000);
	char reason[160];
	struct cost_value v = cost_compute(&st, &in, &p, 10 * SEC, reason, sizeof(reason));

	(void)state;
	/* 3 ms under the default 5 ms threshold: the RTT alone. */
	assert_int_equal(v.cost, 200);
	assert_null(strstr(reason, "jitter"));
}

static void test_jitter_at_default_threshold_records_event(void **state)
{
	struct cost_params p = rtt_only_params();
	struct cost_link_state st = { 0 };
	struct cost_input in = jittery_link(8000);
	char reason[160];
	struct cost_value v = cost_compute(&st, &in, &p, 10 * SEC, reason, sizeof(reason));

	(void)state;
	/* 8 ms = 80 units x 2. */
	assert_int_equal(v.cost, 200 + 160);
	assert_non_null(strstr(reason, "jitter +160"));
}

static void test_lower_jitter_threshold_penalises_smaller_jitter(void **state)
{
	struct cost_params p = rtt_only_params();
	struct cost_link_state st = { 0 };
	struct cost_input in = jittery_link(3000);
	char reason[160];
	struct cost_value v;

	(void)state;
	p.jitter_event_us = 2000; /* jitterThreshold 2 */
	v = cost_compute(&st, &in, &p, 10 * SEC, reason, sizeof(reason));
	assert_int_equal(v.cost, 200 + 60);
	assert_non_null(strstr(reason, "jitter +60"));
}

/* A link's measured cost as cost_compute gives it for a steady RTT. */
static uint16_t steady_cost(const struct cost_params *p, uint32_t srtt_us)
{
	struct cost_link_state st = { 0 };
	struct cost_input in = { .has_rtt = true, .srtt_us = srtt_us };
	char reason[160];

	return cost_compute(&st, &in, p, 100 * SEC, reason, sizeof(reason)).cost;
}

static void test_hop_cost_is_added_to_every_link_and_named(void **state)
{
	struct cost_params p = cost_params_default();
	struct cost_link_state st = { 0 };
	struct cost_input in = { .has_rtt = true, .srtt_us = 1200 };
	char reason[160];

	(void)state;
	assert_int_equal(p.hop_cost, 20);
	assert_int_equal(cost_compute(&st, &in, &p, SEC, reason, sizeof(reason)).cost, 12 + 20);
	assert_string_equal(reason, "rtt 1.2 ms 12 + hop +20 = 32");
}

/* On sub-millisecond links a two-hop detour's noisy RTTs often add up to
 * less than the direct link's (0.4 + 0.5 < 1.0 ms): without a hop cost OSPF
 * takes the detour on noise. */
static void test_two_fast_hops_do_not_beat_a_direct_link_on_noise(void **state)
{
	struct cost_params p = cost_params_default();

	(void)state;
	assert_true(steady_cost(&p, 400) + steady_cost(&p, 500) > steady_cost(&p, 1000));
	p.hop_cost = 0;
	assert_true(steady_cost(&p, 400) + steady_cost(&p, 500) < steady_cost(&p, 1000));
}

/* A real triangle-inequality win still reroutes: the direct link 30 ms
 * slower than a detour over two 5 ms links. */
static void test_a_measurably_faster_detour_still_wins(void **state)
{
	struct cost_params p = cost_params_default();

	(void)state;
	assert_true(steady_cost(&p, 5000) + steady_cost(&p, 5000) < steady_cost(&p, 40000));
	/* ...but not one that is faster by less than the hop cost (2 ms). */
	assert_true(steady_cost(&p, 5000) + steady_cost(&p, 5000) > steady_cost(&p, 11500));
}

/* 30 % loss for a minute: the cost is called "loss" in one word, the
 * detail keeps the arithmetic, and the penalty ends one event window after
 * the last event; once it has ended the word is "measured" again. The
 * operator's and the dead states name themselves. */
static void test_reason_word_and_penalty_end(void **state)
{
	struct sim s;
	struct cost_value v;
	int64_t end, last_event;
	sim_init(&s, 1);
	for (int i = 0; i < 30; i++)
		sim_one(&s, 20000);
	assert_string_equal(cost_reason_word(&s.link[0].cost_state, s.sl[0].desired, &s.p, s.now), "measured");
	assert_int_equal(cost_penalty_end_us(&s.link[0].cost_state, &s.p, s.now), 0);
	for (int i = 0; i < 60; i++)
		sim_one(&s, i % 10 < 3 ? LOST : 20000);
	assert_string_equal(cost_reason_word(&s.link[0].cost_state, s.sl[0].desired, &s.p, s.now), "loss");
	assert_non_null(strstr(s.link[0].reason, "loss +"));
	/* One probe in ten lost from here: no new event, never a clean
	 * window, so the penalty fades and is gone at `end`. */
	for (int i = 0; i < 12; i++)
		sim_one(&s, i % 10 == 0 ? LOST : 20000);
	last_event = s.link[0].cost_state.loss.at_us;
	end = cost_penalty_end_us(&s.link[0].cost_state, &s.p, s.now);
	assert_true(end > s.now);
	assert_true(end == last_event + s.p.event_window_us);
	for (int i = 0; s.now + SEC < end; i++)
		sim_one(&s, i % 10 == 0 ? LOST : 20000);
	assert_string_equal(cost_reason_word(&s.link[0].cost_state, s.sl[0].desired, &s.p, s.now), "loss");
	sim_one(&s, 20000);
	assert_true(s.now >= end);
	assert_string_equal(cost_reason_word(&s.link[0].cost_state, s.sl[0].desired, &s.p, s.now), "measured");
	assert_int_equal(cost_penalty_end_us(&s.link[0].cost_state, &s.p, s.now), 0);

	/* A repeat episode: once the window is clean, the penalty ends when
	 * its hold does (30 s later), and it does. */
	for (int i = 0; i < 30; i++)
		sim_one(&s, i % 10 < 3 ? LOST : 20000);
	assert_int_equal(s.link[0].cost_state.loss_repeats, 1);
	while (!s.link[0].cost_state.clean_since_us)
		sim_one(&s, 20000);
	end = cost_penalty_end_us(&s.link[0].cost_state, &s.p, s.now);
	assert_true(end == s.now + 30 * SEC);
	while (s.now + SEC < end)
		sim_one(&s, 20000);
	assert_string_equal(cost_reason_word(&s.link[0].cost_state, s.sl[0].desired, &s.p, s.now), "loss");
	sim_one(&s, 20000);
	assert_string_equal(cost_reason_word(&s.link[0].cost_state, s.sl[0].desired, &s.p, s.now), "measured");

	v.cost = 65000;
	v.basis = COST_BASIS_DRAINED;
	assert_string_equal(cost_reason_word(&s.link[0].cost_state, v, &s.p, s.now), "drained");
	v.basis = COST_BASIS_OVERRIDE;
	assert_string_equal(cost_reason_word(&s.link[0].cost_state, v, &s.p, s.now), "override");
	v.basis = COST_BASIS_DEAD;
	assert_string_equal(cost_reason_word(&s.link[0].cost_state, v, &s.p, s.now), "dead");
	sim_free(&s);
}

/* A penalty too small to last six halvings ends when it has halved to
 * nothing, not at the window's end. */
static void test_small_penalty_ends_early(void **state)
{
	struct cost_params p = cost_params_default();
	struct cost_link_state st = { .jitter = { .at_us = 100 * SEC, .penalty = 5 } }; /* 3 bits */
	int64_t end = cost_penalty_end_us(&st, &p, 100 * SEC);

	assert_true(end == 100 * SEC + p.event_window_us / 2);
	assert_int_equal(cost_jitter_penalty(&st, &p, end - 1), 1);
	assert_int_equal(cost_jitter_penalty(&st, &p, end), 0);
	assert_string_equal(cost_reason_word(&st, (struct cost_value){ 200, COST_BASIS_MEASURED }, &p, end - 1),
			    "jitter");
}

static void test_params_check_names_field(void **state)
{
	struct cost_params p = cost_params_default();
	char err[160];
	assert_int_equal(cost_params_check(&p, err, sizeof(err)), 0);
	p.drain_cost = 65535;
	assert_int_not_equal(cost_params_check(&p, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "drain_cost"));
	p = cost_params_default();
	p.reload_percentage = 150;
	assert_int_not_equal(cost_params_check(&p, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "reloadPercentage"));
	p = cost_params_default();
	p.jitter_event_us = 0;
	assert_int_not_equal(cost_params_check(&p, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "jitterThreshold"));
	p = cost_params_default();
	p.hop_cost = COST_HOP_MAX + 1;
	assert_int_not_equal(cost_params_check(&p, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "hop_cost"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_noisy_stable_link_hour_barely_pushes),
		cmocka_unit_test(test_loss_raises_cost_quickly_and_is_lifted_after_clear),
		cmocka_unit_test(test_ongoing_random_loss_returns_traffic_at_most_once),
		cmocka_unit_test(test_loss_penalty_fades_while_never_clean),
		cmocka_unit_test(test_repeated_loss_episodes_are_held_longer),
		cmocka_unit_test(test_loss_repeats_are_forgotten_after_a_clean_window),
		cmocka_unit_test(test_intermittent_loss_hour_is_held_away),
		cmocka_unit_test(test_added_latency_changes_cost),
		cmocka_unit_test(test_healed_short_link_returns_to_measured_cost),
		cmocka_unit_test(test_removed_delay_is_a_level_shift_not_jitter),
		cmocka_unit_test(test_steady_jittery_link_is_penalised),
		cmocka_unit_test(test_death_pushes_at_once_despite_rate_limit),
		cmocka_unit_test(test_recovery_pushes_the_measured_cost),
		cmocka_unit_test(test_flapping_link_is_held_back),
		cmocka_unit_test(test_drain_override_undrain_are_immediate),
		cmocka_unit_test(test_client_link_costs_10000_more),
		cmocka_unit_test(test_small_changes_wait_until_settled),
		cmocka_unit_test(test_changes_wait_for_min_reload_interval),
		cmocka_unit_test(test_refresh_every_reload_interval),
		cmocka_unit_test(test_jitter_under_threshold_records_no_event),
		cmocka_unit_test(test_jitter_at_default_threshold_records_event),
		cmocka_unit_test(test_lower_jitter_threshold_penalises_smaller_jitter),
		cmocka_unit_test(test_hop_cost_is_added_to_every_link_and_named),
		cmocka_unit_test(test_two_fast_hops_do_not_beat_a_direct_link_on_noise),
		cmocka_unit_test(test_a_measurably_faster_detour_still_wins),
		cmocka_unit_test(test_reason_word_and_penalty_end),
		cmocka_unit_test(test_small_penalty_ends_early),
		cmocka_unit_test(test_params_check_names_field),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
