/* Routes as they are, for the control socket: per node the next-hop node,
 * the path as far as known and the route's state (route_view.h); per link
 * the nodes whose route leaves on it ("carries") and BIRD's OSPF neighbour
 * state ("ospf"), added to every link's JSON; and a "route" event whenever a
 * node's route moves to another link, appears or goes (docs/control-socket.md). */
#ifndef WGM_DAEMON_ROUTE_TRUTH_H
#define WGM_DAEMON_ROUTE_TRUTH_H

#include <jansson.h>

#include "daemon/core/ctl_server.h"
#include "daemon/links/links.h"
#include "daemon/mesh/mesh_nodes.h"
#include "daemon/routing/bird_watch.h"
#include "daemon/routing/route_view.h"

struct route_truth;

struct route_truth_deps {
	unsigned self;
	struct links *links;
	struct bird_watch *bird;
	struct ctl_server *ctl; /* route events; may be NULL */
};

/* Installs the links' route JSON hook; free removes it. */
int route_truth_new(const struct route_truth_deps *deps, struct route_truth **out);
void route_truth_free(struct route_truth *rt);

/* After every answered `show route`: publishes a route event per node whose
 * route left on another link than the last time. */
void route_truth_on_routes(struct route_truth *rt, const struct mesh_nodes *now);

/* The view of node id from BIRD's current routes. */
struct route_view route_truth_view(const struct route_truth *rt, unsigned id);
/* Sets next_hop_id, path and route_state on a node object. */
void route_truth_node_json(const struct route_truth *rt, unsigned id, json_t *node);

#endif
