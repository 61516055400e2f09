#include "common/api/token.h"

#include "common/util/err.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/api/api_b64.h"
#include "common/api/json_get.h"

#define TOKEN_BIN_MIN (WGM_TOKEN_PK_LEN + WGM_TOKEN_SECRET_LEN)
#define TOKEN_BIN_MAX (TOKEN_BIN_MIN + WGM_TOKEN_URL_MAX)
#define HASH_LEN crypto_generichash_BYTES
#define HASH_KEY_LEN crypto_generichash_KEYBYTES

bool wgm_token_url_valid(const char *url)
{
	size_t len;

	if (!url)
		return false;
	len = strlen(url);
	if (len > WGM_TOKEN_URL_MAX)
		return false;
	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
		return false;
	if (len == 7 || (url[4] == 's' && len == 8))
		return false; /* no host */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)url[i];
		if (c <= 0x20 || c >= 0x7f)
			return false;
	}
	return true;
}

void wgm_token_wipe(struct wgm_token *token)
{
	sodium_memzero(token, sizeof(*token));
}

int wgm_token_encode(const struct wgm_token *token, char *out, size_t outlen)
{
	uint8_t bin[TOKEN_BIN_MAX];
	size_t url_len = strnlen(token->url, sizeof(token->url));
	size_t len = TOKEN_BIN_MIN + url_len;
	size_t need = strlen(WGM_TOKEN_PREFIX) +
		      sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);

	if (url_len && !wgm_token_url_valid(token->url))
		return -EINVAL;
	if (outlen < need)
		return -ENOSPC;
	memcpy(bin, token->api_pk, WGM_TOKEN_PK_LEN);
	memcpy(bin + WGM_TOKEN_PK_LEN, token->secret, WGM_TOKEN_SECRET_LEN);
	memcpy(bin + TOKEN_BIN_MIN, token->url, url_len);
	memcpy(out, WGM_TOKEN_PREFIX, strlen(WGM_TOKEN_PREFIX));
	sodium_bin2base64(out + strlen(WGM_TOKEN_PREFIX), outlen - strlen(WGM_TOKEN_PREFIX), bin, len,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(bin, sizeof(bin));
	return 0;
}

