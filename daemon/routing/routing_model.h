/* The BIRD config model of a node, built from its config and its links:
 * pure (takes values, returns values), so the rules are unit-tested. */
#ifndef WGM_DAEMON_ROUTING_MODEL_H
#define WGM_DAEMON_ROUTING_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "bird/conf_model.h"
#include "common/config/addrplan.h"
#include "common/config/config.h"
#include "daemon/links/link_record.h"
#include "daemon/quality/cost.h"

/* The IPv6 mesh aggregate (BIRD's mesh_unreachable6): every node's loopback
 * (fd10:0:ID::/48) and the VXLAN /64 lie in it. */
#define ROUTING_MESH_SUBNET6 "fd10::/16"

/* A link's cost before path quality has measured it. */
#define ROUTING_COST_DEFAULT 100

/* One link interface with the cost BIRD should give it; a peering link
 * (peer) gets an eBGP session with the other end (neighbor, remote_as)
 * instead of OSPF. neighbor: the other end's IPv4 link address (its /31
 * is kept out of OSPFv2's router-LSA). */
struct routing_iface {
	char ifname[LINK_NAME_MAX + 1];
	unsigned cost;
	bool v6_transport;
	bool peer;
	char neighbor[INET_ADDRSTRLEN];
	uint32_t remote_as;
};

/* The cost of a link before any measurement: drained COST_DRAIN_DEFAULT;
 * else the operator's override, else ROUTING_COST_DEFAULT; + COST_CLIENT_EXTRA
 * towards a client (ID >= 200); clamped by cost_clamp. */
unsigned routing_default_cost(const struct link_record *rec);

/* A model plus the storage its pointers refer to. */
struct routing_model {
	struct bird_conf_model m;
	struct bird_conf_area area;
	struct bird_conf_iface *ifaces;
	char (*link_prefixes4)[INET_ADDRSTRLEN + 3]; /* per interface: its /31 */
	struct bird_conf_bgp_peer *peers;
	const char *allowed[WGM_CONFIG_MAX_ALLOWED_PEERS];
	const char *allowed_prefixes[WGM_CONFIG_MAX_ALLOWED_PREFIXES];
	struct wgm_addrplan_range plan_ranges[WGM_ADDRPLAN_RANGES_MAX];
	struct bird_conf_range ranges[WGM_ADDRPLAN_RANGES_MAX];
	/* Every ID the plan allows, with its loopbacks (prefix ownership). */
	struct bird_conf_owner owners[WGM_ADDRPLAN_MAX_ID + 1];
	struct routing_owner {
		char router_id[INET_ADDRSTRLEN];
		struct wgm_addrplan_range lo4, lo6;
	} owner_text[WGM_ADDRPLAN_MAX_ID + 1];
	struct wgm_addrplan_range plan_owned[WGM_ADDRPLAN_OWNED_RANGES];
	struct bird_conf_range owned[WGM_ADDRPLAN_OWNED_RANGES];
	char loopback4[INET_ADDRSTRLEN];
	char loopback6[INET6_ADDRSTRLEN];
	char static_conf[WGM_CONFIG_PATH_MAX + 16];
	char bgp_conf[WGM_CONFIG_PATH_MAX + 16];
};

/* Fills out from cfg (ospfv2/ospfv3/area/tick/client/loglevel, localAS, AllowedPeers,
 * AllowedPrefixes), the mesh's own ranges and who owns what in them (every
 * ID of the plan) from the plan
 * and the interfaces (borrowed: they must outlive out). static.conf and
 * bgp.conf are the files beside cfg->bird_config. Returns 0, -ENOMEM or
 * -EINVAL (err names the key). Free with routing_model_free. */
int routing_model_build(const struct wgm_config *cfg, const struct wgm_addrplan *plan, const struct routing_iface *ifs,
			size_t n_ifs, struct routing_model *out, char *err, size_t errlen);
void routing_model_free(struct routing_model *rm);

/* The directory part of path ("." when it has none), for the includes. */
void routing_dir_of(const char *path, char *out, size_t outlen);

#endif
