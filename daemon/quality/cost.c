#include "daemon/quality/cost.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "daemon/quality/link_stats.h"

struct cost_params cost_params_default(void)
{
	return (struct cost_params){
		.hop_cost = 20,
		.unmeasured_cost = 1000,
		.client_extra = COST_CLIENT_EXTRA,
		.drain_cost = COST_DRAIN_DEFAULT,
		.loss_event_pct = 20.0,
		.loss_penalty_per_pct = 100.0,
		.jitter_event_us = 5000,
		.jitter_penalty_factor = 2.0,
		.event_window_us = 1800 * 1000000LL,
		.loss_clean_probes = 10,
		.loss_hold_base_us = 30 * 1000000LL,
		.reload_percentage = 15.0,
		.reload_min_delta = 50,
		.min_reload_interval_us = 5 * 1000000LL,
		.reload_interval_us = 600 * 1000000LL,
		.settle_us = 30 * 1000000LL,
		.flap_window_us = 300 * 1000000LL,
		.flap_hold_base_us = 30 * 1000000LL,
		.flap_hold_max_us = 900 * 1000000LL,
	};
}

int cost_params_check(const struct cost_params *p, char *err, size_t errlen)
{
	const char *why = NULL;
	if (p->unmeasured_cost < COST_MIN || p->unmeasured_cost >= p->drain_cost)
		why = "unmeasured_cost: must be 1 up to below drain_cost";
	else if (p->hop_cost > COST_HOP_MAX)
		why = "hop_cost: must be 0-10000";
	else if (p->client_extra > 60000)
		why = "client_extra: must be 0-60000";
	else if (p->drain_cost < 2 || p->drain_cost >= COST_DEAD)
		why = "drain_cost: must be 2-65534 (65535 means dead)";
	else if (!(p->loss_event_pct > 0 && p->loss_event_pct <= 100))
		why = "loss_event_pct: must be above 0 and at most 100";
	else if (!(p->loss_penalty_per_pct >= 0 && p->loss_penalty_per_pct <= 1000))
		why = "loss_penalty_per_pct: must be 0-1000";
	else if (p->jitter_event_us == 0)
		why = "jitter_event_us (jitterThreshold): must be positive";
	else if (!(p->jitter_penalty_factor >= 0 && p->jitter_penalty_factor <= 100))
		why = "jitter_penalty_factor: must be 0-100";
	else if (p->event_window_us <= 0)
		why = "event_window_us (costEventWindow): must be positive";
	else if (p->loss_clean_probes < 1 || p->loss_hold_base_us < 0)
		why = "loss_clean_probes: must be at least 1, and loss_hold_base_us not negative";
	else if (!(p->reload_percentage >= 0 && p->reload_percentage <= 100))
		why = "reload_percentage (reloadPercentage): must be 0-100";
	else if (p->min_reload_interval_us < 0)
		why = "min_reload_interval_us (minReloadInterval): must not be negative";
	else if (p->reload_interval_us <= 0)
		why = "reload_interval_us (reloadInterval): must be positive";
	else if (p->settle_us <= 0)
		why = "settle_us: must be positive";
	else if (p->flap_window_us < 0 || p->flap_hold_base_us < 0 || p->flap_hold_max_us < p->flap_hold_base_us)
		why = "flap_*: must not be negative, and flap_hold_max_us at least flap_hold_base_us";
	if (!why)
		return 0;
	if (err && errlen)
		snprintf(err, errlen, "cost %s", why);
	return -EINVAL;
}

const char *cost_basis_name(enum cost_basis basis)
{
	switch (basis) {
	case COST_BASIS_MEASURED:
		return "measured";
	case COST_BASIS_UNMEASURED:
		return "unmeasured";
	case COST_BASIS_OVERRIDE:
		return "override";
	case COST_BASIS_DRAINED:
		return "drained";
	case COST_BASIS_DEAD:
		return "dead";
	}
	return "?";
}

const char *cost_push_reason_name(enum cost_push_reason reason)
{
	switch (reason) {
	case COST_PUSH_NONE:
		return "none";
	case COST_PUSH_URGENT:
		return "urgent";
	case COST_PUSH_CHANGE:
		return "change";
	case COST_PUSH_REFRESH:
		return "refresh";
	}
	return "?";
}