int wgm_token_decode(const char *text, struct wgm_token *token, char *err, size_t errlen)
{
	uint8_t bin[TOKEN_BIN_MAX];
	size_t prefix = strlen(WGM_TOKEN_PREFIX), b64_len, bin_len = 0;
	const char *end = NULL;
	int rc = -EINVAL;

	sodium_memzero(token, sizeof(*token));
	if (!text || strncmp(text, WGM_TOKEN_PREFIX, prefix) != 0) {
		wgm_err(0, err, errlen, "token: bad prefix (expected wgm1-)");
		goto out;
	}
	b64_len = strnlen(text + prefix, WGM_TOKEN_TEXT_MAX);
	/* A length of 1 mod 4 is never a base64 encoding. */
	if (b64_len < sodium_base64_ENCODED_LEN(TOKEN_BIN_MIN, sodium_base64_VARIANT_URLSAFE_NO_PADDING) - 1 ||
	    b64_len > sodium_base64_ENCODED_LEN(TOKEN_BIN_MAX, sodium_base64_VARIANT_URLSAFE_NO_PADDING) - 1 ||
	    b64_len % 4 == 1) {
		wgm_err(0, err, errlen, "token: bad length");
		goto out;
	}
	if (sodium_base642bin(bin, sizeof(bin), text + prefix, b64_len, NULL, &bin_len, &end,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    *end != '\0') {
		wgm_err(0, err, errlen, "token: bad base64");
		goto out;
	}
	if (bin_len < TOKEN_BIN_MIN || bin_len > TOKEN_BIN_MAX) {
		wgm_err(0, err, errlen, "token: bad length");
		goto out;
	}
	memcpy(token->api_pk, bin, WGM_TOKEN_PK_LEN);
	memcpy(token->secret, bin + WGM_TOKEN_PK_LEN, WGM_TOKEN_SECRET_LEN);
	memcpy(token->url, bin + TOKEN_BIN_MIN, bin_len - TOKEN_BIN_MIN);
	token->url[bin_len - TOKEN_BIN_MIN] = '\0';
	if (bin_len > TOKEN_BIN_MIN &&
	    (strlen(token->url) != bin_len - TOKEN_BIN_MIN || !wgm_token_url_valid(token->url))) {
		wgm_err(0, err, errlen, "token: bad URL");
		goto out;
	}
	rc = 0;
out:
	sodium_memzero(bin, sizeof(bin));
	if (rc)
		sodium_memzero(token, sizeof(*token));
	return rc;
}

/* ---- store ---- */

struct token_entry {
	struct wgm_token_info info;
	uint8_t hash[HASH_LEN];
};

struct wgm_token_store {
	uint8_t hash_key[HASH_KEY_LEN];
	size_t count;
	struct token_entry entries[WGM_TOKEN_STORE_MAX];
};

const char *wgm_token_verdict_reason(enum wgm_token_verdict verdict)
{
	switch (verdict) {
	case WGM_TOKEN_OK:
		return "token accepted";
	case WGM_TOKEN_UNKNOWN:
		return "token unknown";
	case WGM_TOKEN_EXPIRED:
		return "token expired";
	case WGM_TOKEN_REVOKED:
		return "token revoked";
	case WGM_TOKEN_USED_UP:
		return "token used up";
	}
	return "token refused";
}

struct wgm_token_store *wgm_token_store_new(void)
{
	struct wgm_token_store *store;

	if (sodium_init() < 0)
		return NULL;
	store = calloc(1, sizeof(*store));
	if (!store)
		return NULL;
	crypto_generichash_keygen(store->hash_key);
	return store;
}

void wgm_token_store_free(struct wgm_token_store *store)
{
	if (!store)
		return;
	sodium_memzero(store, sizeof(*store));
	free(store);
}

static void secret_hash(const struct wgm_token_store *store, const uint8_t *secret, uint8_t hash[HASH_LEN])
{
	crypto_generichash(hash, HASH_LEN, secret, WGM_TOKEN_SECRET_LEN, store->hash_key, HASH_KEY_LEN);
}

static void id_from_hash(const uint8_t hash[HASH_LEN], char id[WGM_TOKEN_ID_LEN + 1])
{
	sodium_bin2hex(id, WGM_TOKEN_ID_LEN + 1, hash, WGM_TOKEN_ID_LEN / 2);
}

static struct token_entry *find_by_id(struct wgm_token_store *store, const char *id)
{
	for (size_t i = 0; id && i < store->count; i++)
		if (strcmp(store->entries[i].info.id, id) == 0)
			return &store->entries[i];
	return NULL;
}

static bool entry_dead(const struct token_entry *e, int64_t now)
{
	return e->info.revoked || e->info.uses_left == 0 || now >= e->info.expires;
}

static void remove_entry(struct wgm_token_store *store, size_t i)
{
	memmove(&store->entries[i], &store->entries[i + 1], (store->count - i - 1) * sizeof(store->entries[0]));
	store->count--;
	sodium_memzero(&store->entries[store->count], sizeof(store->entries[0]));
}

size_t wgm_token_store_prune(struct wgm_token_store *store, int64_t now)
{
	size_t dropped = 0;

	for (size_t i = 0; i < store->count;) {
		if (store->entries[i].info.expires <= now - WGM_TOKEN_PRUNE_GRACE) {
			remove_entry(store, i);
			dropped++;
		} else {
			i++;
		}
	}
	return dropped;
}

/* Labels end up in JSON and on terminals: valid UTF-8, no control characters. */
static bool label_valid(const char *label)
{
	json_t *probe;
	size_t len = strlen(label);

	if (len > WGM_TOKEN_LABEL_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)label[i];
		if (c < 0x20 || c == 0x7f)
			return false;
	}
	probe = json_string(label);
	if (!probe)
		return false;
	json_decref(probe);
	return true;
}

