#include "daemon/routing/route_view.h"

#include <string.h>

const char *route_state_name(enum route_state state)
{
	switch (state) {
	case ROUTE_SELF:
		return "self";
	case ROUTE_DIRECT:
		return "direct";
	case ROUTE_REROUTED:
		return "rerouted";
	case ROUTE_INDIRECT:
		return "indirect";
	case ROUTE_UNREACHABLE:
		break;
	}
	return "unreachable";
}

struct route_view route_view_of(unsigned self, unsigned id, bool routed, int via_remote_id, bool linked)
{
	struct route_view v = { .next_hop_id = -1 };

	if (id == self) {
		v.state = ROUTE_SELF;
		v.path_whole = true;
		v.path[v.path_len++] = self;
		return v;
	}
	if (!routed) {
		v.state = ROUTE_UNREACHABLE;
		return v;
	}
	if (via_remote_id >= 0 && (unsigned)via_remote_id == id) {
		v.state = ROUTE_DIRECT;
		v.path_whole = true;
		v.next_hop_id = via_remote_id;
		v.path[v.path_len++] = self;
		v.path[v.path_len++] = id;
		return v;
	}
	v.state = linked ? ROUTE_REROUTED : ROUTE_INDIRECT;
	/* A route on no link of ours (another protocol's interface): the next
	 * hop is not a mesh node we know, so no path is claimed. */
	if (via_remote_id >= 0 && (unsigned)via_remote_id != self) {
		v.next_hop_id = via_remote_id;
		v.path[v.path_len++] = self;
		v.path[v.path_len++] = (unsigned)via_remote_id;
		v.path[v.path_len++] = id;
	}
	return v;
}

void route_view_follow(struct route_view *v, const struct mesh_graph *graph)
{
	unsigned path[ROUTE_PATH_MAX];
	size_t n;

	if (!graph || v->path_whole || v->path_len != 3)
		return;
	n = mesh_graph_path(graph, v->path[0], v->path[1], v->path[2], path, ROUTE_PATH_MAX);
	if (!n)
		return;
	memcpy(v->path, path, n * sizeof(*path));
	v->path_len = n;
	v->path_whole = true;
}
