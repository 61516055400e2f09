/* Admins of the mesh (docs/api.md "Mesh authority", `wgmesh member promote`):
 * an admin hands the mesh signing key to another certified member in a grant
 * (common/api/admin_grant.h) sealed to that member's API key. Grants are
 * gossiped in every /trust body (a page at a time) and kept in members.json,
 * so every node knows the admins: the node that started the mesh (its
 * certificate is self-issued) and every member named by a grant, while its
 * identity is not revoked. The member a grant names opens it and is an admin
 * from then on. A non-admin asks the admins it knows for /certify, skipping
 * those that did not answer lately. Part of the trust store (trust_store.h). */
#ifndef WGM_DAEMON_TRUST_ADMINS_H
#define WGM_DAEMON_TRUST_ADMINS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "daemon/api/trust_store.h"

#define TRUST_ADMINS_PER_BODY 2       /* grants gossiped per /trust body */
#define TRUST_ADMINS_UNREACHABLE_S 60 /* an admin that did not answer is asked last this long */

/* Whether the identity of certificate C is an admin's (and not revoked). */
bool trust_admins_is(const struct trust_store *ts, const struct wgm_cert *c);
/* Adds "admins" to J: ALL the grants (members.json), else the next page
 * (a /trust body). 0 or -ENOMEM. */
int trust_admins_put(struct trust_store *ts, json_t *j, bool all);
/* Takes the grants J carries; one for this node makes it an admin. The
 * number of new grants (the caller saves). */
unsigned trust_admins_take(struct trust_store *ts, const json_t *j, const char *from);
/* The admin to ask for a certificate: the issuer of this node's own first,
 * then the others by ID, each skipped while marked unreachable. */
bool trust_admins_pick(struct trust_store *ts, uint32_t *id, uint8_t api_pk[32]);
/* Node ID did not answer a /certify: asked last for a while. */
void trust_admins_unreachable(struct trust_store *ts, uint32_t id);
bool trust_admins_is_unreachable(const struct trust_store *ts, uint32_t id);
/* WGM_CTL_CMD_MEMBER_PROMOTE {"id": ID}. */
void trust_admins_handle_promote(struct ctl_request *req, const json_t *args, void *ctx);

#endif