int wgm_token_store_create(struct wgm_token_store *store, int64_t ttl, uint32_t uses, const char *label, int64_t now,
			   uint8_t secret_out[WGM_TOKEN_SECRET_LEN], struct wgm_token_info *info_out, char *err,
			   size_t errlen)
{
	struct token_entry *e;
	char msg[128];

	if (!label)
		label = "";
	if (ttl < 1 || ttl > WGM_TOKEN_TTL_MAX) {
		snprintf(msg, sizeof(msg), "ttl: %" PRId64 " is out of range (1-%lld seconds)", ttl, WGM_TOKEN_TTL_MAX);
		wgm_err(0, err, errlen, "%s", msg);
		return -EINVAL;
	}
	if (uses < 1 || uses > WGM_TOKEN_USES_MAX) {
		snprintf(msg, sizeof(msg), "uses: %" PRIu32 " is out of range (1-%u)", uses, WGM_TOKEN_USES_MAX);
		wgm_err(0, err, errlen, "%s", msg);
		return -EINVAL;
	}
	if (!label_valid(label)) {
		snprintf(msg, sizeof(msg), "label: not printable UTF-8 of at most %d bytes", WGM_TOKEN_LABEL_MAX);
		wgm_err(0, err, errlen, "%s", msg);
		return -EINVAL;
	}
	wgm_token_store_prune(store, now);
	if (store->count == WGM_TOKEN_STORE_MAX) {
		/* Make room by forgetting the oldest token that can never be used again. */
		for (size_t i = 0; i < store->count; i++) {
			if (entry_dead(&store->entries[i], now)) {
				remove_entry(store, i);
				break;
			}
		}
	}
	if (store->count == WGM_TOKEN_STORE_MAX) {
		snprintf(msg, sizeof(msg), "token: store full (%d live tokens); revoke some", WGM_TOKEN_STORE_MAX);
		wgm_err(0, err, errlen, "%s", msg);
		return -ENOSPC;
	}
	e = &store->entries[store->count];
	memset(e, 0, sizeof(*e));
	/* Public ids must be unique to revoke by id; on a clash draw a new secret. */
	do {
		randombytes_buf(secret_out, WGM_TOKEN_SECRET_LEN);
		secret_hash(store, secret_out, e->hash);
		id_from_hash(e->hash, e->info.id);
	} while (find_by_id(store, e->info.id));
	snprintf(e->info.label, sizeof(e->info.label), "%s", label);
	e->info.created = now;
	e->info.expires = now + ttl;
	e->info.uses_left = uses;
	e->info.revoked = false;
	store->count++;
	if (info_out)
		*info_out = e->info;
	return 0;
}

enum wgm_token_verdict wgm_token_store_consume(struct wgm_token_store *store,
					       const uint8_t secret[WGM_TOKEN_SECRET_LEN], int64_t now,
					       char id_out[WGM_TOKEN_ID_LEN + 1])
{
	uint8_t hash[HASH_LEN];
	struct token_entry *match = NULL;
	enum wgm_token_verdict verdict;

	if (id_out)
		id_out[0] = '\0';
	secret_hash(store, secret, hash);
	/* Compare against every entry, without stopping early, so timing says
	 * nothing about which hash (if any) was close. */
	for (size_t i = 0; i < store->count; i++)
		if (sodium_memcmp(hash, store->entries[i].hash, HASH_LEN) == 0)
			match = &store->entries[i];
	sodium_memzero(hash, sizeof(hash));
	if (!match)
		return WGM_TOKEN_UNKNOWN;
	if (id_out)
		memcpy(id_out, match->info.id, WGM_TOKEN_ID_LEN + 1);
	if (match->info.revoked)
		verdict = WGM_TOKEN_REVOKED;
	else if (now >= match->info.expires)
		verdict = WGM_TOKEN_EXPIRED;
	else if (match->info.uses_left == 0)
		verdict = WGM_TOKEN_USED_UP;
	else
		verdict = WGM_TOKEN_OK;
	if (verdict == WGM_TOKEN_OK)
		match->info.uses_left--;
	return verdict;
}

int wgm_token_store_refund(struct wgm_token_store *store, const char *id)
{
	struct token_entry *e = find_by_id(store, id);

	if (!e)
		return -ENOENT;
	if (e->info.uses_left < WGM_TOKEN_USES_MAX)
		e->info.uses_left++;
	return 0;
}

int wgm_token_store_revoke(struct wgm_token_store *store, const char *id)
{
	struct token_entry *e = find_by_id(store, id);

	if (!e)
		return -ENOENT;
	e->info.revoked = true;
	return 0;
}

size_t wgm_token_store_count(const struct wgm_token_store *store)
{
	return store->count;
}

int wgm_token_store_info(const struct wgm_token_store *store, size_t index, struct wgm_token_info *info)
{
	if (index >= store->count)
		return -ENOENT;
	*info = store->entries[index].info;
	return 0;
}

json_t *wgm_token_info_to_json(const struct wgm_token_info *info)
{
	return json_pack("{s:s, s:s, s:I, s:I, s:I, s:b}", "id", info->id, "label", info->label, "created",
			 (json_int_t)info->created, "expires", (json_int_t)info->expires, "uses_left",
			 (json_int_t)info->uses_left, "revoked", info->revoked);
}

json_t *wgm_token_store_to_json(const struct wgm_token_store *store)
{
	char b64[WGM_B64_KEY_LEN + 1];
	json_t *root = NULL, *tokens = json_array();

	if (!tokens)
		return NULL;
	for (size_t i = 0; i < store->count; i++) {
		const struct token_entry *e = &store->entries[i];
		json_t *item = wgm_token_info_to_json(&e->info);

		wgm_b64_encode(e->hash, HASH_LEN, b64, sizeof(b64));
		if (!item || json_object_set_new(item, "hash", json_string(b64)) ||
		    json_array_append_new(tokens, item)) {
			json_decref(item);
			goto fail;
		}
	}
	wgm_b64_encode(store->hash_key, HASH_KEY_LEN, b64, sizeof(b64));
	root = json_pack("{s:i, s:s, s:o}", "v", 1, "hash_key", b64, "tokens", tokens);
	sodium_memzero(b64, sizeof(b64));
	return root;
fail:
	sodium_memzero(b64, sizeof(b64));
	json_decref(tokens);
	return NULL;
}

