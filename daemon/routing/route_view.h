/* How a node is reached, from this node's routing table alone (pure): the
 * node the next hop belongs to, the route's state (self, direct, rerouted,
 * indirect, unreachable) and the path as far as it is known. The path is
 * [self, next hop, node]: BIRD's route names only the first hop, so the
 * middle of a longer path is not claimed (docs/control-socket.md). */
#ifndef WGM_DAEMON_ROUTE_VIEW_H
#define WGM_DAEMON_ROUTE_VIEW_H

#include <stdbool.h>
#include <stddef.h>

enum route_state {
	ROUTE_SELF,
	ROUTE_DIRECT,      /* the route leaves on a link to the node itself */
	ROUTE_REROUTED,    /* a direct link exists, the route leaves on another */
	ROUTE_INDIRECT,    /* no direct link; the route leaves on another */
	ROUTE_UNREACHABLE, /* no route */
};

const char *route_state_name(enum route_state state);

#define ROUTE_PATH_MAX 3

struct route_view {
	enum route_state state;
	int next_hop_id;             /* -1: none (self, unreachable) or unknown */
	unsigned path[ROUTE_PATH_MAX];
	size_t path_len;             /* 0: no path known */
};

/* self: this node; id: the node asked about; routed: BIRD has a route to it;
 * via_remote_id: the remote node of the link the route leaves on, -1 when
 * it leaves on no link of ours; linked: a link to id exists (any phase). */
struct route_view route_view_of(unsigned self, unsigned id, bool routed, int via_remote_id, bool linked);

#endif