struct cost_input cost_input_from_summary(const struct link_summary *sum, bool client, bool drained, uint32_t override)
{
	return (struct cost_input){
		.dead = sum->state == LINK_STATE_DEAD,
		.has_rtt = sum->has_rtt,
		.srtt_us = sum->srtt_us,
		.loss_recent_pct = sum->loss_recent_pct,
		.clean_probes = sum->clean_probes,
		.jitter_us = sum->jitter_us,
		.client = client,
		.drained = drained,
		.override = override,
	};
}

/* Halves every sixth of the window and is gone at its end. Steps rather
 * than a smooth slope: each step is one BIRD reconfigure at most, so a
 * fading penalty costs about six pushes, not one per reloadPercentage. */
static uint32_t faded(const struct cost_event *e, const struct cost_params *p, int64_t now_us)
{
	int64_t age = now_us - e->at_us;
	if (e->penalty == 0 || age >= p->event_window_us)
		return 0;
	if (age <= 0)
		return e->penalty;
	int64_t halvings = age * 6 / p->event_window_us;
	return e->penalty >> halvings;
}

/* One event per kind is kept: the worst recent one. A new event replaces it
 * only when it is at least as bad as what is left of the old one, so a long
 * lossy spell keeps the penalty up (re-armed whenever it has faded to the
 * current loss) without piling penalties past any meaning. */
static void record_event(struct cost_event *ev, uint32_t penalty, const struct cost_params *p, int64_t now_us)
{
	if (penalty >= faded(ev, p, now_us))
		*ev = (struct cost_event){ .at_us = now_us, .penalty = penalty };
}

uint32_t cost_loss_penalty(const struct cost_link_state *st, const struct cost_params *p, int64_t now_us)
{
	return faded(&st->loss, p, now_us);
}

uint32_t cost_jitter_penalty(const struct cost_link_state *st, const struct cost_params *p, int64_t now_us)
{
	return faded(&st->jitter, p, now_us);
}

uint32_t cost_bandwidth_base(uint32_t mbps)
{
	return cost_clamp((int64_t)COST_BANDWIDTH_REF - (int64_t)mbps);
}

const char *cost_reason_word(const struct cost_link_state *st, struct cost_value v, const struct cost_params *p,
			     int64_t now_us)
{
	uint32_t loss, jitter;

	switch (v.basis) {
	case COST_BASIS_DEAD:
		return "dead";
	case COST_BASIS_DRAINED:
		return "drained";
	case COST_BASIS_OVERRIDE:
		return "override";
	case COST_BASIS_MEASURED:
	case COST_BASIS_UNMEASURED:
		break;
	}
	loss = faded(&st->loss, p, now_us);
	jitter = faded(&st->jitter, p, now_us);
	if (!loss && !jitter)
		return "measured";
	return loss >= jitter ? "loss" : "jitter";
}

/* A small penalty halves to nothing before the window ends: after as many
 * sixths as it has bits. */
static int64_t event_end(const struct cost_event *e, const struct cost_params *p)
{
	int64_t bits = 0;

	for (uint32_t v = e->penalty; v; v >>= 1)
		bits++;
	if (bits >= 6)
		return e->at_us + p->event_window_us;
	return e->at_us + (bits * p->event_window_us + 5) / 6;
}

int64_t cost_penalty_end_us(const struct cost_link_state *st, const struct cost_params *p, int64_t now_us)
{
	int64_t end = 0;

	if (faded(&st->loss, p, now_us)) {
		end = event_end(&st->loss, p);
		if (st->clean_since_us && st->clean_since_us + cost_loss_hold_us(st->loss_repeats, p) < end)
			end = st->clean_since_us + cost_loss_hold_us(st->loss_repeats, p);
	}
	if (faded(&st->jitter, p, now_us) && event_end(&st->jitter, p) > end)
		end = event_end(&st->jitter, p);
	return end;
}

static uint32_t clamp_u32(double v, uint32_t max)
{
	if (v <= 0)
		return 0;
	return v >= (double)max ? max : (uint32_t)v;
}

/* base for the first repeat (n = 1), doubled per further one, at most max;
 * 0 for n = 0. The flap hold-down and the loss hold grow alike. */
