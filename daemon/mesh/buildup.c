#include "daemon/mesh/buildup.h"
#include "common/util/clock.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ctl/ctlproto.h"
#include "common/util/log.h"

const char *buildup_state_name(enum buildup_state s)
{
	switch (s) {
	case BUILDUP_OFF:
		return "off";
	case BUILDUP_WAITING:
		return "waiting";
	case BUILDUP_BUILDING:
		return "building";
	case BUILDUP_DONE:
		return "done";
	}
	return "?";
}

size_t buildup_targets(unsigned self_id, bool self_client, const struct mesh_nodes *nodes, const bool *linked,
		       const bool *busy, unsigned *out, size_t max)
{
	size_t n = 0;

	if (self_client)
		return 0;
	for (unsigned id = 0; id < MESH_NODES_MAX; id++) {
		if (id == self_id || !mesh_nodes_has(nodes, id) || addrplan_is_client(id) || linked[id] || busy[id])
			continue;
		if (n < max)
			out[n] = id;
		n++;
	}
	return n;
}

struct connect_ctx {
	struct buildup *b;
	unsigned id;
	bool completing; /* adds the transports missing to a node it has a link to */
};

struct buildup {
	struct buildup_deps deps;
	enum buildup_state state;
	struct mesh_nodes nodes; /* the last routed set */
	bool have_nodes;
	bool sponsor_route; /* buildup_set_sponsor_route */
	uint64_t stable_since_ms;
	bool in_flight[MESH_NODES_MAX];
	unsigned n_in_flight;
	uint64_t retry_at_ms[MESH_NODES_MAX]; /* after a failed attempt */
	/* Nodes this one has had a link to since they appeared in the routes:
	 * after an operator's `disconnect` they are not linked again until they
	 * leave the mesh and come back. */
	bool settled[MESH_NODES_MAX];
	/* The same per transport: a transport whose link worked once and went
	 * (an operator's disconnect of that link) is not made again. */
	bool settled_t[MESH_NODES_MAX][WGM_TRANSPORT_V6 + 1];
	/* An attempt to complete the transports found nothing more to make
	 * (the other node lacks one): not tried again while it is routed. */
	bool complete[MESH_NODES_MAX];
	unsigned failures[MESH_NODES_MAX]; /* attempts failed in a row, for the retry's backoff */
	struct proximity_state proximity;  /* cut nodes are never linked */
	buildup_screen_fn screen;
	void *screen_ctx;
	bool screening[MESH_NODES_MAX]; /* being measured (counts in n_in_flight) */
	bool screened[MESH_NODES_MAX];  /* measured against the cutoff in force */
	/* The callbacks' contexts: join_free drops attempts without calling
	 * back, so nothing per attempt is allocated. */
	struct connect_ctx ctxs[MESH_NODES_MAX];
};

static void publish(struct buildup *b, const char *detail)
{
	json_t *ev;

	if (!b->deps.ctl || !(ev = wgm_ctl_event_new(WGM_CTL_EVENT_MESH)))
		return;
	json_object_set_new(ev, "state", json_string(buildup_state_name(b->state)));
	if (detail)
		json_object_set_new(ev, "detail", json_string(detail));
	ctl_server_publish(b->deps.ctl, ev);
}

static void set_state(struct buildup *b, enum buildup_state s, const char *detail)
{
	if (b->state == s)
		return;
	b->state = s;
	log_info("mesh buildup: %s%s%s", buildup_state_name(s), detail ? ": " : "", detail ? detail : "");
	publish(b, detail);
}

static bool self_client(const struct buildup *b)
{
	return b->deps.cfg->bird.client || addrplan_is_client(b->deps.cfg->id);
}

static void evaluate(struct buildup *b);

/* BUILDUP_RETRY_FIRST_MS doubled per failure in a row, at most
 * BUILDUP_RETRY_MS: a member whose routes are still settling answers a
 * moment later, one that is down is not asked more than every 15 s. */
