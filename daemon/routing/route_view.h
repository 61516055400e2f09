/* How a node is reached (pure): from this node's routing table, the node the
 * next hop belongs to and the route's state (self, direct, rerouted,
 * indirect, unreachable); with OSPF's graph, the whole path. The route is
 * the truth for the first hop; the graph gives the rest, and where it cannot
 * (incomplete, or it disagrees with the route) the path stays [self, next
 * hop, node] and is not whole (docs/control-socket.md). */
#ifndef WGM_DAEMON_ROUTE_VIEW_H
#define WGM_DAEMON_ROUTE_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "daemon/mesh/mesh_graph.h"

enum route_state {
	ROUTE_SELF,
	ROUTE_DIRECT,      /* the route leaves on a link to the node itself */
	ROUTE_REROUTED,    /* a direct link exists, the route leaves on another */
	ROUTE_INDIRECT,    /* no direct link; the route leaves on another */
	ROUTE_UNREACHABLE, /* no route */
};

const char *route_state_name(enum route_state state);

#define ROUTE_PATH_MAX 32

struct route_view {
	enum route_state state;
	int next_hop_id; /* -1: none (self, unreachable) or unknown */
	unsigned path[ROUTE_PATH_MAX];
	size_t path_len; /* 0: no path known */
	bool path_whole; /* every hop known (else: first hop, then the node) */
};

/* self: this node; id: the node asked about; routed: BIRD has a route to it;
 * via_remote_id: the remote node of the link the route leaves on, -1 when
 * it leaves on no link of ours; linked: a link to id exists (any phase). */
struct route_view route_view_of(unsigned self, unsigned id, bool routed, int via_remote_id, bool linked);
/* Fills in the middle of V's path from GRAPH (NULL: unknown), keeping its
 * first hop; leaves V as it is when the graph gives no such path. */
void route_view_follow(struct route_view *v, const struct mesh_graph *graph);

#endif
