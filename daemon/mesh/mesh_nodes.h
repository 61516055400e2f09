/* The nodes of the mesh as BIRD's routes show them: which node loopbacks
 * (10.0.ID.1 and fd10:0:ID::/48) are routed, with next hop and interface.
 * Pure: built from parsed `show route` replies, compared and diffed for mesh
 * buildup and the VXLAN forwarding entries. */
#ifndef WGM_DAEMON_MESH_NODES_H
#define WGM_DAEMON_MESH_NODES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bird/parse.h"
#include "common/config/addrplan.h"

#define MESH_NODES_MAX (WGM_ADDRPLAN_MAX_ID + 1)

struct mesh_route {
	bool present;
	bool direct_route;           /* a device route (this node's own lo) */
	char nexthop[BIRD_ADDR_MAX]; /* "" for a device route */
	char via[BIRD_IFNAME_MAX];   /* interface */
	uint32_t metric;
};

struct mesh_node {
	struct mesh_route v4, v6;
};

/* Indexed by node ID; a node is in the mesh when either loopback is routed. */
struct mesh_nodes {
	struct mesh_node node[MESH_NODES_MAX];
};

static inline bool mesh_nodes_has(const struct mesh_nodes *ns, unsigned id)
{
	return id < MESH_NODES_MAX && (ns->node[id].v4.present || ns->node[id].v6.present);
}

/* Fills out from BIRD's routes (the primary unicast ones towards a node
 * loopback of plan: 10.0.ID.1/32, 10.0.ID.0/30, fd10:0:ID::/48 or
 * fd10:0:ID::1/128). Other routes are ignored. */
void mesh_nodes_from_routes(const struct wgm_addrplan *plan, const struct bird_routes *routes, struct mesh_nodes *out);

size_t mesh_nodes_count(const struct mesh_nodes *ns);
/* The IDs present, ascending, at most max. Returns how many were written. */
size_t mesh_nodes_ids(const struct mesh_nodes *ns, unsigned *out, size_t max);
/* Same set of node IDs (routes may differ). */
bool mesh_nodes_same_ids(const struct mesh_nodes *a, const struct mesh_nodes *b);

/* What changed between two sets, for one family's loopback or for the node
 * as a whole: IDs in b and not in a (added), in a and not in b (removed). */
enum mesh_nodes_scope {
	MESH_NODES_ANY,
	MESH_NODES_V4,
	MESH_NODES_V6,
};
void mesh_nodes_diff(const struct mesh_nodes *a, const struct mesh_nodes *b, enum mesh_nodes_scope scope,
		     unsigned *added, size_t *n_added, unsigned *removed, size_t *n_removed);

/* Reroutes between two readings: the nodes routed in both whose route of
 * either family left for another next hop or interface (a node counts once
 * per reading). Nodes appearing or vanishing are not reroutes. */
unsigned mesh_nodes_reroutes(const struct mesh_nodes *a, const struct mesh_nodes *b);

#endif
