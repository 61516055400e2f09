/* Taking a link down on both ends: a member call to the other node's
 * /disconnect, then the local removal. With force the local side goes even
 * when the other node does not answer. */
#ifndef WGM_DAEMON_DISCONNECT_H
#define WGM_DAEMON_DISCONNECT_H

#include <stdbool.h>
#include <stddef.h>

#include "daemon/mesh/join.h"
#include "daemon/links/links.h"
#include "daemon/core/loop.h"

/* A call that got no answer is tried again every DISCONNECT_RETRY_MS while
 * the next try starts within DISCONNECT_RETRY_FOR_MS of the first: after the
 * previous link to a node went, the mesh needs BFD and OSPF's time to route
 * to that node's loopback over another link. */
#define DISCONNECT_RETRY_MS 1000
#define DISCONNECT_RETRY_FOR_MS 10000

struct disconnect_op;

/* The disconnects waiting to try their call again. Zeroed to start. */
struct disconnect_waiting {
	struct disconnect_op *first;
	bool stopping;
};

struct disconnect_deps {
	const struct wgm_config *cfg;
	const struct wgm_addrplan *plan;
	struct wgm_node_identity *identity;
	struct links *links;
	struct http_client *http;
	struct loop *loop;
	struct disconnect_waiting *waiting;
};

int disconnect_link(const struct disconnect_deps *deps, const char *name, bool force, links_done_fn done, void *ctx,
		    char *err, size_t errlen);

/* For daemon shutdown, before the HTTP client is freed: the waiting
 * disconnects fail (or, with force, remove this end), and calls the HTTP
 * client cancels afterwards are not tried again. */
void disconnect_stop(struct disconnect_waiting *w);

#endif
