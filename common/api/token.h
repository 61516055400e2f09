/* Join tokens: the text form handed to a joining node, and the store of
 * issued tokens (only hashes of their secrets are kept). */
#ifndef WGM_COMMON_TOKEN_H
#define WGM_COMMON_TOKEN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WGM_TOKEN_PREFIX "wgm1-"
#define WGM_TOKEN_PK_LEN 32     /* the issuing node's X25519 API public key */
#define WGM_TOKEN_SECRET_LEN 16 /* 128 random bits */
#define WGM_TOKEN_URL_MAX 200
/* Longest token text including the NUL. */
#define WGM_TOKEN_TEXT_MAX (5 + ((WGM_TOKEN_PK_LEN + WGM_TOKEN_SECRET_LEN + WGM_TOKEN_URL_MAX) * 4 + 2) / 3 + 1)

/* A decoded token. The secret is what the joiner proves; api_pk is the key
 * the joiner seals its request to, so only the issuing node can read it. */
struct wgm_token {
	uint8_t api_pk[WGM_TOKEN_PK_LEN];
	uint8_t secret[WGM_TOKEN_SECRET_LEN];
	char url[WGM_TOKEN_URL_MAX + 1]; /* "" when the token carries no endpoint */
};

/* "wgm1-" + base64url without padding of api_pk || secret [|| url].
 * Returns 0, -EINVAL (url not valid) or -ENOSPC. */
int wgm_token_encode(const struct wgm_token *token, char *out, size_t outlen);

/* Strict decode. On failure returns -EINVAL, zeroes *token and writes one line
 * to err ("token: bad prefix" ...) that never contains the token text. */
int wgm_token_decode(const char *text, struct wgm_token *token, char *err, size_t errlen);

/* An endpoint URL acceptable in a token: http:// or https://, printable ASCII,
 * no spaces, at most WGM_TOKEN_URL_MAX bytes. */
bool wgm_token_url_valid(const char *url);

void wgm_token_wipe(struct wgm_token *token);

/* ---- The store of issued tokens ---- */

#define WGM_TOKEN_ID_LEN 8 /* hex chars of the public id */
#define WGM_TOKEN_LABEL_MAX 64
#define WGM_TOKEN_STORE_MAX 256
#define WGM_TOKEN_TTL_MAX (366LL * 24 * 3600)
#define WGM_TOKEN_USES_MAX 1000000u
/* Expired, revoked and used-up entries stay this long past their expiry, so a
 * late joiner is told "expired" or "used up" rather than "unknown". */
#define WGM_TOKEN_PRUNE_GRACE (24LL * 3600)

struct wgm_token_info {
	char id[WGM_TOKEN_ID_LEN + 1];
	char label[WGM_TOKEN_LABEL_MAX + 1];
	int64_t created;
	int64_t expires;
	uint32_t uses_left;
	bool revoked;
};

enum wgm_token_verdict {
	WGM_TOKEN_OK = 0,
	WGM_TOKEN_UNKNOWN,
	WGM_TOKEN_EXPIRED,
	WGM_TOKEN_REVOKED,
	WGM_TOKEN_USED_UP,
};

/* "token accepted", "token unknown", "token expired", ... (no secret in it). */
const char *wgm_token_verdict_reason(enum wgm_token_verdict verdict);

struct wgm_token_store;

/* A new empty store with a fresh random hashing key. NULL on allocation failure. */
struct wgm_token_store *wgm_token_store_new(void);
/* Wipes the hashing key and hashes, then frees. NULL is fine. */
void wgm_token_store_free(struct wgm_token_store *store);

/* Issues a token valid for ttl seconds (1..WGM_TOKEN_TTL_MAX) and uses
 * (1..WGM_TOKEN_USES_MAX) joins. label may be NULL; printable, at most
 * WGM_TOKEN_LABEL_MAX bytes. The secret is written to secret_out once and
 * never kept; info_out (may be NULL) gets the public entry. Returns 0, -EINVAL
 * (bad argument, err says which) or -ENOSPC (store full of live tokens). */
int wgm_token_store_create(struct wgm_token_store *store, int64_t ttl, uint32_t uses, const char *label, int64_t now,
			   uint8_t secret_out[WGM_TOKEN_SECRET_LEN], struct wgm_token_info *info_out, char *err,
			   size_t errlen);

/* Checks a presented secret (constant-time compare against every stored hash)
 * and on WGM_TOKEN_OK takes one use. id_out (may be NULL) gets the matched
 * token's id whenever one matched, whatever the verdict. */
enum wgm_token_verdict wgm_token_store_consume(struct wgm_token_store *store,
					       const uint8_t secret[WGM_TOKEN_SECRET_LEN], int64_t now,
					       char id_out[WGM_TOKEN_ID_LEN + 1]);

/* Gives back the use taken by a consume whose join then failed, so a refused
 * join does not burn the token. Returns 0 or -ENOENT. */
int wgm_token_store_refund(struct wgm_token_store *store, const char *id);

/* Revokes by public id. Returns 0 or -ENOENT. */
int wgm_token_store_revoke(struct wgm_token_store *store, const char *id);

/* Drops entries whose expiry is more than WGM_TOKEN_PRUNE_GRACE in the past.
 * Returns how many were dropped. */
size_t wgm_token_store_prune(struct wgm_token_store *store, int64_t now);

/* Listing, in creation order. */
size_t wgm_token_store_count(const struct wgm_token_store *store);
int wgm_token_store_info(const struct wgm_token_store *store, size_t index, struct wgm_token_info *info);

/* State-file form: {"v":1,"hash_key":B64,"tokens":[{"id","label","created",
 * "expires","uses_left","revoked","hash":B64}]}. Holds hashes only. The
 * caller writes it 0600 (the hashing key is in it). NULL on allocation failure. */
json_t *wgm_token_store_to_json(const struct wgm_token_store *store);
/* Strict load; NULL with one line in err on any bad field. */
struct wgm_token_store *wgm_token_store_from_json(const json_t *json, char *err, size_t errlen);

/* The public form of one entry for listings (control socket token_list). */
json_t *wgm_token_info_to_json(const struct wgm_token_info *info);

#endif
