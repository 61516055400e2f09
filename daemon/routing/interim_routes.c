#include "daemon/routing/interim_routes.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/netlink/nl_route_table.h"
#include "common/util/clock.h"
#include "common/util/log.h"
#include "daemon/routing/interim_plan.h"
#include "daemon/routing/routing_model.h"

/* While any route is live: the cap and a link that went down without
 * leaving the table (`wgmesh down`) are noticed even when BIRD is silent. */
#define INTERIM_TICK_MS 1000

struct interim_routes {
	struct interim_routes_deps deps;
	struct loop_timer *timer;
	bool stopped;
	/* Links this node accepted, waiting for their first handshake before
	 * their direct route (on_link_active), by remote ID and transport. */
	bool unconfirmed[MESH_NODES_MAX][WGM_TRANSPORT_V6 + 1];
	struct interim_plan plan; /* large: last */
};

static void apply_route(bool add, const struct interim_route *r, enum interim_reason why, void *ctx)
{
	struct interim_routes *ir = ctx;
	char dst[INET6_ADDRSTRLEN], err[256];
	int rc = add ? wgm_nl_route_table_add(ir->deps.route, &r->spec, err, sizeof(err))
		     : wgm_nl_route_table_del(ir->deps.route, &r->spec, err, sizeof(err));

	wgm_nl_ip_format(&r->spec.dst, dst, sizeof(dst));
	/* The kernel drops the routes of a device that goes. */
	if (rc < 0 && !(rc == -ESRCH && !add)) {
		log_warn("interim route %s/%u via %s: %s", dst, r->spec.prefixlen, r->link, err);
		return;
	}
	log_info("interim route %s/%u via %s metric %u (%s node %u) %s: %s", dst, r->spec.prefixlen, r->link,
		 (unsigned)r->spec.metric, r->kind == INTERIM_DIRECT ? "to" : "sponsor", r->remote_id,
		 add ? "added" : "removed", interim_reason_text(why));
}

static bool link_active(const char *name, void *ctx)
{
	struct interim_routes *ir = ctx;
	const struct link *link = links_find(ir->deps.links, name);

	return link && link->phase == LINK_PHASE_ACTIVE;
}

static void tick(struct interim_routes *ir)
{
	interim_plan_tick(&ir->plan, wgm_mono_ms(), link_active, ir);
	if (!interim_plan_busy(&ir->plan))
		loop_timer_disarm(ir->timer);
	else if (!loop_timer_armed(ir->timer) && loop_timer_arm(ir->timer, INTERIM_TICK_MS, INTERIM_TICK_MS) < 0)
		log_warn("interim routes: no timer; they end with BIRD's next routes");
}

static void on_timer(struct loop *loop, struct loop_timer *timer, void *ctx)
{
	(void)loop;
	(void)timer;
	tick(ctx);
}

/* A member link's interface as the plan needs it; false when it has none. */
static bool link_view(const struct link *link, struct interim_link *out)
{
	if (link->rec.peer || link->phase != LINK_PHASE_ACTIVE)
		return false;
	*out = (struct interim_link){ .name = link->rec.name,
				      .remote_id = link->rec.remote_id,
				      .ifindex = (int)if_nametoindex(link->rec.name),
				      .remote4 = link->rec.remote4,
				      .remote6 = link->rec.remote6 };
	if (out->ifindex <= 0) {
		log_debug("interim routes: %s has no interface index: %s", link->rec.name, strerror(errno));
		return false;
	}
	return true;
}

/* The accepting side of a member /connect answers over the mesh, and the
 * caller makes its end of the link only from that answer: a direct route
 * over the new link before then sends the answer (and its retransmissions)
 * into a link with nobody at the other end, and the caller's /connect times
 * out (8 nodes joining at once: most of buildup's retries). So on that side
 * the route waits for the first WireGuard handshake, which proves the
 * other end is there. */
static bool other_end_known(const struct link *link)
{
	return link->rec.role != LINK_ROLE_SERVER || link->rec.handshaked;
}

static void on_link_active(struct link *link, void *ctx)
{
	struct interim_routes *ir = ctx;
	struct interim_link view;

	if (ir->stopped || !link_view(link, &view))
		return;
	if (!other_end_known(link)) {
		if (link->rec.remote_id < MESH_NODES_MAX)
			ir->unconfirmed[link->rec.remote_id][link->rec.transport] = true;
		return;
	}
	interim_plan_link_up(&ir->plan, &view, wgm_mono_ms());
	tick(ir);
}

