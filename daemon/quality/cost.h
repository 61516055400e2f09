/* Cost engine (pure: no I/O, no clock; times are monotonic microseconds).
 *
 * Two halves:
 *  - cost_compute(): one link's measurements -> the OSPF cost it should have
 *    now, with a one-line reason. It keeps per-link loss/jitter events
 *    (struct cost_link_state) whose penalties decay over event_window_us.
 *  - cost_sched_decide()/cost_sched_commit(): given the desired cost of every
 *    link and what BIRD has, decide whether to reconfigure BIRD now, with
 *    which values, and when to look again (hysteresis, settling, rate
 *    limit, periodic refresh, flap hold-down).
 *
 * Wiring, every probe round (and when the timer from next_check_us fires):
 *     for each link:
 *         link_stats_summary(link->stats, now, &sum);
 *         in = cost_input_from_summary(&sum, link->client, link->drained, link->override);
 *         link->sched.desired = cost_compute(&link->cost_state, &in, &params, now, reason, len);
 *     d = cost_sched_decide(&sched, links_sched[], n, &params, now);
 *     if (d.push) {
 *         write BIRD config with links_sched[i].target.cost for each link;
 *         if BIRD accepted it: cost_sched_commit(&sched, links_sched[], n, now);
 *     }
 *     arm a timer for d.next_check_us (0 = nothing pending).
 * The scheduler works on an array of struct cost_sched_link, so keep those in
 * one array (or copy in and out) in the same order between calls.
 */
#ifndef WGM_DAEMON_COST_H
#define WGM_DAEMON_COST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bird/conf_model.h"

struct link_summary;

/* The one owner of the cost constants; routing and the records use these. */
#define COST_MIN BIRD_OSPF_COST_MIN
#define COST_DEAD BIRD_OSPF_COST_MAX /* OSPF's largest cost: a dead link */
#define COST_DRAIN_DEFAULT 65000     /* a drained link: the last resort */
#define COST_CLIENT_EXTRA 10000      /* towards a client node (ID >= 200): no transit */
#define COST_HOP_MAX 10000           /* hopCost range: 0-1 s */
#define COST_BANDWIDTH_REF 20000     /* bandwidth mode: cost = this - Mbit/s, as in the original */

/* COST clamped into OSPF's range, COST_MIN..COST_DEAD. */
static inline uint32_t cost_clamp(int64_t cost)
{
	return cost < COST_MIN ? COST_MIN : cost > COST_DEAD ? COST_DEAD : (uint32_t)cost;
}

struct cost_params {
	/* cost_compute */
	uint32_t hop_cost;            /* hopCost: added to every link, so a detour of two hops must be
					    measurably faster than the direct link to win (20 = 2 ms) */
	uint32_t unmeasured_cost;     /* live link with no answered probe yet (1000 = 100 ms) */
	uint32_t client_extra;        /* added for client links (10000) */
	uint32_t drain_cost;          /* drained link; above every measured cost, below dead (65000) */
	double loss_event_pct;        /* fast loss % that records a loss event (20: 2 of the 10 recent probes) */
	double loss_penalty_per_pct;  /* cost units per % of loss in an event (100 = 10 ms per %) */
	uint32_t jitter_event_us;     /* jitterThreshold: jitter that records a jitter event (5000 = 5 ms) */
	double jitter_penalty_factor; /* penalty = jitter in 0.1 ms units x this (2) */
	int64_t event_window_us; /* costEventWindow: an event's penalty halves every sixth of this and ends with it (1800 s) */
	unsigned loss_clean_probes; /* answered probes in a row that make a lossy link clean (10: the fast-loss
					    window; quality_cost_params follows probeInterval) */
	int64_t loss_hold_base_us;  /* a loss episode's penalty is lifted once the link is clean; a repeat (one
					    starting within event_window_us of the last one's end) only after it
					    has stayed clean this long more, doubled per further repeat, at most
					    event_window_us (30 s) */

	/* cost_sched_decide */
	double reload_percentage;  /* reloadPercentage: relative change that reaches BIRD (15) */
	uint32_t reload_min_delta; /* absolute change that reaches BIRD, units (50 = 5 ms) */
	int64_t min_reload_interval_us; /* minReloadInterval: at most one push per this, deaths and operator actions excepted (5 s) */
	int64_t reload_interval_us; /* reloadInterval: periodic refresh (600 s) */
	int64_t settle_us;          /* a change past the relative step but under the absolute one that holds,
					    on the same side, this long is real, not noise, and reaches BIRD (30 s) */
	int64_t flap_window_us;     /* deaths closer than this count as flaps (300 s) */
	int64_t flap_hold_base_us;  /* hold-down after the 2nd flap, doubled per further flap (30 s) */
	int64_t flap_hold_max_us;   /* hold-down ceiling (900 s) */
};

struct cost_params cost_params_default(void);

/* Returns 0, or -EINVAL with one line in err naming the bad field. */
int cost_params_check(const struct cost_params *p, char *err, size_t errlen);

/* What a link's cost is based on, in order of precedence. */
enum cost_basis {
	COST_BASIS_MEASURED = 0,
	COST_BASIS_UNMEASURED, /* alive, no RTT yet */
	COST_BASIS_OVERRIDE,   /* operator's fixed cost */
	COST_BASIS_DRAINED,    /* operator's drain */
	COST_BASIS_DEAD,
};

const char *cost_basis_name(enum cost_basis basis);

struct cost_value {
	uint16_t cost;
	enum cost_basis basis;
};

