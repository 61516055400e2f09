/* Taking a link down on both ends: a member call to the other node's
 * /disconnect, then the local removal. With force the local side goes even
 * when the other node does not answer. */
#ifndef WGM_DAEMON_DISCONNECT_H
#define WGM_DAEMON_DISCONNECT_H

#include <stdbool.h>
#include <stddef.h>

#include "daemon/join.h"
#include "daemon/links.h"

struct disconnect_deps {
	const struct wgm_config *cfg;
	const struct addrplan *plan;
	struct wgm_node_identity *identity;
	struct links *links;
	struct http_client *http;
};

int disconnect_link(const struct disconnect_deps *deps, const char *name, bool force, links_done_fn done,
		    void *ctx, char *err, size_t errlen);

#endif
