#include "daemon/quality/link_stats.h"

#include "common/ctl/ctlproto.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum sample_state {
	SAMPLE_PENDING = 1,
	SAMPLE_ANSWERED,
	SAMPLE_LOST,
};

struct sample {
	int64_t sent_us;
	uint32_t rtt_us;
	uint8_t state;
};

struct link_stats {
	struct link_stats_params p;
	size_t head;  /* next slot to write */
	size_t count; /* slots in use, <= capacity */
	bool has_rtt;
	uint32_t srtt_us;
	uint32_t last_rtt_us;
	uint64_t sent, answered, lost;

	bool has_counters;
	int64_t counters_at_us;
	uint64_t rx_bytes, tx_bytes;
	uint64_t rx_rate, tx_rate;

	bool handshake_known;
	int64_t last_handshake_us;

	struct sample ring[];
};

/* Bounds the answers each side of a step that decide whether it is a level
 * shift, so they fit on the stack. */
#define SHIFT_PROBES_MAX 16

struct link_stats_params link_stats_params_default(void)
{
	return (struct link_stats_params){
		.capacity = 600,
		.window = 60,
		.recent_window = 10,
		.down_after = 3,
		.dead_after = 5,
		.handshake_dead_us = 180 * 1000000LL,
		.shift_min_us = 5000,
		.shift_probes = 5,
	};
}

int link_stats_params_check(const struct link_stats_params *p, char *err, size_t errlen)
{
	const char *why = NULL;
	if (p->capacity < 2 || p->capacity > 1000000)
		why = "capacity: must be 2-1000000 probes";
	else if (p->window < 2 || p->window > p->capacity)
		why = "window: must be 2 probes up to the ring capacity";
	else if (p->recent_window < 1 || p->recent_window > p->window)
		why = "recent_window: must be 1 probe up to the window";
	else if (p->down_after < 1)
		why = "down_after: must be at least 1";
	else if (p->dead_after < p->down_after)
		why = "dead_after: must be at least down_after";
	else if (p->handshake_dead_us <= 0)
		why = "handshake_dead_us: must be positive";
	else if (p->shift_min_us == 0)
		why = "shift_min_us: must be positive";
	else if (p->shift_probes < 2 || p->shift_probes > SHIFT_PROBES_MAX)
		why = "shift_probes: must be 2-16";
	if (!why)
		return 0;
	if (err && errlen)
		snprintf(err, errlen, "link stats %s", why);
	return -EINVAL;
}

const char *link_stats_state_name(enum link_state state)
{
	switch (state) {
	case LINK_STATE_UP:
		return wgm_ctl_link_state_name(WGM_CTL_LINK_UP);
	case LINK_STATE_DOWN:
		return wgm_ctl_link_state_name(WGM_CTL_LINK_DOWN);
	case LINK_STATE_DEAD:
		return wgm_ctl_link_state_name(WGM_CTL_LINK_DEAD);
	case LINK_STATE_UNKNOWN:
		break;
	}
	return "unknown";
}

size_t link_stats_size(const struct link_stats_params *p)
{
	return sizeof(struct link_stats) + p->capacity * sizeof(struct sample);
}

struct link_stats *link_stats_new(const struct link_stats_params *p)
{
	if (link_stats_params_check(p, NULL, 0) < 0)
		return NULL;
	struct link_stats *ls = calloc(1, link_stats_size(p));
	if (!ls)
		return NULL;
	ls->p = *p;
	return ls;
}

void link_stats_free(struct link_stats *ls)
{
	free(ls);
}

void link_stats_reset(struct link_stats *ls)
{
	struct link_stats_params p = ls->p;
	memset(ls, 0, link_stats_size(&p));
	ls->p = p;
}

/* i = 0 is the newest slot. */
static struct sample *nth_newest(const struct link_stats *ls, size_t i)
{
	size_t cap = ls->p.capacity;
	return (struct sample *)&ls->ring[(ls->head + cap - 1 - i) % cap];
}

static uint32_t abs_diff(uint32_t a, uint32_t b)
{
	return a > b ? a - b : b - a;
}

