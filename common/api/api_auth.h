/* Who may call the node API, on top of the envelope (api_envelope.h).
 *
 * A joiner proves a token: its payload carries "token" (the 16-byte secret,
 * base64, inside the box), sealed to the API key named in the token, and it
 * accepts only a reply boxed by that key. A man in the middle can neither read
 * nor alter either side.
 *
 * A member proves the mesh key (32 random bytes made by the first node and
 * handed to each joiner inside its boxed /connect reply): its payload carries
 * "mac" = crypto_auth(mesh key, "wgmesh api request v1" NUL route NUL caller_pk
 * server_pk ts(8 bytes big-endian) nonce), and the server's reply carries
 * "mac" = crypto_auth(mesh key, "wgmesh api reply v1" NUL route NUL caller_pk
 * server_pk ts reply_nonce request_nonce). The source address plays no part,
 * and a node that hands out a substituted API key in /connectivity cannot
 * answer as a member.
 *
 * Server order: wgm_api_request_open, then wgm_api_auth_check_join or
 * wgm_api_auth_check_member (which also refuse replays and record the nonce),
 * then the route's handler, then wgm_api_auth_seal_reply.
 */
#ifndef WGM_COMMON_API_AUTH_H
#define WGM_COMMON_API_AUTH_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/api/api_envelope.h"
#include "common/api/token.h"

#define WGM_MESH_KEY_LEN 32

void wgm_mesh_key_new(uint8_t key[WGM_MESH_KEY_LEN]);

/* One outgoing call, kept by the caller until the reply is opened. */
struct wgm_api_call {
	uint8_t caller_pk[WGM_API_KEY_LEN];
	uint8_t server_pk[WGM_API_KEY_LEN];
	uint8_t nonce[WGM_API_NONCE_LEN];
	int64_t ts;
	char route[WGM_API_ROUTE_MAX + 1];
};

/* ---- caller side ---- */

/* A join call: sealed to token->api_pk, carrying the token secret. payload is
 * not modified. *body_out is malloc'ed. 0 or negative errno, one line in err. */
int wgm_api_auth_seal_join(const struct wgm_api_keypair *caller, const struct wgm_token *token, const char *route,
			   const json_t *payload, int64_t now, struct wgm_api_call *call, char **body_out, char *err,
			   size_t errlen);

/* A member call to server_pk, carrying the request MAC. */
int wgm_api_auth_seal_member(const struct wgm_api_keypair *caller, const uint8_t server_pk[WGM_API_KEY_LEN],
			     const uint8_t mesh_key[WGM_MESH_KEY_LEN], const char *route, const json_t *payload,
			     int64_t now, struct wgm_api_call *call, char **body_out, char *err, size_t errlen);

/* Opens the reply to call. mesh_key NULL: a join reply (authenticated by the
 * box alone, from the token's key). Otherwise the reply MAC must verify.
 * Returns 0, -EMSGSIZE, -EINVAL or -EACCES; on success reply->payload has the
 * route's fields (without "mac"). */
int wgm_api_auth_open_reply(const struct wgm_api_keypair *caller, const struct wgm_api_call *call,
			    const uint8_t *mesh_key, const char *body, size_t body_len, struct wgm_api_reply *reply,
			    char *err, size_t errlen);

/* ---- /connectivity answers ----
 * The caller sends a fresh challenge ({"challenge":B64 of 24 random bytes});
 * a member's answer carries "mac" = crypto_auth(mesh key, "wgmesh
 * connectivity v1" NUL challenge node_id(4 bytes big-endian) api_pk), so a
 * node that is not a member can not hand out a substituted API key, and an
 * old answer can not be replayed. (A member can: the mesh key is shared.) */
#define WGM_API_MAC_B64_LEN 44

/* OUT gets the MAC as base64 (WGM_API_MAC_B64_LEN + 1 bytes). */
void wgm_api_auth_connectivity_mac(const uint8_t mesh_key[WGM_MESH_KEY_LEN], const uint8_t challenge[WGM_API_NONCE_LEN],
				   unsigned node_id, const uint8_t api_pk[WGM_API_KEY_LEN],
				   char out[WGM_API_MAC_B64_LEN + 1]);
/* 0 when MAC_B64 is that MAC, -EACCES when it is another, -EINVAL when it is
 * missing or malformed. */
int wgm_api_auth_connectivity_check(const uint8_t mesh_key[WGM_MESH_KEY_LEN],
				    const uint8_t challenge[WGM_API_NONCE_LEN], unsigned node_id,
				    const uint8_t api_pk[WGM_API_KEY_LEN], const char *mac_b64);

/* ---- server side ---- */

enum wgm_api_caller_kind {
	WGM_API_CALLER_JOINER, /* carries "token" */
	WGM_API_CALLER_MEMBER, /* carries "mac" */
};

/* Which credential an opened request carries; exactly one is required.
 * Returns 0 or -EINVAL (400) with one line in err. */
int wgm_api_auth_caller_kind(const struct wgm_api_request *req, enum wgm_api_caller_kind *kind, char *err,
			     size_t errlen);

/* Checks a joiner: refuses a replayed nonce, takes one use of the token and
 * records the nonce; removes "token" from req->payload. token_id_out (may be
 * NULL) gets the token's public id, for wgm_token_store_refund if the join
 * fails later. Returns 0, or
 *   -EINVAL   token field malformed (400)
 *   -EACCES   token refused: err is the verdict ("token expired" ...) (401)
 *   -EALREADY replayed request (401)
 *   -ENOSPC   replay cache full (503); the token use is given back. */
int wgm_api_auth_check_join(struct wgm_token_store *store, struct wgm_replay_cache *replay, struct wgm_api_request *req,
			    int64_t now, char token_id_out[WGM_TOKEN_ID_LEN + 1], char *err, size_t errlen);

/* Checks a member: the MAC under mesh_key for this server's server_pk,
 * then replay; records the nonce and removes "mac" from req->payload.
 * Returns 0, -EINVAL (400), -EACCES (not a member, 401), -EALREADY (401) or
 * -ENOSPC (503). */
int wgm_api_auth_check_member(const uint8_t mesh_key[WGM_MESH_KEY_LEN], const uint8_t server_pk[WGM_API_KEY_LEN],
			      struct wgm_replay_cache *replay, struct wgm_api_request *req, int64_t now, char *err,
			      size_t errlen);

/* Seals the reply to req with a fresh nonce. mesh_key NULL for a joiner
 * (who has no mesh key yet), else the reply carries the reply MAC. */
int wgm_api_auth_seal_reply(const struct wgm_api_keypair *server, const struct wgm_api_request *req,
			    const uint8_t *mesh_key, const json_t *payload, int64_t now, char **body_out, char *err,
			    size_t errlen);

#endif
