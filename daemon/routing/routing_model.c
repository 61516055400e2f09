#include "daemon/routing/routing_model.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned routing_default_cost(const struct link_record *rec)
{
	unsigned cost;

	if (rec->drained)
		return COST_DRAIN_DEFAULT;
	cost = rec->cost_override > 0 ? (unsigned)rec->cost_override : ROUTING_COST_DEFAULT;
	if (addrplan_is_client(rec->remote_id))
		cost += COST_CLIENT_EXTRA;
	return cost_clamp(cost);
}

/* The /31 a link's remote IPv4 address is in; false without one. */
static bool link_prefix4(const char *remote, char *out, size_t outlen)
{
	struct in_addr a;
	char text[INET_ADDRSTRLEN];

	if (inet_pton(AF_INET, remote, &a) != 1 || a.s_addr == 0)
		return false;
	a.s_addr = htonl(ntohl(a.s_addr) & ~1u);
	inet_ntop(AF_INET, &a, text, sizeof(text));
	snprintf(out, outlen, "%s/31", text);
	return true;
}

void routing_dir_of(const char *path, char *out, size_t outlen)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(out, outlen, ".");
	else if (slash == path)
		snprintf(out, outlen, "/");
	else
		snprintf(out, outlen, "%.*s", (int)(slash - path), path);
}

static int loglevel_of(const char *name, enum bird_conf_loglevel *out)
{
	static const struct {
		const char *name;
		enum bird_conf_loglevel level;
	} levels[] = {
		{ "err", BIRD_CONF_LOG_ERR },         { "error", BIRD_CONF_LOG_ERR },
		{ "warning", BIRD_CONF_LOG_WARNING }, { "warn", BIRD_CONF_LOG_WARNING },
		{ "notice", BIRD_CONF_LOG_INFO },     { "info", BIRD_CONF_LOG_INFO },
		{ "debug", BIRD_CONF_LOG_DEBUG },
	};

	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		if (strcmp(name, levels[i].name) == 0) {
			*out = levels[i].level;
			return 0;
		}
	}
	return -EINVAL;
}

/* The plan's ranges as BIRD's; OUT points into IN. */
static void to_bird_ranges(const struct wgm_addrplan_range *in, size_t n, struct bird_conf_range *out)
{
	for (size_t i = 0; i < n; i++)
		out[i] = (struct bird_conf_range){ .prefix = in[i].prefix,
						   .min_len = in[i].min_len,
						   .max_len = in[i].max_len };
}

/* Every ID the plan allows owns its loopbacks, whether it exists yet or not:
 * a node that joins later is protected from its first announcement. */
static void fill_owners(const struct wgm_addrplan *plan, struct routing_model *out)
{
	char err[160];
	size_t n = 0;

	for (unsigned id = 0; id <= WGM_ADDRPLAN_MAX_ID; id++) {
		struct routing_owner *t = &out->owner_text[n];
		struct wgm_addrplan_v4 rid;
		if (wgm_addrplan_check_id(plan, id, err, sizeof(err)) != 0)
			continue;
		wgm_addrplan_loopback_v4(plan, id, &rid);
		snprintf(t->router_id, sizeof(t->router_id), "%s", rid.text);
		wgm_addrplan_loopback_nets(plan, id, &t->lo4, &t->lo6);
		out->owners[n++] = (struct bird_conf_owner){ .router_id = t->router_id,
							     .loopback4 = t->lo4.prefix,
							     .loopback6 = t->lo6.prefix };
	}
	out->m.owners = out->owners;
	out->m.n_owners = n;
	out->m.n_owned_ranges = wgm_addrplan_owned_ranges(plan, out->plan_owned);
	to_bird_ranges(out->plan_owned, out->m.n_owned_ranges, out->owned);
	out->m.owned_ranges = out->owned;
}

