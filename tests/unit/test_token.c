#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sodium.h>

#include "common/api/api_b64.h"
#include "common/api/token.h"

/* Interposes libsodium's compare (wgmcommon is linked statically into this
 * program, so its calls bind here) to prove the store uses it, once per entry. */
static int memcmp_calls;
int sodium_memcmp(const void *const b1_, const void *const b2_, size_t len)
{
	const volatile unsigned char *b1 = b1_, *b2 = b2_;
	unsigned char d = 0;

	memcmp_calls++;
	for (size_t i = 0; i < len; i++)
		d |= b1[i] ^ b2[i];
	return (1 & ((d - 1) >> 8)) - 1;
}

static const int64_t T0 = 1700000000;

static void fill_token(struct wgm_token *t, const char *url)
{
	memset(t, 0, sizeof(*t));
	for (int i = 0; i < WGM_TOKEN_PK_LEN; i++)
		t->api_pk[i] = (uint8_t)(i + 1);
	for (int i = 0; i < WGM_TOKEN_SECRET_LEN; i++)
		t->secret[i] = (uint8_t)(0xa0 + i);
	snprintf(t->url, sizeof(t->url), "%s", url);
}

static void test_token_round_trip_without_url(void **state)
{
	struct wgm_token t, back;
	char text[WGM_TOKEN_TEXT_MAX], err[128];

	fill_token(&t, "");
	assert_int_equal(wgm_token_encode(&t, text, sizeof(text)), 0);
	assert_memory_equal(text, "wgm1-", 5);
	assert_int_equal(strlen(text), 5 + 64);
	assert_null(strchr(text, '='));
	assert_int_equal(wgm_token_decode(text, &back, err, sizeof(err)), 0);
	assert_memory_equal(back.api_pk, t.api_pk, WGM_TOKEN_PK_LEN);
	assert_memory_equal(back.secret, t.secret, WGM_TOKEN_SECRET_LEN);
	assert_string_equal(back.url, "");
}

static void test_token_round_trip_with_url(void **state)
{
	struct wgm_token t, back;
	char text[WGM_TOKEN_TEXT_MAX], err[128];

	fill_token(&t, "http://192.0.2.1:8080");
	assert_int_equal(wgm_token_encode(&t, text, sizeof(text)), 0);
	assert_int_equal(wgm_token_decode(text, &back, err, sizeof(err)), 0);
	assert_string_equal(back.url, "http://192.0.2.1:8080");
	assert_memory_equal(back.secret, t.secret, WGM_TOKEN_SECRET_LEN);
}

static void test_token_longest_url_fits_text_max(void **state)
{
	struct wgm_token t, back;
	char url[WGM_TOKEN_URL_MAX + 1], text[WGM_TOKEN_TEXT_MAX], err[128];

	memset(url, 'a', sizeof(url));
	memcpy(url, "https://", 8);
	url[WGM_TOKEN_URL_MAX] = '\0';
	fill_token(&t, url);
	assert_int_equal(wgm_token_encode(&t, text, sizeof(text)), 0);
	assert_int_equal(wgm_token_decode(text, &back, err, sizeof(err)), 0);
	assert_string_equal(back.url, url);
}

static void expect_decode_error(const char *text, const char *reason)
{
	struct wgm_token back;
	char err[128] = "";

	assert_int_not_equal(wgm_token_decode(text, &back, err, sizeof(err)), 0);
	assert_string_equal(err, reason);
	/* Nothing half-decoded is left behind. */
	for (size_t i = 0; i < sizeof(back.secret); i++)
		assert_int_equal(back.secret[i], 0);
}

