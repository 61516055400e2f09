/* Path quality's control commands: link_history (the kept figures of one
 * link), cost, drain and undrain (the operator's say, kept in the record). */
#include "daemon/quality/quality_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ctl/ctlproto.h"
#include "common/util/clock.h"
#include "common/util/log.h"

/* ---- control commands ---- */

static struct link *request_link(struct quality *q, struct ctl_request *req, const json_t *args)
{
	const char *name = json_string_value(json_object_get(args, "name"));
	struct link *l;

	if (!name) {
		ctl_request_reply(req, wgm_ctl_reply_error("name: missing (a link name, see `wgmesh links`)"));
		return NULL;
	}
	l = links_find(q->d.links, name);
	if (!l || !qlink_of(l)) {
		ctl_request_reply(req, wgm_ctl_reply_error("%s: no such link", name));
		return NULL;
	}
	return l;
}

static void handle_link_history(struct ctl_request *req, const json_t *args, void *ctx)
{
	struct quality *q = ctx;
	struct link *l = request_link(q, req, args);
	struct qlink *ql;
	uint32_t *rtts;
	size_t n;
	json_t *reply, *rtt, *costs;

	if (!l)
		return;
	ql = qlink_of(l);
	rtts = calloc(q->stats_params.capacity, sizeof(*rtts));
	reply = wgm_ctl_reply_ok();
	rtt = json_array();
	costs = json_array();
	if (!rtts || !reply || !rtt || !costs) {
		free(rtts);
		json_decref(reply);
		json_decref(rtt);
		json_decref(costs);
		ctl_request_reply(req, wgm_ctl_reply_error("out of memory"));
		return;
	}
	n = link_stats_recent_rtts(ql->stats, rtts, q->stats_params.capacity);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(rtt, rtts[i] == LINK_RTT_LOST ? json_null() : json_real(rtts[i] / 1000.0));
	free(rtts);
	for (size_t i = 0; i < ql->history_len; i++) {
		size_t at = (ql->history_next + QUALITY_COST_HISTORY - ql->history_len + i) % QUALITY_COST_HISTORY;
		json_array_append_new(costs,
				      json_pack("[I, i]", (json_int_t)ql->history[at].ts, (int)ql->history[at].cost));
	}
	json_object_set_new(reply, "name", json_string(l->rec.name));
	json_object_set_new(reply, "interval_ms", json_integer(q->d.cfg->probe_interval_ms));
	json_object_set_new(reply, "rtt_ms", rtt);
	json_object_set_new(reply, "cost", costs);
	ctl_request_reply(req, reply);
}

/* An operator change: saved in the link's record first, then applied. */
struct operator_change {
	struct quality *q;
	struct ctl_request *req;
	char name[LINK_NAME_MAX + 1];
};

static void operator_saved(int rc, const char *err, void *ctx)
{
	struct operator_change *oc = ctx;
	struct quality *q = oc->q;
	struct link *l = links_find(q->d.links, oc->name);

	if (rc < 0) {
		ctl_request_reply(oc->req, wgm_ctl_reply_error("%s: cannot save the change: %s", oc->name, err));
	} else if (!l) {
		ctl_request_reply(oc->req, wgm_ctl_reply_error("%s: the link went away meanwhile", oc->name));
	} else {
		json_t *reply = wgm_ctl_reply_ok();
		/* Operator actions reach BIRD at once (the scheduler treats them as urgent). */
		quality_evaluate(q, wgm_mono_us());
		json_object_set_new(reply, "link", links_link_json(q->d.links, l));
		ctl_request_reply(oc->req, reply);
	}
	free(oc);
}

static void operator_apply(struct quality *q, struct ctl_request *req, struct link *l)
{
	struct operator_change *oc = calloc(1, sizeof(*oc));
	int rc;

	if (!oc) {
		ctl_request_reply(req, wgm_ctl_reply_error("out of memory"));
		return;
	}
	oc->q = q;
	oc->req = req;
	snprintf(oc->name, sizeof(oc->name), "%s", l->rec.name);
	rc = links_save(q->d.links, l, operator_saved, oc);
	if (rc < 0) {
		free(oc);
		ctl_request_reply(req,
				  wgm_ctl_reply_error("%s: cannot save the change: %s", l->rec.name, strerror(-rc)));
	}
}

static void handle_cost(struct ctl_request *req, const json_t *args, void *ctx)
{
	struct quality *q = ctx;
	const json_t *cost = json_object_get(args, "cost");
	struct link *l;
	json_int_t v;

	if (!cost) {
		ctl_request_reply(req, wgm_ctl_reply_error("cost: missing (1-65535, or null to clear the override)"));
		return;
	}
	if (!json_is_null(cost) &&
	    (!json_is_integer(cost) || (v = json_integer_value(cost)) < COST_MIN || v > COST_DEAD)) {
		ctl_request_reply(req, wgm_ctl_reply_error("cost: must be 1-65535, or null to clear the override"));
		return;
	}
	if (!(l = request_link(q, req, args)))
		return;
	l->rec.cost_override = json_is_null(cost) ? LINK_COST_NONE : (int)json_integer_value(cost);
	if (l->rec.cost_override == LINK_COST_NONE)
		log_notice("link %s: cost override cleared by the operator", l->rec.name);
	else
		log_notice("link %s: cost set to %d by the operator", l->rec.name, l->rec.cost_override);
	operator_apply(q, req, l);
}

static void set_drained(struct ctl_request *req, const json_t *args, struct quality *q, bool drained)
{
	struct link *l = request_link(q, req, args);

	if (!l)
		return;
	l->rec.drained = drained;
	log_notice("link %s: %s by the operator", l->rec.name,
		   drained ? "drained (traffic leaves it)" : "undrained (back to its measured cost)");
	operator_apply(q, req, l);
}

static void handle_drain(struct ctl_request *req, const json_t *args, void *ctx)
{
	set_drained(req, args, ctx, true);
}

static void handle_undrain(struct ctl_request *req, const json_t *args, void *ctx)
{
	set_drained(req, args, ctx, false);
}

int quality_register(struct quality *q, struct ctl_server *ctl)
{
	int rc;

	if ((rc = ctl_server_register(ctl, WGM_CTL_CMD_LINK_HISTORY, handle_link_history, q)) < 0 ||
	    (rc = ctl_server_register(ctl, WGM_CTL_CMD_COST, handle_cost, q)) < 0 ||
	    (rc = ctl_server_register(ctl, WGM_CTL_CMD_DRAIN, handle_drain, q)) < 0 ||
	    (rc = ctl_server_register(ctl, WGM_CTL_CMD_UNDRAIN, handle_undrain, q)) < 0)
		return rc;
	return 0;
}
