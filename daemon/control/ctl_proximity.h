/* Control commands that measure the underlay: `proximity` (latency to every
 * node's public address, sorted, with the link state to each; with a cutoff,
 * connect to close nodes and cut links to far ones that are not the last
 * path to a node) and `clean` (remove links dead for cleanAfter seconds
 * whose other end does not answer on the underlay either). Measuring, and
 * asking BIRD for the mesh's graph, run on the worker; the changes go
 * through mesh buildup's member connect and disconnect. A cutoff's decision
 * (the cutoff and the nodes cut) is kept in the state directory and handed to
 * buildup, which links no cut node again; `proximity off` lifts it.
 * docs/cli.md. */
#ifndef WGM_DAEMON_CTL_PROXIMITY_H
#define WGM_DAEMON_CTL_PROXIMITY_H

#include "common/config/addrplan.h"
#include "common/config/config.h"
#include "common/config/node_identity.h"
#include "daemon/api/http_client.h"
#include "daemon/core/ctl_server.h"
#include "daemon/core/worker.h"
#include "daemon/links/links.h"
#include "daemon/mesh/buildup.h"
#include "daemon/mesh/disconnect.h"
#include "daemon/mesh/join.h"
#include "daemon/routing/bird_watch.h"

/* Each underlay probe: tries, and the wait of each (all targets at once). */
#define PROXIMITY_TRIES 3
#define PROXIMITY_TIMEOUT_MS 1000

struct ctl_proximity {
	const struct wgm_config *cfg;
	const struct wgm_addrplan *plan;
	struct wgm_node_identity *identity;
	struct links *links;
	struct join *join;
	const struct disconnect_deps *disconnect;
	struct http_client *http;
	struct worker *worker;
	struct bird_watch *bird;
	struct buildup *buildup; /* holds the proximity decision in force */
	bool stopping;
};

int ctl_proximity_register(struct ctl_proximity *cp, struct ctl_server *ctl);
/* Daemon shutdown, before the HTTP client and the worker go: requests still
 * measuring are answered with an error instead of going on. */
void ctl_proximity_stop(struct ctl_proximity *cp);

/* Mesh buildup's screen (buildup_screen_fn, ctx: the ctl_proximity): the
 * latency to node ID as `proximity` measures it; a node beyond the cutoff in
 * force is cut and kept so, then buildup_screened is called. */
int ctl_proximity_screen(unsigned id, void *ctx);

#endif
