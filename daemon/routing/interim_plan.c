#include "daemon/routing/interim_plan.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

const char *interim_reason_text(enum interim_reason why)
{
	switch (why) {
	case INTERIM_NOT_ROUTED:
		return "BIRD does not route the node yet";
	case INTERIM_JOINED:
		return "joined the mesh through this node";
	case INTERIM_ROUTED:
		return "BIRD routes the node";
	case INTERIM_SETTLED:
		return "BIRD routes the sponsor and its routes held still";
	case INTERIM_LINK_GONE:
		return "the link is gone";
	case INTERIM_REPLACED:
		return "a later join went through another link";
	case INTERIM_CAPPED:
		return "its time is up";
	case INTERIM_STOPPING:
		return "wgmeshd stops";
	}
	return "?";
}

static int family_af(enum interim_family f)
{
	return f == INTERIM_V4 ? AF_INET : AF_INET6;
}

/* Clears the host bits past LEN. */
static void mask_to(struct wgm_nl_ip *ip, unsigned len)
{
	uint8_t *b = (uint8_t *)&ip->u;
	size_t bytes = ip->family == AF_INET ? 4 : 16;

	for (size_t i = 0; i < bytes; i++) {
		if (i * 8 >= len)
			b[i] = 0;
		else if (i * 8 + 8 > len)
			b[i] &= (uint8_t)(0xffu << (8 - (len - i * 8)));
	}
}

/* Node ID's loopback network in family F (10.0.ID.0/30, fd10:0:ID::/48). */
static void loopback_net(const struct wgm_addrplan *plan, unsigned id, enum interim_family f, struct wgm_nl_ip *out,
			 unsigned *len)
{
	/* family_af gives only the two families the plan knows. */
	(void)wgm_addrplan_loopback_ip(plan, id, family_af(f), out, len);
	mask_to(out, *len);
}

static struct interim_route route_over(const struct interim_plan *plan, enum interim_kind kind, enum interim_family f,
				       const struct interim_link *link, int64_t now_ms)
{
	struct interim_route r = { .kind = kind, .remote_id = link->remote_id, .since_ms = now_ms };

	snprintf(r.link, sizeof(r.link), "%s", link->name);
	if (kind == INTERIM_DIRECT) {
		loopback_net(plan->p.plan, link->remote_id, f, &r.spec.dst, &r.spec.prefixlen);
		r.spec.metric = WGM_KERNEL_METRIC_DIRECT;
	} else {
		r.spec.dst = plan->p.aggregate[f];
		r.spec.prefixlen = plan->p.aggregate_len[f];
		r.spec.metric = WGM_KERNEL_METRIC_SPONSOR;
	}
	r.spec.gateway.family = family_af(f);
	if (f == INTERIM_V4)
		r.spec.gateway.u.v4 = link->remote4;
	else
		r.spec.gateway.u.v6 = link->remote6;
	r.spec.ifindex = link->ifindex;
	/* As BIRD's routes (krt_prefsrc): a link's own address is routed
	 * nowhere, so an answer to it would never come back. */
	(void)wgm_addrplan_loopback_ip(plan->p.plan, plan->p.self_id, family_af(f), &r.spec.prefsrc, NULL);
	return r;
}

void interim_plan_init(struct interim_plan *plan, const struct interim_params *p, interim_apply_fn apply, void *ctx)
{
	memset(plan, 0, sizeof(*plan));
	plan->p = *p;
	plan->apply = apply;
	plan->ctx = ctx;
}

static void slot_add(struct interim_plan *plan, struct interim_slot *s, enum interim_reason why)
{
	s->pending = false;
	s->live = true;
	plan->apply(true, &s->r, why, plan->ctx);
}

static void slot_end(struct interim_plan *plan, struct interim_slot *s, enum interim_reason why)
{
	if (s->live)
		plan->apply(false, &s->r, why, plan->ctx);
	s->live = false;
	s->pending = false;
}

void interim_plan_link_up(struct interim_plan *plan, const struct interim_link *link, int64_t now_ms)
{
	if (link->remote_id >= MESH_NODES_MAX || link->remote_id == plan->p.self_id || link->ifindex <= 0)
		return;
	for (int f = 0; f < INTERIM_FAMILIES; f++) {
		struct interim_slot *s = &plan->direct[link->remote_id][f];

		/* One route per node and family: a second link to the same node
		 * (the other transport) adds nothing. */
		if (!plan->p.family_on[f] || s->live || s->pending)
			continue;
		if (plan->have_routes && plan->routed[link->remote_id][f])
			continue;
		s->r = route_over(plan, INTERIM_DIRECT, (enum interim_family)f, link, now_ms);
		if (plan->have_routes)
			slot_add(plan, s, INTERIM_NOT_ROUTED);
		else
			s->pending = true;
	}
}

