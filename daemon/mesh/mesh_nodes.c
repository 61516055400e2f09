#include "daemon/mesh/mesh_nodes.h"

#include "common/util/prefix.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The node whose loopback this IPv4 prefix is, or -1. */
static int v4_node(const struct wgm_addrplan *plan, const char *prefix)
{
	struct wgm_prefix parsed;
	struct in_addr a;
	struct wgm_addrplan_v4 lo;
	unsigned len;
	int id;

	if (wgm_prefix_parse(prefix, AF_INET, &parsed) < 0)
		return -1;
	a = parsed.addr.v4;
	len = parsed.len;
	id = wgm_addrplan_id_of_v4(plan, a);
	if (id < 0)
		return -1;
	wgm_addrplan_loopback_v4(plan, (unsigned)id, &lo);
	if (len == 32 && a.s_addr == lo.addr.s_addr)
		return id;
	if (len == 30 && a.s_addr == (lo.addr.s_addr & htonl(0xfffffffcu)))
		return id;
	return -1;
}

static int v6_node(const char *prefix)
{
	struct wgm_prefix parsed;
	struct in6_addr a;
	unsigned len;

	if (wgm_prefix_parse(prefix, AF_INET6, &parsed) < 0)
		return -1;
	a = parsed.addr.v6;
	len = parsed.len;
	if (len != 48 && len != 128)
		return -1;
	for (unsigned id = 0; id <= WGM_ADDRPLAN_MAX_ID; id++) {
		struct wgm_addrplan_v6 lo;

		wgm_addrplan_loopback_v6(id, &lo);
		if (memcmp(a.s6_addr, lo.addr.s6_addr, 6) != 0)
			continue;
		if (len == 48) {
			static const uint8_t zero[10];
			return memcmp(a.s6_addr + 6, zero, sizeof(zero)) == 0 ? (int)id : -1;
		}
		return memcmp(a.s6_addr, lo.addr.s6_addr, 16) == 0 ? (int)id : -1;
	}
	return -1;
}

static void take_route(struct mesh_route *mr, const struct bird_route *r)
{
	/* BIRD lists one primary route per prefix; for a node with both a /32 and
	 * a /30 the first one listed stands for it. */
	if (mr->present)
		return;
	mr->present = true;
	mr->metric = r->has_metric ? r->metric : 0;
	if (r->n_nexthops > 0) {
		snprintf(mr->nexthop, sizeof(mr->nexthop), "%s", r->nexthops[0].gateway);
		snprintf(mr->via, sizeof(mr->via), "%s", r->nexthops[0].ifname);
		mr->direct_route = r->nexthops[0].gateway[0] == '\0';
	}
}

void mesh_nodes_from_routes(const struct wgm_addrplan *plan, const struct bird_routes *routes, struct mesh_nodes *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < routes->n; i++) {
		const struct bird_route *r = &routes->items[i];
		int id;

		if (!r->primary || r->type != BIRD_ROUTE_UNICAST)
			continue;
		if (strchr(r->prefix, ':')) {
			if ((id = v6_node(r->prefix)) >= 0)
				take_route(&out->node[id].v6, r);
		} else if ((id = v4_node(plan, r->prefix)) >= 0) {
			take_route(&out->node[id].v4, r);
		}
	}
}

size_t mesh_nodes_count(const struct mesh_nodes *ns)
{
	size_t n = 0;

	for (unsigned id = 0; id < MESH_NODES_MAX; id++)
		n += mesh_nodes_has(ns, id);
	return n;
}

size_t mesh_nodes_ids(const struct mesh_nodes *ns, unsigned *out, size_t max)
{
	size_t n = 0;

	for (unsigned id = 0; id < MESH_NODES_MAX && n < max; id++)
		if (mesh_nodes_has(ns, id))
			out[n++] = id;
	return n;
}

bool mesh_nodes_same_ids(const struct mesh_nodes *a, const struct mesh_nodes *b)
{
	for (unsigned id = 0; id < MESH_NODES_MAX; id++)
		if (mesh_nodes_has(a, id) != mesh_nodes_has(b, id))
			return false;
	return true;
}

static bool in_scope(const struct mesh_nodes *ns, unsigned id, enum mesh_nodes_scope scope)
{
	switch (scope) {
	case MESH_NODES_V4:
		return ns->node[id].v4.present;
	case MESH_NODES_V6:
		return ns->node[id].v6.present;
	default:
		return mesh_nodes_has(ns, id);
	}
}

void mesh_nodes_diff(const struct mesh_nodes *a, const struct mesh_nodes *b, enum mesh_nodes_scope scope,
		     unsigned *added, size_t *n_added, unsigned *removed, size_t *n_removed)
{
	*n_added = *n_removed = 0;
	for (unsigned id = 0; id < MESH_NODES_MAX; id++) {
		bool was = in_scope(a, id, scope), is = in_scope(b, id, scope);

		if (is && !was)
			added[(*n_added)++] = id;
		else if (was && !is)
			removed[(*n_removed)++] = id;
	}
}

static bool route_moved(const struct mesh_route *a, const struct mesh_route *b)
{
	return a->present && b->present && (strcmp(a->nexthop, b->nexthop) != 0 || strcmp(a->via, b->via) != 0);
}

unsigned mesh_nodes_reroutes(const struct mesh_nodes *a, const struct mesh_nodes *b)
{
	unsigned n = 0;

	for (unsigned id = 0; id < MESH_NODES_MAX; id++)
		n += route_moved(&a->node[id].v4, &b->node[id].v4) || route_moved(&a->node[id].v6, &b->node[id].v6);
	return n;
}
