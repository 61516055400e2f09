#include "daemon/mesh/rotation.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/api/api_msg.h"
#include "common/api/json_secret.h"
#include "common/api/obfs_key.h"
#include "common/ctl/ctlproto.h"
#include "common/util/clock.h"
#include "common/util/log.h"
#include "daemon/api/api_call.h"
#include "daemon/links/xor_rotate.h"
#include "daemon/mesh/join.h"

#define TICK_MS 1000

/* The rotation state of one link, found by name; the identity fields tell a
 * link from a later one of the same name. */
struct rot_link {
	struct rotation *rot;
	char name[LINK_NAME_MAX + 1];
	int64_t created;
	uint8_t peer_pk[LINK_KEY_LEN];
	struct xor_rotate sm;
	bool in_flight;             /* a call or a save will report back */
	uint64_t answered_at_swap;  /* probes answered when this end swapped */
	struct ctl_request *waiter; /* `rotate LINK` waiting for the end */
	struct rot_link *next;
};

struct rotation {
	struct rotation_deps d;
	struct xor_rotate_params params;
	struct loop_timer *tick;
	struct rot_link *first;
	bool stopping;
};

static void perform(struct rot_link *rl, enum xor_rotate_action act);

static bool link_view(struct rotation *r, const struct link *l, struct rotation_link_view *out)
{
	memset(out, 0, sizeof(*out));
	return r->d.link_view && r->d.link_view(l, out, r->d.ctx);
}

static void feed(struct rot_link *rl, enum xor_rotate_event ev, bool cond, const char *reason)
{
	if (ev == XR_EV_FAILED)
		xor_rotate_fail(&rl->sm, reason);
	perform(rl, xor_rotate_step(&rl->sm, &rl->rot->params, ev, cond, (uint64_t)wgm_mono_ms()));
}

static void publish(struct rotation *r, const char *kind, const struct rot_link *rl, const char *error,
		    const char *trigger)
{
	json_t *ev;

	if (!r->d.ctl || !(ev = wgm_ctl_event_new(kind)))
		return;
	json_object_set_new(ev, "name", json_string(rl->name));
	if (trigger)
		json_object_set_new(ev, "trigger", json_string(trigger));
	if (error)
		json_object_set_new(ev, "error", json_string(error));
	ctl_server_publish(r->d.ctl, ev);
}

/* The link RL stands for, or NULL when it went (or was replaced). */
static struct link *link_of(const struct rot_link *rl)
{
	struct link *l = links_find(rl->rot->d.links, rl->name);

	if (!l || l->rec.created != rl->created || memcmp(l->rec.peer_public_key, rl->peer_pk, LINK_KEY_LEN) != 0)
		return NULL;
	return l;
}

/* ---- remote steps: PATCH /update on the other end ---- */

static void on_update_reply(long status, const json_t *payload, const char *err, void *ctx)
{
	struct rot_link *rl = ctx;

	(void)status;
	rl->in_flight = false;
	if (rl->rot->stopping)
		return;
	if (payload)
		feed(rl, XR_EV_OK, false, NULL);
	else
		feed(rl, XR_EV_FAILED, false, err);
}

static void call_update(struct rot_link *rl, struct link *l, struct wgm_msg_update_req *m)
{
	struct rotation *r = rl->rot;
	char url[LINK_URL_MAX], err[512];
	json_t *payload;
	int rc;

	if (!l->rec.has_remote_api_pk) {
		wgm_msg_update_req_wipe(m);
		feed(rl, XR_EV_FAILED, false, "the other end's API key is not known (a link from an old version)");
		return;
	}
	m->link.caller_id = (int)r->d.cfg->id;
	m->link.transport = l->rec.transport;
	payload = wgm_msg_update_req_encode(m);
	wgm_msg_update_req_wipe(m);
	if (!payload) {
		feed(rl, XR_EV_FAILED, false, "cannot encode the /update call");
		return;
	}
	/* The connecting end knows the URL it joined by; member links go
	 * through the mesh to the other node's loopback. */
	if (l->rec.remote_api_url[0])
		snprintf(url, sizeof(url), "%s", l->rec.remote_api_url);
	else
		join_member_url(r->d.plan, r->d.cfg, l->rec.remote_id, url, sizeof(url));
	rc = api_call_boxed(r->d.http, r->d.identity, url, "PATCH", WGM_API_ROUTE_UPDATE, NULL, l->rec.remote_api_pk,
			    payload, on_update_reply, rl, err, sizeof(err));
	wgm_json_decref_wiped(payload); /* it may hold a key */
	if (rc < 0) {
		feed(rl, XR_EV_FAILED, false, err);
		return;
	}
	rl->in_flight = true;
}