/* Ring index (0 = newest) of the n-th newest answered sample (n = 0 is the
 * newest answer); false when there are not that many. */
static bool nth_answered(const struct link_stats *ls, size_t n, size_t *idx)
{
	for (size_t i = 0; i < ls->count; i++) {
		if (nth_newest(ls, i)->state != SAMPLE_ANSWERED)
			continue;
		if (n-- == 0) {
			*idx = i;
			return true;
		}
	}
	return false;
}

/* Up to max answered RTTs starting at ring index i, going towards the
 * newest end (newer) or the oldest. Returns how many. */
static size_t answered_run(const struct link_stats *ls, size_t i, bool newer, uint32_t *out, size_t max)
{
	size_t n = 0;
	while (n < max && i < ls->count) {
		const struct sample *s = nth_newest(ls, i);
		if (s->state == SAMPLE_ANSWERED)
			out[n++] = s->rtt_us;
		if (newer && i == 0)
			break;
		i = newer ? i - 1 : i + 1;
	}
	return n;
}

/* Sorts v (n is at most SHIFT_PROBES_MAX) and returns its median. */
static uint32_t median(uint32_t *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint32_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return n % 2 ? v[n / 2] : (uint32_t)(((uint64_t)v[n / 2 - 1] + v[n / 2]) / 2);
}

/* The answers sit at one level: within tol of their median, all of them,
 * or all but one in five once the run is complete (one answer caught
 * half-way in a two-part change, or a spike, does not hide the level). A
 * run still short of `full` answers must be whole: a spike at the newest
 * end is a level until the next answer says otherwise. */
static bool is_level(const uint32_t *v, size_t n, size_t full, uint32_t med, uint32_t tol)
{
	size_t off = 0;
	for (size_t i = 0; i < n; i++)
		off += abs_diff(v[i], med) > tol;
	return off <= (n == full ? n / 5 : 0);
}

/* Is the step between the answer at ring index newer_i and the answer
 * before it (older_i) a level shift? Both sides of it must sit at their
 * own level, the levels shift_min_us or more apart, each side within
 * an eighth of the step of its median. Jitter around a level fails this: its
 * answers straddle the step. Fills *new_level with the newer side's. */
static bool level_shift_at(const struct link_stats *ls, size_t newer_i, size_t older_i, uint32_t *new_level)
{
	uint32_t after[SHIFT_PROBES_MAX], before[SHIFT_PROBES_MAX];
	size_t k = ls->p.shift_probes;
	size_t na = answered_run(ls, newer_i, true, after, k);
	size_t nb = answered_run(ls, older_i, false, before, k);
	if (!na || !nb)
		return false;
	uint32_t ma = median(after, na), mb = median(before, nb);
	uint32_t step = abs_diff(ma, mb);
	if (step < ls->p.shift_min_us)
		return false;
	*new_level = ma;
	return is_level(after, na, k, ma, step / 8) && is_level(before, nb, k, mb, step / 8);
}

/* Once shift_probes answers confirm a level shift that ends at the newest
 * answer, the smoothed RTT takes the new level at once: gliding there at
 * 1/8 per answer would take 25 probes for an 80 ms delay that came or
 * went, and keep traffic on a detour (or on the slow link) that long. */
static void rebaseline_srtt(struct link_stats *ls)
{
	size_t a, b;
	uint32_t level;
	if (!nth_answered(ls, ls->p.shift_probes - 1, &a) || !nth_answered(ls, ls->p.shift_probes, &b))
		return;
	if (abs_diff(nth_newest(ls, a)->rtt_us, nth_newest(ls, b)->rtt_us) < ls->p.shift_min_us)
		return;
	if (level_shift_at(ls, a, b, &level))
		ls->srtt_us = level;
}

void link_stats_on_sent(struct link_stats *ls, int64_t sent_us)
{
	ls->ring[ls->head] = (struct sample){ .sent_us = sent_us, .state = SAMPLE_PENDING };
	ls->head = (ls->head + 1) % ls->p.capacity;
	if (ls->count < ls->p.capacity)
		ls->count++;
	ls->sent++;
}