static unsigned retry_delay_ms(unsigned failures)
{
	unsigned ms = BUILDUP_RETRY_FIRST_MS;

	for (unsigned i = 1; i < failures && ms < BUILDUP_RETRY_MS; i++)
		ms *= 2;
	return ms < BUILDUP_RETRY_MS ? ms : BUILDUP_RETRY_MS;
}

static void schedule_retry(struct buildup *b, unsigned id)
{
	if (b->failures[id] < 32)
		b->failures[id]++;
	b->retry_at_ms[id] = wgm_mono_ms() + retry_delay_ms(b->failures[id]);
}

static void connect_done(int rc, const json_t *result, const char *err, void *ctx)
{
	struct connect_ctx *cc = ctx;
	struct buildup *b = cc->b;
	char detail[600];

	b->in_flight[cc->id] = false;
	b->n_in_flight--;
	if (rc == -EEXIST && cc->completing) {
		/* Every transport both nodes have is linked already. */
		b->complete[cc->id] = true;
		b->failures[cc->id] = 0;
		log_info("mesh buildup: node %u: no transport missing", cc->id);
		evaluate(b);
		return;
	}
	if (rc < 0) {
		schedule_retry(b, cc->id);
		snprintf(detail, sizeof(detail), "node %u: %s", cc->id, err ? err : "connect failed");
		log_warn("mesh buildup: %s (retrying in %.1f s)", detail, retry_delay_ms(b->failures[cc->id]) / 1000.0);
	} else {
		b->complete[cc->id] = true;
		b->failures[cc->id] = 0;
		snprintf(detail, sizeof(detail), "linked to node %u", cc->id);
	}
	publish(b, detail);
	evaluate(b);
}

static void start_connect(struct buildup *b, unsigned id, bool completing)
{
	struct connect_ctx *cc = &b->ctxs[id];
	char err[512];

	cc->b = b;
	cc->id = id;
	cc->completing = completing;
	b->in_flight[id] = true;
	b->n_in_flight++;
	if (completing)
		log_info("mesh buildup: node %u: completing the transports of its link", id);
	if (join_connect_member(b->deps.join, id, connect_done, cc, err, sizeof(err)) < 0) {
		b->in_flight[id] = false;
		b->n_in_flight--;
		schedule_retry(b, id);
		log_warn("mesh buildup: node %u: %s", id, err);
	}
}

/* A node to measure before linking it: a cutoff is in force, the node has
 * no link yet (completing one is no new link) and was not measured. */
static bool needs_screen(const struct buildup *b, unsigned id, bool completing)
{
	return b->screen && proximity_state_active(&b->proximity) && !completing && !b->screened[id];
}

static void start_screen(struct buildup *b, unsigned id)
{
	b->screening[id] = true;
	b->n_in_flight++;
	if (b->screen(id, b->screen_ctx) < 0) {
		b->screening[id] = false;
		b->n_in_flight--;
		b->screened[id] = true;
		log_warn("mesh buildup: node %u: cannot measure it against the proximity cutoff; linking it", id);
		start_connect(b, id, false);
	}
}

static bool own_transport(const struct wgm_config *cfg, enum wgm_transport t)
{
	return t == WGM_TRANSPORT_V4 ? cfg->connectivity_ipv4[0] != '\0' : cfg->connectivity_ipv6[0] != '\0';
}

/* Why this node cannot know the mesh yet (NULL: it can). A fresh joiner's
 * OSPF shows nobody, or only its sponsor, for seconds after its link works
 * (docs/routing.md#interim-routes): with nothing routed to link, it would
 * otherwise call itself done while only its sponsor is linked. */
