#include "common/api/api_envelope.h"

#include "common/util/err.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/api/api_b64.h"

#define NONCE_B64_LEN WGM_B64_LEN(WGM_API_NONCE_LEN)
/* The box of the largest payload, in base64. */
#define BOX_B64_MAX WGM_B64_LEN(WGM_API_PAYLOAD_MAX + crypto_box_MACBYTES)

int wgm_api_keypair_generate(struct wgm_api_keypair *kp)
{
	if (sodium_init() < 0)
		return -EIO;
	return crypto_box_keypair(kp->pk, kp->sk) ? -EIO : 0;
}

int wgm_api_keypair_to_b64(const struct wgm_api_keypair *kp, char *sk_b64, size_t len)
{
	return wgm_b64_encode(kp->sk, WGM_API_KEY_LEN, sk_b64, len);
}

int wgm_api_keypair_from_b64(const char *sk_b64, struct wgm_api_keypair *kp, char *err, size_t errlen)
{
	sodium_memzero(kp, sizeof(*kp));
	if (sodium_init() < 0 || wgm_b64_decode_exact(sk_b64, kp->sk, WGM_API_KEY_LEN) ||
	    crypto_scalarmult_base(kp->pk, kp->sk) != 0) {
		sodium_memzero(kp, sizeof(*kp));
		wgm_err(0, err, errlen, "api key: not a base64 32-byte X25519 secret key");
		return -EINVAL;
	}
	return 0;
}

void wgm_api_keypair_wipe(struct wgm_api_keypair *kp)
{
	sodium_memzero(kp, sizeof(*kp));
}

void wgm_api_nonce_new(uint8_t nonce[WGM_API_NONCE_LEN])
{
	if (sodium_init() < 0)
		abort(); /* no randomness: nothing safe can follow */
	randombytes_buf(nonce, WGM_API_NONCE_LEN);
}

void wgm_api_request_clear(struct wgm_api_request *req)
{
	json_decref(req->payload);
	sodium_memzero(req, sizeof(*req));
}

void wgm_api_reply_clear(struct wgm_api_reply *reply)
{
	json_decref(reply->payload);
	sodium_memzero(reply, sizeof(*reply));
}

static bool route_valid(const char *route)
{
	size_t len = route ? strlen(route) : 0;

	if (len == 0 || len > WGM_API_ROUTE_MAX || route[0] != '/')
		return false;
	for (size_t i = 1; i < len; i++)
		if (!((route[i] >= 'a' && route[i] <= 'z') || route[i] == '_'))
			return false;
	return true;
}

/* Serialises payload, boxes it, and returns the base64 box; the plaintext is wiped. */
static int box_payload(json_t *payload, const uint8_t nonce[WGM_API_NONCE_LEN], const uint8_t pk[WGM_API_KEY_LEN],
		       const uint8_t sk[WGM_API_KEY_LEN], char **box_b64_out, char *err, size_t errlen)
{
	char *plain = json_dumps(payload, JSON_COMPACT);
	size_t plain_len = plain ? strlen(plain) : 0;
	uint8_t *cipher = NULL;
	char *b64 = NULL;
	int rc = -ENOMEM;

	if (!plain) {
		wgm_err(0, err, errlen, "api: out of memory");
		goto out;
	}
	if (plain_len > WGM_API_PAYLOAD_MAX) {
		wgm_err(0, err, errlen, "api: payload too large");
		rc = -EMSGSIZE;
		goto out;
	}
	cipher = malloc(plain_len + crypto_box_MACBYTES);
	b64 = malloc(WGM_B64_LEN(plain_len + crypto_box_MACBYTES) + 1);
	if (!cipher || !b64) {
		wgm_err(0, err, errlen, "api: out of memory");
		goto out;
	}
	if (crypto_box_easy(cipher, (const uint8_t *)plain, plain_len, nonce, pk, sk) != 0) {
		wgm_err(0, err, errlen, "api: cannot box to this public key");
		rc = -EINVAL;
		goto out;
	}
	wgm_b64_encode(cipher, plain_len + crypto_box_MACBYTES, b64, WGM_B64_LEN(plain_len + crypto_box_MACBYTES) + 1);
	*box_b64_out = b64;
	b64 = NULL;
	rc = 0;
out:
	if (plain) {
		sodium_memzero(plain, plain_len);
		free(plain);
	}
	free(cipher);
	free(b64);
	return rc;
}

