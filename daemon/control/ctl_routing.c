#include "daemon/control/ctl_routing.h"

#include <errno.h>

#include "common/ctl/ctlproto.h"

static bool linked_to(struct links *ls, unsigned id)
{
	for (struct link *l = links_first(ls); l; l = l->next)
		if (!l->rec.peer && l->rec.remote_id == id && l->phase == LINK_PHASE_ACTIVE)
			return true;
	return false;
}

static json_t *route_json(const struct mesh_route *r)
{
	if (!r->present)
		return json_null();
	return json_pack("{s:s, s:s, s:I}", "nexthop", r->nexthop, "via", r->via, "metric", (json_int_t)r->metric);
}

static void handle_nodes(struct ctl_request *req, const json_t *args, void *ctx)
{
	struct ctl_routing *cr = ctx;
	const struct mesh_nodes *ns = bird_watch_nodes(cr->bird);
	json_t *reply = wgm_ctl_reply_ok(), *arr = json_array();

	for (unsigned id = 0; id < MESH_NODES_MAX; id++) {
		struct wgm_addrplan_v4 lo4;
		struct wgm_addrplan_v6 lo6;
		bool self = id == cr->cfg->id;

		if (!mesh_nodes_has(ns, id) && !self)
			continue;
		const struct mesh_route *best = ns->node[id].v4.present ? &ns->node[id].v4 : &ns->node[id].v6;
		json_t *node;

		wgm_addrplan_loopback_v4(cr->plan, id, &lo4);
		wgm_addrplan_loopback_v6(id, &lo6);
		/* next_hop/via/metric: the IPv4 route (the IPv6 one when there is no
		 * IPv4 route); ipv4/ipv6 give each family's. */
		node = json_pack("{s:I, s:s, s:s, s:b, s:b, s:b, s:o, s:o}", "id", (json_int_t)id, "loopback4",
				 lo4.text, "loopback6", lo6.text, "self", self, "client", addrplan_is_client(id),
				 "direct", !self && linked_to(cr->links, id), "ipv4", route_json(&ns->node[id].v4),
				 "ipv6", route_json(&ns->node[id].v6));
		if (node && best->present) {
			json_object_set_new(node, "next_hop", json_string(best->nexthop));
			json_object_set_new(node, "via", json_string(best->via));
			json_object_set_new(node, "metric", json_integer(best->metric));
		}
		route_truth_node_json(cr->truth, id, node);
		json_array_append_new(arr, node);
	}
	json_object_set_new(reply, "schema", json_integer(WGM_CTL_SCHEMA_VERSION));
	json_object_set_new(reply, "bird", json_string(bird_watch_up(cr->bird) ? "up" : "down"));
	json_object_set_new(reply, "nodes", arr);
	ctl_request_reply(req, reply);
}

static void handle_used(struct ctl_request *req, const json_t *args, void *ctx)
{
	struct ctl_routing *cr = ctx;
	const struct mesh_nodes *ns = bird_watch_nodes(cr->bird);
	json_t *reply = wgm_ctl_reply_ok(), *arr = json_array();

	for (unsigned id = 0; id < MESH_NODES_MAX; id++)
		if (mesh_nodes_has(ns, id) || id == cr->cfg->id)
			json_array_append_new(arr, json_integer(id));
	json_object_set_new(reply, "bird", json_string(bird_watch_up(cr->bird) ? "up" : "down"));
	json_object_set_new(reply, "ids", arr);
	ctl_request_reply(req, reply);
}

static void recover_done(int rc, const char *err, void *ctx)
{
	struct ctl_request *req = ctx;
	json_t *reply;

	if (rc < 0) {
		ctl_request_reply(req, wgm_ctl_reply_error("%s", err ? err : "BIRD config not applied"));
		return;
	}
	reply = wgm_ctl_reply_ok();
	json_object_set_new(reply, "bird", json_string("applied"));
	ctl_request_reply(req, reply);
}

static void handle_recover(struct ctl_request *req, const json_t *args, void *ctx)
{
	struct ctl_routing *cr = ctx;

	bird_watch_poll_now(cr->bird);
	if (routing_recover(cr->routing, recover_done, req) < 0)
		ctl_request_reply(req, wgm_ctl_reply_error("out of memory"));
}

int ctl_routing_register(struct ctl_routing *cr, struct ctl_server *ctl)
{
	int rc;

	if ((rc = ctl_server_register(ctl, WGM_CTL_CMD_NODES, handle_nodes, cr)) < 0 ||
	    (rc = ctl_server_register(ctl, WGM_CTL_CMD_USED, handle_used, cr)) < 0 ||
	    (rc = ctl_server_register(ctl, WGM_CTL_CMD_RECOVER, handle_recover, cr)) < 0)
		return rc;
	return 0;
}