int routing_model_build(const struct wgm_config *cfg, const struct wgm_addrplan *plan, const struct routing_iface *ifs,
			size_t n_ifs, struct routing_model *out, char *err, size_t errlen)
{
	struct wgm_addrplan_v4 lo4;
	struct wgm_addrplan_v6 lo6;
	char dir[WGM_CONFIG_PATH_MAX];
	size_t n_ospf = 0, n_peers = 0;

	memset(out, 0, sizeof(*out));
	if (loglevel_of(cfg->bird.loglevel, &out->m.loglevel) < 0) {
		snprintf(err, errlen, "loglevel: '%s' is not one of err, warning, info, debug", cfg->bird.loglevel);
		return -EINVAL;
	}
	if (n_ifs > 0) {
		out->ifaces = calloc(n_ifs, sizeof(*out->ifaces));
		out->peers = calloc(n_ifs, sizeof(*out->peers));
		out->link_prefixes4 = calloc(n_ifs, sizeof(*out->link_prefixes4));
		if (!out->ifaces || !out->peers || !out->link_prefixes4) {
			routing_model_free(out);
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < n_ifs; i++) {
		/* Peering links carry BGP only: the other network is no part of this OSPF. */
		if (ifs[i].peer) {
			out->peers[n_peers++] = (struct bird_conf_bgp_peer){ .ifname = ifs[i].ifname,
									     .neighbor = ifs[i].neighbor,
									     .remote_as = ifs[i].remote_as };
			continue;
		}
		out->ifaces[n_ospf].ifname = ifs[i].ifname;
		out->ifaces[n_ospf].cost = cost_clamp(ifs[i].cost);
		out->ifaces[n_ospf].type = BIRD_CONF_PTP;
		out->ifaces[n_ospf].v6_transport = ifs[i].v6_transport;
		if (link_prefix4(ifs[i].neighbor, out->link_prefixes4[n_ospf], sizeof(out->link_prefixes4[n_ospf])))
			out->ifaces[n_ospf].link_prefix4 = out->link_prefixes4[n_ospf];
		n_ospf++;
	}
	wgm_addrplan_loopback_v4(plan, cfg->id, &lo4);
	wgm_addrplan_loopback_v6(cfg->id, &lo6);
	snprintf(out->loopback4, sizeof(out->loopback4), "%s", lo4.text);
	snprintf(out->loopback6, sizeof(out->loopback6), "%s", lo6.text);
	routing_dir_of(cfg->bird_config, dir, sizeof(dir));
	snprintf(out->static_conf, sizeof(out->static_conf), "%s/static.conf", dir);
	snprintf(out->bgp_conf, sizeof(out->bgp_conf), "%s/bgp.conf", dir);
	for (size_t i = 0; i < cfg->allowed_peers_count; i++)
		out->allowed[i] = cfg->allowed_peers[i];
	for (size_t i = 0; i < cfg->allowed_prefixes_count; i++)
		out->allowed_prefixes[i] = cfg->allowed_prefixes[i];
	out->m.n_mesh_ranges = wgm_addrplan_mesh_ranges(plan, out->plan_ranges);
	to_bird_ranges(out->plan_ranges, out->m.n_mesh_ranges, out->ranges);
	out->m.mesh_ranges = out->ranges;
	fill_owners(plan, out);
	out->m.allowed_prefixes = out->allowed_prefixes;
	out->m.n_allowed_prefixes = cfg->allowed_prefixes_count;
	out->area = (struct bird_conf_area){ .id = cfg->bird.area, .ifaces = out->ifaces, .n_ifaces = n_ospf };
	out->m.local_as = cfg->local_as;
	out->m.bgp_peers = out->peers;
	out->m.n_bgp_peers = n_peers;
	out->m.node_id = cfg->id;
	out->m.loopback4 = out->loopback4;
	out->m.loopback6 = out->loopback6;
	out->m.mesh_subnet4 = cfg->subnet;
	out->m.mesh_subnet6 = ROUTING_MESH_SUBNET6;
	out->m.ospfv2 = cfg->bird.ospfv2;
	out->m.ospfv3 = cfg->bird.ospfv3;
	out->m.client = cfg->bird.client || addrplan_is_client(cfg->id);
	out->m.tick = cfg->bird.tick;
	/* BIRD runs in the foreground under systemd (bird2's unit) or the lab,
	 * so stderr reaches the journal or the lab's log file. */
	out->m.log_target = BIRD_CONF_LOG_STDERR;
	out->m.areas = &out->area;
	out->m.n_areas = 1;
	out->m.allowed_peers = out->allowed;
	out->m.n_allowed_peers = cfg->allowed_peers_count;
	out->m.static_conf_path = out->static_conf;
	out->m.bgp_conf_path = out->bgp_conf;
	return 0;
}

void routing_model_free(struct routing_model *rm)
{
	free(rm->ifaces);
	rm->ifaces = NULL;
	free(rm->peers);
	rm->peers = NULL;
	free(rm->link_prefixes4);
	rm->link_prefixes4 = NULL;
}