/* Base64-decodes a box and opens it into a JSON object. */
static int unbox_payload(const char *box_b64, const uint8_t nonce[WGM_API_NONCE_LEN], const uint8_t pk[WGM_API_KEY_LEN],
			 const uint8_t sk[WGM_API_KEY_LEN], json_t **payload_out, char *err, size_t errlen)
{
	size_t b64_len = strlen(box_b64), cipher_len = 0;
	uint8_t *cipher = NULL, *plain = NULL;
	const char *end = NULL;
	json_error_t jerr;
	json_t *payload = NULL;
	int rc = -EINVAL;

	if (b64_len > BOX_B64_MAX || b64_len % 4 != 0 || b64_len < WGM_B64_LEN(crypto_box_MACBYTES + 2)) {
		wgm_err(0, err, errlen, "box: bad length");
		goto out;
	}
	cipher = malloc(b64_len / 4 * 3);
	plain = malloc(b64_len / 4 * 3);
	if (!cipher || !plain) {
		wgm_err(0, err, errlen, "api: out of memory");
		rc = -ENOMEM;
		goto out;
	}
	if (sodium_base642bin(cipher, b64_len / 4 * 3, box_b64, b64_len, NULL, &cipher_len, &end,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    *end != '\0' || cipher_len <= crypto_box_MACBYTES) {
		wgm_err(0, err, errlen, "box: bad base64");
		goto out;
	}
	if (crypto_box_open_easy(plain, cipher, cipher_len, nonce, pk, sk) != 0) {
		wgm_err(0, err, errlen, "box: does not open (wrong key or tampered)");
		rc = -EACCES;
		goto out;
	}
	if (cipher_len - crypto_box_MACBYTES > WGM_API_PAYLOAD_MAX) {
		wgm_err(0, err, errlen, "payload: too large");
		goto out;
	}
	payload = json_loadb((const char *)plain, cipher_len - crypto_box_MACBYTES, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(payload)) {
		wgm_err(0, err, errlen, "payload: not a JSON object");
		goto out;
	}
	*payload_out = payload;
	payload = NULL;
	rc = 0;
out:
	if (plain) {
		sodium_memzero(plain, b64_len / 4 * 3);
		free(plain);
	}
	free(cipher);
	json_decref(payload);
	return rc;
}

/* Parses an envelope body into an object with only the expected keys. */
static int parse_body(const char *body, size_t body_len, bool with_pk, json_t **root_out, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root, *v;
	const char *key;
	json_t *value;

	if (body_len > WGM_API_BODY_MAX) {
		wgm_err(0, err, errlen, "body: too large");
		return -EMSGSIZE;
	}
	if (!body || body_len == 0) {
		wgm_err(0, err, errlen, "body: empty");
		return -EINVAL;
	}
	root = json_loadb(body, body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(root)) {
		wgm_err(0, err, errlen, "body: not a JSON object");
		goto bad;
	}
	json_object_foreach (root, key, value) {
		if (strcmp(key, "v") && strcmp(key, "nonce") && strcmp(key, "box") && (!with_pk || strcmp(key, "pk"))) {
			wgm_err(0, err, errlen, "body: unexpected field");
			goto bad;
		}
	}
	v = json_object_get(root, "v");
	if (!json_is_integer(v) || json_integer_value(v) != 1) {
		wgm_err(0, err, errlen, "v: unsupported envelope version (expected 1)");
		goto bad;
	}
	if (!json_is_string(json_object_get(root, "nonce"))) {
		wgm_err(0, err, errlen, "nonce: missing or not a string");
		goto bad;
	}
	if (!json_is_string(json_object_get(root, "box"))) {
		wgm_err(0, err, errlen, "box: missing or not a string");
		goto bad;
	}
	if (with_pk && !json_is_string(json_object_get(root, "pk"))) {
		wgm_err(0, err, errlen, "pk: missing or not a string");
		goto bad;
	}
	*root_out = root;
	return 0;
bad:
	json_decref(root);
	return -EINVAL;
}

static int seal_body(json_t *payload, const uint8_t *sender_pk, const uint8_t recipient_pk[WGM_API_KEY_LEN],
		     const uint8_t sender_sk[WGM_API_KEY_LEN], const uint8_t nonce[WGM_API_NONCE_LEN], char **body_out,
		     char *err, size_t errlen)
{
	char nonce_b64[NONCE_B64_LEN + 1], pk_b64[WGM_B64_KEY_LEN + 1];
	char *box = NULL;
	json_t *root = NULL;
	int rc;

	rc = box_payload(payload, nonce, recipient_pk, sender_sk, &box, err, errlen);
	if (rc)
		return rc;
	wgm_b64_encode(nonce, WGM_API_NONCE_LEN, nonce_b64, sizeof(nonce_b64));
	if (sender_pk) {
		wgm_b64_encode(sender_pk, WGM_API_KEY_LEN, pk_b64, sizeof(pk_b64));
		root = json_pack("{s:i, s:s, s:s, s:s}", "v", 1, "pk", pk_b64, "nonce", nonce_b64, "box", box);
	} else {
		root = json_pack("{s:i, s:s, s:s}", "v", 1, "nonce", nonce_b64, "box", box);
	}
	free(box);
	*body_out = root ? json_dumps(root, JSON_COMPACT) : NULL;
	json_decref(root);
	if (!*body_out) {
		wgm_err(0, err, errlen, "api: out of memory");
		return -ENOMEM;
	}
	return 0;
}

/* A copy of payload with the envelope's own fields set. */
static json_t *stamped_copy(const json_t *payload, const char *route, int64_t now)
{
	json_t *copy = json_deep_copy(payload);

	if (!copy || json_object_set_new(copy, "route", json_string(route)) ||
	    json_object_set_new(copy, "ts", json_integer((json_int_t)now))) {
		json_decref(copy);
		return NULL;
	}
	return copy;
}

int wgm_api_request_seal(const struct wgm_api_keypair *caller, const uint8_t server_pk[WGM_API_KEY_LEN],
			 const char *route, const json_t *payload, int64_t now, const uint8_t nonce[WGM_API_NONCE_LEN],
			 char **body_out, char *err, size_t errlen)
{
	json_t *copy;
	int rc;

	*body_out = NULL;
	if (!route_valid(route) || !json_is_object(payload)) {
		wgm_err(0, err, errlen, "api: bad route or payload");
		return -EINVAL;
	}
	copy = stamped_copy(payload, route, now);
	if (!copy) {
		wgm_err(0, err, errlen, "api: out of memory");
		return -ENOMEM;
	}
	rc = seal_body(copy, caller->pk, server_pk, caller->sk, nonce, body_out, err, errlen);
	json_decref(copy);
	return rc;
}

int wgm_api_request_open(const struct wgm_api_keypair *server, const char *route, const char *body, size_t body_len,
			 int64_t now, const struct wgm_api_open_opts *opts, struct wgm_api_request *req, char *err,
			 size_t errlen)
{
	int64_t skew = opts && opts->skew > 0 ? opts->skew : WGM_API_SKEW_DEFAULT;
	json_t *root = NULL, *ts, *r;
	int rc;

	memset(req, 0, sizeof(*req));
	rc = parse_body(body, body_len, true, &root, err, errlen);
	if (rc)
		return rc;
	rc = -EINVAL;
	if (wgm_b64_decode_exact(json_string_value(json_object_get(root, "pk")), req->caller_pk, WGM_API_KEY_LEN)) {
		wgm_err(0, err, errlen, "pk: not a base64 32-byte key");
		goto out;
	}
	if (wgm_b64_decode_exact(json_string_value(json_object_get(root, "nonce")), req->nonce, WGM_API_NONCE_LEN)) {
		wgm_err(0, err, errlen, "nonce: not a base64 24-byte nonce");
		goto out;
	}
	rc = unbox_payload(json_string_value(json_object_get(root, "box")), req->nonce, req->caller_pk, server->sk,
			   &req->payload, err, errlen);
	if (rc)
		goto out;
	rc = -EINVAL;
	ts = json_object_get(req->payload, "ts");
	r = json_object_get(req->payload, "route");
	if (!json_is_integer(ts)) {
		wgm_err(0, err, errlen, "ts: missing or not an integer");
		goto out;
	}
	if (!json_is_string(r)) {
		wgm_err(0, err, errlen, "route: missing or not a string");
		goto out;
	}
	rc = -EACCES;
	req->ts = json_integer_value(ts);
	/* Written so that no subtraction can overflow on hostile values. */
	if (req->ts < now - skew || req->ts > now + skew) {
		wgm_err(0, err, errlen, "ts: outside the accepted clock window (check the clocks)");
		goto out;
	}
	if (strcmp(json_string_value(r), route) != 0) {
		wgm_err(0, err, errlen, "route: the request was sealed for another route");
		goto out;
	}
	snprintf(req->route, sizeof(req->route), "%s", route);
	rc = 0;
out:
	json_decref(root);
	if (rc)
		wgm_api_request_clear(req);
	return rc;
}

int wgm_api_reply_seal(const struct wgm_api_keypair *server, const struct wgm_api_request *req, const json_t *payload,
		       int64_t now, const uint8_t nonce[WGM_API_NONCE_LEN], char **body_out, char *err, size_t errlen)
{
	char req_nonce_b64[NONCE_B64_LEN + 1];
	json_t *copy;
	int rc;

	*body_out = NULL;
	if (!json_is_object(payload) || !route_valid(req->route)) {
		wgm_err(0, err, errlen, "api: bad route or payload");
		return -EINVAL;
	}
	copy = stamped_copy(payload, req->route, now);
	wgm_b64_encode(req->nonce, WGM_API_NONCE_LEN, req_nonce_b64, sizeof(req_nonce_b64));
	if (!copy || json_object_set_new(copy, "req_nonce", json_string(req_nonce_b64))) {
		json_decref(copy);
		wgm_err(0, err, errlen, "api: out of memory");
		return -ENOMEM;
	}
	rc = seal_body(copy, NULL, req->caller_pk, server->sk, nonce, body_out, err, errlen);
	json_decref(copy);
	return rc;
}

int wgm_api_reply_open(const struct wgm_api_keypair *caller, const uint8_t server_pk[WGM_API_KEY_LEN],
		       const char *route, const uint8_t req_nonce[WGM_API_NONCE_LEN], const char *body, size_t body_len,
		       struct wgm_api_reply *reply, char *err, size_t errlen)
{
	uint8_t got_nonce[WGM_API_NONCE_LEN];
	json_t *root = NULL, *ts, *r, *rn;
	int rc;

	memset(reply, 0, sizeof(*reply));
	rc = parse_body(body, body_len, false, &root, err, errlen);
	if (rc)
		return rc;
	rc = -EINVAL;
	if (wgm_b64_decode_exact(json_string_value(json_object_get(root, "nonce")), reply->nonce, WGM_API_NONCE_LEN)) {
		wgm_err(0, err, errlen, "nonce: not a base64 24-byte nonce");
		goto out;
	}
	rc = unbox_payload(json_string_value(json_object_get(root, "box")), reply->nonce, server_pk, caller->sk,
			   &reply->payload, err, errlen);
	if (rc)
		goto out;
	rc = -EINVAL;
	ts = json_object_get(reply->payload, "ts");
	r = json_object_get(reply->payload, "route");
	rn = json_object_get(reply->payload, "req_nonce");
	if (!json_is_integer(ts) || !json_is_string(r) || !json_is_string(rn)) {
		wgm_err(0, err, errlen, "reply: ts, route or req_nonce missing");
		goto out;
	}
	rc = -EACCES;
	if (wgm_b64_decode_exact(json_string_value(rn), got_nonce, WGM_API_NONCE_LEN) ||
	    sodium_memcmp(got_nonce, req_nonce, WGM_API_NONCE_LEN) != 0 || strcmp(json_string_value(r), route) != 0) {
		wgm_err(0, err, errlen, "reply: not the answer to this request");
		goto out;
	}
	reply->ts = json_integer_value(ts);
	rc = 0;
out:
	json_decref(root);
	if (rc)
		wgm_api_reply_clear(reply);
	return rc;
}

char *wgm_api_error_body(const char *reason)
{
	json_t *root = json_pack("{s:s}", "error", reason ? reason : "error");
	char *body = root ? json_dumps(root, JSON_COMPACT) : NULL;

	json_decref(root);
	return body;
}

/* jansson hands over valid UTF-8; these only walk it. */
static size_t utf8_seq_len(unsigned char c)
{
	return c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

static uint32_t utf8_decode(const unsigned char *p, size_t len)
{
	uint32_t cp = len == 1 ? p[0] : len == 2 ? p[0] & 0x1fu : len == 3 ? p[0] & 0x0fu : p[0] & 0x07u;

	for (size_t i = 1; i < len && p[i]; i++)
		cp = (cp << 6) | (p[i] & 0x3fu);
	return cp;
}

/* ALM, LRM, RLM, the embeddings and overrides, the isolates. */
static bool is_bidi_control(uint32_t cp)
{
	return cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

int wgm_api_error_parse(const char *body, size_t body_len, char *out, size_t outlen)
{
	json_error_t jerr;
	json_t *root;
	const char *reason;
	size_t n = 0;

	if (!outlen)
		return -EINVAL;
	out[0] = '\0';
	if (!body || body_len > WGM_API_BODY_MAX)
		return -EINVAL;
	root = json_loadb(body, body_len, 0, &jerr);
	reason = json_string_value(json_object_get(root, "error"));
	if (!reason) {
		json_decref(root);
		return -EINVAL;
	}
	/* It goes to a terminal: no control characters from a remote node,
	 * C0 or C1 (a C1 CSI moves the cursor like ESC [ does), and no bidi
	 * controls (they make a line read differently than it is). */
	for (size_t i = 0; reason[i];) {
		size_t len = utf8_seq_len((unsigned char)reason[i]);
		uint32_t cp = utf8_decode((const unsigned char *)reason + i, len);

		if (n + 1 >= outlen || n >= WGM_API_ERROR_MAX)
			break;
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) || is_bidi_control(cp)) {
			out[n++] = '?';
		} else {
			/* Whole characters only: a cut one would garble the line. */
			if (n + len + 1 > outlen || n + len > WGM_API_ERROR_MAX)
				break;
			memcpy(out + n, reason + i, len);
			n += len;
		}
		i += len;
	}
	out[n] = '\0';
	json_decref(root);
	return 0;
}