static int64_t doubling_hold(int64_t base, unsigned n, int64_t max)
{
	int64_t hold = base;

	if (n == 0)
		return 0;
	for (unsigned i = 1; i < n && hold < max; i++)
		hold *= 2;
	return hold > max ? max : hold;
}

int64_t cost_loss_hold_us(unsigned repeats, const struct cost_params *p)
{
	return doubling_hold(p->loss_hold_base_us, repeats, p->event_window_us);
}

/* Enough to reach any hold ceiling from a base of 1 us; bounds the counter. */
#define LOSS_REPEATS_MAX 64

/* A loss episode starts: a repeat when the previous one ended (lifted, or
 * faded out) less than an event window ago, so a link that keeps turning
 * lossy waits longer each time before traffic returns to it. */
static void start_loss_episode(struct cost_link_state *st, const struct cost_params *p, int64_t now_us)
{
	int64_t end = st->loss.penalty ? event_end(&st->loss, p) : st->loss_lifted_us;

	if (end && now_us - end < p->event_window_us)
		st->loss_repeats += st->loss_repeats < LOSS_REPEATS_MAX;
	else
		st->loss_repeats = 0;
}

/* Loss events, and the lift that ends a loss episode early: the halving
 * decay alone kept a link that lost 30 % for a minute out of use for half
 * an hour. Once the link is clean (loss_clean_probes answered in a row) for
 * the episode's hold, its penalty goes in one step: one BIRD reconfigure.
 * Any lost probe, this node's iperf3 run's too, makes it unclean again; the
 * run's losses only record no event. */
static void track_loss(struct cost_link_state *st, const struct cost_input *in, const struct cost_params *p,
		       int64_t now_us)
{
	if (in->clean_probes < p->loss_clean_probes)
		st->clean_since_us = 0;
	else if (!st->clean_since_us)
		st->clean_since_us = now_us;

	if (!in->measuring && in->loss_recent_pct >= p->loss_event_pct) {
		if (!faded(&st->loss, p, now_us))
			start_loss_episode(st, p, now_us);
		record_event(&st->loss, clamp_u32(in->loss_recent_pct * p->loss_penalty_per_pct, 60000), p, now_us);
		st->clean_since_us = 0;
		return;
	}
	if (faded(&st->loss, p, now_us) && st->clean_since_us &&
	    now_us - st->clean_since_us >= cost_loss_hold_us(st->loss_repeats, p)) {
		st->loss.penalty = 0;
		st->loss_lifted_us = now_us;
	}
}