static struct sample *find_sent(struct link_stats *ls, int64_t sent_us)
{
	for (size_t i = 0; i < ls->count; i++) {
		struct sample *s = nth_newest(ls, i);
		if (s->sent_us == sent_us)
			return s;
		/* Send times only grow, so older slots cannot match. */
		if (s->sent_us < sent_us)
			break;
	}
	return NULL;
}

void link_stats_on_answer(struct link_stats *ls, int64_t sent_us, uint32_t rtt_us)
{
	struct sample *s = find_sent(ls, sent_us);
	if (!s || s->state == SAMPLE_ANSWERED)
		return;
	if (s->state == SAMPLE_LOST)
		ls->lost--;
	s->state = SAMPLE_ANSWERED;
	s->rtt_us = rtt_us;
	ls->answered++;
	ls->last_rtt_us = rtt_us;
	if (!ls->has_rtt) {
		ls->srtt_us = rtt_us;
		ls->has_rtt = true;
	} else {
		/* srtt += (rtt - srtt) / 8, in signed arithmetic. */
		int64_t srtt = ls->srtt_us;
		srtt += ((int64_t)rtt_us - srtt) / 8;
		ls->srtt_us = (uint32_t)srtt;
	}
	size_t newest;
	if (nth_answered(ls, 0, &newest) && nth_newest(ls, newest) == s)
		rebaseline_srtt(ls);
}

void link_stats_on_lost(struct link_stats *ls, int64_t sent_us)
{
	struct sample *s = find_sent(ls, sent_us);
	if (!s || s->state != SAMPLE_PENDING)
		return;
	s->state = SAMPLE_LOST;
	ls->lost++;
}

void link_stats_on_counters(struct link_stats *ls, int64_t now_us, uint64_t rx_bytes, uint64_t tx_bytes)
{
	if (ls->has_counters && now_us > ls->counters_at_us && rx_bytes >= ls->rx_bytes && tx_bytes >= ls->tx_bytes) {
		double secs = (double)(now_us - ls->counters_at_us) / 1e6;
		ls->rx_rate = (uint64_t)((double)(rx_bytes - ls->rx_bytes) / secs);
		ls->tx_rate = (uint64_t)((double)(tx_bytes - ls->tx_bytes) / secs);
	} else {
		ls->rx_rate = 0;
		ls->tx_rate = 0;
	}
	ls->has_counters = true;
	ls->counters_at_us = now_us;
	ls->rx_bytes = rx_bytes;
	ls->tx_bytes = tx_bytes;
}

void link_stats_on_handshake(struct link_stats *ls, int64_t last_handshake_us)
{
	ls->handshake_known = true;
	ls->last_handshake_us = last_handshake_us;
}

double link_stats_loss_pct(const struct link_stats *ls, size_t n)
{
	size_t finished = 0, lost = 0;
	for (size_t i = 0; i < ls->count && finished < n; i++) {
		const struct sample *s = nth_newest(ls, i);
		if (s->state == SAMPLE_PENDING)
			continue;
		finished++;
		if (s->state == SAMPLE_LOST)
			lost++;
	}
	return finished ? 100.0 * (double)lost / (double)finished : 0.0;
}

size_t link_stats_recent_rtts(const struct link_stats *ls, uint32_t *out, size_t n)
{
	/* Count first so the output can be written oldest first. */
	size_t finished = 0, oldest = 0;
	for (size_t i = 0; i < ls->count && finished < n; i++) {
		if (nth_newest(ls, i)->state != SAMPLE_PENDING) {
			finished++;
			oldest = i;
		}
	}
	size_t w = 0;
	for (size_t i = oldest + 1; i-- > 0 && w < finished;) {
		const struct sample *s = nth_newest(ls, i);
		if (s->state == SAMPLE_PENDING)
			continue;
		out[w++] = s->state == SAMPLE_ANSWERED ? s->rtt_us : LINK_RTT_LOST;
	}
	return w;
}

