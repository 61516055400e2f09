/* Per-link probe history and the metrics derived from it (pure: no I/O, no
 * clock; every function that needs the time takes `now_us`).
 *
 * Times are monotonic microseconds (CLOCK_MONOTONIC), RTTs microseconds.
 *
 * Life of a probe, as the daemon wires it to the prober:
 *   link_stats_on_sent(ls, sent_us)            when the echo request leaves
 *   link_stats_on_answer(ls, sent_us, rtt_us)  when its reply arrives, or
 *   link_stats_on_lost(ls, sent_us)            when it timed out / could not be sent
 * The send time identifies the probe, so results may arrive in any order.
 */
#ifndef WGM_DAEMON_LINK_STATS_H
#define WGM_DAEMON_LINK_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A lost probe in link_stats_recent_rtts() output (a gap in a sparkline). */
#define LINK_RTT_LOST UINT32_MAX

struct link_stats_params {
	size_t capacity;           /* ring size in probes; 600 = 10 min at 1 s */
	size_t window;             /* probes for loss %, jitter, min/max (default 60) */
	size_t recent_window;      /* probes for the fast loss % the cost engine reacts to (10) */
	unsigned down_after;       /* consecutive losses that make the link DOWN (3) */
	unsigned dead_after;       /* consecutive losses that make it DEAD (5) */
	int64_t handshake_dead_us; /* handshake older than this (once known) = DEAD (180 s) */
	/* Level shifts: a step of at least shift_min_us between two answers, with
	 * the shift_probes answers on each side of it sitting at their own level,
	 * is a new baseline (a route or a delay that came or went), not jitter:
	 * the step is left out of the jitter, and the smoothed RTT jumps to the
	 * new level once shift_probes answers confirm it. */
	uint32_t shift_min_us; /* 5000 = 5 ms */
	unsigned shift_probes; /* 5 */
};

/* Defaults for a probe interval of 1 s. */
struct link_stats_params link_stats_params_default(void);

/* Returns 0, or -EINVAL with one line in err naming the bad field. */
int link_stats_params_check(const struct link_stats_params *p, char *err, size_t errlen);

enum link_state {
	LINK_STATE_UNKNOWN = 0, /* no probe has finished yet */
	LINK_STATE_UP,
	LINK_STATE_DOWN, /* the last down_after probes were lost */
	LINK_STATE_DEAD, /* dead_after consecutive losses, or no recent handshake */
};

/* The probes' verdict as the control protocol spells it ("up", "down",
 * "dead"; wgm_ctl_link_state_name), or "unknown" before the first probe ends.
 * Not wgm_ctl_link_state_name itself: that names a link's whole state, of which
 * creating, removing and failed come from the links layer, not the probes. */
const char *link_stats_state_name(enum link_state state);

struct link_stats;

/* NULL on allocation failure or invalid params (check them first). Memory:
 * about 16 bytes per ring slot plus a small header (see link_stats_size). */
struct link_stats *link_stats_new(const struct link_stats_params *p);
void link_stats_free(struct link_stats *ls);
size_t link_stats_size(const struct link_stats_params *p);

/* Forgets all samples, counters and state (e.g. after the link was recreated). */
void link_stats_reset(struct link_stats *ls);

void link_stats_on_sent(struct link_stats *ls, int64_t sent_us);
/* Unknown send times (already overwritten, or never sent) are ignored; an
 * answer for a probe already counted lost turns it back into an answer. */
void link_stats_on_answer(struct link_stats *ls, int64_t sent_us, uint32_t rtt_us);
void link_stats_on_lost(struct link_stats *ls, int64_t sent_us);

/* WireGuard transfer counters as read from the device. A counter that went
 * backwards (interface recreated) restarts the rate baseline. */
void link_stats_on_counters(struct link_stats *ls, int64_t now_us, uint64_t rx_bytes, uint64_t tx_bytes);

/* Last handshake as a monotonic time; 0 = the peer never completed one.
 * Until this is called once, handshakes are not part of the state. */
void link_stats_on_handshake(struct link_stats *ls, int64_t last_handshake_us);

struct link_summary {
	enum link_state state;
	bool has_rtt;     /* false until a probe was answered */
	uint32_t srtt_us; /* EWMA, gain 1/8 like TCP's srtt */
	uint32_t last_rtt_us;
	uint32_t min_rtt_us; /* over the window; 0 when no answer in it */
	uint32_t max_rtt_us;
	uint32_t jitter_us;     /* mean |RTT(i) - RTT(i-1)| over answered pairs in the window,
				    * level shifts left out (see shift_min_us) */
	unsigned level_shifts;  /* steps in the window taken as level shifts, not jitter */
	double loss_pct;        /* over the last `window` finished probes */
	double loss_recent_pct; /* over the last `recent_window` finished probes, runs of
				    * dead_after+ losses (outages) left out; feeds the cost engine */
	unsigned window_probes; /* finished probes the window figures come from */
	unsigned consecutive_lost;
	unsigned clean_probes; /* answered in a row at the newest end (probes in flight
				    * skipped), counted over the window: how long the link has
				    * been clean, for lifting a loss penalty */
	uint64_t probes_sent;  /* totals since creation/reset */
	uint64_t probes_answered;
	uint64_t probes_lost;
	uint64_t rx_bytes, tx_bytes;
	uint64_t rx_bytes_per_s, tx_bytes_per_s; /* between the last two counter readings */
	int64_t handshake_age_us;                /* -1 unknown or never */
};

void link_stats_summary(const struct link_stats *ls, int64_t now_us, struct link_summary *out);

/* Fills out[] with the RTTs of the last (up to) n finished probes, oldest
 * first, LINK_RTT_LOST for lost ones. Returns how many were written. */
size_t link_stats_recent_rtts(const struct link_stats *ls, uint32_t *out, size_t n);

/* Loss % over the last n finished probes (0 when none finished). */
double link_stats_loss_pct(const struct link_stats *ls, size_t n);

#endif
