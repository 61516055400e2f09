/* Outgoing connections: the operator's `connect URL TOKEN` (a join) and the
 * links mesh buildup makes as a member. Each attempt is a small state
 * machine on the loop: /connectivity, then one /connect per transport (IPv4
 * first, then IPv6 when both sides have both), each followed by the local
 * link. The token is used once, for the first link; later ones are member
 * calls with the mesh key the first reply handed over. */
#ifndef WGM_DAEMON_JOIN_H
#define WGM_DAEMON_JOIN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/config/addrplan.h"
#include "common/config/config.h"
#include "common/config/node_identity.h"
#include "daemon/api/http_client.h"
#include "daemon/api/trust_store.h"
#include "daemon/links/links.h"

struct join;

struct join_deps {
	struct loop *loop;
	const struct wgm_config *cfg;
	const struct wgm_addrplan *plan;
	struct wgm_node_identity *identity;
	struct links *links;
	struct http_client *http;
	struct ctl_server *ctl; /* events; may be NULL */
	struct trust_store *trust;
	/* A token join (not a peering) made its links through REMOTE_ID (the
	 * interim sponsor route, daemon/routing/interim_plan.h). May be NULL. */
	void (*token_joined)(unsigned remote_id, void *ctx);
	void *token_joined_ctx;
};

/* result: {"remote_id":N,"links":["pipe0","pipe0v6"]} on success (borrowed);
 * err: one line on failure. */
typedef void (*join_done_fn)(int rc, const json_t *result, const char *err, void *ctx);

int join_new(const struct join_deps *deps, struct join **out);
/* Abandons attempts in flight (their callbacks are not called). */
void join_free(struct join *j);

/* URL of the node to join (NULL: the one the token carries). LINK_TYPE NULL:
 * the configured default. PORT 0: the server picks. */
int join_connect_token(struct join *j, const char *url, const char *token_text, const char *link_type, unsigned port,
		       join_done_fn done, void *ctx, char *err, size_t errlen);

/* A peering join (`wgmesh peer URL TOKEN`): one link to a node of another
 * mesh with that node's token, marked peer in both records; no mesh key
 * changes hands, no mesh buildup follows, BIRD runs eBGP over it. */
int join_peer_token(struct join *j, const char *url, const char *token_text, join_done_fn done, void *ctx, char *err,
		    size_t errlen);

/* A member's connection to REMOTE_ID through the mesh (mesh buildup). */
int join_connect_member(struct join *j, unsigned remote_id, join_done_fn done, void *ctx, char *err, size_t errlen);

/* Tie-break for node_api: whether an attempt of ours towards REMOTE_ID is
 * under way and wins over an incoming one (the lower ID's wins). A losing
 * attempt is marked, and its 412 is then taken as success. */
bool join_outgoing_wins(struct join *j, unsigned remote_id, enum wgm_transport transport);
/* Attempts under way. */
size_t join_active(const struct join *j);
bool join_attempt_towards(const struct join *j, unsigned remote_id);

/* The API base URL of a member through the mesh: http://10.0.ID.1:PORT. */
void join_member_url(const struct wgm_addrplan *plan, const struct wgm_config *cfg, unsigned remote_id, char *out,
		     size_t len);

#endif