void link_stats_summary(const struct link_stats *ls, int64_t now_us, struct link_summary *out)
{
	memset(out, 0, sizeof(*out));
	out->has_rtt = ls->has_rtt;
	out->srtt_us = ls->srtt_us;
	out->last_rtt_us = ls->last_rtt_us;
	out->probes_sent = ls->sent;
	out->probes_answered = ls->answered;
	out->probes_lost = ls->lost;
	out->rx_bytes = ls->rx_bytes;
	out->tx_bytes = ls->tx_bytes;
	out->rx_bytes_per_s = ls->rx_rate;
	out->tx_bytes_per_s = ls->tx_rate;
	out->handshake_age_us = -1;
	if (ls->handshake_known && ls->last_handshake_us > 0)
		out->handshake_age_us = now_us - ls->last_handshake_us;

	/* Newest to oldest over the window's finished probes. The fast loss
	 * figure leaves out runs of dead_after or more losses, and the run still
	 * going on at the newest end (it may yet become one): an outage is the
	 * DEAD state's business, and counting it again as loss would penalise a
	 * link for a while after every peer restart. */
	size_t finished = 0, lost = 0, pairs = 0;
	size_t recent = 0, recent_lost = 0, run = 0, run_recent = 0;
	bool have_prev = false, trailing = true, clean = true;
	uint32_t prev_rtt = 0, level;
	size_t prev_i = 0;
	uint64_t jitter_sum = 0;
	for (size_t i = 0; i <= ls->count; i++) {
		const struct sample *s = i < ls->count && finished < ls->p.window ? nth_newest(ls, i) : NULL;
		if (s && s->state == SAMPLE_PENDING)
			continue;
		if (!s || s->state == SAMPLE_ANSWERED) {
			if (trailing || run >= ls->p.dead_after) {
				recent -= run_recent;
				recent_lost -= run_recent;
			}
			run = run_recent = 0;
			trailing = false;
		}
		if (!s)
			break;
		finished++;
		bool in_recent = finished <= ls->p.recent_window;
		recent += in_recent;
		if (s->state == SAMPLE_LOST) {
			clean = false;
			lost++;
			run++;
			run_recent += in_recent;
			recent_lost += in_recent;
			continue;
		}
		out->clean_probes += clean;
		if (out->min_rtt_us == 0 || s->rtt_us < out->min_rtt_us)
			out->min_rtt_us = s->rtt_us;
		if (s->rtt_us > out->max_rtt_us)
			out->max_rtt_us = s->rtt_us;
		if (have_prev) {
			uint32_t d = abs_diff(s->rtt_us, prev_rtt);
			if (d >= ls->p.shift_min_us && level_shift_at(ls, prev_i, i, &level)) {
				out->level_shifts++;
			} else {
				jitter_sum += d;
				pairs++;
			}
		}
		prev_rtt = s->rtt_us;
		prev_i = i;
		have_prev = true;
	}
	/* Over the whole ring, so a run longer than the window counts in full;
	 * it stops at the newest answer, which on a live link is near. */
	for (size_t i = 0; i < ls->count; i++) {
		const struct sample *s = nth_newest(ls, i);
		if (s->state == SAMPLE_ANSWERED)
			break;
		if (s->state == SAMPLE_LOST)
			out->consecutive_lost++;
	}
	out->window_probes = (unsigned)finished;
	if (finished)
		out->loss_pct = 100.0 * (double)lost / (double)finished;
	if (recent)
		out->loss_recent_pct = 100.0 * (double)recent_lost / (double)recent;
	if (pairs)
		out->jitter_us = (uint32_t)(jitter_sum / pairs);

	bool handshake_dead = ls->handshake_known &&
			      (ls->last_handshake_us <= 0 || now_us - ls->last_handshake_us > ls->p.handshake_dead_us);
	if (handshake_dead || out->consecutive_lost >= ls->p.dead_after)
		out->state = LINK_STATE_DEAD;
	else if (out->consecutive_lost >= ls->p.down_after)
		out->state = LINK_STATE_DOWN;
	else if (finished)
		out->state = LINK_STATE_UP;
	else
		out->state = LINK_STATE_UNKNOWN;
}
