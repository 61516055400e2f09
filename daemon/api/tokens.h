/* The node's join tokens: the store (stateDir/tokens.json, 0600, hashes
 * only) and the control commands token_create, token_list, token_revoke. */
#ifndef WGM_DAEMON_TOKENS_H
#define WGM_DAEMON_TOKENS_H

#include <stddef.h>
#include <stdint.h>

#include "common/config/config.h"
#include "common/config/node_identity.h"
#include "common/api/token.h"
#include "daemon/core/ctl_server.h"
#include "daemon/core/worker.h"

struct tokens {
	struct wgm_token_store *store;
	struct worker *worker;
	const struct wgm_config *cfg;
	const struct wgm_node_identity *identity;
	struct ctl_server *ctl; /* set by tokens_register; NULL before */
	char path[512];
};

/* Loads stateDir/tokens.json (a missing file is an empty store). */
int tokens_open(struct tokens *t, const struct wgm_config *cfg, const struct wgm_node_identity *identity,
		struct worker *worker, char *err, size_t errlen);
void tokens_close(struct tokens *t);
/* Persists the store (after a join consumed or refunded a use). */
void tokens_save(struct tokens *t);
/* The same, then DONE (on the loop) once the file is on disk or the write
 * failed: a join's reply waits for it, so a used single-use token cannot
 * work again after a crash. -ENOMEM (DONE not called) if it cannot queue. */
int tokens_save_then(struct tokens *t, void (*done)(int rc, const char *err, void *ctx), void *ctx);
int tokens_register(struct tokens *t, struct ctl_server *ctl);
/* Publishes the token_used event of a join by node REMOTE_ID (its link
 * LINK) that redeemed token ID for good: what uses are left, by id only. */
void tokens_publish_used(struct tokens *t, const char *id, unsigned remote_id, const char *link);

/* The endpoint URL a token of this node carries: http://PUBLIC_IPV4:PORT (or
 * the IPv6 form) when the API listens publicly, else "". Pure. */
void tokens_endpoint_url(const struct wgm_config *cfg, char *out, size_t len);

#endif