static const char *mesh_unknown(const struct buildup *b, char *buf, size_t len)
{
	if (b->sponsor_route)
		return "routing through the sponsor until OSPF settles";
	for (struct link *l = links_first(b->deps.links); l; l = l->next) {
		unsigned id = l->rec.remote_id;

		if (l->rec.peer || id >= MESH_NODES_MAX || addrplan_is_client(id) || l->phase != LINK_PHASE_ACTIVE ||
		    mesh_nodes_has(&b->nodes, id))
			continue;
		snprintf(buf, len, "OSPF does not route linked node %u yet", id);
		return buf;
	}
	return NULL;
}

static void evaluate(struct buildup *b)
{
	char why[96];
	const char *unknown;
	bool linked[MESH_NODES_MAX] = { false }, busy[MESH_NODES_MAX];
	bool client[MESH_NODES_MAX] = { false }, has_t[MESH_NODES_MAX][WGM_TRANSPORT_V6 + 1];
	bool completing[MESH_NODES_MAX] = { false };
	unsigned targets[BUILDUP_PARALLEL];
	uint64_t now = wgm_mono_ms();
	size_t n, room;

	if (!b->deps.cfg->mesh) {
		set_state(b, BUILDUP_OFF, NULL);
		return;
	}
	if (links_count_active(b->deps.links) == 0 || !b->have_nodes) {
		if (b->state == BUILDUP_OFF || b->state == BUILDUP_DONE || b->n_in_flight == 0)
			set_state(b, BUILDUP_WAITING, NULL);
		return;
	}
	if (now - b->stable_since_ms < BUILDUP_STABLE_MS) {
		if (b->n_in_flight == 0)
			set_state(b, BUILDUP_WAITING, "routes still changing");
		return;
	}
	memset(has_t, 0, sizeof(has_t));
	for (struct link *l = links_first(b->deps.links); l; l = l->next) {
		/* A peering link's remote ID is of another mesh. */
		if (l->rec.peer || l->rec.remote_id >= MESH_NODES_MAX)
			continue;
		/* Any phase: a link being made must not be made twice. Only a
		 * working one settles the node (a failed attempt is retried). */
		linked[l->rec.remote_id] = true;
		has_t[l->rec.remote_id][l->rec.transport] = true;
		if (l->rec.role == LINK_ROLE_CLIENT)
			client[l->rec.remote_id] = true;
		if (l->phase == LINK_PHASE_ACTIVE) {
			b->settled[l->rec.remote_id] = true;
			b->settled_t[l->rec.remote_id][l->rec.transport] = true;
		}
	}
	/* A member is called at its IPv4 loopback (join_member_url): a node
	 * routed over OSPFv3 only so far would refuse at once (this node's
	 * unreachable aggregate) and cost a failed attempt and its retry. */
	for (unsigned id = 0; id < MESH_NODES_MAX; id++)
		busy[id] = b->in_flight[id] || b->screening[id] || join_attempt_towards(b->deps.join, id) ||
			   now < b->retry_at_ms[id] || (mesh_nodes_has(&b->nodes, id) && !b->nodes.node[id].v4.present);
	/* A node linked over some transports but not all this node has (a
	 * join or buildup cut between its IPv4 and IPv6 links: a crash, a
	 * failed second /connect) gets the rest. The side that connected (a
	 * client link) completes, so the accepting side of a join under way
	 * does not race it. */
	for (unsigned id = 0; id < MESH_NODES_MAX; id++) {
		if (!linked[id] || !client[id] || b->complete[id] || b->proximity.cut[id])
			continue;
		for (int t = WGM_TRANSPORT_V4; t <= WGM_TRANSPORT_V6; t++)
			if (own_transport(b->deps.cfg, (enum wgm_transport)t) && !has_t[id][t] && !b->settled_t[id][t])
				completing[id] = true;
	}
	for (unsigned id = 0; id < MESH_NODES_MAX; id++)
		linked[id] = (linked[id] || b->settled[id] || b->proximity.cut[id]) && !completing[id];
	room = b->n_in_flight < BUILDUP_PARALLEL ? BUILDUP_PARALLEL - b->n_in_flight : 0;
	n = buildup_targets(b->deps.cfg->id, self_client(b), &b->nodes, linked, busy, targets, room);
	for (size_t i = 0; i < n && i < room; i++) {
		if (needs_screen(b, targets[i], completing[targets[i]]))
			start_screen(b, targets[i]);
		else
			start_connect(b, targets[i], completing[targets[i]]);
	}
	if (b->n_in_flight > 0 || n > 0) {
		set_state(b, BUILDUP_BUILDING, NULL);
		return;
	}
	/* Nothing to do now; nodes waiting for a retry keep it from being done. */
	for (unsigned id = 0; id < MESH_NODES_MAX; id++) {
		if ((now < b->retry_at_ms[id] || !b->nodes.node[id].v4.present) && mesh_nodes_has(&b->nodes, id) &&
		    !linked[id] && !addrplan_is_client(id) && id != b->deps.cfg->id && !self_client(b)) {
			set_state(b, BUILDUP_BUILDING, NULL);
			return;
		}
	}
	unknown = mesh_unknown(b, why, sizeof(why));
	if (unknown) {
		set_state(b, BUILDUP_WAITING, unknown);
		return;
	}
	set_state(b, BUILDUP_DONE, NULL);
}

