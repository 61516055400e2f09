#include "daemon/routing/bird_watch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bird/parse.h"
#include "common/util/log.h"
#include "daemon/mesh/mesh_graph.h"
#include "daemon/routing/bird_poll.h"

/* A reply missing for this many periods means BIRD is stuck: start over. */
#define STALL_PERIODS 3

/* One period asks, in this order: the topology (OSPFv2's, OSPFv3's when
 * there is no OSPFv2), then the routes, then the neighbours. The topology
 * comes first so the routes' callback sees a graph no older than them. */
enum ask_step {
	ASK_TOPOLOGY4,
	ASK_TOPOLOGY6,
	ASK_ROUTES,
	ASK_NEIGHBORS,
};

static const char *const commands[] = {
	[ASK_TOPOLOGY4] = "show ospf topology ospf4",
	[ASK_TOPOLOGY6] = "show ospf topology ospf6",
	[ASK_ROUTES] = "show route",
	[ASK_NEIGHBORS] = "show ospf neighbors",
};

struct bird_watch {
	struct bird_watch_deps deps;
	struct bird_poll *poll;
	bool up;
	enum ask_step asking;
	char last_err[256];
	struct mesh_nodes nodes, old;
	struct bird_ospf_neighbors ospf; /* the last answer; empty while BIRD is down */
	struct bird_routes routes;       /* the last answer; empty while BIRD is down */
	struct mesh_graph *graph;        /* the last topology read */
	bool graph_known;                /* false while BIRD is down or no OSPF answers */
};

static const struct mesh_nodes empty_nodes;

static void set_state(struct bird_watch *w, bool up, const char *err)
{
	if (up == w->up && (up || strcmp(err, w->last_err) == 0))
		return;
	w->up = up;
	snprintf(w->last_err, sizeof(w->last_err), "%s", up ? "" : err);
	if (!up) {
		bird_ospf_neighbors_free(&w->ospf);
		bird_routes_free(&w->routes);
		w->graph_known = false;
	}
	if (!up && mesh_nodes_count(&w->nodes) > 0) {
		/* BIRD gone: its routes went with it (the kernel's go when it exits). */
		w->old = w->nodes;
		memset(&w->nodes, 0, sizeof(w->nodes));
		if (w->deps.routes)
			w->deps.routes(&w->old, &w->nodes, w->deps.ctx);
	}
	if (w->deps.state)
		w->deps.state(up, err, w->deps.ctx);
}

/* false when the socket closed (set_state said why). */
static bool ask(struct bird_watch *w, enum ask_step step)
{
	w->asking = step;
	return bird_poll_ask(w->poll, commands[step]) == 0;
}

/* No such protocol (BIRD answers with an error) is normal: ospf4 is off
 * when the mesh runs OSPFv3 alone. A reply we cannot read leaves the graph
 * unknown, said once. Either way the routes are asked next. */
static void take_topology(struct bird_watch *w, struct bird_reply *reply)
{
	struct bird_ospf_topology topo;
	char err[256];
	int rc = bird_parse_ospf_topology(reply, &topo, err, sizeof(err));

	if (rc == 0) {
		size_t unknown = mesh_graph_from_topology(w->deps.plan, &topo, w->graph);
		bird_ospf_topology_free(&topo);
		if (unknown && !w->graph_known)
			log_debug("OSPF topology: %zu edges name routers that are no node of the plan", unknown);
		w->graph_known = true;
		ask(w, ASK_ROUTES);
		return;
	}
	if (rc == -EPROTO && strcmp(err, w->last_err) != 0) {
		log_warn("BIRD's OSPF topology: %s", err);
		snprintf(w->last_err, sizeof(w->last_err), "%s", err);
	}
	if (w->asking == ASK_TOPOLOGY4 && rc != -EPROTO && rc != -ENOMEM) {
		ask(w, ASK_TOPOLOGY6);
		return;
	}
	w->graph_known = false;
	ask(w, ASK_ROUTES);
}

/* No OSPF protocol running (BIRD answers with an error) means no
 * neighbours, as does a reply we cannot read (said once). */
static void take_ospf(struct bird_watch *w, struct bird_reply *reply)
{
	char err[256];

	bird_ospf_neighbors_free(&w->ospf);
	if (bird_parse_ospf_neighbors(reply, &w->ospf, err, sizeof(err)) == -EPROTO && strcmp(err, w->last_err) != 0) {
		log_warn("BIRD's OSPF neighbours: %s", err);
		snprintf(w->last_err, sizeof(w->last_err), "%s", err);
	}
}

