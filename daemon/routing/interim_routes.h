/* Interim routes in the kernel (the decisions: interim_plan.h): follows the
 * link table (a link up, a link gone), token joins and BIRD's routes, and
 * writes what the plan decides as proto 247 routes (nl_route_table.h) over
 * the loop's rtnetlink socket, one log line per route added or removed.
 * A route the kernel dropped already (its device went) is no error. */
#ifndef WGM_DAEMON_INTERIM_ROUTES_H
#define WGM_DAEMON_INTERIM_ROUTES_H

#include "common/config/addrplan.h"
#include "common/config/config.h"
#include "common/netlink/nl_sock.h"
#include "daemon/core/loop.h"
#include "daemon/links/links.h"
#include "daemon/mesh/mesh_nodes.h"

struct interim_routes;

struct interim_routes_deps {
	struct loop *loop;
	const struct wgm_config *cfg;
	const struct wgm_addrplan *plan;
	struct links *links;
	struct wgm_nl_sock *route; /* NETLINK_ROUTE, used on the loop */
};

/* Adds its hooks to the link table. */
int interim_routes_new(const struct interim_routes_deps *deps, struct interim_routes **out);
/* Removes the routes it wrote and follows nothing more; before the link
 * table goes (its hooks still call in, and do nothing). NULL is ignored. */
void interim_routes_stop(struct interim_routes *ir);
/* After the link table is freed: its hooks point here. Stops first. */
void interim_routes_free(struct interim_routes *ir);

/* Every answered `show route` (bird_watch). */
void interim_routes_on_routes(struct interim_routes *ir, const struct mesh_nodes *nodes);
/* A sponsor route is in the kernel: OSPF has not settled on this joiner. */
bool interim_routes_sponsor_live(const struct interim_routes *ir);
/* A token join through REMOTE_ID succeeded. */
void interim_routes_joined(struct interim_routes *ir, unsigned remote_id);

#endif
