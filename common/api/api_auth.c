#include "common/api/api_auth.h"

#include "common/util/err.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/api/api_b64.h"

#define MAC_LEN crypto_auth_BYTES
#define REQ_TAG "wgmesh api request v1"
#define REP_TAG "wgmesh api reply v1"
#define CONN_TAG "wgmesh connectivity v1"

void wgm_mesh_key_new(uint8_t key[WGM_MESH_KEY_LEN])
{
	if (sodium_init() < 0)
		abort(); /* no randomness: nothing safe can follow */
	randombytes_buf(key, WGM_MESH_KEY_LEN);
}

/* The canonical bytes a MAC covers: every field has a fixed length or a NUL
 * terminator, so no two different tuples give the same bytes. */
static void mac_compute(const uint8_t mesh_key[WGM_MESH_KEY_LEN], const char *tag, const char *route,
			const uint8_t *caller_pk, const uint8_t *server_pk, int64_t ts, const uint8_t *nonce,
			const uint8_t *req_nonce, uint8_t mac[MAC_LEN])
{
	crypto_auth_hmacsha512256_state st;
	uint8_t ts_be[8];
	uint64_t uts = (uint64_t)ts;

	for (int i = 0; i < 8; i++)
		ts_be[i] = (uint8_t)(uts >> (56 - 8 * i));
	crypto_auth_hmacsha512256_init(&st, mesh_key, WGM_MESH_KEY_LEN);
	crypto_auth_hmacsha512256_update(&st, (const uint8_t *)tag, strlen(tag) + 1);
	crypto_auth_hmacsha512256_update(&st, (const uint8_t *)route, strlen(route) + 1);
	crypto_auth_hmacsha512256_update(&st, caller_pk, WGM_API_KEY_LEN);
	crypto_auth_hmacsha512256_update(&st, server_pk, WGM_API_KEY_LEN);
	crypto_auth_hmacsha512256_update(&st, ts_be, sizeof(ts_be));
	crypto_auth_hmacsha512256_update(&st, nonce, WGM_API_NONCE_LEN);
	if (req_nonce)
		crypto_auth_hmacsha512256_update(&st, req_nonce, WGM_API_NONCE_LEN);
	crypto_auth_hmacsha512256_final(&st, mac);
	sodium_memzero(&st, sizeof(st));
}

/* Checks a "mac" field in constant time and removes it from payload. */
static int mac_check_and_strip(json_t *payload, const uint8_t expect[MAC_LEN])
{
	uint8_t got[MAC_LEN];
	int rc = -EACCES;

	if (wgm_b64_decode_exact(json_string_value(json_object_get(payload, "mac")), got, MAC_LEN))
		return -EINVAL;
	if (sodium_memcmp(got, expect, MAC_LEN) == 0)
		rc = 0;
	json_object_del(payload, "mac");
	return rc;
}

static int call_init(struct wgm_api_call *call, const struct wgm_api_keypair *caller, const uint8_t *server_pk,
		     const char *route, int64_t now, char *err, size_t errlen)
{
	memset(call, 0, sizeof(*call));
	if (!route || strlen(route) > WGM_API_ROUTE_MAX) {
		wgm_err(0, err, errlen, "api: bad route");
		return -EINVAL;
	}
	memcpy(call->caller_pk, caller->pk, WGM_API_KEY_LEN);
	memcpy(call->server_pk, server_pk, WGM_API_KEY_LEN);
	wgm_api_nonce_new(call->nonce);
	call->ts = now;
	snprintf(call->route, sizeof(call->route), "%s", route);
	return 0;
}

int wgm_api_auth_seal_join(const struct wgm_api_keypair *caller, const struct wgm_token *token, const char *route,
			   const json_t *payload, int64_t now, struct wgm_api_call *call, char **body_out, char *err,
			   size_t errlen)
{
	char secret_b64[WGM_B64_LEN(WGM_TOKEN_SECRET_LEN) + 1];
	json_t *copy = NULL;
	int rc;

	*body_out = NULL;
	rc = call_init(call, caller, token->api_pk, route, now, err, errlen);
	if (rc)
		return rc;
	copy = json_is_object(payload) ? json_deep_copy(payload) : NULL;
	wgm_b64_encode(token->secret, WGM_TOKEN_SECRET_LEN, secret_b64, sizeof(secret_b64));
	if (!copy || json_object_set_new(copy, "token", json_string(secret_b64))) {
		wgm_err(0, err, errlen, "api: payload is not an object or out of memory");
		rc = -EINVAL;
		goto out;
	}
	rc = wgm_api_request_seal(caller, token->api_pk, route, copy, now, call->nonce, body_out, err, errlen);
out:
	sodium_memzero(secret_b64, sizeof(secret_b64));
	json_decref(copy);
	return rc;
}

