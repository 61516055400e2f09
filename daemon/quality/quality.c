#include "daemon/quality/quality.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/ctl/ctlproto.h"
#include "common/util/clock.h"
#include "common/util/err.h"
#include "common/util/log.h"
#include "common/util/sorted_ids.h"
#include "daemon/quality/quality_internal.h"

/* ---- probing ---- */

/* Where id is or would go in q->targets. */
static size_t target_pos(const struct quality *q, uint32_t id)
{
	return WGM_SORTED_LOWER_BOUND(q->targets, q->n_targets, id, id);
}

static struct qlink *target_find(const struct quality *q, uint32_t id)
{
	size_t at = target_pos(q, id);

	return at < q->n_targets && q->targets[at].id == id ? q->targets[at].ql : NULL;
}

static int target_index_add(struct quality *q, uint32_t id, struct qlink *ql)
{
	size_t at;

	if (q->n_targets == q->cap_targets) {
		size_t cap = q->cap_targets ? 2 * q->cap_targets : 16;
		struct target_ref *grown = realloc(q->targets, cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		q->targets = grown;
		q->cap_targets = cap;
	}
	at = target_pos(q, id);
	memmove(&q->targets[at + 1], &q->targets[at], (q->n_targets - at) * sizeof(q->targets[0]));
	q->targets[at] = (struct target_ref){ .id = id, .ql = ql };
	q->n_targets++;
	return 0;
}

static void target_index_remove(struct quality *q, uint32_t id)
{
	size_t at = target_pos(q, id);

	if (at == q->n_targets || q->targets[at].id != id)
		return;
	memmove(&q->targets[at], &q->targets[at + 1], (q->n_targets - at - 1) * sizeof(q->targets[0]));
	q->n_targets--;
}

static void on_probe_result(void *ctx, const struct probe_result *r)
{
	struct quality *q = ctx;
	struct qlink *ql = target_find(q, r->target_id);

	if (ql) {
		switch (r->outcome) {
		case PROBE_SENT:
			link_stats_on_sent(ql->stats, r->sent_us);
			break;
		case PROBE_ANSWERED:
			if (!ql->answered) {
				/* The link's record starts after its first answer.
				 * Probes lost while the tunnel was still handshaking
				 * are not the link's loss, and the ones answered
				 * first waited in the WireGuard device for that
				 * handshake (200-400 ms on a loaded machine, 1-15 ms
				 * after): counted, that one RTT made a jitter event
				 * that kept a new link off its routes for minutes.
				 * Answers to probes sent before now are not found in
				 * the emptied ring, so they are left out as well. */
				ql->answered = true;
				link_stats_reset(ql->stats);
				memset(&ql->cost_state, 0, sizeof(ql->cost_state));
				break;
			}
			link_stats_on_answer(ql->stats, r->sent_us, r->rtt_us);
			break;
		case PROBE_LOST:
			link_stats_on_lost(ql->stats, r->sent_us);
			break;
		}
	}
}

static void on_prober_readable(struct loop *loop, int fd, uint32_t events, void *ctx)
{
	struct quality *q = ctx;

	(void)loop;
	(void)events;
	prober_on_readable(q->prober, fd, wgm_mono_us());
}

static void target_drop(struct quality *q, struct qlink *ql)
{
	if (!ql->has_target)
		return;
	quality_bw_link_gone(q, ql);
	prober_remove_target(q->prober, ql->target_id);
	target_index_remove(q, ql->target_id);
	ql->has_target = false;
	ql->answered = false;
	link_stats_reset(ql->stats);
	ql->state = LINK_STATE_UNKNOWN;
	ql->dead_since_us = 0;
}

/* Probes exactly the active links: a link that went down, failed or is
 * being removed has no target; one that became active gets one. */
static void sync_targets(struct quality *q)
{
	for (struct link *l = links_first(q->d.links); l; l = l->next) {
		struct qlink *ql = qlink_of(l);
		bool active = l->phase == LINK_PHASE_ACTIVE;
		char remote[INET_ADDRSTRLEN], err[256];
		int rc;

		if (!ql || active == ql->has_target)
			continue;
		if (!active) {
			target_drop(q, ql);
			continue;
		}
		inet_ntop(AF_INET, &l->rec.remote4, remote, sizeof(remote));
		rc = prober_add_target(q->prober, l->rec.name, remote, &ql->target_id, err, sizeof(err));
		if (rc == 0 && (rc = target_index_add(q, ql->target_id, ql)) < 0) {
			prober_remove_target(q->prober, ql->target_id);
			snprintf(err, sizeof(err), "out of memory");
		}
		if (rc == 0) {
			ql->has_target = true;
			ql->target_since_us = wgm_mono_us();
			ql->wg_next_us = 0;
			ql->target_error_logged = false;
			link_stats_reset(ql->stats);
		} else if (!ql->target_error_logged) {
			/* Retried every round; said once. */
			log_warn("link %s: cannot probe it: %s", l->rec.name, err);
			ql->target_error_logged = true;
		}
	}
}

/* ---- costs ---- */

static bool link_is_client(const struct quality *q, const struct link *l)
{
	return l->rec.remote_id >= 200 || q->d.cfg->bird.client;
}

static void publish_link_state(struct quality *q, struct qlink *ql)
{
	const struct link *l = ql->link;
	json_t *ev;

	if (!q->d.ctl)
		return;
	ev = wgm_ctl_event_new(WGM_CTL_EVENT_LINK_STATE);
	if (!ev)
		return;
	json_object_set_new(ev, "name", json_string(l->rec.name));
	json_object_set_new(ev, "state", json_string(link_stats_state_name(ql->state)));
	json_object_set_new(ev, "remote_id", json_integer(l->rec.remote_id));
	ctl_server_publish(q->d.ctl, ev);
}

static void compute_link(struct quality *q, struct qlink *ql, int64_t now)
{
	struct link *l = ql->link;
	bool active = l->phase == LINK_PHASE_ACTIVE && ql->has_target;
	struct link_summary sum;
	struct cost_input in;
	struct cost_link_state scratch;

	link_stats_summary(ql->stats, now, &sum);
	in = cost_input_from_summary(&sum, link_is_client(q, l), l->rec.drained || l->rotation_drained,
				     l->rec.cost_override == LINK_COST_NONE ? 0 : (uint32_t)l->rec.cost_override);
	if (!active)
		in.dead = true;
	if (q->d.cfg->operation_mode == WGM_OPMODE_BANDWIDTH && ql->bw_has) {
		in.has_bandwidth = true;
		in.bandwidth_mbps = ql->bw_mbps;
	}
	in.measuring = now < ql->bw_quiet_until_us;
	/* What the measurements alone say, on a copy so events count once
	 * (the same as the cost unless the operator drained or fixed it). */
	if (in.drained || in.override) {
		struct cost_input measured = in;
		scratch = ql->cost_state;
		measured.drained = false;
		measured.override = 0;
		ql->measured = cost_compute(&scratch, &measured, &q->cost_params, now, NULL, 0);
	}
	ql->sched.desired = cost_compute(&ql->cost_state, &in, &q->cost_params, now, ql->reason, sizeof(ql->reason));
	if (!in.drained && !in.override)
		ql->measured = ql->sched.desired;

	if (active && sum.state != LINK_STATE_UNKNOWN && sum.state != ql->state) {
		enum link_state before = ql->state;
		ql->state = sum.state;
		ql->dead_since_us = sum.state == LINK_STATE_DEAD ? wgm_mono_us() : 0;
		if (sum.state == LINK_STATE_UP) {
			log_notice("link %s to node %u is up%s", l->rec.name, l->rec.remote_id,
				   before == LINK_STATE_UNKNOWN ? "" : " again");
			if (before != LINK_STATE_UNKNOWN)
				notify_send(q->d.notify, NOTIFY_UP, "link %s to node %u is up again", l->rec.name,
					    l->rec.remote_id);
		} else {
			log_warn("link %s to node %u is %s (%u probes lost in a row)", l->rec.name, l->rec.remote_id,
				 link_stats_state_name(sum.state), sum.consecutive_lost);
			notify_send(q->d.notify, NOTIFY_DOWN, "link %s to node %u is %s (%u probes lost in a row)",
				    l->rec.name, l->rec.remote_id, link_stats_state_name(sum.state),
				    sum.consecutive_lost);
		}
		publish_link_state(q, ql);
	}
}

static void history_add(struct qlink *ql, uint16_t cost)
{
	ql->history[ql->history_next].ts = wgm_real_us() / 1000000;
	ql->history[ql->history_next].cost = cost;
	ql->history_next = (ql->history_next + 1) % QUALITY_COST_HISTORY;
	if (ql->history_len < QUALITY_COST_HISTORY)
		ql->history_len++;
}

static void publish_cost(struct quality *q, struct qlink *ql, bool had_old, uint16_t old_cost)
{
	json_t *ev;

	if (!q->d.ctl)
		return;
	ev = wgm_ctl_event_new(WGM_CTL_EVENT_COST);
	if (!ev)
		return;
	json_object_set_new(ev, "name", json_string(ql->link->rec.name));
	if (had_old)
		json_object_set_new(ev, "old", json_integer(old_cost));
	json_object_set_new(ev, "new", json_integer(ql->sched.announced.cost));
	json_object_set_new(ev, "reason", json_string(ql->reason));
	ctl_server_publish(q->d.ctl, ev);
}

static void push_done(int rc, const char *err, void *ctx)
{
	struct push_token *tok = ctx;
	struct quality *q = tok->q;
	int64_t now;

	free(tok);
	if (!q)
		return;
	q->push = NULL;
	now = wgm_mono_us();
	for (struct link *l = links_first(q->d.links); l; l = l->next) {
		struct qlink *ql = qlink_of(l);
		bool had_old;
		uint16_t old_cost;

		if (!ql || !ql->pushing)
			continue;
		ql->pushing = false;
		if (rc < 0)
			continue;
		had_old = ql->sched.announced_valid;
		old_cost = ql->sched.announced.cost;
		cost_sched_commit(&q->sched, &ql->sched, 1, now);
		if (had_old && old_cost == ql->sched.announced.cost)
			continue;
		history_add(ql, ql->sched.announced.cost);
		if (had_old) {
			log_notice("link %s: cost %u -> %u (%s)", l->rec.name, old_cost, ql->sched.announced.cost,
				   ql->reason);
			notify_send(q->d.notify, NOTIFY_DIAG, "link %s: cost %u -> %u (%s)", l->rec.name, old_cost,
				    ql->sched.announced.cost, ql->reason);
		} else
			log_info("link %s: cost %u (%s)", l->rec.name, ql->sched.announced.cost, ql->reason);
		publish_cost(q, ql, had_old, old_cost);
	}
	if (rc < 0) {
		/* Retried by the next round; said again only when the reason changes. */
		if (strcmp(q->last_push_error, err ? err : "") != 0) {
			log_err("BIRD did not take the new link costs: %s", err ? err : "unknown error");
			notify_send(q->d.notify, NOTIFY_ERROR, "BIRD did not take the new link costs: %s",
				    err ? err : "unknown error");
		}
		snprintf(q->last_push_error, sizeof(q->last_push_error), "%s", err ? err : "");
	} else {
		q->last_push_error[0] = '\0';
	}
	if (q->evaluate_after_push) {
		q->evaluate_after_push = false;
		quality_evaluate(q, now);
	}
}

static void schedule(struct quality *q, int64_t now)
{
	struct cost_sched_link *arr;
	struct cost_decision d;
	size_t n = 0, i = 0;

	if (!q->apply)
		return;
	if (q->push) {
		q->evaluate_after_push = true;
		return;
	}
	for (struct link *l = links_first(q->d.links); l; l = l->next)
		n += qlink_of(l) != NULL;
	if (n == 0)
		return;
	arr = calloc(n, sizeof(*arr));
	if (!arr)
		return;
	for (struct link *l = links_first(q->d.links); l && i < n; l = l->next)
		if (qlink_of(l))
			arr[i++] = qlink_of(l)->sched;
	d = cost_sched_decide(&q->sched, arr, n, &q->cost_params, now);
	i = 0;
	for (struct link *l = links_first(q->d.links); l && i < n; l = l->next) {
		struct qlink *ql = qlink_of(l);
		if (!ql)
			continue;
		ql->sched = arr[i++];
		ql->pushing = d.push;
	}
	free(arr);
	/* Mostly the same deadline round after round: a timerfd call saved. */
	if (d.next_check_us > now && (d.next_check_us != q->check_at_us || !loop_timer_armed(q->check_timer))) {
		loop_timer_arm(q->check_timer, (uint64_t)(d.next_check_us - now + 999) / 1000, 0);
		q->check_at_us = d.next_check_us;
	}
	if (!d.push)
		return;
	q->push = calloc(1, sizeof(*q->push));
	if (q->push) {
		int rc;
		q->push->q = q;
		rc = q->apply(d.reason == COST_PUSH_URGENT, push_done, q->push, q->apply_ctx);
		if (rc == 0)
			return;
		free(q->push);
		q->push = NULL;
		log_err("cannot ask BIRD for new link costs: %s", strerror(-rc));
	}
	for (struct link *l = links_first(q->d.links); l; l = l->next)
		if (qlink_of(l))
			qlink_of(l)->pushing = false;
}

void quality_evaluate(struct quality *q, int64_t now)
{
	for (struct link *l = links_first(q->d.links); l; l = l->next)
		if (qlink_of(l))
			compute_link(q, qlink_of(l), now);
	schedule(q, now);
}

static void publish_metrics(struct quality *q)
{
	json_t *ev;

	if (!q->d.ctl || ctl_server_subscriber_count(q->d.ctl) == 0)
		return;
	ev = wgm_ctl_event_new(WGM_CTL_EVENT_METRICS);
	if (!ev)
		return;
	json_object_set_new(ev, "links", links_to_json(q->d.links));
	ctl_server_publish(q->d.ctl, ev);
}

static void on_round(struct loop *loop, struct loop_timer *timer, void *ctx)
{
	struct quality *q = ctx;
	int64_t now = wgm_mono_us();

	(void)loop;
	(void)timer;
	sync_targets(q);
	quality_bw_tick(q, now);
	prober_send_round(q->prober, now);
	counters_probe_round(q->d.counters);
	quality_evaluate(q, now);
	publish_metrics(q);
	if (q->probe_timeout_us < (int64_t)q->d.cfg->probe_interval_ms * 1000)
		loop_timer_arm(q->expire_timer, (uint64_t)q->probe_timeout_us / 1000 + 5, 0);
}

static void on_expire(struct loop *loop, struct loop_timer *timer, void *ctx)
{
	struct quality *q = ctx;

	(void)loop;
	(void)timer;
	prober_expire(q->prober, wgm_mono_us());
}

static void on_check(struct loop *loop, struct loop_timer *timer, void *ctx)
{
	struct quality *q = ctx;

	(void)loop;
	(void)timer;
	quality_evaluate(q, wgm_mono_us());
}

/* ---- link table hooks ---- */

static void on_link_added(struct link *link, void *ctx)
{
	struct quality *q = ctx;
	struct qlink *ql = calloc(1, sizeof(*ql));

	if (ql)
		ql->stats = link_stats_new(&q->stats_params);
	if (!ql || !ql->stats) {
		free(ql);
		log_err("link %s: out of memory for its measurements; it is not probed", link->rec.name);
		return;
	}
	ql->link = link;
	link->quality = ql;
}

static void on_link_active(struct link *link, void *ctx)
{
	struct quality *q = ctx;

	(void)link;
	/* Probe it from the next round on; costs follow in the same round. */
	sync_targets(q);
}

static void on_link_removed(struct link *link, void *ctx)
{
	struct quality *q = ctx;
	struct qlink *ql = qlink_of(link);

	if (!ql)
		return;
	target_drop(q, ql);
	quality_bw_link_gone(q, ql);
	link_stats_free(ql->stats);
	free(ql);
	link->quality = NULL;
}

/* ---- control-socket form ---- */

static json_t *ms_or_null(uint32_t us, bool valid)
{
	return valid ? json_real(us / 1000.0) : json_null();
}

/* Percentages to two decimals: what they mean, and what clients print. */
static json_t *pct_json(double pct)
{
	return json_real(round(pct * 100.0) / 100.0);
}

/* The probes of the last minute at the configured interval. */
static size_t minute_probes(const struct quality *q)
{
	size_t n = q->d.cfg->probe_interval_ms ? 60000u / q->d.cfg->probe_interval_ms : 60;

	return n < 1 ? 1 : n > q->stats_params.capacity ? q->stats_params.capacity : n;
}

/* The figures as they are: the last RTT, the loss behind the cost and over
 * a minute, the cost's reason in one word and when its penalty ends. */
static void link_json_now(const struct quality *q, const struct qlink *ql, const struct link_summary *sum, int64_t now,
			  json_t *obj)
{
	int64_t end = cost_penalty_end_us(&ql->cost_state, &q->cost_params, now);

	json_object_set_new(obj, "rtt_last_ms", ms_or_null(sum->last_rtt_us, sum->has_rtt && !sum->consecutive_lost));
	json_object_set_new(obj, "loss_window_pct", pct_json(sum->loss_recent_pct));
	json_object_set_new(obj, "loss_window_probes", json_integer((json_int_t)q->stats_params.recent_window));
	json_object_set_new(obj, "loss_minute_pct", pct_json(link_stats_loss_pct(ql->stats, minute_probes(q))));
	json_object_set_new(obj, "cost_reason",
			    json_string(cost_reason_word(&ql->cost_state, ql->sched.desired, &q->cost_params, now)));
	json_object_set_new(obj, "cost_detail", json_string(ql->reason));
	json_object_set_new(obj, "penalty_until",
			    end ? json_integer((json_int_t)((wgm_real_us() + (end - now)) / 1000000)) : json_null());
}

static void link_json_extra(const struct link *link, json_t *obj, void *ctx)
{
	struct qlink *ql = qlink_of(link);
	struct link_summary sum;
	uint32_t recent[RECENT_SAMPLES];
	int64_t now = wgm_mono_us();
	size_t n;
	json_t *arr;
	const struct quality *q = ctx;

	if (!ql)
		return;
	link_stats_summary(ql->stats, now, &sum);
	if (link->phase == LINK_PHASE_ACTIVE) {
		if (sum.state != LINK_STATE_UNKNOWN)
			json_object_set_new(obj, "state", json_string(link_stats_state_name(sum.state)));
	} else {
		/* The contract's states are up/down/dead; the phase says why. */
		json_object_set_new(obj, "phase", json_string(link_phase_name(link->phase)));
		json_object_set_new(obj, "state", json_string(link->phase == LINK_PHASE_FAILED ? "dead" : "down"));
	}
	json_object_set_new(obj, "rtt_ms", ms_or_null(sum.srtt_us, sum.has_rtt));
	json_object_set_new(obj, "rtt_min_ms", ms_or_null(sum.min_rtt_us, sum.min_rtt_us > 0));
	json_object_set_new(obj, "rtt_max_ms", ms_or_null(sum.max_rtt_us, sum.max_rtt_us > 0));
	json_object_set_new(obj, "loss_pct", pct_json(sum.loss_pct));
	json_object_set_new(obj, "jitter_ms", json_real(sum.jitter_us / 1000.0));
	json_object_set_new(obj, "cost", json_integer(quality_bird_cost(link)));
	json_object_set_new(obj, "cost_measured", json_integer(ql->measured.cost));
	json_object_set_new(obj, "cost_wanted", json_integer(ql->sched.desired.cost));
	link_json_now(q, ql, &sum, now, obj);
	json_object_set_new(obj, "rx_bytes", json_integer((json_int_t)sum.rx_bytes));
	json_object_set_new(obj, "tx_bytes", json_integer((json_int_t)sum.tx_bytes));
	json_object_set_new(obj, "rx_rate", json_real((double)sum.rx_bytes_per_s));
	json_object_set_new(obj, "tx_rate", json_real((double)sum.tx_bytes_per_s));
	json_object_set_new(obj, "last_handshake", json_integer(ql->last_handshake));
	if (q && q->d.cfg->operation_mode == WGM_OPMODE_BANDWIDTH) {
		json_object_set_new(obj, "bandwidth_mbps", ql->bw_has ? json_integer(ql->bw_mbps) : json_null());
		json_object_set_new(obj, "bandwidth_at", ql->bw_has ? json_integer(ql->bw_at) : json_null());
	}
	n = link_stats_recent_rtts(ql->stats, recent, RECENT_SAMPLES);
	arr = json_array();
	for (size_t i = 0; arr && i < n; i++)
		json_array_append_new(arr, recent[i] == LINK_RTT_LOST ? json_null() : json_real(recent[i] / 1000.0));
	json_object_set_new(obj, "rtt_recent", arr);
}

bool quality_link_view(const struct link *link, struct quality_link_view *out)
{
	struct qlink *ql = qlink_of(link);
	struct link_summary sum;

	memset(out, 0, sizeof(*out));
	if (!ql)
		return false;
	link_stats_summary(ql->stats, wgm_mono_us(), &sum);
	out->rx_bytes_per_s = sum.rx_bytes_per_s;
	out->tx_bytes_per_s = sum.tx_bytes_per_s;
	out->probes_answered = sum.probes_answered;
	out->loss_pct = sum.loss_pct;
	return true;
}

/* The cost BIRD should have, with what it is based on. */
static struct cost_value bird_cost_value(const struct qlink *ql)
{
	if (!ql)
		return (struct cost_value){ COST_DEAD, COST_BASIS_DEAD };
	if (ql->pushing)
		return ql->sched.target;
	if (ql->sched.announced_valid)
		return ql->sched.announced;
	/* Not computed yet (a link that just appeared): not measured either. */
	if (ql->sched.desired.cost)
		return ql->sched.desired;
	return (struct cost_value){ (uint16_t)cost_params_default().unmeasured_cost, COST_BASIS_UNMEASURED };
}

int64_t quality_link_dead_ms(const struct link *link)
{
	const struct qlink *ql = qlink_of(link);

	if (!ql || ql->state != LINK_STATE_DEAD || ql->dead_since_us == 0)
		return -1;
	return (wgm_mono_us() - ql->dead_since_us) / 1000;
}

unsigned quality_bird_cost(const struct link *link)
{
	return bird_cost_value(qlink_of(link)).cost;
}

bool quality_link_metrics(const struct link *link, struct quality_link_metrics *out)
{
	struct qlink *ql = qlink_of(link);
	struct link_summary sum;
	struct cost_value cost;

	memset(out, 0, sizeof(*out));
	if (!ql)
		return false;
	link_stats_summary(ql->stats, wgm_mono_us(), &sum);
	/* The same state `links` shows (link_json_extra): an active link no
	 * probe has finished on yet keeps the link table's "up". */
	if (link->phase != LINK_PHASE_ACTIVE)
		out->state = link->phase == LINK_PHASE_FAILED ? "dead" : "down";
	else
		out->state = sum.state != LINK_STATE_UNKNOWN ? link_stats_state_name(sum.state) : "up";
	out->has_rtt = sum.has_rtt;
	out->rtt_ms = sum.srtt_us / 1000.0;
	out->rtt_min_ms = sum.min_rtt_us / 1000.0;
	out->rtt_max_ms = sum.max_rtt_us / 1000.0;
	out->loss_pct = sum.loss_pct;
	out->jitter_ms = sum.jitter_us / 1000.0;
	cost = bird_cost_value(ql);
	out->cost = cost.cost;
	out->cost_basis = cost_basis_name(cost.basis);
	out->rx_bytes = sum.rx_bytes;
	out->tx_bytes = sum.tx_bytes;
	out->last_handshake = ql->last_handshake;
	return true;
}

/* ---- life ---- */

int quality_new(const struct quality_deps *deps, struct quality **out, char *err, size_t errlen)
{
	struct quality *q = calloc(1, sizeof(*q));
	struct prober_params pp = prober_params_default();
	struct links_hooks hooks = {
		.added = on_link_added, .active = on_link_active, .removed = on_link_removed, .ctx = NULL
	};
	int rc;

	if (!q) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	q->d = *deps;
	hooks.ctx = q;
	q->stats_params = quality_stats_params(deps->cfg->probe_interval_ms);
	q->cost_params = quality_cost_params(deps->cfg);
	if ((rc = link_stats_params_check(&q->stats_params, err, errlen)) < 0 ||
	    (rc = cost_params_check(&q->cost_params, err, errlen)) < 0)
		goto fail;
	q->probe_timeout_us = pp.timeout_us;
	if ((rc = prober_new(&pp, on_probe_result, q, &q->prober, err, errlen)) < 0)
		goto fail;
	if (prober_fd4(q->prober) >= 0 &&
	    (rc = loop_watch_add(deps->loop, prober_fd4(q->prober), EPOLLIN, on_prober_readable, q, &q->watch4)) < 0)
		goto fail_loop;
	if (prober_fd6(q->prober) >= 0 &&
	    (rc = loop_watch_add(deps->loop, prober_fd6(q->prober), EPOLLIN, on_prober_readable, q, &q->watch6)) < 0)
		goto fail_loop;
	if ((rc = loop_timer_new(deps->loop, on_round, q, &q->round_timer)) < 0 ||
	    (rc = loop_timer_new(deps->loop, on_expire, q, &q->expire_timer)) < 0 ||
	    (rc = loop_timer_new(deps->loop, on_check, q, &q->check_timer)) < 0 ||
	    (rc = loop_timer_new(deps->loop, quality_on_wg_timer, q, &q->wg_timer)) < 0 ||
	    (rc = quality_bw_init(q)) < 0)
		goto fail_loop;
	if ((rc = links_add_hooks(deps->links, &hooks)) < 0) {
		snprintf(err, errlen, "link table: too many hooks");
		goto fail;
	}
	links_set_json_extra(deps->links, link_json_extra, q);
	/* Links already in the table (none at start, but keep it true). */
	for (struct link *l = links_first(deps->links); l; l = l->next)
		if (!l->quality)
			on_link_added(l, q);
	loop_timer_arm(q->round_timer, deps->cfg->probe_interval_ms, deps->cfg->probe_interval_ms);
	loop_timer_arm(q->wg_timer, QUALITY_WG_TICK_MS / 2, QUALITY_WG_TICK_MS);
	*out = q;
	return 0;
fail_loop:
	snprintf(err, errlen, "event loop: %s", strerror(-rc));
fail:
	quality_free(q);
	return rc;
}

/* New ring sizes: every link's figures start over (as when it comes back). */
static void restart_figures(struct quality *q, const struct link_stats_params *sp)
{
	for (struct link *l = links_first(q->d.links); l; l = l->next) {
		struct qlink *ql = qlink_of(l);
		struct link_stats *stats;

		if (!ql)
			continue;
		stats = link_stats_new(sp);
		if (!stats) {
			log_err("link %s: out of memory for its measurements; it keeps the old ring", l->rec.name);
			continue;
		}
		link_stats_free(ql->stats);
		ql->stats = stats;
		ql->answered = false;
	}
}

void quality_config_changed(struct quality *q, const char *key)
{
	static const char *const keys[] = { "reloadPercentage", "minReloadInterval",
					    "reloadInterval",   "costEventWindow",
					    "jitterThreshold",  "hopCost",
					    "probeInterval",    NULL };
	static const char *const bw_keys[] = { "operationMode", "bandwidthInterval", "bandwidthDuration",
					       "bandwidthPort" };
	struct cost_params cp = quality_cost_params(q->d.cfg);
	struct link_stats_params sp;
	char err[256];
	size_t i;

	for (i = 0; i < WGM_ARRAY_LEN(bw_keys); i++)
		if (strcmp(bw_keys[i], key) == 0) {
			int64_t now = wgm_mono_us();
			quality_bw_config_changed(q, key);
			/* Processes and costs follow at once, not at the next round. */
			quality_bw_tick(q, now);
			quality_evaluate(q, now);
			return;
		}
	for (i = 0; keys[i] && strcmp(keys[i], key) != 0; i++)
		;
	if (!keys[i])
		return;
	/* The config was validated; the engines check their own ranges too. */
	if (cost_params_check(&cp, err, sizeof(err)) < 0) {
		log_err("%s not applied to path quality: %s", key, err);
		return;
	}
	q->cost_params = cp;
	if (strcmp(key, "probeInterval") != 0)
		return;
	sp = quality_stats_params(q->d.cfg->probe_interval_ms);
	if (link_stats_params_check(&sp, err, sizeof(err)) < 0) {
		log_err("probeInterval not applied to path quality: %s", err);
		return;
	}
	q->stats_params = sp;
	restart_figures(q, &sp);
	loop_timer_arm(q->round_timer, q->d.cfg->probe_interval_ms, q->d.cfg->probe_interval_ms);
}

void quality_set_apply(struct quality *q, quality_apply_fn fn, void *ctx)
{
	q->apply = fn;
	q->apply_ctx = ctx;
}

void quality_free(struct quality *q)
{
	if (!q)
		return;
	if (q->push)
		q->push->q = NULL; /* freed by its callback */
	if (q->bw_timer)
		quality_bw_free(q);
	for (struct link *l = links_first(q->d.links); l; l = l->next)
		on_link_removed(l, q);
	links_set_json_extra(q->d.links, NULL, NULL);
	loop_timer_free(q->round_timer);
	loop_timer_free(q->expire_timer);
	loop_timer_free(q->check_timer);
	loop_timer_free(q->wg_timer);
	loop_watch_remove(q->watch4);
	loop_watch_remove(q->watch6);
	prober_free(q->prober);
	free(q->targets);
	free(q);
}
