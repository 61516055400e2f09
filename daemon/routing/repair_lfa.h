/* Loop-free alternates for fast local repair (docs/routing.md#fast-repair):
 * when one of this node's links dies, which other live link can carry the
 * traffic of a destination at once, before OSPF has recomputed. Pure: works
 * on the last OSPF graph (mesh_graph.h) as the other routers still see it.
 *
 * A neighbour N is loop-free for DST when dist(N, DST) < dist(N, SELF) +
 * dist(SELF, DST): N's own shortest way to DST does not come back through
 * this node (RFC 5286's inequality 1). Among those, the lowest cost of the
 * link to N plus dist(N, DST) wins. */
#ifndef WGM_DAEMON_REPAIR_LFA_H
#define WGM_DAEMON_REPAIR_LFA_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/mesh/mesh_graph.h"

#define REPAIR_LFA_INF MESH_GRAPH_FAR

/* One live link of this node that could take the traffic. */
struct repair_lfa_link {
	unsigned node; /* the node at its other end */
	uint32_t cost; /* this node's OSPF cost on it, >= 1 */
};

/* Shortest distances over usable edges (mesh_graph_dist_to), per target,
 * computed on first use. 512 KiB: allocate it. */
struct repair_lfa_dists {
	const struct mesh_graph *g;
	uint64_t d[MESH_NODES_MAX][MESH_NODES_MAX]; /* d[to][from]; REPAIR_LFA_INF: unreachable */
	unsigned char done[MESH_NODES_MAX];
};

/* Clears D for graph G (borrowed: it must not change while D is used). */
void repair_lfa_dists_init(struct repair_lfa_dists *d, const struct mesh_graph *g);
/* dist(FROM, TO) in the graph; REPAIR_LFA_INF when unreachable or out of range. */
uint64_t repair_lfa_dist(struct repair_lfa_dists *d, unsigned from, unsigned to);

/* The index in LINKS (n of them: the live links, without the dead one) of
 * the best loop-free alternate of SELF towards DST, or -1 when there is none
 * (then nothing is repaired: OSPF's next run moves the route). Ties go to
 * the lower node ID, then the earlier link. */
int repair_lfa_choose(struct repair_lfa_dists *d, unsigned self, unsigned dst, const struct repair_lfa_link *links,
		      size_t n);

#endif
