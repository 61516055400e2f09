/* The node API server (docs/api.md): /connectivity, /connect, /update,
 * /disconnect over HTTP, every request but /connectivity boxed and
 * authenticated by a token (joiners) or the mesh key (members). */
#ifndef WGM_DAEMON_NODE_API_H
#define WGM_DAEMON_NODE_API_H

#include <stdbool.h>
#include <stddef.h>

#include "common/config/addrplan.h"
#include "common/api/api_envelope.h"
#include "common/config/config.h"
#include "common/config/node_identity.h"
#include "daemon/api/http_server.h"
#include "daemon/links/links.h"
#include "daemon/api/tokens.h"
#include "daemon/api/trust_store.h"
#include "daemon/core/counters.h"

struct node_api;

struct node_api_deps {
	struct loop *loop;
	const struct wgm_config *cfg;
	const struct wgm_addrplan *plan;
	struct wgm_node_identity *identity;
	struct links *links;
	struct tokens *tokens;
	/* Tie-break for two nodes connecting to each other at once: true when
	 * this node has its own attempt towards REMOTE_ID under way and that
	 * attempt wins (the lower ID's does), so the incoming one gets 412. A
	 * losing attempt of ours is abandoned by the callee. */
	bool (*outgoing_wins)(unsigned remote_id, enum wgm_transport transport, void *ctx);
	/* Whether ID is a node the mesh knows now (416 on a first join). */
	bool (*id_in_mesh)(unsigned id, void *ctx);
	void *ctx;
	struct counters *counters; /* requests by status, token joins; may be NULL */
	struct trust_store *trust;
	struct http_client *http; /* a non-admin asks an admin to certify its joiner */
};

/* Listens on 10.0.ID.1 (listen local) or every address (public). */
int node_api_new(const struct node_api_deps *deps, struct node_api **out, char *err, size_t errlen);
void node_api_free(struct node_api *api);
uint16_t node_api_port(const struct node_api *api);

#endif
