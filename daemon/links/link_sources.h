/* What a link's WireGuard peer may send into this node, and so what this
 * node sends to it: the peer's allowed IPs. WireGuard drops a packet from the
 * peer whose source is outside them, and picks the peer of an outgoing packet
 * by its destination, so they hold every address a packet crossing a link can
 * legitimately carry. Pure: built from the address plan and the config.
 *
 * A member link carries the whole mesh's traffic (transit from other members
 * too), so it gets the ranges the BIRD filters take from any member
 * (wgm_addrplan_mesh_ranges: loopbacks, link and VXLAN ranges, IPv4 and IPv6),
 * AllowedPrefixes and AllowedPeers (mesh_prefixesN in bird/conf_gen.c), and
 * what OSPF needs on a link (link_sources.c says which and why). A peering
 * link (`wgmesh peer`) carries the other network: its end of the link and
 * AllowedPeers, nothing of this mesh's ranges. */
#ifndef WGM_DAEMON_LINK_SOURCES_H
#define WGM_DAEMON_LINK_SOURCES_H

#include <stddef.h>

#include "common/config/addrplan.h"
#include "common/config/config.h"
#include "common/wg/wg.h"

#define LINK_SOURCES_OSPF 3
#define LINK_SOURCES_MAX \
	(WGM_ADDRPLAN_RANGES_MAX + LINK_SOURCES_OSPF + WGM_CONFIG_MAX_ALLOWED_PREFIXES + WGM_CONFIG_MAX_ALLOWED_PEERS)

struct link_sources {
	struct wgm_wg_allowed_ip member[LINK_SOURCES_MAX];
	size_t n_member;
	/* A peering link's, besides the other end's own link addresses. */
	struct wgm_wg_allowed_ip peer[WGM_CONFIG_MAX_ALLOWED_PEERS];
	size_t n_peer;
};

/* Fills OUT from PLAN and CFG's AllowedPrefixes and AllowedPeers. 0, or
 * -EINVAL naming the entry (the config checks them already). */
int link_sources_build(const struct wgm_addrplan *plan, const struct wgm_config *cfg, struct link_sources *out,
		       char *err, size_t errlen);

#endif