static void take_reply(struct bird_watch *w, struct bird_reply *reply)
{
	struct bird_routes routes;
	char err[256];
	int rc;

	if (w->asking == ASK_NEIGHBORS) {
		take_ospf(w, reply);
		return;
	}
	if (w->asking != ASK_ROUTES) {
		take_topology(w, reply);
		return;
	}
	/* The neighbours follow every route answer, in the same period. */
	if (!ask(w, ASK_NEIGHBORS))
		return;
	rc = bird_parse_routes(reply, &routes, err, sizeof(err));

	if (rc < 0) {
		/* A reply we cannot read says nothing about the routes: keep the
		 * last set, and say why once. */
		if (strcmp(err, w->last_err) != 0)
			log_warn("BIRD's routes: %s", err);
		snprintf(w->last_err, sizeof(w->last_err), "%s", err);
		return;
	}
	w->old = w->nodes;
	mesh_nodes_from_routes(w->deps.plan, &routes, &w->nodes);
	bird_routes_free(&w->routes);
	w->routes = routes;
	set_state(w, true, "");
	if (w->deps.routes)
		w->deps.routes(&w->old, &w->nodes, w->deps.ctx);
}

static void on_reply(struct bird_reply *reply, void *ctx)
{
	take_reply(ctx, reply);
}

/* BIRD's welcome alone says it is up, before any answer. */
static void on_read(void *ctx)
{
	struct bird_watch *w = ctx;

	if (bird_poll_welcomed(w->poll) && !w->up && !bird_poll_waiting(w->poll))
		set_state(w, true, "");
}

/* One period starts with the topology. */
static void on_ask(void *ctx)
{
	ask(ctx, ASK_TOPOLOGY4);
}

static void on_down(const char *err, void *ctx)
{
	set_state(ctx, false, err);
}

int bird_watch_new(const struct bird_watch_deps *deps, struct bird_watch **out)
{
	struct bird_watch *w = calloc(1, sizeof(*w));
	int rc;

	if (!w)
		return -ENOMEM;
	w->deps = *deps;
	if (!(w->graph = calloc(1, sizeof(*w->graph)))) {
		free(w);
		return -ENOMEM;
	}
	if (!w->deps.period_ms)
		w->deps.period_ms = 1000;
	snprintf(w->last_err, sizeof(w->last_err), "not asked yet");
	rc = bird_poll_new(&(struct bird_poll_deps){ .loop = deps->loop,
						     .socket_path = deps->socket_path,
						     .first_ms = 0,
						     .period_ms = w->deps.period_ms,
						     .stall_ms = STALL_PERIODS * w->deps.period_ms,
						     .ask = on_ask,
						     .reply = on_reply,
						     .read = on_read,
						     .down = on_down,
						     .ctx = w },
			   &w->poll);
	if (rc < 0) {
		bird_watch_free(w);
		return rc;
	}
	*out = w;
	return 0;
}

void bird_watch_free(struct bird_watch *w)
{
	if (!w)
		return;
	bird_poll_free(w->poll);
	bird_ospf_neighbors_free(&w->ospf);
	bird_routes_free(&w->routes);
	free(w->graph);
	free(w);
}

bool bird_watch_up(const struct bird_watch *w)
{
	return w->up;
}

const struct mesh_nodes *bird_watch_nodes(const struct bird_watch *w)
{
	return w->up ? &w->nodes : &empty_nodes;
}

const char *bird_watch_ospf_state(const struct bird_watch *w, const char *ifname)
{
	return w->up ? bird_ospf_neighbor_state(&w->ospf, ifname) : NULL;
}

const struct mesh_graph *bird_watch_graph(const struct bird_watch *w)
{
	return w->up && w->graph_known ? w->graph : NULL;
}

const struct bird_routes *bird_watch_routes(const struct bird_watch *w)
{
	return w->up ? &w->routes : NULL;
}

const struct bird_ospf_neighbors *bird_watch_ospf_neighbors(const struct bird_watch *w)
{
	return w->up ? &w->ospf : NULL;
}

void bird_watch_poll_now(struct bird_watch *w)
{
	bird_poll_now(w->poll);
}