int wgm_api_auth_seal_member(const struct wgm_api_keypair *caller, const uint8_t server_pk[WGM_API_KEY_LEN],
			     const uint8_t mesh_key[WGM_MESH_KEY_LEN], const char *route, const json_t *payload,
			     int64_t now, struct wgm_api_call *call, char **body_out, char *err, size_t errlen)
{
	uint8_t mac[MAC_LEN];
	char mac_b64[WGM_B64_LEN(MAC_LEN) + 1];
	json_t *copy = NULL;
	int rc;

	*body_out = NULL;
	rc = call_init(call, caller, server_pk, route, now, err, errlen);
	if (rc)
		return rc;
	mac_compute(mesh_key, REQ_TAG, call->route, caller->pk, server_pk, now, call->nonce, NULL, mac);
	wgm_b64_encode(mac, MAC_LEN, mac_b64, sizeof(mac_b64));
	copy = json_is_object(payload) ? json_deep_copy(payload) : NULL;
	if (!copy || json_object_set_new(copy, "mac", json_string(mac_b64))) {
		wgm_err(0, err, errlen, "api: payload is not an object or out of memory");
		rc = -EINVAL;
		goto out;
	}
	rc = wgm_api_request_seal(caller, server_pk, route, copy, now, call->nonce, body_out, err, errlen);
out:
	json_decref(copy);
	return rc;
}

int wgm_api_auth_open_reply(const struct wgm_api_keypair *caller, const struct wgm_api_call *call,
			    const uint8_t *mesh_key, const char *body, size_t body_len, struct wgm_api_reply *reply,
			    char *err, size_t errlen)
{
	uint8_t expect[MAC_LEN];
	int rc;

	rc = wgm_api_reply_open(caller, call->server_pk, call->route, call->nonce, body, body_len, reply, err, errlen);
	if (rc || !mesh_key) {
		/* A join reply has no MAC; one that claims one is not from our server's code. */
		if (!rc && json_object_get(reply->payload, "mac"))
			json_object_del(reply->payload, "mac");
		return rc;
	}
	mac_compute(mesh_key, REP_TAG, call->route, call->caller_pk, call->server_pk, reply->ts, reply->nonce,
		    call->nonce, expect);
	rc = mac_check_and_strip(reply->payload, expect);
	if (rc == -EINVAL)
		wgm_err(0, err, errlen, "mac: missing or not a base64 32-byte MAC");
	else if (rc)
		wgm_err(0, err, errlen, "reply: not from a mesh member (MAC does not verify)");
	if (rc)
		wgm_api_reply_clear(reply);
	return rc;
}

static void connectivity_mac(const uint8_t *mesh_key, const uint8_t *challenge, unsigned node_id, const uint8_t *api_pk,
			     uint8_t mac[MAC_LEN])
{
	crypto_auth_hmacsha512256_state st;
	uint8_t id_be[4] = { (uint8_t)(node_id >> 24), (uint8_t)(node_id >> 16), (uint8_t)(node_id >> 8),
			     (uint8_t)node_id };

	crypto_auth_hmacsha512256_init(&st, mesh_key, WGM_MESH_KEY_LEN);
	crypto_auth_hmacsha512256_update(&st, (const uint8_t *)CONN_TAG, strlen(CONN_TAG) + 1);
	crypto_auth_hmacsha512256_update(&st, challenge, WGM_API_NONCE_LEN);
	crypto_auth_hmacsha512256_update(&st, id_be, sizeof(id_be));
	crypto_auth_hmacsha512256_update(&st, api_pk, WGM_API_KEY_LEN);
	crypto_auth_hmacsha512256_final(&st, mac);
	sodium_memzero(&st, sizeof(st));
}

void wgm_api_auth_connectivity_mac(const uint8_t mesh_key[WGM_MESH_KEY_LEN], const uint8_t challenge[WGM_API_NONCE_LEN],
				   unsigned node_id, const uint8_t api_pk[WGM_API_KEY_LEN],
				   char out[WGM_API_MAC_B64_LEN + 1])
{
	uint8_t mac[MAC_LEN];

	connectivity_mac(mesh_key, challenge, node_id, api_pk, mac);
	wgm_b64_encode(mac, MAC_LEN, out, WGM_API_MAC_B64_LEN + 1);
}

int wgm_api_auth_connectivity_check(const uint8_t mesh_key[WGM_MESH_KEY_LEN],
				    const uint8_t challenge[WGM_API_NONCE_LEN], unsigned node_id,
				    const uint8_t api_pk[WGM_API_KEY_LEN], const char *mac_b64)
{
	uint8_t got[MAC_LEN], expect[MAC_LEN];
	int rc;

	if (wgm_b64_decode_exact(mac_b64, got, MAC_LEN))
		return -EINVAL;
	connectivity_mac(mesh_key, challenge, node_id, api_pk, expect);
	rc = sodium_memcmp(got, expect, MAC_LEN) == 0 ? 0 : -EACCES;
	sodium_memzero(expect, sizeof(expect));
	return rc;
}

