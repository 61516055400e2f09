#include "daemon/control/self_repair.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/api/api_msg.h"
#include "common/api/json_secret.h"
#include "common/ctl/ctlproto.h"
#include "common/util/clock.h"
#include "common/util/log.h"
#include "daemon/api/api_call.h"
#include "daemon/mesh/join.h"
#include "daemon/quality/quality.h"
#include "daemon/quality/repair_policy.h"

#define TRACKED_MAX 512

struct tracked {
	char name[LINK_NAME_MAX + 1]; /* "" = free slot */
	struct repair_track track;
	bool in_flight;
	uint16_t old_port, new_port;
	int64_t last_before; /* last_repair_ms before this attempt */
	struct self_repair *sr;
};

struct self_repair {
	struct self_repair_deps d;
	struct loop_timer *timer;
	bool stopping;
	unsigned in_flight;
	bool free_when_idle;
	struct tracked links[TRACKED_MAX];
};

static struct tracked *tracked_for(struct self_repair *sr, const char *name)
{
	struct tracked *slot = NULL;

	for (size_t i = 0; i < TRACKED_MAX; i++) {
		if (strcmp(sr->links[i].name, name) == 0)
			return &sr->links[i];
		if (!slot && !sr->links[i].name[0])
			slot = &sr->links[i];
	}
	if (slot) {
		memset(slot, 0, sizeof(*slot));
		snprintf(slot->name, sizeof(slot->name), "%s", name);
		slot->sr = sr;
	}
	return slot;
}

/* Forgets links that are gone (their names may come back as new links). */
static void forget_removed(struct self_repair *sr)
{
	for (size_t i = 0; i < TRACKED_MAX; i++)
		if (sr->links[i].name[0] && !sr->links[i].in_flight && !links_find(sr->d.links, sr->links[i].name))
			sr->links[i].name[0] = '\0';
}

/* The other node is routed over some interface that is not one of its
 * links that are down: the /update reaches it. */
static bool reachable_elsewhere(struct self_repair *sr, const struct link *l)
{
	const struct mesh_nodes *ns = bird_watch_nodes(sr->d.bird);
	const struct mesh_node *n;

	if (!mesh_nodes_has(ns, l->rec.remote_id))
		return false;
	n = &ns->node[l->rec.remote_id];
	return (n->v4.present && strcmp(n->v4.via, l->rec.name) != 0) ||
	       (n->v6.present && strcmp(n->v6.via, l->rec.name) != 0);
}

static int endpoint_port(const char *endpoint)
{
	const char *colon = strrchr(endpoint, ':');
	char *end;
	long port;

	if (!colon)
		return -1;
	port = strtol(colon + 1, &end, 10);
	return *end == '\0' && port > 0 && port <= 65535 ? (int)port : -1;
}

static void publish(struct self_repair *sr, const struct link *l, const struct tracked *t)
{
	json_t *ev;

	if (!sr->d.ctl || !(ev = wgm_ctl_event_new(WGM_CTL_EVENT_LINK_REPAIRED)))
		return;
	json_object_set_new(ev, "name", json_string(l->rec.name));
	json_object_set_new(ev, "remote_id", json_integer(l->rec.remote_id));
	json_object_set_new(ev, "old_port", json_integer(t->old_port));
	json_object_set_new(ev, "new_port", json_integer(t->new_port));
	ctl_server_publish(sr->d.ctl, ev);
}

static void attempt_failed(struct tracked *t, const char *why)
{
	log_warn("self-repair: link %s: moving the other end to port %u failed: %s", t->name, t->new_port, why);
	/* Not a repair: no cooldown; tried again after repairAfter. */
	t->track.last_repair_ms = t->last_before;
	t->track.bad_since_ms = wgm_mono_ms();
}

static void on_saved(int rc, const char *err, void *ctx)
{
	struct tracked *t = ctx;
	struct self_repair *sr = t->sr;

	t->in_flight = false;
	sr->in_flight--;
	if (sr->stopping)
		return;
	if (rc < 0)
		log_warn("self-repair: link %s: the new endpoint was not applied: %s", t->name, err ? err : "?");
}

static void on_update_reply(long status, const json_t *payload, const char *err, void *ctx)
{
	struct tracked *t = ctx;
	struct self_repair *sr = t->sr;
	struct link *l;
	char next[LINK_ENDPOINT_MAX + 8];
	const char *colon;

	(void)status;
	if (sr->stopping) {
		t->in_flight = false;
		sr->in_flight--;
		return;
	}
	l = links_find(sr->d.links, t->name);
	if (!payload || !l || !(colon = strrchr(l->rec.endpoint, ':'))) {
		attempt_failed(t, payload ? "the link is gone" : err ? err : "no answer");
		t->in_flight = false;
		sr->in_flight--;
		return;
	}
	snprintf(next, sizeof(next), "%.*s:%u", (int)(colon - l->rec.endpoint), l->rec.endpoint, t->new_port);
	if (strlen(next) >= sizeof(l->rec.endpoint)) {
		attempt_failed(t, "the new endpoint does not fit");
		t->in_flight = false;
		sr->in_flight--;
		return;
	}
	memcpy(l->rec.endpoint, next, strlen(next) + 1);
	log_notice("self-repair: link %s to node %u moved from port %u to %u on the other end", l->rec.name,
		   l->rec.remote_id, t->old_port, t->new_port);
	notify_send(sr->d.notify, NOTIFY_DIAG, "link %s to node %u was rebuilt on port %u (was %u): dead or lossy",
		    l->rec.name, l->rec.remote_id, t->new_port, t->old_port);
	publish(sr, l, t);
	if (links_update(sr->d.links, l, on_saved, t) < 0) {
		log_warn("self-repair: link %s: cannot apply the new endpoint", t->name);
		t->in_flight = false;
		sr->in_flight--;
	}
}