void interim_plan_joined(struct interim_plan *plan, const struct interim_link *link, int64_t now_ms)
{
	if (link->remote_id >= MESH_NODES_MAX || link->remote_id == plan->p.self_id || link->ifindex <= 0)
		return;
	for (int f = 0; f < INTERIM_FAMILIES; f++) {
		struct interim_slot *s = &plan->sponsor[f];

		if (!plan->p.family_on[f] || plan->p.aggregate[f].family != family_af((enum interim_family)f))
			continue;
		if (s->live && strcmp(s->r.link, link->name) != 0)
			slot_end(plan, s, INTERIM_REPLACED);
		/* A join again through the same link: the route stays, its
		 * time starts again. */
		s->r = route_over(plan, INTERIM_SPONSOR, (enum interim_family)f, link, now_ms);
		if (!s->live)
			slot_add(plan, s, INTERIM_JOINED);
	}
}

/* Calls FN on every slot (direct ones first). */
static void each_slot(struct interim_plan *plan, void (*fn)(struct interim_plan *, struct interim_slot *, void *),
		      void *arg)
{
	for (size_t id = 0; id < MESH_NODES_MAX; id++)
		for (int f = 0; f < INTERIM_FAMILIES; f++)
			fn(plan, &plan->direct[id][f], arg);
	for (int f = 0; f < INTERIM_FAMILIES; f++)
		fn(plan, &plan->sponsor[f], arg);
}

static void end_if_on_link(struct interim_plan *plan, struct interim_slot *s, void *arg)
{
	if ((s->live || s->pending) && strcmp(s->r.link, arg) == 0)
		slot_end(plan, s, INTERIM_LINK_GONE);
}

void interim_plan_link_gone(struct interim_plan *plan, const char *name)
{
	each_slot(plan, end_if_on_link, (void *)name);
}

void interim_plan_routes(struct interim_plan *plan, const struct mesh_nodes *nodes, int64_t now_ms)
{
	bool changed = !plan->have_routes;

	for (size_t id = 0; id < MESH_NODES_MAX; id++) {
		bool now4 = nodes->node[id].v4.present, now6 = nodes->node[id].v6.present;
		changed |= now4 != plan->routed[id][INTERIM_V4] || now6 != plan->routed[id][INTERIM_V6];
		plan->routed[id][INTERIM_V4] = now4;
		plan->routed[id][INTERIM_V6] = now6;
	}
	if (changed)
		plan->routes_changed_ms = now_ms;
	plan->have_routes = true;
	interim_plan_tick(plan, now_ms, NULL, NULL);
}

struct tick_arg {
	int64_t now_ms;
	bool (*link_active)(const char *name, void *ctx);
	void *ctx;
};

static void tick_slot(struct interim_plan *plan, struct interim_slot *s, void *arg)
{
	const struct tick_arg *t = arg;
	enum interim_family f = s->r.spec.dst.family == AF_INET ? INTERIM_V4 : INTERIM_V6;
	bool routed = plan->routed[s->r.remote_id][f];
	int64_t quiet_since = plan->routes_changed_ms > s->r.since_ms ? plan->routes_changed_ms : s->r.since_ms;

	if (!s->live && !s->pending)
		return;
	if (t->link_active && !t->link_active(s->r.link, t->ctx))
		slot_end(plan, s, INTERIM_LINK_GONE);
	else if (t->now_ms - s->r.since_ms >= INTERIM_CAP_MS)
		slot_end(plan, s, INTERIM_CAPPED);
	else if (!plan->have_routes)
		return;
	else if (s->r.kind == INTERIM_DIRECT && routed)
		slot_end(plan, s, INTERIM_ROUTED);
	else if (s->r.kind == INTERIM_SPONSOR && routed && t->now_ms - quiet_since >= INTERIM_SETTLE_MS)
		slot_end(plan, s, INTERIM_SETTLED);
	else if (s->pending)
		slot_add(plan, s, INTERIM_NOT_ROUTED);
}

void interim_plan_tick(struct interim_plan *plan, int64_t now_ms, bool (*link_active)(const char *name, void *ctx),
		       void *ctx)
{
	struct tick_arg t = { now_ms, link_active, ctx };

	each_slot(plan, tick_slot, &t);
}

static void end_stopping(struct interim_plan *plan, struct interim_slot *s, void *arg)
{
	(void)arg;
	slot_end(plan, s, INTERIM_STOPPING);
}

void interim_plan_clear(struct interim_plan *plan)
{
	each_slot(plan, end_stopping, NULL);
}

bool interim_plan_busy(const struct interim_plan *plan)
{
	for (size_t id = 0; id < MESH_NODES_MAX; id++)
		for (int f = 0; f < INTERIM_FAMILIES; f++)
			if (plan->direct[id][f].live || plan->direct[id][f].pending)
				return true;
	for (int f = 0; f < INTERIM_FAMILIES; f++)
		if (plan->sponsor[f].live)
			return true;
	return false;
}