/* base64url of arbitrary bytes, with the prefix. */
static void make_text(const uint8_t *bin, size_t len, char *out, size_t outlen)
{
	memcpy(out, "wgm1-", 5);
	sodium_bin2base64(out + 5, outlen - 5, bin, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static void test_token_decode_rejects_each_malformation(void **state)
{
	uint8_t bin[48 + 16] = { 0 };
	char text[WGM_TOKEN_TEXT_MAX + 8], good[WGM_TOKEN_TEXT_MAX];
	struct wgm_token t;

	fill_token(&t, "");
	wgm_token_encode(&t, good, sizeof(good));
	expect_decode_error(NULL, "token: bad prefix (expected wgm1-)");
	expect_decode_error("", "token: bad prefix (expected wgm1-)");
	expect_decode_error(good + 1, "token: bad prefix (expected wgm1-)");
	expect_decode_error("wgm1-", "token: bad length");
	make_text(bin, 47, text, sizeof(text));
	expect_decode_error(text, "token: bad length");
	snprintf(text, sizeof(text), "%s=", good);
	expect_decode_error(text, "token: bad length");
	snprintf(text, sizeof(text), "%s", good);
	text[10] = '+'; /* standard alphabet, not url-safe */
	expect_decode_error(text, "token: bad base64");
	text[10] = ' ';
	expect_decode_error(text, "token: bad base64");
	memcpy(bin + 48, "ftp://x", 7);
	make_text(bin, 55, text, sizeof(text));
	expect_decode_error(text, "token: bad URL");
	memcpy(bin + 48, "http://a b", 10);
	make_text(bin, 58, text, sizeof(text));
	expect_decode_error(text, "token: bad URL");
	memcpy(bin + 48, "http://a\0b", 10);
	make_text(bin, 58, text, sizeof(text));
	expect_decode_error(text, "token: bad URL");
}

static void test_token_encode_refuses_bad_url(void **state)
{
	struct wgm_token t;
	char text[WGM_TOKEN_TEXT_MAX];

	fill_token(&t, "javascript:alert(1)");
	assert_int_not_equal(wgm_token_encode(&t, text, sizeof(text)), 0);
}

static struct wgm_token_store *new_store(void)
{
	struct wgm_token_store *s = wgm_token_store_new();
	assert_non_null(s);
	return s;
}

static void test_store_accepts_issued_secret_once(void **state)
{
	struct wgm_token_store *s = new_store();
	uint8_t secret[WGM_TOKEN_SECRET_LEN];
	struct wgm_token_info info;
	char id[WGM_TOKEN_ID_LEN + 1], err[128];

	assert_int_equal(wgm_token_store_create(s, 3600, 1, "node 2", T0, secret, &info, err, sizeof(err)), 0);
	assert_int_equal(strlen(info.id), 8);
	assert_int_equal(info.expires, T0 + 3600);
	assert_int_equal(wgm_token_store_consume(s, secret, T0 + 10, id), WGM_TOKEN_OK);
	assert_string_equal(id, info.id);
	assert_int_equal(wgm_token_store_consume(s, secret, T0 + 11, id), WGM_TOKEN_USED_UP);
	wgm_token_store_free(s);
}

static void test_store_refuses_wrong_secret(void **state)
{
	struct wgm_token_store *s = new_store();
	uint8_t secret[WGM_TOKEN_SECRET_LEN];

	assert_int_equal(wgm_token_store_create(s, 3600, 5, NULL, T0, secret, NULL, NULL, 0), 0);
	secret[0] ^= 1;
	assert_int_equal(wgm_token_store_consume(s, secret, T0, NULL), WGM_TOKEN_UNKNOWN);
	wgm_token_store_free(s);
}

static void test_store_refuses_expired(void **state)
{
	struct wgm_token_store *s = new_store();
	uint8_t secret[WGM_TOKEN_SECRET_LEN];

	assert_int_equal(wgm_token_store_create(s, 60, 5, NULL, T0, secret, NULL, NULL, 0), 0);
	assert_int_equal(wgm_token_store_consume(s, secret, T0 + 60, NULL), WGM_TOKEN_EXPIRED);
	wgm_token_store_free(s);
}

static void test_store_refuses_revoked(void **state)
{
	struct wgm_token_store *s = new_store();
	uint8_t secret[WGM_TOKEN_SECRET_LEN];
	struct wgm_token_info info;

	assert_int_equal(wgm_token_store_create(s, 60, 5, NULL, T0, secret, &info, NULL, 0), 0);
	assert_int_equal(wgm_token_store_revoke(s, info.id), 0);
	assert_int_equal(wgm_token_store_consume(s, secret, T0, NULL), WGM_TOKEN_REVOKED);
	assert_int_equal(wgm_token_store_revoke(s, "00000000"), -ENOENT);
	wgm_token_store_free(s);
}

static void test_store_refund_gives_use_back(void **state)
{
	struct wgm_token_store *s = new_store();
	uint8_t secret[WGM_TOKEN_SECRET_LEN];
	char id[WGM_TOKEN_ID_LEN + 1];

	assert_int_equal(wgm_token_store_create(s, 60, 1, NULL, T0, secret, NULL, NULL, 0), 0);
	assert_int_equal(wgm_token_store_consume(s, secret, T0, id), WGM_TOKEN_OK);
	assert_int_equal(wgm_token_store_refund(s, id), 0);
	assert_int_equal(wgm_token_store_consume(s, secret, T0, id), WGM_TOKEN_OK);
	wgm_token_store_free(s);
}

static void test_store_compares_every_entry_in_constant_time(void **state)
{
	struct wgm_token_store *s = new_store();
	uint8_t secret[WGM_TOKEN_SECRET_LEN], first[WGM_TOKEN_SECRET_LEN];

	assert_int_equal(wgm_token_store_create(s, 60, 1, NULL, T0, first, NULL, NULL, 0), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(wgm_token_store_create(s, 60, 1, NULL, T0, secret, NULL, NULL, 0), 0);
	memcmp_calls = 0;
	assert_int_equal(wgm_token_store_consume(s, first, T0, NULL), WGM_TOKEN_OK);
	assert_int_equal(memcmp_calls, 5);
	wgm_token_store_free(s);
}

static void test_store_create_validates_arguments(void **state)
{
	struct wgm_token_store *s = new_store();
	uint8_t secret[WGM_TOKEN_SECRET_LEN];
	char err[128];

	assert_int_equal(wgm_token_store_create(s, 0, 1, NULL, T0, secret, NULL, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "ttl: 0 is out of range (1-31622400 seconds)");
	assert_int_equal(wgm_token_store_create(s, 60, 0, NULL, T0, secret, NULL, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "uses: 0 is out of range (1-1000000)");
	assert_int_equal(wgm_token_store_create(s, 60, 1, "bad\nlabel", T0, secret, NULL, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "label: not printable UTF-8 of at most 64 bytes");
	assert_int_equal(wgm_token_store_count(s), 0);
	wgm_token_store_free(s);
}

static void test_store_lists_public_fields(void **state)
{
	struct wgm_token_store *s = new_store();
	uint8_t secret[WGM_TOKEN_SECRET_LEN];
	struct wgm_token_info info;

	assert_int_equal(wgm_token_store_create(s, 100, 3, "lab", T0, secret, NULL, NULL, 0), 0);
	assert_int_equal(wgm_token_store_count(s), 1);
	assert_int_equal(wgm_token_store_info(s, 0, &info), 0);
	assert_string_equal(info.label, "lab");
	assert_int_equal(info.created, T0);
	assert_int_equal(info.expires, T0 + 100);
	assert_int_equal(info.uses_left, 3);
	assert_false(info.revoked);
	assert_int_equal(wgm_token_store_info(s, 1, &info), -ENOENT);
	wgm_token_store_free(s);
}

static void test_store_prunes_after_grace(void **state)
{
	struct wgm_token_store *s = new_store();
	uint8_t secret[WGM_TOKEN_SECRET_LEN];

	assert_int_equal(wgm_token_store_create(s, 60, 1, NULL, T0, secret, NULL, NULL, 0), 0);
	assert_int_equal(wgm_token_store_prune(s, T0 + 61), 0);
	assert_int_equal(wgm_token_store_consume(s, secret, T0 + 61, NULL), WGM_TOKEN_EXPIRED);
	assert_int_equal(wgm_token_store_prune(s, T0 + 60 + WGM_TOKEN_PRUNE_GRACE), 1);
	assert_int_equal(wgm_token_store_count(s), 0);
	wgm_token_store_free(s);
}

static void test_store_full_of_live_tokens_refuses_more(void **state)
{
	struct wgm_token_store *s = new_store();
	uint8_t secret[WGM_TOKEN_SECRET_LEN];
	struct wgm_token_info info;
	char err[128];

	for (int i = 0; i < WGM_TOKEN_STORE_MAX; i++)
		assert_int_equal(wgm_token_store_create(s, 60, 1, NULL, T0, secret, i == 0 ? &info : NULL, NULL, 0), 0);
	assert_int_equal(wgm_token_store_create(s, 60, 1, NULL, T0, secret, NULL, err, sizeof(err)), -ENOSPC);
	/* A dead token makes room. */
	wgm_token_store_revoke(s, info.id);
	assert_int_equal(wgm_token_store_create(s, 60, 1, NULL, T0, secret, NULL, err, sizeof(err)), 0);
	assert_int_equal(wgm_token_store_count(s), WGM_TOKEN_STORE_MAX);
	wgm_token_store_free(s);
}

static void test_store_json_round_trip_keeps_tokens_usable(void **state)
{
	struct wgm_token_store *s = new_store(), *back;
	uint8_t secret[WGM_TOKEN_SECRET_LEN];
	struct wgm_token_info info, info_back;
	char err[128];
	json_t *j;

	assert_int_equal(wgm_token_store_create(s, 600, 2, "x", T0, secret, &info, NULL, 0), 0);
	j = wgm_token_store_to_json(s);
	assert_non_null(j);
	back = wgm_token_store_from_json(j, err, sizeof(err));
	assert_non_null(back);
	assert_int_equal(wgm_token_store_info(back, 0, &info_back), 0);
	assert_string_equal(info_back.id, info.id);
	assert_int_equal(info_back.uses_left, 2);
	assert_int_equal(wgm_token_store_consume(back, secret, T0 + 1, NULL), WGM_TOKEN_OK);
	json_decref(j);
	wgm_token_store_free(back);
	wgm_token_store_free(s);
}

static void test_store_json_never_contains_secret(void **state)
{
	struct wgm_token_store *s = new_store();
	uint8_t secret[WGM_TOKEN_SECRET_LEN];
	char b64[64], b64url[64], hex[64];
	char *dump;
	json_t *j;

	assert_int_equal(wgm_token_store_create(s, 600, 2, "x", T0, secret, NULL, NULL, 0), 0);
	j = wgm_token_store_to_json(s);
	dump = json_dumps(j, 0);
	wgm_b64_encode(secret, sizeof(secret), b64, sizeof(b64));
	b64[20] = '\0'; /* any long run of the encoding would do */
	sodium_bin2base64(b64url, sizeof(b64url), secret, sizeof(secret), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	b64url[20] = '\0';
	sodium_bin2hex(hex, sizeof(hex), secret, sizeof(secret));
	assert_null(strstr(dump, b64));
	assert_null(strstr(dump, b64url));
	assert_null(strstr(dump, hex));
	free(dump);
	json_decref(j);
	wgm_token_store_free(s);
}

static void expect_load_error(const char *text, const char *reason)
{
	json_error_t jerr;
	json_t *j = json_loads(text, 0, &jerr);
	char err[128] = "";

	assert_non_null(j);
	assert_null(wgm_token_store_from_json(j, err, sizeof(err)));
	assert_string_equal(err, reason);
	json_decref(j);
}

static void test_store_json_load_rejects_bad_fields(void **state)
{
	struct wgm_token_store *s = new_store();
	uint8_t secret[WGM_TOKEN_SECRET_LEN];
	json_t *j, *entry;
	char *good;
	char err[128];

	expect_load_error("[]", "tokens: not a JSON object");
	expect_load_error("{\"v\":2}", "v: unsupported token store version (expected 1)");
	expect_load_error("{\"v\":1,\"hash_key\":\"abc\",\"tokens\":[]}", "hash_key: not a base64 32-byte key");
	assert_int_equal(wgm_token_store_create(s, 600, 2, "x", T0, secret, NULL, NULL, 0), 0);
	j = wgm_token_store_to_json(s);
	entry = json_array_get(json_object_get(j, "tokens"), 0);
	json_object_set_new(entry, "id", json_string("00000000"));
	good = json_dumps(j, 0);
	expect_load_error(good, "tokens[0].id: missing or not valid");
	free(good);
	json_object_set_new(entry, "uses_left", json_integer(-1));
	assert_null(wgm_token_store_from_json(j, err, sizeof(err)));
	assert_string_equal(err, "tokens[0].uses_left: missing or not valid");
	json_decref(j);
	wgm_token_store_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_token_round_trip_without_url),
		cmocka_unit_test(test_token_round_trip_with_url),
		cmocka_unit_test(test_token_longest_url_fits_text_max),
		cmocka_unit_test(test_token_decode_rejects_each_malformation),
		cmocka_unit_test(test_token_encode_refuses_bad_url),
		cmocka_unit_test(test_store_accepts_issued_secret_once),
		cmocka_unit_test(test_store_refuses_wrong_secret),
		cmocka_unit_test(test_store_refuses_expired),
		cmocka_unit_test(test_store_refuses_revoked),
		cmocka_unit_test(test_store_refund_gives_use_back),
		cmocka_unit_test(test_store_compares_every_entry_in_constant_time),
		cmocka_unit_test(test_store_create_validates_arguments),
		cmocka_unit_test(test_store_lists_public_fields),
		cmocka_unit_test(test_store_prunes_after_grace),
		cmocka_unit_test(test_store_full_of_live_tokens_refuses_more),
		cmocka_unit_test(test_store_json_round_trip_keeps_tokens_usable),
		cmocka_unit_test(test_store_json_never_contains_secret),
		cmocka_unit_test(test_store_json_load_rejects_bad_fields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