static int random_port(uint16_t base, uint16_t used, uint32_t random)
{
	uint32_t span = base ? 65536u - base : 0;
	uint32_t port;

	if (!base)
		return wgm_addrplan_choose_port(0, &used, 1, random);
	if (span > WGM_ADDRPLAN_PORT_RANGE)
		span = WGM_ADDRPLAN_PORT_RANGE;
	if (span < 2)
		return -ENOSPC;
	port = base + random % span;
	if (port == used)
		port = base + (port - base + 1) % span;
	return (int)port;
}

static void start_repair(struct self_repair *sr, struct link *l, struct tracked *t, int64_t now)
{
	struct wgm_msg_update_req m = { 0 };
	char url[LINK_URL_MAX], err[512];
	int port = endpoint_port(l->rec.endpoint), next;
	uint16_t used;
	json_t *payload;

	if (port < 0 || !l->rec.has_remote_api_pk)
		return;
	used = (uint16_t)port;
	/* A random port, as the original's diag did, within the link port
	 * range (basePort's, which the mesh shares; the other end refuses any
	 * other): the next one up is likely another link's there. The other
	 * end refuses one it has taken; the next round tries another. */
	next = random_port(sr->d.cfg->base_port, used, randombytes_random());
	if (next < 0)
		return;
	m.link.caller_id = (int)sr->d.cfg->id;
	m.link.transport = l->rec.transport;
	m.has_port = true;
	m.port = (uint16_t)next;
	if (!(payload = wgm_msg_update_req_encode(&m)))
		return;
	join_member_url(sr->d.plan, sr->d.cfg, l->rec.remote_id, url, sizeof(url));
	t->old_port = used;
	t->new_port = (uint16_t)next;
	t->last_before = t->track.last_repair_ms;
	t->track.last_repair_ms = now;
	log_notice("self-repair: link %s to node %u is dead or lossy; moving the other end from port %u to %u",
		   l->rec.name, l->rec.remote_id, t->old_port, t->new_port);
	if (api_call_boxed(sr->d.http, sr->d.identity, url, "PATCH", WGM_API_ROUTE_UPDATE, NULL, l->rec.remote_api_pk,
			   payload, on_update_reply, t, err, sizeof(err)) < 0) {
		attempt_failed(t, err);
	} else {
		t->in_flight = true;
		sr->in_flight++;
	}
	wgm_json_decref_wiped(payload);
}

static void on_tick(struct loop *loop, struct loop_timer *timer, void *ctx)
{
	struct self_repair *sr = ctx;
	const struct wgm_config *cfg = sr->d.cfg;
	struct repair_params p = { .after_ms = (int64_t)cfg->repair_after_s * 1000,
				   .loss_pct = cfg->repair_loss_pct,
				   .cooldown_ms = (int64_t)cfg->repair_cooldown_s * 1000 };
	int64_t now = wgm_mono_ms();

	(void)loop;
	(void)timer;
	forget_removed(sr);
	for (struct link *l = links_first(sr->d.links); l; l = l->next) {
		struct quality_link_view view;
		struct tracked *t;

		/* A peering link has no member /update to move its port with. */
		if (l->rec.peer || l->phase != LINK_PHASE_ACTIVE || !(t = tracked_for(sr, l->rec.name)) || t->in_flight)
			continue;
		quality_link_view(l, &view);
		struct repair_input in = { .client = l->rec.role == LINK_ROLE_CLIENT,
					   .dead = quality_link_dead_ms(l) >= 0,
					   .loss_pct = view.loss_pct,
					   .remote_reachable_elsewhere = reachable_elsewhere(sr, l) };
		if (repair_due(&p, &in, &t->track, now))
			start_repair(sr, l, t, now);
	}
}

int self_repair_new(const struct self_repair_deps *deps, struct self_repair **out)
{
	struct self_repair *sr = calloc(1, sizeof(*sr));
	int rc;

	if (!sr)
		return -ENOMEM;
	sr->d = *deps;
	rc = loop_timer_start(deps->loop, on_tick, sr, SELF_REPAIR_TICK_MS, SELF_REPAIR_TICK_MS, &sr->timer);
	if (rc < 0) {
		free(sr);
		return rc;
	}
	*out = sr;
	return 0;
}

void self_repair_stop(struct self_repair *sr)
{
	if (sr)
		sr->stopping = true;
}

void self_repair_free(struct self_repair *sr)
{
	if (!sr)
		return;
	loop_timer_free(sr->timer);
	free(sr);
}
