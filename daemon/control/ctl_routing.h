/* Control commands about routing: nodes (every node BIRD routes, with next
 * hop, interface, metric, whether a direct link exists, and the next-hop
 * node, path and route state of route_truth.h), used (the node
 * IDs in use) and recover (regenerate BIRD's config and apply it now). */
#ifndef WGM_DAEMON_CTL_ROUTING_H
#define WGM_DAEMON_CTL_ROUTING_H

#include "common/config/addrplan.h"
#include "common/config/config.h"
#include "daemon/routing/bird_watch.h"
#include "daemon/core/ctl_server.h"
#include "daemon/links/links.h"
#include "daemon/routing/route_truth.h"
#include "daemon/routing/routing.h"

struct ctl_routing {
	const struct wgm_config *cfg;
	const struct wgm_addrplan *plan;
	struct links *links;
	struct routing *routing;
	struct bird_watch *bird;
	struct route_truth *truth;
};

int ctl_routing_register(struct ctl_routing *cr, struct ctl_server *ctl);

#endif
