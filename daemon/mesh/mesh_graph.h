/* The mesh's router graph as OSPF has it (BIRD's `show ospf topology`), by
 * node ID, and the path traffic takes through it (pure).
 *
 * An edge a->b carries the metric a's router LSA gives it; it is usable only
 * when b lists a too (OSPF's two-way check), so a half-made adjacency or a
 * stale LSA never makes a path. */
#ifndef WGM_DAEMON_MESH_GRAPH_H
#define WGM_DAEMON_MESH_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bird/parse.h"
#include "common/config/addrplan.h"
#include "daemon/mesh/mesh_nodes.h"

struct mesh_graph {
	/* metric[a][b]: a's metric to b, 0 when a lists no link to b (OSPF
	 * metrics are 1 or more). 256 KiB: allocate it. */
	uint32_t metric[MESH_NODES_MAX][MESH_NODES_MAX];
};

/* Adds edge a->b with METRIC (the lower one when a lists b twice, over two
 * links). Out-of-range IDs and metric 0 are ignored. */
void mesh_graph_add(struct mesh_graph *g, unsigned a, unsigned b, uint32_t metric);
bool mesh_graph_usable(const struct mesh_graph *g, unsigned a, unsigned b);

/* The node whose loopback (the router ID in this mesh's plan, conf_gen.c)
 * is ROUTER_ID, or -1 (not an address, or no node's loopback). */
int mesh_graph_node_of_router(const struct wgm_addrplan *plan, const char *router_id);

/* Clears G and fills it from TOPO. Returns how many edges named a router
 * that is no node of the plan (left out). */
size_t mesh_graph_from_topology(const struct wgm_addrplan *plan, const struct bird_ospf_topology *topo,
				struct mesh_graph *g);

/* dist[x] (MESH_NODES_MAX of them): the lowest metric sum from x to DST over
 * usable edges, as x's own SPF finds it; MESH_GRAPH_FAR when x cannot reach
 * DST (all of them for a DST out of range). */
#define MESH_GRAPH_FAR UINT64_MAX
void mesh_graph_dist_to(const struct mesh_graph *g, unsigned dst, uint64_t *dist);

/* The path from SELF to DST whose first hop is FIRST_HOP (the route's own),
 * each node after it taking its shortest way on (lowest metric sum over
 * usable edges; between equal ones the lower next node ID): written to
 * path[0..] = SELF, FIRST_HOP, ..., DST. Returns its length, or 0 when the
 * graph cannot give one: SELF-FIRST_HOP not a usable edge, DST not reached,
 * a router on the way whose shortest way leads back through SELF (the graph
 * disagrees with the route), or longer than MAX. */
size_t mesh_graph_path(const struct mesh_graph *g, unsigned self, unsigned first_hop, unsigned dst, unsigned *path,
		       size_t max);

#endif