static bool id_text_valid(const char *id)
{
	if (strlen(id) != WGM_TOKEN_ID_LEN)
		return false;
	for (size_t i = 0; i < WGM_TOKEN_ID_LEN; i++)
		if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
			return false;
	return true;
}

static int load_entry(struct wgm_token_store *store, const json_t *item, size_t index, char *err, size_t errlen)
{
	struct token_entry *e = &store->entries[store->count];
	const json_t *id = json_object_get(item, "id"), *label = json_object_get(item, "label");
	const json_t *hash = json_object_get(item, "hash"), *revoked = json_object_get(item, "revoked");
	char expect_id[WGM_TOKEN_ID_LEN + 1];
	long long created, expires, uses;
	const char *field;

	memset(e, 0, sizeof(*e));
	field = "id";
	if (!json_is_string(id) || !id_text_valid(json_string_value(id)))
		goto bad;
	field = "label";
	if (!json_is_string(label) || !label_valid(json_string_value(label)))
		goto bad;
	field = "created";
	if (wgm_json_get_int(item, "created", 0, INT64_MAX / 2, &created, NULL, 0))
		goto bad;
	field = "expires";
	if (wgm_json_get_int(item, "expires", created, created + WGM_TOKEN_TTL_MAX, &expires, NULL, 0))
		goto bad;
	field = "uses_left";
	if (wgm_json_get_int(item, "uses_left", 0, WGM_TOKEN_USES_MAX, &uses, NULL, 0))
		goto bad;
	field = "revoked";
	if (!json_is_boolean(revoked))
		goto bad;
	field = "hash";
	if (!json_is_string(hash) || wgm_b64_decode_exact(json_string_value(hash), e->hash, HASH_LEN))
		goto bad;
	id_from_hash(e->hash, expect_id);
	field = "id";
	if (strcmp(expect_id, json_string_value(id)) != 0 || find_by_id(store, expect_id))
		goto bad;
	memcpy(e->info.id, expect_id, sizeof(expect_id));
	snprintf(e->info.label, sizeof(e->info.label), "%s", json_string_value(label));
	e->info.created = created;
	e->info.expires = expires;
	e->info.uses_left = (uint32_t)uses;
	e->info.revoked = json_is_true(revoked);
	store->count++;
	return 0;
bad:
	sodium_memzero(e, sizeof(*e));
	if (err && errlen)
		snprintf(err, errlen, "tokens[%zu].%s: missing or not valid", index, field);
	return -EINVAL;
}

struct wgm_token_store *wgm_token_store_from_json(const json_t *json, char *err, size_t errlen)
{
	struct wgm_token_store *store = wgm_token_store_new();
	const json_t *v = json_object_get(json, "v"), *key = json_object_get(json, "hash_key");
	const json_t *tokens = json_object_get(json, "tokens");

	if (!store) {
		wgm_err(0, err, errlen, "tokens: out of memory");
		return NULL;
	}
	if (!json_is_object(json)) {
		wgm_err(0, err, errlen, "tokens: not a JSON object");
		goto fail;
	}
	if (!json_is_integer(v) || json_integer_value(v) != 1) {
		wgm_err(0, err, errlen, "v: unsupported token store version (expected 1)");
		goto fail;
	}
	if (!json_is_string(key) || wgm_b64_decode_exact(json_string_value(key), store->hash_key, HASH_KEY_LEN)) {
		wgm_err(0, err, errlen, "hash_key: not a base64 32-byte key");
		goto fail;
	}
	if (!json_is_array(tokens) || json_array_size(tokens) > WGM_TOKEN_STORE_MAX) {
		wgm_err(0, err, errlen, "tokens: not an array of at most 256 entries");
		goto fail;
	}
	for (size_t i = 0; i < json_array_size(tokens); i++) {
		const json_t *item = json_array_get(tokens, i);
		if (!json_is_object(item)) {
			if (err && errlen)
				snprintf(err, errlen, "tokens[%zu]: not an object", i);
			goto fail;
		}
		if (load_entry(store, item, i, err, errlen))
			goto fail;
	}
	return store;
fail:
	wgm_token_store_free(store);
	return NULL;
}