/* ---- local steps: the record, saved on the worker ---- */

static void on_saved(int rc, const char *err, void *ctx)
{
	struct rot_link *rl = ctx;

	rl->in_flight = false;
	if (rl->rot->stopping)
		return;
	if (rc < 0) {
		char why[300];
		snprintf(why, sizeof(why), "cannot save the link record: %s", err && *err ? err : strerror(-rc));
		feed(rl, XR_EV_FAILED, false, why);
		return;
	}
	feed(rl, XR_EV_OK, false, NULL);
}

static void save(struct rot_link *rl, struct link *l)
{
	int rc = links_save(rl->rot->d.links, l, on_saved, rl);

	if (rc < 0) {
		char why[128];
		snprintf(why, sizeof(why), "cannot save the link record: %s", strerror(-rc));
		feed(rl, XR_EV_FAILED, false, why);
		return;
	}
	rl->in_flight = true;
}

static void report(struct rot_link *rl, bool ok)
{
	struct rotation *r = rl->rot;
	struct link *l = link_of(rl);
	uint64_t now = (uint64_t)wgm_mono_ms();

	if (ok) {
		log_notice("link %s: obfuscation key rotated on both ends", rl->name);
		publish(r, WGM_CTL_EVENT_ROTATE_DONE, rl, NULL, NULL);
		rl->sm.due_ms = xor_rotate_next_due_ms(now, r->d.cfg->xor_rotate_interval_s, randombytes_random());
	} else {
		log_err("link %s: key rotation failed: %s", rl->name, rl->sm.reason);
		if (r->d.notify_failure) {
			char text[320];
			snprintf(text, sizeof(text), "link %s: key rotation failed: %s", rl->name, rl->sm.reason);
			r->d.notify_failure(text, r->d.ctx);
		}
		publish(r, WGM_CTL_EVENT_ROTATE_FAILED, rl, rl->sm.reason, NULL);
		/* A staged key is kept and tried again; so is a scheduled run. */
		rl->sm.due_ms = l && (l->rec.has_obfs_key_next || r->d.cfg->xor_rotate_interval_s)
					? now + r->params.retry_after_failure_ms
					: 0;
	}
	if (rl->waiter) {
		json_t *reply = ok ? wgm_ctl_reply_ok()
				   : wgm_ctl_reply_error("%s: key rotation failed: %s", rl->name, rl->sm.reason);
		json_object_set_new(reply, "name", json_string(rl->name));
		ctl_request_reply(rl->waiter, reply);
		rl->waiter = NULL;
	}
}

static void perform(struct rot_link *rl, enum xor_rotate_action act)
{
	struct rotation *r = rl->rot;
	struct link *l = link_of(rl);
	struct wgm_msg_update_req m = { 0 };
	uint8_t old_key[LINK_KEY_LEN];
	struct rotation_link_view view;

	if (act == XR_DO_NOTHING)
		return;
	if (act == XR_DO_REPORT_DONE || act == XR_DO_REPORT_FAILED) {
		report(rl, act == XR_DO_REPORT_DONE);
		return;
	}
	if (!l) {
		if (act == XR_DO_RESTORE) {
			/* Nothing is left to restore: the run ends here. */
			xor_rotate_fail(&rl->sm, "the link went away");
			rl->sm.failed = true;
			rl->sm.step = XR_IDLE;
			report(rl, false);
			return;
		}
		feed(rl, XR_EV_FAILED, false, "the link went away");
		return;
	}
	switch (act) {
	case XR_DO_DRAIN:
		l->rotation_drained = true;
		m.has_cost = true;
		m.cost = r->d.drain_cost;
		call_update(rl, l, &m);
		break;
	case XR_DO_STAGE:
		/* A key staged by a run that did not finish is used again: the
		 * other end may have it already. */
		if (!l->rec.has_obfs_key_next) {
			if (wgm_obfs_key_generate(l->rec.obfs_key_next) < 0) {
				feed(rl, XR_EV_FAILED, false, "cannot make a key");
				break;
			}
			l->rec.has_obfs_key_next = true;
		}
		links_obfs_key_staged(r->d.links, l);
		save(rl, l);
		break;
	case XR_DO_SWAP_REMOTE:
		m.has_obfs_key = true;
		memcpy(m.obfs_key, l->rec.obfs_key_next, LINK_KEY_LEN);
		call_update(rl, l, &m);
		break;
	case XR_DO_SWAP_LOCAL:
		memcpy(old_key, l->rec.obfs_key, LINK_KEY_LEN);
		memcpy(l->rec.obfs_key, l->rec.obfs_key_next, LINK_KEY_LEN);
		sodium_memzero(l->rec.obfs_key_next, LINK_KEY_LEN);
		l->rec.has_obfs_key_next = false;
		rl->answered_at_swap = link_view(r, l, &view) ? view.probes_answered : 0;
		links_obfs_key_changed(r->d.links, l, old_key);
		sodium_memzero(old_key, sizeof(old_key));
		save(rl, l);
		break;
	case XR_DO_RESTORE:
		l->rotation_drained = false;
		m.has_cost = true;
		m.cost = 0;
		if (rl->sm.swapped) {
			links_obfs_key_settled(r->d.links, l);
			m.has_obfs_key = m.obfs_key_settled = true;
			memcpy(m.obfs_key, l->rec.obfs_key, LINK_KEY_LEN);
		}
		call_update(rl, l, &m);
		break;
	default:
		break;
	}
}

