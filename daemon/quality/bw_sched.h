/* Bandwidth mode's measurement queue (pure; times are monotonic us).
 *
 * One iperf3 run at a time across the node: a run saturates its link, and two
 * at once would share the node's CPU and uplink and measure each other. Each
 * link is measured every `interval`; a link never measured comes first, then
 * the one waiting longest. A failed run is tried again after `retry` (or the
 * interval, if that is shorter), so a link whose peer has no iperf3 yet does
 * not hold its latency cost for an hour. */
#ifndef WGM_DAEMON_BW_SCHED_H
#define WGM_DAEMON_BW_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BW_RETRY_US (60 * 1000000LL)

struct bw_sched_params {
	int64_t interval_us; /* bandwidthInterval */
	int64_t retry_us;    /* after a failed run */
};

/* One link. Zero-initialise: due at once. */
struct bw_sched_link {
	bool eligible;  /* in: measurable now (active, in bandwidth mode) */
	int64_t due_us; /* its next run; 0 = never measured, first in line */
};

/* The index of the link to measure now, or -1 (a run is going on, or nothing
 * is due). *wake_us (if not NULL) gets the earliest future due time of an
 * eligible link, or 0 when there is none; with running set it is 0. */
long bw_sched_pick(const struct bw_sched_link *links, size_t n, bool running, int64_t now_us, int64_t *wake_us);

/* A run of the link ended (ok: it gave a figure). */
void bw_sched_done(struct bw_sched_link *link, bool ok, const struct bw_sched_params *p, int64_t now_us);

#endif