/* The node is linked again as if it had just appeared in the routes. */
static void forget_links(struct buildup *b, unsigned id)
{
	b->settled[id] = false;
	memset(b->settled_t[id], 0, sizeof(b->settled_t[id]));
	b->complete[id] = false;
	b->screened[id] = false;
}

void buildup_on_routes(struct buildup *b, const struct mesh_nodes *nodes)
{
	for (unsigned id = 0; id < MESH_NODES_MAX; id++)
		if (!mesh_nodes_has(nodes, id))
			forget_links(b, id);
	if (!b->have_nodes || !mesh_nodes_same_ids(&b->nodes, nodes)) {
		b->nodes = *nodes;
		b->have_nodes = true;
		b->stable_since_ms = wgm_mono_ms();
	} else {
		b->nodes = *nodes;
	}
	evaluate(b);
}

void buildup_set_sponsor_route(struct buildup *b, bool live)
{
	b->sponsor_route = live;
}

void buildup_config_changed(struct buildup *b)
{
	evaluate(b);
}

enum buildup_state buildup_state(const struct buildup *b)
{
	return b->state;
}

void buildup_set_proximity(struct buildup *b, const struct proximity_state *s)
{
	for (unsigned id = 0; id < MESH_NODES_MAX; id++)
		if (b->proximity.cut[id] && !s->cut[id]) {
			forget_links(b, id);
			b->failures[id] = 0;
			b->retry_at_ms[id] = 0;
		}
	/* Measured against another cutoff (or none): measured again. */
	if (s->cutoff_ms != b->proximity.cutoff_ms)
		memset(b->screened, 0, sizeof(b->screened));
	b->proximity = *s;
	evaluate(b);
}

void buildup_set_screen(struct buildup *b, buildup_screen_fn screen, void *ctx)
{
	b->screen = screen;
	b->screen_ctx = ctx;
}

void buildup_screened(struct buildup *b, unsigned id)
{
	if (id >= MESH_NODES_MAX || !b->screening[id])
		return;
	b->screening[id] = false;
	b->n_in_flight--;
	b->screened[id] = true;
	evaluate(b);
}

const struct proximity_state *buildup_proximity(const struct buildup *b)
{
	return &b->proximity;
}

int buildup_new(const struct buildup_deps *deps, struct buildup **out)
{
	struct buildup *b = calloc(1, sizeof(*b));

	if (!b)
		return -ENOMEM;
	b->deps = *deps;
	proximity_state_init(&b->proximity);
	b->state = deps->cfg->mesh ? BUILDUP_WAITING : BUILDUP_OFF;
	*out = b;
	return 0;
}

void buildup_free(struct buildup *b)
{
	free(b);
}