struct cost_value cost_compute(struct cost_link_state *st, const struct cost_input *in, const struct cost_params *p,
			       int64_t now_us, char *reason, size_t reason_len)
{
	char scratch[2];
	if (!reason || !reason_len) {
		reason = scratch;
		reason_len = sizeof(scratch);
	}
	if (in->dead) {
		snprintf(reason, reason_len, "dead");
		return (struct cost_value){ COST_DEAD, COST_BASIS_DEAD };
	}

	/* Events are recorded while the link is alive only: an outage is the
	 * dead state's business (and flap hold-down's), not a loss penalty.
	 * Nor while this node's own iperf3 run fills the link: its probes
	 * queue and drop behind the run, which says nothing of the link. */
	track_loss(st, in, p, now_us);
	if (!in->measuring && in->jitter_us >= p->jitter_event_us)
		record_event(&st->jitter, clamp_u32((double)in->jitter_us / 100.0 * p->jitter_penalty_factor, 60000), p,
			     now_us);

	if (in->drained) {
		snprintf(reason, reason_len, "drained");
		return (struct cost_value){ (uint16_t)p->drain_cost, COST_BASIS_DRAINED };
	}
	if (in->override) {
		uint32_t c = cost_clamp(in->override);
		snprintf(reason, reason_len, "override %u", c);
		return (struct cost_value){ (uint16_t)c, COST_BASIS_OVERRIDE };
	}

	uint32_t loss_pen = faded(&st->loss, p, now_us);
	uint32_t jitter_pen = in->has_bandwidth ? 0 : faded(&st->jitter, p, now_us);
	uint32_t base;
	int n;
	if (in->has_bandwidth) {
		base = cost_bandwidth_base(in->bandwidth_mbps);
		n = snprintf(reason, reason_len, "bandwidth %u Mbit/s %u", in->bandwidth_mbps, base);
	} else if (in->has_rtt) {
		/* 1 unit = 0.1 ms = 100 us, as in the original (RTT ms x 10). */
		base = in->srtt_us / 100;
		if (base < COST_MIN)
			base = COST_MIN;
		n = snprintf(reason, reason_len, "rtt %u.%u ms %u", in->srtt_us / 1000, in->srtt_us % 1000 / 100, base);
	} else {
		base = p->unmeasured_cost;
		n = snprintf(reason, reason_len, "no rtt yet %u", base);
	}
	uint64_t total = (uint64_t)base + p->hop_cost + loss_pen + jitter_pen + (in->client ? p->client_extra : 0);
	/* Every measured cost stays below a drained link's, so drain remains
	 * the last resort. */
	uint32_t cap = p->drain_cost - 1;
	uint32_t cost = total > cap ? cap : (uint32_t)total;

	size_t used = n > 0 ? (size_t)n : 0;
	if (p->hop_cost && used < reason_len)
		used += (size_t)snprintf(reason + used, reason_len - used, " + hop +%u", p->hop_cost);
	if (loss_pen && used < reason_len)
		used += (size_t)snprintf(reason + used, reason_len - used, " + loss +%u", loss_pen);
	if (jitter_pen && used < reason_len)
		used += (size_t)snprintf(reason + used, reason_len - used, " + jitter +%u", jitter_pen);
	if (in->client && used < reason_len)
		used += (size_t)snprintf(reason + used, reason_len - used, " + client +%u", p->client_extra);
	if (used < reason_len)
		snprintf(reason + used, reason_len - used, total > cap ? " = %u (capped)" : " = %u", cost);

	return (struct cost_value){ (uint16_t)cost,
				    in->has_rtt || in->has_bandwidth ? COST_BASIS_MEASURED : COST_BASIS_UNMEASURED };
}

/* ---- scheduler ---- */

static bool is_operator_basis(enum cost_basis b)
{
	return b == COST_BASIS_OVERRIDE || b == COST_BASIS_DRAINED;
}

static bool same_value(struct cost_value a, struct cost_value b)
{
	return a.cost == b.cost && a.basis == b.basis;
}

static uint32_t abs_diff(uint32_t a, uint32_t b)
{
	return a > b ? a - b : b - a;
}

static bool relative_step(struct cost_value desired, struct cost_value announced, const struct cost_params *p)
{
	return (double)abs_diff(desired.cost, announced.cost) * 100.0 >= p->reload_percentage * (double)announced.cost;
}

/* Worth a route change at once: both the relative and the absolute step. */
static bool significant(struct cost_value desired, struct cost_value announced, const struct cost_params *p)
{
	return abs_diff(desired.cost, announced.cost) >= p->reload_min_delta && relative_step(desired, announced, p);
}

/* Noise moves the desired cost to either side of the announced one and
 * back; a real change puts it on one side and keeps it there. Says whether
 * the desired cost has stayed past the relative step, on one side, for
 * settle_us. This is what brings a short link back after a spike: its cost
 * was announced while the smoothed RTT was still falling, a few ms above
 * where it ends, under the absolute step and so never corrected otherwise. */
static bool drift_held(struct cost_sched_link *l, const struct cost_params *p, int64_t now_us)
{
	struct cost_value d = l->desired, a = l->announced;
	int side = 0;
	if (l->announced_valid && relative_step(d, a, p))
		side = d.cost > a.cost ? 1 : -1;
	if (side == 0 || side != l->drift_side || a.cost != l->drift_from) {
		l->drift_side = side;
		l->drift_from = a.cost;
		l->drift_since_us = now_us;
		return false;
	}
	return now_us - l->drift_since_us >= p->settle_us;
}

static void earliest(int64_t *next, int64_t t)
{
	if (t > 0 && (*next == 0 || t < *next))
		*next = t;
}

