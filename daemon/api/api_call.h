/* One boxed call to another node's API: seal (as a joiner with a token, or as
 * a member with the mesh key), send over the loop's HTTP client, open and
 * check the reply. The callback gets the reply's payload or one error line. */
#ifndef WGM_DAEMON_API_CALL_H
#define WGM_DAEMON_API_CALL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/api/api_envelope.h"
#include "common/config/node_identity.h"
#include "common/api/token.h"
#include "daemon/api/http_client.h"

#define API_CALL_TIMEOUT_MS 10000

/* status: HTTP status (0: no answer); payload: the opened reply (borrowed,
 * NULL on error); err: one line naming the node and the reason. */
typedef void (*api_call_done_fn)(long status, const json_t *payload, const char *err, void *ctx);

/* BASE_URL "http://192.0.2.1:8080" (no trailing slash); ROUTE "/connect".
 * TOKEN non-NULL: a join call sealed to the token's key; else a member call to
 * SERVER_PK with the mesh key. Returns 0 or negative errno (err filled); the
 * callback then never runs. */
int api_call_boxed(struct http_client *http, const struct wgm_node_identity *self, const char *base_url,
		   const char *method, const char *route, const struct wgm_token *token,
		   const uint8_t server_pk[WGM_API_KEY_LEN], const json_t *payload, api_call_done_fn done, void *ctx,
		   char *err, size_t errlen);

/* A call about a peering link to the node at its other end, which is no
 * member: like a member call, with the link's preshared key (which only the
 * two ends hold) in place of the mesh key (docs/api.md). */
int api_call_peer(struct http_client *http, const struct wgm_node_identity *self, const char *base_url,
		  const char *route, const uint8_t server_pk[WGM_API_KEY_LEN], const uint8_t link_key[WGM_MESH_KEY_LEN],
		  const json_t *payload, api_call_done_fn done, void *ctx, char *err, size_t errlen);

/* POST /connectivity (plain) with CHALLENGE (NULL: none), which a member's
 * answer MACs under the mesh key (api_auth.h). payload is the reply object. */
int api_call_connectivity(struct http_client *http, const char *base_url, const uint8_t *challenge,
			  api_call_done_fn done, void *ctx, char *err, size_t errlen);

/* "http://host:port" from a URL the operator typed: scheme http or https,
 * host, optional port (default 8080), optional trailing "/". 0 or -EINVAL. */
int api_base_url_normalise(const char *url, char *out, size_t len, char *err, size_t errlen);

#endif