struct cost_input {
	bool dead;
	bool has_rtt;
	uint32_t srtt_us;
	double loss_recent_pct; /* link_summary.loss_recent_pct */
	unsigned clean_probes;  /* link_summary.clean_probes */
	uint32_t jitter_us;
	bool client; /* remote ID >= 200, or this node is a client */
	bool drained;
	uint32_t override; /* 0 = none, else the fixed cost 1-65535 */
	/* Bandwidth mode (operationMode 2): the base is the last iperf3 figure
	 * instead of the RTT, and the jitter penalty does not apply; loss
	 * penalty, hop cost, client extra, drain, override and death do. Until
	 * the link's first figure the latency cost stands. */
	bool has_bandwidth;
	uint32_t bandwidth_mbps;
	bool measuring; /* this node's iperf3 run fills the link now: its
				     probes' loss and jitter are that, not the link's */
};

/* Bandwidth mode's base cost: COST_BANDWIDTH_REF - mbps, clamped with
 * cost_clamp (so 1 from 19999 Mbit/s up). */
uint32_t cost_bandwidth_base(uint32_t mbps);

/* Builds the input from a link_stats summary plus the link's settings. */
struct cost_input cost_input_from_summary(const struct link_summary *sum, bool client, bool drained, uint32_t override);

struct cost_event {
	int64_t at_us;
	uint32_t penalty; /* at the time of the event; halves every event_window_us / 6 */
};

/* Per-link memory of the cost engine: the worst recent event of each kind
 * (a new one replaces it when at least as bad as what is left of it), and
 * what lifts a loss penalty early: a loss episode (from the event that finds
 * no penalty in effect until its penalty is gone) ends once the link has
 * been clean (loss_clean_probes answered in a row) for its hold: none for a
 * first episode, loss_hold_base_us doubled per repeat after that.
 * Zero-initialise it. */
struct cost_link_state {
	struct cost_event loss;
	struct cost_event jitter;
	int64_t clean_since_us; /* first round with loss_clean_probes answered in a row; 0 = not clean */
	int64_t loss_lifted_us; /* when the last episode's penalty was lifted; 0 = never */
	unsigned loss_repeats;  /* 0 for a first episode; +1 per episode starting within
				    event_window_us of the previous one's end */
};

/* Records new loss/jitter events from `in` and returns the cost the link
 * should have at now_us. reason (if not NULL) gets one line, e.g.
 * "rtt 12.3 ms = 123 + loss 30% +3000 + client +10000". A dead link keeps its
 * events, so a link that comes back after a lossy death starts penalised. */
struct cost_value cost_compute(struct cost_link_state *st, const struct cost_input *in, const struct cost_params *p,
			       int64_t now_us, char *reason, size_t reason_len);

/* The hold of a loss episode after `repeats` earlier ones in a row: 0 for
 * the first, then loss_hold_base_us doubled per repeat, at most the event
 * window. */
int64_t cost_loss_hold_us(unsigned repeats, const struct cost_params *p);

/* Current (faded) penalties, for display. */
uint32_t cost_loss_penalty(const struct cost_link_state *st, const struct cost_params *p, int64_t now_us);
uint32_t cost_jitter_penalty(const struct cost_link_state *st, const struct cost_params *p, int64_t now_us);

/* The cost's reason in one word, the set the control socket documents:
 * "measured", "loss", "jitter" (a penalty is in the cost: the larger one
 * names it), "override", "drained", "dead". v is cost_compute's answer for
 * the same state and time. */
const char *cost_reason_word(const struct cost_link_state *st, struct cost_value v, const struct cost_params *p,
			     int64_t now_us);

/* When the loss and jitter penalties in effect at now_us are gone if no new
 * event comes (the later one's end); 0 when there is none. A loss penalty
 * ends at its last halving, or, once the link is clean, when its hold ends
 * if that is earlier. */
int64_t cost_penalty_end_us(const struct cost_link_state *st, const struct cost_params *p, int64_t now_us);

/* One link as the scheduler sees it. Zero-initialise; set `desired` before
 * every cost_sched_decide(); read `target` after a decision to push. */
struct cost_sched_link {
	struct cost_value desired;   /* in: from cost_compute */
	struct cost_value target;    /* out: what to write to BIRD if d.push */
	struct cost_value announced; /* what BIRD has (set by cost_sched_commit) */
	bool announced_valid;
	bool seen; /* scheduler-private from here on */
	bool was_dead;
	unsigned flaps;
	int64_t last_death_us;
	int64_t alive_since_us;
	int64_t held_until_us;  /* recovery not announced before this; 0 = not held */
	int64_t drift_since_us; /* desired has stayed past the relative step from drift_from since */
	int drift_side;         /* +1 above, -1 below, 0 within the step */
	uint16_t drift_from;    /* the announced cost drift is measured from */
};

enum cost_push_reason {
	COST_PUSH_NONE = 0,
	COST_PUSH_URGENT,  /* a death, an operator action, or links BIRD has never seen */
	COST_PUSH_CHANGE,  /* significant cost changes or recoveries */
	COST_PUSH_REFRESH, /* reloadInterval elapsed */
};

const char *cost_push_reason_name(enum cost_push_reason reason);

struct cost_sched {
	bool pushed_once;
	int64_t last_push_us;
};

struct cost_decision {
	bool push;
	enum cost_push_reason reason;
	unsigned changed;      /* links whose target differs from what BIRD has */
	int64_t next_check_us; /* call decide again by then even without new probes; 0 = none */
};

/* Fills every links[i].target and says whether to push the set now. Updates
 * flap tracking, so call it once per round with fresh desired values. */
struct cost_decision cost_sched_decide(struct cost_sched *s, struct cost_sched_link *links, size_t n,
				       const struct cost_params *p, int64_t now_us);

/* BIRD accepted the targets of the last decision: they are now announced. */
void cost_sched_commit(struct cost_sched *s, struct cost_sched_link *links, size_t n, int64_t now_us);

#endif