/* ---- the tick: schedule, settle, verify, retries ---- */

static struct rot_link *find(struct rotation *r, const char *name)
{
	for (struct rot_link *rl = r->first; rl; rl = rl->next)
		if (strcmp(rl->name, name) == 0)
			return rl;
	return NULL;
}

static void rot_link_reset(struct rot_link *rl, const struct link *l)
{
	xor_rotate_init(&rl->sm);
	rl->created = l->rec.created;
	memcpy(rl->peer_pk, l->rec.peer_public_key, LINK_KEY_LEN);
}

/* Brings the list in line with the link table: an entry per link, entries of
 * links that went dropped once nothing of theirs is under way. */
static void sync_links(struct rotation *r)
{
	for (struct link *l = links_first(r->d.links); l; l = l->next) {
		struct rot_link *rl = find(r, l->rec.name);

		if (!rl) {
			rl = calloc(1, sizeof(*rl));
			if (!rl)
				return;
			rl->rot = r;
			snprintf(rl->name, sizeof(rl->name), "%s", l->rec.name);
			rot_link_reset(rl, l);
			rl->next = r->first;
			r->first = rl;
		} else if (!link_of(rl) && !xor_rotate_busy(&rl->sm) && !rl->in_flight) {
			rot_link_reset(rl, l);
		}
	}
	for (struct rot_link **pp = &r->first; *pp;) {
		struct rot_link *rl = *pp;
		if (!links_find(r->d.links, rl->name) && !xor_rotate_busy(&rl->sm) && !rl->in_flight && !rl->waiter) {
			*pp = rl->next;
			free(rl);
			continue;
		}
		pp = &rl->next;
	}
}

static bool can_rotate(const struct link *l)
{
	return l && l->rec.role == LINK_ROLE_CLIENT && l->rec.has_obfs_key && l->phase == LINK_PHASE_ACTIVE;
}

static void start(struct rot_link *rl, const char *trigger)
{
	log_notice("link %s: rotating its obfuscation key (%s)", rl->name, trigger);
	publish(rl->rot, WGM_CTL_EVENT_ROTATE_STARTED, rl, NULL, trigger);
	feed(rl, XR_EV_START, false, NULL);
}

static void schedule(struct rotation *r, struct rot_link *rl, struct link *l, uint64_t now)
{
	if (!can_rotate(l))
		return;
	if (rl->sm.due_ms == 0) {
		if (l->rec.has_obfs_key_next)
			rl->sm.due_ms = now + ROTATION_RESUME_DELAY_MS;
		else if (l->rec.link_type == WGM_LINK_IPT_XOR)
			rl->sm.due_ms = xor_rotate_next_due_ms(now, r->d.cfg->xor_rotate_interval_s,
							       randombytes_random());
		return;
	}
	if (now >= rl->sm.due_ms && (r->d.cfg->xor_rotate_interval_s || l->rec.has_obfs_key_next))
		start(rl, l->rec.has_obfs_key_next ? "resume" : "schedule");
}