static void track_flaps(struct cost_sched_link *l, const struct cost_params *p, int64_t now_us)
{
	bool dead = l->desired.basis == COST_BASIS_DEAD;
	if (!l->seen) {
		l->seen = true;
		l->was_dead = dead;
		l->alive_since_us = dead ? 0 : now_us;
		return;
	}
	if (dead && !l->was_dead) {
		bool recent = l->flaps && now_us - l->last_death_us < p->flap_window_us;
		l->flaps = recent ? l->flaps + 1 : 1;
		l->last_death_us = now_us;
		l->was_dead = true;
		l->held_until_us = 0;
	} else if (!dead && l->was_dead) {
		l->was_dead = false;
		l->alive_since_us = now_us;
		int64_t hold = l->flaps >= 2 ? doubling_hold(p->flap_hold_base_us, l->flaps - 1, p->flap_hold_max_us)
					     : 0;
		l->held_until_us = hold ? now_us + hold : 0;
	}
	if (!dead && l->flaps && now_us - l->last_death_us >= p->flap_window_us)
		l->flaps = 0;
}

enum link_class { CLASS_NONE, CLASS_REFRESH, CLASS_CHANGE, CLASS_URGENT };

static enum link_class classify(struct cost_sched_link *l, const struct cost_params *p, bool refresh_due,
				bool drift_is_held, int64_t now_us, int64_t *next)
{
	struct cost_value d = l->desired, a = l->announced;
	l->target = a;
	if (!l->announced_valid) {
		l->target = d;
		return CLASS_URGENT;
	}
	if (d.basis == COST_BASIS_DEAD) {
		if (a.basis == COST_BASIS_DEAD)
			return CLASS_NONE;
		l->target = d;
		return CLASS_URGENT;
	}
	if (a.basis == COST_BASIS_DEAD) {
		if (l->held_until_us && now_us < l->held_until_us) {
			earliest(next, l->held_until_us);
			return CLASS_NONE;
		}
		l->target = d;
		return CLASS_CHANGE;
	}
	if ((is_operator_basis(d.basis) || is_operator_basis(a.basis)) && !same_value(d, a)) {
		l->target = d;
		return CLASS_URGENT;
	}
	if (significant(d, a, p)) {
		l->target = d;
		return CLASS_CHANGE;
	}
	if (drift_is_held) {
		l->target = d;
		return CLASS_CHANGE;
	}
	/* Drift below the relative step is applied at refresh time, unless it
	 * is under the absolute step too (that is noise). */
	if (refresh_due && abs_diff(d.cost, a.cost) >= p->reload_min_delta) {
		l->target = d;
		return CLASS_REFRESH;
	}
	return CLASS_NONE;
}

struct cost_decision cost_sched_decide(struct cost_sched *s, struct cost_sched_link *links, size_t n,
				       const struct cost_params *p, int64_t now_us)
{
	struct cost_decision d = { 0 };
	int64_t refresh_at = s->pushed_once ? s->last_push_us + p->reload_interval_us : 0;
	bool refresh_due = s->pushed_once && now_us >= refresh_at;
	enum link_class worst = CLASS_NONE;
	int64_t next = 0;

	for (size_t i = 0; i < n; i++) {
		track_flaps(&links[i], p, now_us);
		bool held = drift_held(&links[i], p, now_us);
		enum link_class c = classify(&links[i], p, refresh_due, held, now_us, &next);
		if (c > worst)
			worst = c;
	}

	bool rate_ok = !s->pushed_once || now_us >= s->last_push_us + p->min_reload_interval_us;
	if (worst == CLASS_URGENT) {
		d.push = true;
		d.reason = COST_PUSH_URGENT;
	} else if (worst == CLASS_CHANGE && rate_ok) {
		d.push = true;
		d.reason = COST_PUSH_CHANGE;
	} else if (worst == CLASS_CHANGE) {
		earliest(&next, s->last_push_us + p->min_reload_interval_us);
	} else if (refresh_due) {
		d.push = true;
		d.reason = COST_PUSH_REFRESH;
	}

	for (size_t i = 0; i < n; i++) {
		if (!links[i].announced_valid || !same_value(links[i].target, links[i].announced))
			d.changed++;
	}
	earliest(&next, d.push ? now_us + p->reload_interval_us : refresh_at);
	d.next_check_us = next;
	return d;
}

void cost_sched_commit(struct cost_sched *s, struct cost_sched_link *links, size_t n, int64_t now_us)
{
	for (size_t i = 0; i < n; i++) {
		links[i].announced = links[i].target;
		links[i].announced_valid = true;
	}
	s->pushed_once = true;
	s->last_push_us = now_us;
}
