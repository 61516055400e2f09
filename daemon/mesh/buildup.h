/* Mesh buildup: once this node has a link, it watches the nodes BIRD routes
 * until their set has been stable for a few seconds (the mesh's routes have
 * arrived), then connects as a member to every routed node it has no link
 * to, a few at a time. Clients (ID >= 200) are never connected to, and a
 * client node connects to nobody. Nodes that appear later (joined
 * elsewhere) get the same treatment; a node once linked is not linked again
 * (an operator's `disconnect` stands) until it leaves the routes and comes
 * back. A node a proximity cutoff cut (proximity_state.h) is not linked
 * again at all, after a restart too, until the cut is lifted; while a cutoff
 * is in force, a node not linked yet is first measured (the screen hook) and
 * one beyond the cutoff is cut instead of linked. A node linked over some of
 * the transports both have (a join cut between its IPv4 and IPv6 links) gets
 * the others from the side that connected. Two nodes connecting to each other at
 * once end with one link per transport: join.c's tie-break and the node
 * API's atomic check settle it. Progress: status "mesh" and "mesh" events. */
#ifndef WGM_DAEMON_BUILDUP_H
#define WGM_DAEMON_BUILDUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config/config.h"
#include "daemon/core/ctl_server.h"
#include "daemon/mesh/join.h"
#include "daemon/links/links.h"
#include "daemon/mesh/mesh_nodes.h"
#include "daemon/mesh/proximity_state.h"

#define BUILDUP_STABLE_MS 3000
#define BUILDUP_PARALLEL 3
/* A failed attempt is retried after BUILDUP_RETRY_FIRST_MS, doubled per
 * failure in a row up to BUILDUP_RETRY_MS. */
#define BUILDUP_RETRY_FIRST_MS 2000
#define BUILDUP_RETRY_MS 15000

enum buildup_state {
	BUILDUP_OFF, /* `disable mesh` */
	/* no link yet, the routed set is still changing, or this node cannot
	 * know the mesh yet: a sponsor route is live (it joined moments ago)
	 * or OSPF does not route a node it has an active link to */
	BUILDUP_WAITING,
	BUILDUP_BUILDING, /* connecting */
	BUILDUP_DONE,     /* a direct link to every node it should have one to */
};

const char *buildup_state_name(enum buildup_state s);

/* Pure: the nodes to connect to now. nodes: routed; linked[id]: a link (any
 * phase) to id exists or existed while it was routed; busy[id]: an attempt is under way or waits for its
 * retry. Writes ascending IDs to out (at most max); returns how many there
 * are in all (which may be more than max). */
size_t buildup_targets(unsigned self_id, bool self_client, const struct mesh_nodes *nodes, const bool *linked,
		       const bool *busy, unsigned *out, size_t max);

struct buildup;

struct buildup_deps {
	struct loop *loop;
	const struct wgm_config *cfg; /* mesh read live */
	struct links *links;
	struct join *join;
	struct ctl_server *ctl; /* events; may be NULL */
};

int buildup_new(const struct buildup_deps *deps, struct buildup **out);
/* Free after join_free (which drops attempts without their callbacks). */
void buildup_free(struct buildup *b);

/* Every answered `show route` (from bird_watch). */
void buildup_on_routes(struct buildup *b, const struct mesh_nodes *nodes);
/* Whether this node routes the mesh through its sponsor (an interim route
 * after a token join): until it goes, OSPF may not show every member yet,
 * so buildup is not done. Set before each buildup_on_routes. */
void buildup_set_sponsor_route(struct buildup *b, bool live);
/* `enable mesh` / `disable mesh` took effect in cfg. */
void buildup_config_changed(struct buildup *b);
enum buildup_state buildup_state(const struct buildup *b);
/* The proximity decision in force (loaded at start, or a `proximity` run's).
 * A node no longer cut is forgotten as linked, so buildup links it again. */
void buildup_set_proximity(struct buildup *b, const struct proximity_state *s);
const struct proximity_state *buildup_proximity(const struct buildup *b);

/* While a cutoff is in force, buildup calls SCREEN before it links a node it
 * has not measured since the node appeared (or since the cutoff changed).
 * SCREEN returns 0 and later calls buildup_screened (after cutting the node
 * with buildup_set_proximity when it is far), or < 0 when it cannot measure:
 * the node is then linked as without a cutoff. NULL: nothing is measured. */
typedef int (*buildup_screen_fn)(unsigned id, void *ctx);
void buildup_set_screen(struct buildup *b, buildup_screen_fn screen, void *ctx);
void buildup_screened(struct buildup *b, unsigned id);

#endif