static void on_tick(struct loop *loop, struct loop_timer *timer, void *ctx)
{
	struct rotation *r = ctx;
	uint64_t now = (uint64_t)wgm_mono_ms();

	(void)loop;
	(void)timer;
	sync_links(r);
	for (struct rot_link *rl = r->first; rl; rl = rl->next) {
		struct link *l = link_of(rl);
		struct rotation_link_view view;
		bool cond = false;

		if (rl->in_flight)
			continue;
		if (!xor_rotate_busy(&rl->sm)) {
			schedule(r, rl, l, now);
			continue;
		}
		if (l && link_view(r, l, &view)) {
			if (rl->sm.step == XR_SETTLE)
				cond = view.rx_bytes_per_s + view.tx_bytes_per_s < ROTATION_QUIET_BYTES_PER_S;
			else if (rl->sm.step == XR_VERIFY)
				cond = view.probes_answered != rl->answered_at_swap;
		}
		feed(rl, XR_EV_TICK, cond, NULL);
	}
}

/* ---- control socket: rotate LINK ---- */

static void handle_rotate(struct ctl_request *req, const json_t *args, void *ctx)
{
	struct rotation *r = ctx;
	const char *name = json_string_value(json_object_get(args, "link"));
	struct link *l = name ? links_find(r->d.links, name) : NULL;
	struct rot_link *rl;

	if (!name) {
		ctl_request_reply(req, wgm_ctl_reply_error("link: missing (a link name, see `wgmesh links`)"));
		return;
	}
	if (!l) {
		ctl_request_reply(req, wgm_ctl_reply_error("%s: no such link", name));
		return;
	}
	if (!l->rec.has_obfs_key) {
		ctl_request_reply(req, wgm_ctl_reply_error("%s: a %s link has no key to rotate (ipt_xor and wgobfs do)",
							   name, wgm_link_type_name(l->rec.link_type)));
		return;
	}
	if (l->rec.role != LINK_ROLE_CLIENT) {
		ctl_request_reply(req, wgm_ctl_reply_error("%s: the connecting end rotates the key: run it on node %u",
							   name, l->rec.remote_id));
		return;
	}
	if (l->phase != LINK_PHASE_ACTIVE) {
		ctl_request_reply(req, wgm_ctl_reply_error("%s: the link is not up", name));
		return;
	}
	sync_links(r);
	rl = find(r, name);
	if (!rl) {
		ctl_request_reply(req, wgm_ctl_reply_error("out of memory"));
		return;
	}
	if (xor_rotate_busy(&rl->sm) || rl->waiter) {
		ctl_request_reply(req, wgm_ctl_reply_error("%s: a key rotation is already under way (step %s)", name,
							   xor_rotate_step_name(rl->sm.step)));
		return;
	}
	rl->waiter = req;
	start(rl, "operator");
}

int rotation_new(const struct rotation_deps *deps, struct rotation **out)
{
	struct rotation *r = calloc(1, sizeof(*r));
	int rc;

	if (!r)
		return -ENOMEM;
	r->d = *deps;
	r->params = xor_rotate_params_default();
	if ((rc = loop_timer_start(deps->loop, on_tick, r, TICK_MS, TICK_MS, &r->tick)) < 0) {
		rotation_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

int rotation_register(struct rotation *r, struct ctl_server *ctl)
{
	return ctl_server_register(ctl, WGM_CTL_CMD_ROTATE, handle_rotate, r);
}

void rotation_config_changed(struct rotation *r, const char *key)
{
	if (!r || strcmp(key, "xorRotateInterval") != 0)
		return;
	for (struct rot_link *rl = r->first; rl; rl = rl->next)
		if (!xor_rotate_busy(&rl->sm))
			rl->sm.due_ms = 0;
}

void rotation_stop(struct rotation *r)
{
	if (!r)
		return;
	r->stopping = true;
	loop_timer_disarm(r->tick);
}

void rotation_free(struct rotation *r)
{
	if (!r)
		return;
	loop_timer_free(r->tick);
	while (r->first) {
		struct rot_link *rl = r->first;
		r->first = rl->next;
		if (rl->waiter)
			ctl_request_reply(rl->waiter, wgm_ctl_reply_error("%s: the daemon is stopping", rl->name));
		free(rl);
	}
	free(r);
}
