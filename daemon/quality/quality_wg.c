/* Path quality's WireGuard readings: one worker job reads every due link's
 * counters and last handshake; a device that stops answering is repaired. */
#include "daemon/quality/quality_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ctl/ctlproto.h"
#include "common/util/clock.h"
#include "common/util/log.h"

/* ---- WireGuard counters (one worker job for every link) ---- */

struct wg_reading {
	char name[LINK_NAME_MAX + 1];
	int rc;
	char err[200];
	uint64_t rx, tx;
	int64_t handshake_sec, handshake_nsec;
	char endpoint[LINK_ENDPOINT_MAX]; /* the peer's, "" when none */
};

struct wg_read_job {
	struct quality *q;
	struct wgm_wg_backend *wg;
	size_t n;
	struct wg_reading r[];
};

static void run_wg_read(void *ctx)
{
	struct wg_read_job *job = ctx;

	for (size_t i = 0; i < job->n; i++) {
		struct wg_reading *r = &job->r[i];
		struct wgm_wg_device *dev = NULL;

		r->rc = wg_get_device(job->wg, r->name, &dev, r->err, sizeof(r->err));
		if (r->rc < 0)
			continue;
		for (size_t p = 0; p < dev->n_peers; p++) {
			const struct wgm_wg_peer *peer = &dev->peers[p];
			r->rx += peer->rx_bytes;
			r->tx += peer->tx_bytes;
			if (peer->last_handshake_sec > r->handshake_sec) {
				r->handshake_sec = peer->last_handshake_sec;
				r->handshake_nsec = peer->last_handshake_nsec;
			}
			/* A link has one peer. */
			wgm_wg_endpoint_format(peer, r->endpoint, sizeof(r->endpoint));
		}
		wgm_wg_device_free(dev);
	}
}

static void repair_done(int rc, const char *err, void *ctx)
{
	(void)rc;
	(void)err;
	(void)ctx; /* links_repair logs the outcome */
}

static void wg_read_done(void *ctx)
{
	struct wg_read_job *job = ctx;
	struct quality *q = job->q;
	int64_t now = wgm_mono_us(), unix_now = wgm_real_us();

	q->wg_read_running = false;
	for (size_t i = 0; i < job->n; i++) {
		const struct wg_reading *r = &job->r[i];
		struct link *l = links_find(q->d.links, r->name);
		struct qlink *ql = l ? qlink_of(l) : NULL;

		if (!ql || l->phase != LINK_PHASE_ACTIVE)
			continue;
		if (r->rc == 0) {
			ql->wg_failures = 0;
			link_stats_on_counters(ql->stats, now, r->rx, r->tx);
			if (r->handshake_sec > 0) {
				int64_t hs_unix = r->handshake_sec * 1000000 + r->handshake_nsec / 1000;
				link_stats_on_handshake(ql->stats, now - (unix_now - hs_unix));
				ql->last_handshake = r->handshake_sec;
			}
			/* The same reading tells the link table where the peer is. */
			links_peer_seen(q->d.links, l, r->endpoint, r->handshake_sec);
			continue;
		}
		/* Our own interface stopped answering (its wireguard-go died):
		 * bring it back as its record says. */
		if (++ql->wg_failures >= WG_FAILURES_BEFORE_REPAIR && now >= ql->next_repair_us) {
			log_warn("link %s: its WireGuard device does not answer (%s); restarting it", r->name, r->err);
			notify_send(q->d.notify, NOTIFY_ERROR,
				    "link %s: its WireGuard device stopped answering; restarting it", r->name);
			ql->next_repair_us = now + REPAIR_BACKOFF_US;
			ql->wg_failures = 0;
			links_repair(q->d.links, l, repair_done, NULL);
		}
	}
	free(job);
}

static bool wg_read_due(const struct link *l, bool watched, int64_t now)
{
	const struct qlink *ql = qlink_of(l);
	struct quality_wg_view v;

	if (!ql || l->phase != LINK_PHASE_ACTIVE)
		return false;
	v = (struct quality_wg_view){ .watched = watched,
				      .up = ql->has_target && ql->state == LINK_STATE_UP,
				      .failing = ql->wg_failures > 0,
				      .since_us = ql->target_since_us,
				      .next_us = ql->wg_next_us };
	return quality_wg_read_due(&v, now);
}

void quality_on_wg_timer(struct loop *loop, struct loop_timer *timer, void *ctx)
{
	struct quality *q = ctx;
	struct wg_read_job *job;
	size_t n = 0, i = 0;
	bool watched = q->d.ctl && ctl_server_subscriber_count(q->d.ctl) > 0;
	int64_t now = wgm_mono_us();

	(void)loop;
	(void)timer;
	if (q->wg_read_running)
		return;
	for (struct link *l = links_first(q->d.links); l; l = l->next)
		n += wg_read_due(l, watched, now);
	if (n == 0)
		return;
	job = calloc(1, sizeof(*job) + n * sizeof(job->r[0]));
	if (!job)
		return;
	job->q = q;
	job->wg = q->d.wg;
	for (struct link *l = links_first(q->d.links); l && i < n; l = l->next) {
		if (!wg_read_due(l, watched, now))
			continue;
		snprintf(job->r[i++].name, sizeof(job->r[0].name), "%s", l->rec.name);
		qlink_of(l)->wg_next_us = now + (int64_t)QUALITY_WG_SLOW_MS * 1000;
	}
	job->n = i;
	if (worker_submit(q->d.worker, run_wg_read, wg_read_done, job) < 0) {
		free(job);
		return;
	}
	q->wg_read_running = true;
}
