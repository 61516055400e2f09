/* What this node knows of the mesh authority (docs/api.md "Mesh authority"):
 * the certificates it has checked and the revocations, kept in
 * stateDir/members.json; admission (an admin signs a joiner's certificate),
 * `member revoke` (an admin signs a revocation), spreading revocations
 * through the mesh (POST /trust to every member on a revocation, and every
 * 15 s to the direct neighbours, so a node that was down catches up), and
 * taking down the links of a revoked identity. The pure logic is
 * common/api/trust.h.
 *
 * A node whose identity has no mesh public key (state of an earlier version)
 * has no trust store: enabled() is false and nothing is checked. */
#ifndef WGM_DAEMON_TRUST_STORE_H
#define WGM_DAEMON_TRUST_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/api/admin_grant.h"
#include "common/api/trust.h"
#include "common/config/addrplan.h"
#include "common/config/config.h"
#include "common/config/node_identity.h"
#include "daemon/api/http_client.h"
#include "daemon/core/ctl_server.h"
#include "daemon/core/loop.h"
#include "daemon/links/links.h"

#define TRUST_STORE_FILE "members.json"
#define TRUST_SYNC_PERIOD_MS 15000
#define TRUST_CERTS_PER_BODY 8 /* certificates gossiped per /trust body */
#define TRUST_ADMINS_MAX 8     /* promoted admins (grants) one node keeps */

struct trust_store {
	struct loop *loop;
	const struct wgm_config *cfg;
	const struct wgm_addrplan *plan;
	struct wgm_node_identity *identity;
	struct links *links;
	struct http_client *http;
	struct wgm_trust *t; /* NULL: no mesh authority (an earlier version's state) */
	struct loop_timer *timer;
	size_t cert_page;                                /* where the next /trust body's page of certificates starts */
	int64_t last_fetch;                              /* unix seconds of the last mesh-key fetch from the admins */
	struct wgm_admin_grant admins[TRUST_ADMINS_MAX]; /* trust_admins.h */
	size_t n_admins;
	size_t admin_page;        /* where the next /trust body's page of grants starts */
	int64_t unreachable[256]; /* by node ID: when it last failed a /certify (unix seconds) */
};

/* Loads members.json, signs an admin's own certificate when it has none for
 * its ID, and starts the periodic exchange. 0 or negative errno with ERR. */
int trust_store_open(struct trust_store *ts, struct loop *loop, const struct wgm_config *cfg,
		     const struct wgm_addrplan *plan, struct wgm_node_identity *identity, struct links *links,
		     struct http_client *http, char *err, size_t errlen);
/* Call after the HTTP client is freed (its cancelled calls report here). */
void trust_store_close(struct trust_store *ts);
int trust_store_register(struct trust_store *ts, struct ctl_server *ctl);

bool trust_store_enabled(const struct trust_store *ts);

/* A member call's credential: PAYLOAD's "cert" must be a certificate of this
 * mesh for CALLER_PK, not revoked, and its ID bound to no other key. *ID gets
 * the certificate's node ID. Always 0 (ID unset) without an authority. 0 or
 * -EACCES with one line. */
int trust_store_check_caller(struct trust_store *ts, const json_t *payload, const uint8_t caller_pk[32], uint32_t *id,
			     char *err, size_t errlen);

/* Whether node ID may join with API_PK (not revoked, ID not bound to another
 * key). 0 or -EACCES with one line. */
int trust_store_may_admit(struct trust_store *ts, uint32_t id, const uint8_t api_pk[32], char *err, size_t errlen);

/* An admin's certificate for (ID, API_PK), remembered. 0, -EPERM (this node
 * is no admin) or -EACCES (may_admit refused), one line in ERR. */
int trust_store_issue(struct trust_store *ts, uint32_t id, const uint8_t api_pk[32], struct wgm_cert *out, char *err,
		      size_t errlen);

/* Puts what a joiner needs into a /connect reply: "mesh_pk", "cert" (CERT,
 * the joiner's), "issuer_cert" (the admin's that signed it) and
 * "server_cert" (this node's). */
int trust_store_put_join_reply(struct trust_store *ts, json_t *payload, const struct wgm_cert *cert);

/* A joiner takes the mesh authority a token join's reply brought (or, a reply
 * without one, becomes a member of a mesh without an authority). 0 or
 * -EPROTO/-EIO with one line. */
int trust_store_adopt(struct trust_store *ts, const json_t *reply, char *err, size_t errlen);

/* A /connectivity answer (member buildup): its "cert" must be a certificate
 * of this mesh for NODE_ID and API_PK, not revoked. 0 or -EACCES with WHY. */
int trust_store_check_answer(struct trust_store *ts, const json_t *answer, uint32_t node_id, const uint8_t api_pk[32],
			     char *why, size_t whylen);

/* POST /trust: merges the revocations BODY carries; returns this node's list
 * (new reference) or NULL with ERR. */
json_t *trust_store_exchange(struct trust_store *ts, const json_t *body, char *err, size_t errlen);

/* The ID and API key of an admin this node can ask (trust_admins_pick).
 * false when it knows none. */
bool trust_store_admin(struct trust_store *ts, uint32_t *id, uint8_t api_pk[32]);

/* This node learnt of a newer mesh key than its own (a call or an answer
 * names its epoch): asks the admins it knows for its hand-over with POST
 * /trust, at most every few seconds. */
void trust_store_fetch_key(struct trust_store *ts);

/* For daemon/api/trust_keys.c: the body of a /trust exchange (this node's
 * revocations, ID and mesh-key epoch; new reference or NULL), and posting a
 * body to node ID's loopback (its answer is merged). */
json_t *trust_store_body(struct trust_store *ts);
void trust_store_post(struct trust_store *ts, unsigned id, const char *body);
/* True on an admin; else replies to REQ that this node is none (naming one). */
bool trust_store_require_admin(struct trust_store *ts, struct ctl_request *req);
/* The opening of an admin's command on a node: true on an admin with a valid
 * node ID in ARGS' "id" (into ID); else replies to REQ why not. */
bool trust_store_admin_command(struct trust_store *ts, struct ctl_request *req, const json_t *args, uint32_t *id);

/* For daemon/api/trust_admins.c: writes members.json (synced), and posts
 * this node's body to every node it knows a certificate of. */
int trust_store_save_synced(struct trust_store *ts);
void trust_store_push_all(struct trust_store *ts);

/* Remembers a certificate an admin issued for a joiner this node accepted. */
int trust_store_learn(struct trust_store *ts, const struct wgm_cert *c, char *err, size_t errlen);

#endif