/* The links on_link_active held back whose first handshake came (checked
 * at each of BIRD's readings, once a second); gone or inactive ones are
 * dropped. */
static void confirm_links(struct interim_routes *ir)
{
	struct interim_link view;

	for (unsigned id = 0; id < MESH_NODES_MAX; id++) {
		for (int t = WGM_TRANSPORT_V4; t <= WGM_TRANSPORT_V6; t++) {
			struct link *link;

			if (!ir->unconfirmed[id][t])
				continue;
			link = links_find_remote(ir->deps.links, id, (enum wgm_transport)t);
			if (link && link->phase == LINK_PHASE_ACTIVE && !other_end_known(link))
				continue;
			ir->unconfirmed[id][t] = false;
			if (link && link_view(link, &view))
				interim_plan_link_up(&ir->plan, &view, wgm_mono_ms());
		}
	}
}

static void on_link_removed(struct link *link, void *ctx)
{
	struct interim_routes *ir = ctx;

	if (ir->stopped)
		return;
	interim_plan_link_gone(&ir->plan, link->rec.name);
	tick(ir);
}

void interim_routes_on_routes(struct interim_routes *ir, const struct mesh_nodes *nodes)
{
	if (!ir || ir->stopped)
		return;
	interim_plan_routes(&ir->plan, nodes, wgm_mono_ms());
	confirm_links(ir);
	tick(ir);
}

bool interim_routes_sponsor_live(const struct interim_routes *ir)
{
	for (int f = 0; f < INTERIM_FAMILIES; f++)
		if (ir->plan.sponsor[f].live)
			return true;
	return false;
}

void interim_routes_joined(struct interim_routes *ir, unsigned remote_id)
{
	const enum wgm_transport order[] = { WGM_TRANSPORT_V4, WGM_TRANSPORT_V6 };
	struct interim_link view;

	if (!ir || ir->stopped)
		return;
	for (size_t i = 0; i < 2; i++) {
		const struct link *link = links_find_remote(ir->deps.links, remote_id, order[i]);
		if (link && link_view(link, &view)) {
			interim_plan_joined(&ir->plan, &view, wgm_mono_ms());
			tick(ir);
			return;
		}
	}
	log_info("interim routes: no active link to node %u, which this node joined through", remote_id);
}

/* BIRD's mesh_unreachable aggregate of family F (bird/conf_gen.c). */
static void aggregate_of(const char *text, struct interim_params *p, enum interim_family f)
{
	if (wgm_nl_ip_prefix_parse(text, &p->aggregate[f], &p->aggregate_len[f]) < 0) {
		log_warn("interim routes: %s is no prefix; no sponsor route in that family", text);
		p->aggregate[f].family = AF_UNSPEC;
	}
}

int interim_routes_new(const struct interim_routes_deps *deps, struct interim_routes **out)
{
	struct interim_routes *ir = calloc(1, sizeof(*ir));
	struct links_hooks hooks = { .active = on_link_active, .removed = on_link_removed };
	struct interim_params p = { .plan = deps->plan,
				    .self_id = deps->cfg->id,
				    .family_on = { deps->cfg->bird.ospfv2, deps->cfg->bird.ospfv3 } };
	int rc;

	if (!ir)
		return -ENOMEM;
	ir->deps = *deps;
	aggregate_of(deps->cfg->subnet, &p, INTERIM_V4);
	aggregate_of(ROUTING_MESH_SUBNET6, &p, INTERIM_V6);
	interim_plan_init(&ir->plan, &p, apply_route, ir);
	rc = loop_timer_new(deps->loop, on_timer, ir, &ir->timer);
	if (rc == 0) {
		hooks.ctx = ir;
		rc = links_add_hooks(deps->links, &hooks);
	}
	if (rc < 0) {
		loop_timer_free(ir->timer);
		free(ir);
		return rc;
	}
	*out = ir;
	return 0;
}

void interim_routes_stop(struct interim_routes *ir)
{
	if (!ir || ir->stopped)
		return;
	interim_plan_clear(&ir->plan);
	loop_timer_disarm(ir->timer);
	ir->stopped = true;
}

void interim_routes_free(struct interim_routes *ir)
{
	if (!ir)
		return;
	interim_routes_stop(ir);
	loop_timer_free(ir->timer);
	free(ir);
}
