#include "daemon/mesh/mesh_graph.h"

#include <arpa/inet.h>
#include <string.h>

void mesh_graph_add(struct mesh_graph *g, unsigned a, unsigned b, uint32_t metric)
{
	if (a >= MESH_NODES_MAX || b >= MESH_NODES_MAX || a == b || !metric)
		return;
	if (!g->metric[a][b] || metric < g->metric[a][b])
		g->metric[a][b] = metric;
}

bool mesh_graph_usable(const struct mesh_graph *g, unsigned a, unsigned b)
{
	return a < MESH_NODES_MAX && b < MESH_NODES_MAX && g->metric[a][b] && g->metric[b][a];
}

int mesh_graph_node_of_router(const struct wgm_addrplan *plan, const char *router_id)
{
	struct wgm_addrplan_v4 lo;
	struct in_addr a;
	int id;

	if (inet_pton(AF_INET, router_id, &a) != 1 || (id = wgm_addrplan_id_of_v4(plan, a)) < 0 || id >= MESH_NODES_MAX)
		return -1;
	wgm_addrplan_loopback_v4(plan, (unsigned)id, &lo);
	return lo.addr.s_addr == a.s_addr ? id : -1;
}

size_t mesh_graph_from_topology(const struct wgm_addrplan *plan, const struct bird_ospf_topology *topo,
				struct mesh_graph *g)
{
	size_t unknown = 0;

	memset(g, 0, sizeof(*g));
	for (size_t i = 0; i < topo->n; i++) {
		int a = mesh_graph_node_of_router(plan, topo->items[i].from);
		int b = mesh_graph_node_of_router(plan, topo->items[i].to);
		if (a < 0 || b < 0)
			unknown++;
		else
			mesh_graph_add(g, (unsigned)a, (unsigned)b, topo->items[i].metric);
	}
	return unknown;
}

#define FAR MESH_GRAPH_FAR

void mesh_graph_dist_to(const struct mesh_graph *g, unsigned dst, uint64_t *dist)
{
	bool done[MESH_NODES_MAX] = { false };

	for (unsigned x = 0; x < MESH_NODES_MAX; x++)
		dist[x] = FAR;
	if (dst >= MESH_NODES_MAX)
		return;
	dist[dst] = 0;
	for (;;) {
		unsigned y = MESH_NODES_MAX;
		for (unsigned x = 0; x < MESH_NODES_MAX; x++)
			if (!done[x] && dist[x] != FAR && (y == MESH_NODES_MAX || dist[x] < dist[y]))
				y = x;
		if (y == MESH_NODES_MAX)
			return;
		done[y] = true;
		for (unsigned x = 0; x < MESH_NODES_MAX; x++)
			if (!done[x] && mesh_graph_usable(g, x, y) && dist[y] + g->metric[x][y] < dist[x])
				dist[x] = dist[y] + g->metric[x][y];
	}
}

size_t mesh_graph_path(const struct mesh_graph *g, unsigned self, unsigned first_hop, unsigned dst, unsigned *path,
		       size_t max)
{
	uint64_t dist[MESH_NODES_MAX];
	bool seen[MESH_NODES_MAX] = { false };
	size_t n = 0;
	unsigned at = first_hop;

	if (max < 2 || self == dst || first_hop == self || !mesh_graph_usable(g, self, first_hop) ||
	    dst >= MESH_NODES_MAX)
		return 0;
	mesh_graph_dist_to(g, dst, dist);
	if (dist[first_hop] == FAR)
		return 0;
	path[n++] = self;
	seen[self] = true;
	for (;;) {
		unsigned next = MESH_NODES_MAX;
		if (n == max || seen[at])
			return 0;
		seen[at] = true;
		path[n++] = at;
		if (at == dst)
			return n;
		/* Each router forwards on its own shortest way; the lower ID
		 * breaks a tie so the answer is the same every time. A way only
		 * back through this node is a loop: the graph disagrees with the
		 * route (one of them is a moment old), no path. */
		for (unsigned y = 0; y < MESH_NODES_MAX; y++) {
			if (y == self || dist[y] == FAR || !mesh_graph_usable(g, at, y))
				continue;
			if (g->metric[at][y] + dist[y] != dist[at])
				continue;
			next = y;
			break;
		}
		if (next == MESH_NODES_MAX)
			return 0;
		at = next;
	}
}
