/* Fast local repair (docs/routing.md#fast-repair): BIRD's OSPF moves a
 * route only at its next tick (1 s at best) after BFD found a link dead.
 * In that gap this node moves the routes that left on the dead link itself:
 * it asks BIRD's BFD sessions every FAST_REPAIR_POLL_MS on a control socket
 * of its own, and when a session of link L leaves Up, writes for every
 * prefix whose BIRD route leaves on L a kernel route over a loop-free
 * alternate (repair_lfa.h) at WGM_KERNEL_METRIC_REPAIR, which beats BIRD's.
 * Each such route goes as soon as BIRD's own route no longer leaves on L,
 * when L's session is Up again, when `bird.fastRepair` is turned off, and
 * at the latest after FAST_REPAIR_MAX_MS. One log line and one
 * "fast_repair" event per repair and per removal. */
#ifndef WGM_DAEMON_FAST_REPAIR_H
#define WGM_DAEMON_FAST_REPAIR_H

#include "common/config/addrplan.h"
#include "common/config/config.h"
#include "common/netlink/nl_route_table.h"
#include "daemon/core/ctl_server.h"
#include "daemon/core/loop.h"
#include "daemon/links/links.h"
#include "daemon/routing/bird_watch.h"

/* How often BFD's verdicts are read: BFD itself takes 300 ms (100 ms x 3). */
#define FAST_REPAIR_POLL_MS 50
/* The longest a repair route lives. BIRD has caught up by then: it
 * re-originates its router LSA at most every 5 s (MinLSInterval), then its
 * tick (1 s) runs the SPF, and the watcher reads the result within 1 s. */
#define FAST_REPAIR_MAX_MS 8000

struct fast_repair;

struct fast_repair_deps {
	struct loop *loop;
	const struct wgm_config *cfg; /* bird_socket, bird.fast_repair (read at every poll), id */
	const struct wgm_addrplan *plan;
	struct links *links;
	struct bird_watch *bird;   /* routes, OSPF graph and neighbours */
	struct wgm_nl_sock *route; /* the loop's netlink socket */
	struct ctl_server *ctl;    /* events; may be NULL */
};

int fast_repair_new(const struct fast_repair_deps *deps, struct fast_repair **out);
/* Removes the repair routes still in place. NULL is ignored. */
void fast_repair_free(struct fast_repair *fr);

/* After every answered `show route`: repairs whose prefix BIRD has moved
 * off the dead link go. */
void fast_repair_on_routes(struct fast_repair *fr);

/* How many repair routes are in place now. */
size_t fast_repair_count(const struct fast_repair *fr);

#endif
