#include "daemon/routing/route_truth.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ctl/ctlproto.h"

struct last_route {
	char via[BIRD_IFNAME_MAX]; /* "" when none */
	int next_hop_id;
};

struct route_truth {
	struct route_truth_deps d;
	struct last_route last[MESH_NODES_MAX];
};

/* The route traffic takes: IPv4's, IPv6's when there is no IPv4 route (as
 * the nodes reply's "via"). */
static const struct mesh_route *best_route(const struct mesh_nodes *ns, unsigned id)
{
	return ns->node[id].v4.present ? &ns->node[id].v4 : &ns->node[id].v6;
}

static int remote_of(struct links *ls, const char *ifname)
{
	struct link *l = ifname[0] ? links_find(ls, ifname) : NULL;

	return l ? (int)l->rec.remote_id : -1;
}

static bool linked(struct links *ls, unsigned id)
{
	for (struct link *l = links_first(ls); l; l = l->next)
		if (l->rec.remote_id == id)
			return true;
	return false;
}

static struct route_view view_in(const struct route_truth *rt, const struct mesh_nodes *ns, unsigned id)
{
	const struct mesh_route *r = best_route(ns, id);
	struct route_view v = route_view_of(rt->d.self, id, r->present,
					    r->present ? remote_of(rt->d.links, r->via) : -1, linked(rt->d.links, id));

	route_view_follow(&v, bird_watch_graph(rt->d.bird));
	return v;
}

struct route_view route_truth_view(const struct route_truth *rt, unsigned id)
{
	return view_in(rt, bird_watch_nodes(rt->d.bird), id);
}

static json_t *id_or_null(int id)
{
	return id >= 0 ? json_integer(id) : json_null();
}

static json_t *path_json(const struct route_view *v)
{
	json_t *arr;

	if (!v->path_len || !(arr = json_array()))
		return json_null();
	for (size_t i = 0; i < v->path_len; i++)
		json_array_append_new(arr, json_integer(v->path[i]));
	return arr;
}

void route_truth_node_json(const struct route_truth *rt, unsigned id, json_t *node)
{
	struct route_view v = route_truth_view(rt, id);

	if (!node)
		return;
	json_object_set_new(node, "next_hop_id", id_or_null(v.next_hop_id));
	json_object_set_new(node, "path", path_json(&v));
	json_object_set_new(node, "path_whole", json_boolean(v.path_whole));
	json_object_set_new(node, "route_state", json_string(route_state_name(v.state)));
}

static json_t *str_or_null(const char *s)
{
	return s && s[0] ? json_string(s) : json_null();
}

static void publish(struct route_truth *rt, unsigned id, const struct last_route *old, const struct last_route *now,
		    const struct route_view *v)
{
	json_t *ev;

	if (!rt->d.ctl || !(ev = wgm_ctl_event_new(WGM_CTL_EVENT_ROUTE)))
		return;
	json_object_set_new(ev, "node", json_integer(id));
	json_object_set_new(ev, "old_via", str_or_null(old->via));
	json_object_set_new(ev, "new_via", str_or_null(now->via));
	json_object_set_new(ev, "old_next_hop_id", id_or_null(old->next_hop_id));
	json_object_set_new(ev, "new_next_hop_id", id_or_null(now->next_hop_id));
	json_object_set_new(ev, "path", path_json(v));
	json_object_set_new(ev, "path_whole", json_boolean(v->path_whole));
	json_object_set_new(ev, "state", json_string(route_state_name(v->state)));
	ctl_server_publish(rt->d.ctl, ev);
}

void route_truth_on_routes(struct route_truth *rt, const struct mesh_nodes *now)
{
	for (unsigned id = 0; id < MESH_NODES_MAX; id++) {
		const struct mesh_route *r = best_route(now, id);
		struct last_route cur = { .next_hop_id = -1 };
		struct route_view v;

		if (id == rt->d.self)
			continue;
		if (r->present)
			snprintf(cur.via, sizeof(cur.via), "%s", r->via);
		if (strcmp(cur.via, rt->last[id].via) == 0)
			continue;
		v = view_in(rt, now, id);
		cur.next_hop_id = v.next_hop_id;
		publish(rt, id, &rt->last[id], &cur, &v);
		rt->last[id] = cur;
	}
}

static void link_json(const struct link *link, json_t *obj, void *ctx)
{
	struct route_truth *rt = ctx;
	const struct mesh_nodes *ns = bird_watch_nodes(rt->d.bird);
	json_t *carries = json_array();

	for (unsigned id = 0; carries && id < MESH_NODES_MAX; id++) {
		const struct mesh_route *r = best_route(ns, id);
		if (id != rt->d.self && r->present && strcmp(r->via, link->rec.name) == 0)
			json_array_append_new(carries, json_integer(id));
	}
	json_object_set_new(obj, "carries", carries ? carries : json_null());
	json_object_set_new(obj, "ospf", str_or_null(bird_watch_ospf_state(rt->d.bird, link->rec.name)));
}

int route_truth_new(const struct route_truth_deps *deps, struct route_truth **out)
{
	struct route_truth *rt = calloc(1, sizeof(*rt));

	if (!rt)
		return -ENOMEM;
	rt->d = *deps;
	for (unsigned id = 0; id < MESH_NODES_MAX; id++)
		rt->last[id].next_hop_id = -1;
	links_set_json_route_extra(deps->links, link_json, rt);
	*out = rt;
	return 0;
}

void route_truth_free(struct route_truth *rt)
{
	if (!rt)
		return;
	links_set_json_route_extra(rt->d.links, NULL, NULL);
	free(rt);
}
