/* Which links a member call may touch. The member envelope proves the caller
 * holds the mesh key and the API key it sealed with (api_auth.h); the mesh
 * key is shared by every member, so on its own it would let any member act
 * for any other. What ties a caller to a link is the API key recorded on the
 * link when it was made (link_record.remote_api_pk): a member may change or
 * remove a link only when it is that link's other end, and a node ID this
 * node knows under one API key is not accepted under another. Pure. */
#ifndef WGM_DAEMON_MEMBER_AUTHZ_H
#define WGM_DAEMON_MEMBER_AUTHZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/links/link_record.h"

/* Whether REC's other end is the node whose API key is CALLER_PK. A record
 * without a recorded key matches nobody. */
bool member_authz_is_remote(const struct link_record *rec, const uint8_t caller_pk[LINK_KEY_LEN]);

/* A member's /update or /disconnect of REC: 0 when the caller is its other
 * end, else 403 with a one-line reason in ERR. */
int member_authz_link(const struct link_record *rec, const uint8_t caller_pk[LINK_KEY_LEN], char *err, size_t errlen);

/* A caller claiming node ID CLAIMED_ID: 0 unless one of RECS (N records, NULL
 * entries skipped; this node's links to that ID) has another API key for it,
 * then 403 with a one-line reason. */
int member_authz_claimed_id(unsigned claimed_id, const struct link_record *const *recs, size_t n,
			    const uint8_t caller_pk[LINK_KEY_LEN], char *err, size_t errlen);

#endif
