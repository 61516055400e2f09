/* The boxed request/reply format of the node API.
 *
 * Request body:  {"v":1,"pk":B64(caller API pk),"nonce":B64(24),"box":B64(crypto_box_easy(payload))}
 * Reply body:    {"v":1,"nonce":B64(24),"box":B64(crypto_box_easy(payload))}, boxed from the
 *                server's API key to the caller's.
 * The request payload is a JSON object that always carries "ts" (unix seconds)
 * and "route" (e.g. "/connect"), so a box made for one route is refused on
 * another. The reply payload carries "route", "ts" and "req_nonce" (the
 * request's nonce), which binds the reply to its request.
 * Refusals are plain {"error":"one line"} bodies: they hold nothing secret.
 */
#ifndef WGM_COMMON_API_ENVELOPE_H
#define WGM_COMMON_API_ENVELOPE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WGM_API_KEY_LEN 32       /* crypto_box public and secret keys */
#define WGM_API_NONCE_LEN 24     /* crypto_box nonce */
#define WGM_API_BODY_MAX 16384   /* any request or reply body, in bytes */
#define WGM_API_PAYLOAD_MAX 8192 /* decrypted payload JSON, in bytes */
#define WGM_API_ROUTE_MAX 31
#define WGM_API_SKEW_DEFAULT 60 /* accepted clock difference, seconds */
#define WGM_API_ERROR_MAX 200   /* longest error line kept from a reply */

/* A node's API key pair. sk is secret: wipe with wgm_api_keypair_wipe. */
struct wgm_api_keypair {
	uint8_t pk[WGM_API_KEY_LEN];
	uint8_t sk[WGM_API_KEY_LEN];
};

int wgm_api_keypair_generate(struct wgm_api_keypair *kp);
/* The daemon persists only the secret key as base64 (44 chars + NUL); the
 * public key is derived on load. Returns 0 or -EINVAL (err: one line). */
int wgm_api_keypair_to_b64(const struct wgm_api_keypair *kp, char *sk_b64, size_t len);
int wgm_api_keypair_from_b64(const char *sk_b64, struct wgm_api_keypair *kp, char *err, size_t errlen);
void wgm_api_keypair_wipe(struct wgm_api_keypair *kp);

/* Fills a fresh random nonce. */
void wgm_api_nonce_new(uint8_t nonce[WGM_API_NONCE_LEN]);

/* Options for opening requests. */
struct wgm_api_open_opts {
	int64_t skew; /* |now - ts| allowed; 0 means WGM_API_SKEW_DEFAULT */
};

/* An opened request, owned by the caller of wgm_api_request_open. */
struct wgm_api_request {
	uint8_t caller_pk[WGM_API_KEY_LEN];
	uint8_t nonce[WGM_API_NONCE_LEN];
	int64_t ts;
	char route[WGM_API_ROUTE_MAX + 1];
	json_t *payload; /* the whole payload object, "ts" and "route" included */
};

/* Releases the payload and wipes the struct. */
void wgm_api_request_clear(struct wgm_api_request *req);

/* Caller side. Adds "ts" = now and "route" to a copy of payload (an object, not
 * modified), boxes it with the given nonce to server_pk and writes a
 * malloc'ed body to *body_out (caller frees). Returns 0 or a negative errno
 * with one line in err. The plaintext is wiped after boxing. */
int wgm_api_request_seal(const struct wgm_api_keypair *caller, const uint8_t server_pk[WGM_API_KEY_LEN],
			 const char *route, const json_t *payload, int64_t now, const uint8_t nonce[WGM_API_NONCE_LEN],
			 char **body_out, char *err, size_t errlen);

/* Server side. Validates the body strictly (size, JSON shape, "v", base64 and
 * lengths), opens the box, requires a JSON object payload of at most
 * WGM_API_PAYLOAD_MAX bytes with an integer "ts" within the skew of now and
 * "route" equal to route. Does not check replay or caller identity: see
 * api_auth.h, which must be called next. Returns 0, or
 *   -EMSGSIZE  body too large (413)
 *   -EINVAL    malformed body or payload (400)
 *   -EACCES    box does not open, stale timestamp or wrong route (401)
 * with one line in err that never quotes a secret. */
int wgm_api_request_open(const struct wgm_api_keypair *server, const char *route, const char *body, size_t body_len,
			 int64_t now, const struct wgm_api_open_opts *opts, struct wgm_api_request *req, char *err,
			 size_t errlen);

/* Server side. Boxes payload (an object, not modified; "route", "ts" and
 * "req_nonce" are added to a copy) back to req->caller_pk with the given
 * nonce. */
int wgm_api_reply_seal(const struct wgm_api_keypair *server, const struct wgm_api_request *req, const json_t *payload,
		       int64_t now, const uint8_t nonce[WGM_API_NONCE_LEN], char **body_out, char *err, size_t errlen);

/* An opened reply, owned by the caller of wgm_api_reply_open. */
struct wgm_api_reply {
	uint8_t nonce[WGM_API_NONCE_LEN];
	int64_t ts;
	json_t *payload;
};
void wgm_api_reply_clear(struct wgm_api_reply *reply);

/* Caller side. Opens a reply that must come from server_pk, be for route and
 * carry req_nonce. Returns 0, -EMSGSIZE, -EINVAL (malformed) or -EACCES (not
 * from that server or not for that request). */
int wgm_api_reply_open(const struct wgm_api_keypair *caller, const uint8_t server_pk[WGM_API_KEY_LEN],
		       const char *route, const uint8_t req_nonce[WGM_API_NONCE_LEN], const char *body, size_t body_len,
		       struct wgm_api_reply *reply, char *err, size_t errlen);

/* Plain refusal bodies. wgm_api_error_body returns a malloc'ed
 * {"error":"reason"} (NULL on allocation failure). wgm_api_error_parse
 * extracts the reason from a refusal body into out, replacing control
 * characters (C0, DEL, C1) and Unicode bidi controls with '?' and cutting at
 * WGM_API_ERROR_MAX bytes (never inside a character); 0 or -EINVAL. */
char *wgm_api_error_body(const char *reason);
int wgm_api_error_parse(const char *body, size_t body_len, char *out, size_t outlen);

/* The replay cache (remembered nonces, per-caller marks): replay_cache.h. */
#include "common/api/replay_cache.h"

#endif