int wgm_api_auth_caller_kind(const struct wgm_api_request *req, enum wgm_api_caller_kind *kind, char *err,
			     size_t errlen)
{
	bool has_token = json_object_get(req->payload, "token") != NULL;
	bool has_mac = json_object_get(req->payload, "mac") != NULL;

	if (has_token == has_mac) {
		wgm_err(0, err, errlen,
			has_token ? "payload: both token and mac given" : "payload: token or mac required");
		return -EINVAL;
	}
	*kind = has_token ? WGM_API_CALLER_JOINER : WGM_API_CALLER_MEMBER;
	return 0;
}

/* Records an authenticated request's nonce; a replay or a request older than
 * what this caller sent before is -EALREADY (401), a full cache -ENOSPC. */
static int replay_record(struct wgm_replay_cache *replay, const struct wgm_api_request *req, int64_t now, char *err,
			 size_t errlen)
{
	int rc = wgm_replay_cache_add(replay, req->caller_pk, req->nonce, req->ts, now);

	if (rc == -EALREADY)
		wgm_err(0, err, errlen, "request: replayed");
	else if (rc == -ESTALE)
		wgm_err(0, err, errlen, "request: older than one this caller sent before (replayed)");
	else if (rc)
		wgm_err(0, err, errlen, "server busy: too many recent requests");
	return rc == -ESTALE ? -EALREADY : rc;
}

int wgm_api_auth_check_join(struct wgm_token_store *store, struct wgm_replay_cache *replay, struct wgm_api_request *req,
			    int64_t now, char token_id_out[WGM_TOKEN_ID_LEN + 1], char *err, size_t errlen)
{
	uint8_t secret[WGM_TOKEN_SECRET_LEN];
	char id[WGM_TOKEN_ID_LEN + 1];
	enum wgm_token_verdict verdict;
	int rc;

	if (token_id_out)
		token_id_out[0] = '\0';
	if (wgm_b64_decode_exact(json_string_value(json_object_get(req->payload, "token")), secret, sizeof(secret))) {
		wgm_err(0, err, errlen, "token: not a base64 16-byte secret");
		return -EINVAL;
	}
	json_object_del(req->payload, "token");
	/* A replay must not cost the token a use. */
	if (wgm_replay_cache_seen(replay, req->caller_pk, req->nonce)) {
		rc = -EALREADY;
		wgm_err(0, err, errlen, "request: replayed");
		goto out;
	}
	verdict = wgm_token_store_consume(store, secret, now, id);
	if (verdict != WGM_TOKEN_OK) {
		wgm_err(0, err, errlen, "%s", wgm_token_verdict_reason(verdict));
		rc = -EACCES;
		goto out;
	}
	rc = replay_record(replay, req, now, err, errlen);
	if (rc) {
		wgm_token_store_refund(store, id);
		goto out;
	}
	if (token_id_out)
		memcpy(token_id_out, id, sizeof(id));
out:
	sodium_memzero(secret, sizeof(secret));
	return rc;
}

int wgm_api_auth_check_member(const uint8_t mesh_key[WGM_MESH_KEY_LEN], const uint8_t server_pk[WGM_API_KEY_LEN],
			      struct wgm_replay_cache *replay, struct wgm_api_request *req, int64_t now, char *err,
			      size_t errlen)
{
	uint8_t expect[MAC_LEN];
	int rc;

	mac_compute(mesh_key, REQ_TAG, req->route, req->caller_pk, server_pk, req->ts, req->nonce, NULL, expect);
	rc = mac_check_and_strip(req->payload, expect);
	sodium_memzero(expect, sizeof(expect));
	if (rc == -EINVAL) {
		wgm_err(0, err, errlen, "mac: missing or not a base64 32-byte MAC");
		return rc;
	}
	if (rc) {
		wgm_err(0, err, errlen, "caller: not a mesh member (MAC does not verify)");
		return rc;
	}
	return replay_record(replay, req, now, err, errlen);
}

int wgm_api_auth_seal_reply(const struct wgm_api_keypair *server, const struct wgm_api_request *req,
			    const uint8_t *mesh_key, const json_t *payload, int64_t now, char **body_out, char *err,
			    size_t errlen)
{
	uint8_t nonce[WGM_API_NONCE_LEN], mac[MAC_LEN];
	char mac_b64[WGM_B64_LEN(MAC_LEN) + 1];
	json_t *copy = NULL;
	int rc;

	*body_out = NULL;
	wgm_api_nonce_new(nonce);
	if (!mesh_key)
		return wgm_api_reply_seal(server, req, payload, now, nonce, body_out, err, errlen);
	mac_compute(mesh_key, REP_TAG, req->route, req->caller_pk, server->pk, now, nonce, req->nonce, mac);
	wgm_b64_encode(mac, MAC_LEN, mac_b64, sizeof(mac_b64));
	copy = json_is_object(payload) ? json_deep_copy(payload) : NULL;
	if (!copy || json_object_set_new(copy, "mac", json_string(mac_b64))) {
		wgm_err(0, err, errlen, "api: payload is not an object or out of memory");
		rc = -EINVAL;
		goto out;
	}
	rc = wgm_api_reply_seal(server, req, copy, now, nonce, body_out, err, errlen);
out:
	json_decref(copy);
	return rc;
}
