/* Watches BIRD from the loop: a non-blocking control-socket client that asks
 * every second `show ospf topology` for the mesh's router graph (ospf4,
 * ospf6 when there is none), `show route` for the set of routed node
 * loopbacks, then `show ospf neighbors` for the adjacency of every link.
 * BIRD is "up" while its socket answers. Nothing here blocks. */
#ifndef WGM_DAEMON_BIRD_WATCH_H
#define WGM_DAEMON_BIRD_WATCH_H

#include <stdbool.h>

#include "common/config/addrplan.h"
#include "daemon/core/loop.h"
#include "daemon/mesh/mesh_graph.h"
#include "daemon/mesh/mesh_nodes.h"

struct bird_watch;

struct bird_watch_deps {
	struct loop *loop;
	const struct wgm_addrplan *plan;
	const char *socket_path; /* borrowed */
	unsigned period_ms;      /* 1000 */
	/* After every answered `show route` (the set may be unchanged); old is
	 * the previous set. */
	void (*routes)(const struct mesh_nodes *old, const struct mesh_nodes *now, void *ctx);
	/* BIRD's socket started or stopped answering; err says why it stopped. */
	void (*state)(bool up, const char *err, void *ctx);
	void *ctx;
};

int bird_watch_new(const struct bird_watch_deps *deps, struct bird_watch **out);
void bird_watch_free(struct bird_watch *w);

bool bird_watch_up(const struct bird_watch *w);
/* The last answered set (empty while BIRD is down). */
const struct mesh_nodes *bird_watch_nodes(const struct bird_watch *w);
/* BIRD's OSPF neighbour state on the interface ("Full", ...), NULL while
 * BIRD is down or has no neighbour there. Valid until the next answer. */
const char *bird_watch_ospf_state(const struct bird_watch *w, const char *ifname);
/* The mesh's router graph from the last topology answer (mesh_graph.h), NULL
 * while BIRD is down or runs no OSPF. Valid until the next answer. */
const struct mesh_graph *bird_watch_graph(const struct bird_watch *w);
/* BIRD's routes of the last `show route` answer (every table, also those
 * that are no node's loopback), NULL while BIRD is down. Valid until the
 * next answer. */
const struct bird_routes *bird_watch_routes(const struct bird_watch *w);
/* BIRD's OSPF neighbours of the last answer, NULL while BIRD is down. */
const struct bird_ospf_neighbors *bird_watch_ospf_neighbors(const struct bird_watch *w);
/* Asks again now (after a config change, say). */
void bird_watch_poll_now(struct bird_watch *w);

#endif
