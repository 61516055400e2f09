#include "daemon/routing/repair_lfa.h"

#include <string.h>

void repair_lfa_dists_init(struct repair_lfa_dists *d, const struct mesh_graph *g)
{
	d->g = g;
	memset(d->done, 0, sizeof(d->done));
}

uint64_t repair_lfa_dist(struct repair_lfa_dists *d, unsigned from, unsigned to)
{
	if (from >= MESH_NODES_MAX || to >= MESH_NODES_MAX)
		return REPAIR_LFA_INF;
	/* One SPF towards each target, only when a link dies. */
	if (!d->done[to]) {
		mesh_graph_dist_to(d->g, to, d->d[to]);
		d->done[to] = 1;
	}
	return d->d[to][from];
}

int repair_lfa_choose(struct repair_lfa_dists *d, unsigned self, unsigned dst, const struct repair_lfa_link *links,
		      size_t n)
{
	uint64_t self_dst = repair_lfa_dist(d, self, dst);
	uint64_t best = REPAIR_LFA_INF;
	int best_i = -1;

	for (size_t i = 0; i < n; i++) {
		unsigned nb = links[i].node;
		uint64_t nb_dst = repair_lfa_dist(d, nb, dst);
		uint64_t nb_self = repair_lfa_dist(d, nb, self);
		if (nb == self || !links[i].cost || nb_dst == REPAIR_LFA_INF)
			continue;
		/* Unknown ways back count as endless: then any finite way on is
		 * loop-free. */
		if (nb != dst && nb_self != REPAIR_LFA_INF && self_dst != REPAIR_LFA_INF &&
		    !(nb_dst < nb_self + self_dst))
			continue;
		uint64_t total = links[i].cost + nb_dst;
		if (total < best || (total == best && nb < links[best_i].node)) {
			best = total;
			best_i = (int)i;
		}
	}
	return best_i;
}
