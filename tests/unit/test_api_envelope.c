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

#include "common/api/api_auth.h"
#include "common/api/api_b64.h"
#include "common/api/api_envelope.h"
#include "common/api/api_msg.h"
#include "common/api/token.h"

static const int64_t T0 = 1700000000;

/* Every error line the tests see, to check that no secret ever lands in one. */
static char seen_errors[8192];

static void note_err(const char *err)
{
	size_t used = strlen(seen_errors);
	snprintf(seen_errors + used, sizeof(seen_errors) - used, "%s\n", err);
}

struct world {
	struct wgm_api_keypair server, caller, other;
	struct wgm_replay_cache *replay;
	struct wgm_token_store *tokens;
	uint8_t mesh_key[WGM_MESH_KEY_LEN];
	struct wgm_token token;
	char token_id[WGM_TOKEN_ID_LEN + 1];
};

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	struct wgm_token_info info;

	assert_non_null(w);
	assert_int_equal(wgm_api_keypair_generate(&w->server), 0);
	assert_int_equal(wgm_api_keypair_generate(&w->caller), 0);
	assert_int_equal(wgm_api_keypair_generate(&w->other), 0);
	w->replay = wgm_replay_cache_new(64, 60);
	w->tokens = wgm_token_store_new();
	assert_non_null(w->replay);
	assert_non_null(w->tokens);
	wgm_mesh_key_new(w->mesh_key);
	memcpy(w->token.api_pk, w->server.pk, WGM_API_KEY_LEN);
	assert_int_equal(wgm_token_store_create(w->tokens, 3600, 1, "t", T0, w->token.secret, &info, NULL, 0), 0);
	memcpy(w->token_id, info.id, sizeof(info.id));
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	wgm_replay_cache_free(w->replay);
	wgm_token_store_free(w->tokens);
	sodium_memzero(w, sizeof(*w));
	free(w);
	return 0;
}

static json_t *sample_payload(void)
{
	json_t *p = json_pack("{s:i, s:s}", "id", 2, "transport", "v4");
	assert_non_null(p);
	return p;
}

/* Opens body on the server side for route, expecting rc; returns the error line. */
static int server_open(struct world *w, const char *route, const char *body, int64_t now, struct wgm_api_request *req,
		       char *err, size_t errlen)
{
	int rc = wgm_api_request_open(&w->server, route, body, body ? strlen(body) : 0, now, NULL, req, err, errlen);
	if (rc)
		note_err(err);
	return rc;
}

static char *member_request(struct world *w, const uint8_t *mesh_key, const char *route, int64_t now,
			    struct wgm_api_call *call)
{
	json_t *p = sample_payload();
	char *body = NULL, err[160];

	assert_int_equal(wgm_api_auth_seal_member(&w->caller, w->server.pk, mesh_key, route, p, now, call, &body, err,
						  sizeof(err)),
			 0);
	json_decref(p);
	return body;
}

static void test_request_round_trip_carries_payload_ts_and_route(void **state)
{
	struct world *w = *state;
	struct wgm_api_request req;
	uint8_t nonce[WGM_API_NONCE_LEN];
	json_t *p = sample_payload();
	char *body, err[160];

	wgm_api_nonce_new(nonce);
	assert_int_equal(
		wgm_api_request_seal(&w->caller, w->server.pk, "/update", p, T0, nonce, &body, err, sizeof(err)), 0);
	assert_int_equal(server_open(w, "/update", body, T0 + 5, &req, err, sizeof(err)), 0);
	assert_memory_equal(req.caller_pk, w->caller.pk, WGM_API_KEY_LEN);
	assert_memory_equal(req.nonce, nonce, WGM_API_NONCE_LEN);
	assert_int_equal(req.ts, T0);
	assert_string_equal(req.route, "/update");
	assert_int_equal(json_integer_value(json_object_get(req.payload, "id")), 2);
	wgm_api_request_clear(&req);
	json_decref(p);
	free(body);
}

static void test_body_shows_no_plaintext(void **state)
{
	struct world *w = *state;
	uint8_t nonce[WGM_API_NONCE_LEN];
	json_t *p = json_pack("{s:s}", "psk", "VERY-SECRET-MARKER");
	char *body, err[160];

	wgm_api_nonce_new(nonce);
	assert_int_equal(
		wgm_api_request_seal(&w->caller, w->server.pk, "/connect", p, T0, nonce, &body, err, sizeof(err)), 0);
	assert_null(strstr(body, "VERY-SECRET-MARKER"));
	assert_null(strstr(body, "/connect"));
	json_decref(p);
	free(body);
}

static void test_tampered_box_is_refused(void **state)
{
	struct world *w = *state;
	struct wgm_api_call call;
	struct wgm_api_request req;
	char *body = member_request(w, w->mesh_key, "/update", T0, &call), err[160];
	char *box = strstr(body, "\"box\":\"") + 7;

	box[3] = box[3] == 'A' ? 'B' : 'A';
	assert_int_equal(server_open(w, "/update", body, T0, &req, err, sizeof(err)), -EACCES);
	assert_string_equal(err, "box: does not open (wrong key or tampered)");
	free(body);
}

static void test_box_for_another_server_is_refused(void **state)
{
	struct world *w = *state;
	struct wgm_api_request req;
	uint8_t nonce[WGM_API_NONCE_LEN];
	json_t *p = sample_payload();
	char *body, err[160];

	wgm_api_nonce_new(nonce);
	assert_int_equal(
		wgm_api_request_seal(&w->caller, w->other.pk, "/update", p, T0, nonce, &body, err, sizeof(err)), 0);
	assert_int_equal(server_open(w, "/update", body, T0, &req, err, sizeof(err)), -EACCES);
	json_decref(p);
	free(body);
}

static void test_stale_and_future_timestamps_are_refused(void **state)
{
	struct world *w = *state;
	struct wgm_api_call call;
	struct wgm_api_request req;
	char *body = member_request(w, w->mesh_key, "/update", T0, &call), err[160];

	assert_int_equal(server_open(w, "/update", body, T0 + 61, &req, err, sizeof(err)), -EACCES);
	assert_string_equal(err, "ts: outside the accepted clock window (check the clocks)");
	assert_int_equal(server_open(w, "/update", body, T0 - 61, &req, err, sizeof(err)), -EACCES);
	assert_int_equal(server_open(w, "/update", body, T0 + 60, &req, err, sizeof(err)), 0);
	wgm_api_request_clear(&req);
	free(body);
}

static void test_skew_is_configurable(void **state)
{
	struct world *w = *state;
	struct wgm_api_call call;
	struct wgm_api_request req;
	struct wgm_api_open_opts opts = { .skew = 5 };
	char *body = member_request(w, w->mesh_key, "/update", T0, &call), err[160];

	assert_int_equal(
		wgm_api_request_open(&w->server, "/update", body, strlen(body), T0 + 6, &opts, &req, err, sizeof(err)),
		-EACCES);
	free(body);
}

static void test_box_for_another_route_is_refused(void **state)
{
	struct world *w = *state;
	struct wgm_api_call call;
	struct wgm_api_request req;
	char *body = member_request(w, w->mesh_key, "/update", T0, &call), err[160];

	assert_int_equal(server_open(w, "/disconnect", body, T0, &req, err, sizeof(err)), -EACCES);
	assert_string_equal(err, "route: the request was sealed for another route");
	free(body);
}

static void expect_bad_body(struct world *w, const char *body, int rc, const char *reason)
{
	struct wgm_api_request req;
	char err[160] = "";

	assert_int_equal(server_open(w, "/update", body, T0, &req, err, sizeof(err)), rc);
	assert_string_equal(err, reason);
	assert_null(req.payload);
}

static void test_malformed_bodies_get_one_line_reasons(void **state)
{
	struct world *w = *state;
	char big[WGM_API_BODY_MAX + 2];
	char pk[WGM_B64_KEY_LEN + 1], body[512];

	expect_bad_body(w, "", -EINVAL, "body: empty");
	expect_bad_body(w, "{\"v\":1,", -EINVAL, "body: not a JSON object");
	expect_bad_body(w, "[1]", -EINVAL, "body: not a JSON object");
	expect_bad_body(w, "{\"v\":2,\"pk\":\"\",\"nonce\":\"\",\"box\":\"\"}", -EINVAL,
			"v: unsupported envelope version (expected 1)");
	expect_bad_body(w, "{\"v\":1,\"pk\":\"\",\"nonce\":\"\",\"box\":\"\",\"x\":1}", -EINVAL,
			"body: unexpected field");
	expect_bad_body(w, "{\"v\":1,\"pk\":1,\"nonce\":\"\",\"box\":\"\"}", -EINVAL, "pk: missing or not a string");
	expect_bad_body(w, "{\"v\":1,\"pk\":\"\",\"box\":\"\"}", -EINVAL, "nonce: missing or not a string");
	expect_bad_body(w, "{\"v\":1,\"pk\":\"\",\"nonce\":\"\"}", -EINVAL, "box: missing or not a string");
	expect_bad_body(w, "{\"v\":1,\"pk\":\"AAAA\",\"nonce\":\"\",\"box\":\"\"}", -EINVAL,
			"pk: not a base64 32-byte key");
	wgm_b64_encode(w->caller.pk, WGM_API_KEY_LEN, pk, sizeof(pk));
	snprintf(body, sizeof(body), "{\"v\":1,\"pk\":\"%s\",\"nonce\":\"AAAA\",\"box\":\"\"}", pk);
	expect_bad_body(w, body, -EINVAL, "nonce: not a base64 24-byte nonce");
	snprintf(body, sizeof(body), "{\"v\":1,\"pk\":\"%s\",\"nonce\":\"%s\",\"box\":\"AAA\"}", pk,
		 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	expect_bad_body(w, body, -EINVAL, "box: bad length");
	snprintf(body, sizeof(body), "{\"v\":1,\"pk\":\"%s\",\"nonce\":\"%s\",\"box\":\"%s\"}", pk,
		 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
	expect_bad_body(w, body, -EINVAL, "box: bad base64");
	memset(big, ' ', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	expect_bad_body(w, big, -EMSGSIZE, "body: too large");
}

/* A box that opens but holds something other than a valid payload object. */
static void expect_bad_plaintext(struct world *w, const char *plain, int rc, const char *reason)
{
	uint8_t nonce[WGM_API_NONCE_LEN], cipher[256];
	char pk[WGM_B64_KEY_LEN + 1], nonce_b64[40], box[400], body[600];
	struct wgm_api_request req;
	char err[160] = "";

	wgm_api_nonce_new(nonce);
	assert_int_equal(
		crypto_box_easy(cipher, (const uint8_t *)plain, strlen(plain), nonce, w->server.pk, w->caller.sk), 0);
	wgm_b64_encode(w->caller.pk, WGM_API_KEY_LEN, pk, sizeof(pk));
	wgm_b64_encode(nonce, sizeof(nonce), nonce_b64, sizeof(nonce_b64));
	wgm_b64_encode(cipher, strlen(plain) + crypto_box_MACBYTES, box, sizeof(box));
	snprintf(body, sizeof(body), "{\"v\":1,\"pk\":\"%s\",\"nonce\":\"%s\",\"box\":\"%s\"}", pk, nonce_b64, box);
	assert_int_equal(server_open(w, "/update", body, T0, &req, err, sizeof(err)), rc);
	assert_string_equal(err, reason);
}

static void test_payload_must_be_object_with_ts_and_route(void **state)
{
	struct world *w = *state;
	char plain[160];

	expect_bad_plaintext(w, "[1,2]", -EINVAL, "payload: not a JSON object");
	expect_bad_plaintext(w, "{\"ts\":1", -EINVAL, "payload: not a JSON object");
	expect_bad_plaintext(w, "{\"route\":\"/update\"}", -EINVAL, "ts: missing or not an integer");
	expect_bad_plaintext(w, "{\"route\":\"/update\",\"ts\":\"1700000000\"}", -EINVAL,
			     "ts: missing or not an integer");
	snprintf(plain, sizeof(plain), "{\"ts\":%lld}", (long long)T0);
	expect_bad_plaintext(w, plain, -EINVAL, "route: missing or not a string");
	expect_bad_plaintext(w, "{\"route\":\"/update\",\"ts\":-9223372036854775807}", -EACCES,
			     "ts: outside the accepted clock window (check the clocks)");
}

static void test_member_call_round_trip(void **state)
{
	struct world *w = *state;
	struct wgm_api_call call;
	struct wgm_api_request req;
	struct wgm_api_reply reply;
	enum wgm_api_caller_kind kind;
	char *body = member_request(w, w->mesh_key, "/update", T0, &call), *rbody, err[160];
	json_t *answer = json_pack("{s:i}", "port", 51822);

	assert_int_equal(server_open(w, "/update", body, T0, &req, err, sizeof(err)), 0);
	assert_int_equal(wgm_api_auth_caller_kind(&req, &kind, err, sizeof(err)), 0);
	assert_int_equal(kind, WGM_API_CALLER_MEMBER);
	assert_int_equal(wgm_api_auth_check_member(w->mesh_key, w->server.pk, w->replay, &req, T0, err, sizeof(err)),
			 0);
	assert_null(json_object_get(req.payload, "mac"));
	assert_int_equal(wgm_api_auth_seal_reply(&w->server, &req, w->mesh_key, answer, T0, &rbody, err, sizeof(err)),
			 0);
	assert_int_equal(
		wgm_api_auth_open_reply(&w->caller, &call, w->mesh_key, rbody, strlen(rbody), &reply, err, sizeof(err)),
		0);
	assert_int_equal(json_integer_value(json_object_get(reply.payload, "port")), 51822);
	wgm_api_reply_clear(&reply);
	wgm_api_request_clear(&req);
	json_decref(answer);
	free(rbody);
	free(body);
}

static void test_replayed_member_request_is_refused(void **state)
{
	struct world *w = *state;
	struct wgm_api_call call;
	struct wgm_api_request req;
	char *body = member_request(w, w->mesh_key, "/disconnect", T0, &call), err[160];

	assert_int_equal(server_open(w, "/disconnect", body, T0, &req, err, sizeof(err)), 0);
	assert_int_equal(wgm_api_auth_check_member(w->mesh_key, w->server.pk, w->replay, &req, T0, err, sizeof(err)),
			 0);
	wgm_api_request_clear(&req);
	assert_int_equal(server_open(w, "/disconnect", body, T0 + 1, &req, err, sizeof(err)), 0);
	assert_int_equal(
		wgm_api_auth_check_member(w->mesh_key, w->server.pk, w->replay, &req, T0 + 1, err, sizeof(err)),
		-EALREADY);
	assert_string_equal(err, "request: replayed");
	assert_int_equal(wgm_api_status_from_errno(-EALREADY), 401);
	wgm_api_request_clear(&req);
	free(body);
}

static void test_wrong_mesh_key_is_not_a_member(void **state)
{
	struct world *w = *state;
	struct wgm_api_call call;
	struct wgm_api_request req;
	uint8_t wrong[WGM_MESH_KEY_LEN];
	char *body, err[160];

	wgm_mesh_key_new(wrong);
	body = member_request(w, wrong, "/update", T0, &call);
	assert_int_equal(server_open(w, "/update", body, T0, &req, err, sizeof(err)), 0);
	assert_int_equal(wgm_api_auth_check_member(w->mesh_key, w->server.pk, w->replay, &req, T0, err, sizeof(err)),
			 -EACCES);
	assert_string_equal(err, "caller: not a mesh member (MAC does not verify)");
	/* A refused request is not recorded: it cost the cache nothing. */
	assert_int_equal(wgm_replay_cache_count(w->replay), 0);
	wgm_api_request_clear(&req);
	free(body);
}

static void test_mac_made_for_another_route_is_refused(void **state)
{
	struct world *w = *state;
	struct wgm_api_call call;
	struct wgm_api_request req;
	char *body = member_request(w, w->mesh_key, "/update", T0, &call), err[160];

	assert_int_equal(server_open(w, "/update", body, T0, &req, err, sizeof(err)), 0);
	/* As if the box had been accepted on /disconnect: the MAC must not verify. */
	snprintf(req.route, sizeof(req.route), "/disconnect");
	assert_int_equal(wgm_api_auth_check_member(w->mesh_key, w->server.pk, w->replay, &req, T0, err, sizeof(err)),
			 -EACCES);
	wgm_api_request_clear(&req);
	free(body);
}

static void test_substituted_server_key_cannot_answer_as_member(void **state)
{
	struct world *w = *state;
	struct wgm_api_call call;
	struct wgm_api_request req;
	struct wgm_api_reply reply;
	uint8_t guessed[WGM_MESH_KEY_LEN];
	json_t *p = sample_payload(), *answer = json_object();
	char *body, *rbody, err[160];

	/* A node on the path handed out its own key ("other") in /connectivity. */
	assert_int_equal(wgm_api_auth_seal_member(&w->caller, w->other.pk, w->mesh_key, "/connect", p, T0, &call, &body,
						  err, sizeof(err)),
			 0);
	assert_int_equal(
		wgm_api_request_open(&w->other, "/connect", body, strlen(body), T0, NULL, &req, err, sizeof(err)), 0);
	/* It can open the box, but it has no mesh key: its MAC is a guess. */
	wgm_mesh_key_new(guessed);
	assert_int_equal(wgm_api_auth_seal_reply(&w->other, &req, guessed, answer, T0, &rbody, err, sizeof(err)), 0);
	assert_int_equal(
		wgm_api_auth_open_reply(&w->caller, &call, w->mesh_key, rbody, strlen(rbody), &reply, err, sizeof(err)),
		-EACCES);
	assert_string_equal(err, "reply: not from a mesh member (MAC does not verify)");
	wgm_api_request_clear(&req);
	free(rbody);
	/* Nor can it pass the member's request on to the real server. */
	assert_int_equal(server_open(w, "/connect", body, T0, &req, err, sizeof(err)), -EACCES);
	json_decref(p);
	json_decref(answer);
	free(body);
}

static void test_join_round_trip_hands_over_mesh_key(void **state)
{
	struct world *w = *state;
	struct wgm_api_call call;
	struct wgm_api_request req;
	struct wgm_api_reply reply;
	enum wgm_api_caller_kind kind;
	char id[WGM_TOKEN_ID_LEN + 1], mk[WGM_B64_KEY_LEN + 1], *body, *rbody, err[160];
	json_t *p = sample_payload(), *answer;

	assert_int_equal(
		wgm_api_auth_seal_join(&w->caller, &w->token, "/connect", p, T0, &call, &body, err, sizeof(err)), 0);
	assert_int_equal(server_open(w, "/connect", body, T0, &req, err, sizeof(err)), 0);
	assert_int_equal(wgm_api_auth_caller_kind(&req, &kind, err, sizeof(err)), 0);
	assert_int_equal(kind, WGM_API_CALLER_JOINER);
	assert_int_equal(wgm_api_auth_check_join(w->tokens, w->replay, &req, T0, id, err, sizeof(err)), 0);
	assert_string_equal(id, w->token_id);
	assert_null(json_object_get(req.payload, "token"));
	wgm_b64_encode(w->mesh_key, sizeof(w->mesh_key), mk, sizeof(mk));
	answer = json_pack("{s:s}", "mesh_key", mk);
	assert_int_equal(wgm_api_auth_seal_reply(&w->server, &req, NULL, answer, T0, &rbody, err, sizeof(err)), 0);
	assert_null(strstr(rbody, mk));
	assert_int_equal(
		wgm_api_auth_open_reply(&w->caller, &call, NULL, rbody, strlen(rbody), &reply, err, sizeof(err)), 0);
	assert_string_equal(json_string_value(json_object_get(reply.payload, "mesh_key")), mk);
	wgm_api_reply_clear(&reply);
	wgm_api_request_clear(&req);
	json_decref(p);
	json_decref(answer);
	free(rbody);
	free(body);
}

static void test_man_in_the_middle_cannot_read_join_or_answer_it(void **state)
{
	struct world *w = *state;
	struct wgm_api_call call;
	struct wgm_api_request req, fake_req;
	struct wgm_api_reply reply;
	json_t *p = sample_payload(), *answer = json_object();
	char *body, *rbody, err[160];

	assert_int_equal(
		wgm_api_auth_seal_join(&w->caller, &w->token, "/connect", p, T0, &call, &body, err, sizeof(err)), 0);
	/* The attacker's key is not the one in the token: the box stays shut. */
	assert_int_equal(
		wgm_api_request_open(&w->other, "/connect", body, strlen(body), T0, NULL, &req, err, sizeof(err)),
		-EACCES);
	/* A reply it makes (to a request of its own) is not from the token's key. */
	memset(&fake_req, 0, sizeof(fake_req));
	memcpy(fake_req.caller_pk, w->caller.pk, WGM_API_KEY_LEN);
	memcpy(fake_req.nonce, call.nonce, WGM_API_NONCE_LEN);
	snprintf(fake_req.route, sizeof(fake_req.route), "/connect");
	assert_int_equal(wgm_api_auth_seal_reply(&w->other, &fake_req, NULL, answer, T0, &rbody, err, sizeof(err)), 0);
	assert_int_equal(
		wgm_api_auth_open_reply(&w->caller, &call, NULL, rbody, strlen(rbody), &reply, err, sizeof(err)),
		-EACCES);
	json_decref(p);
	json_decref(answer);
	free(rbody);
	free(body);
}

static void test_reply_to_another_request_is_refused(void **state)
{
	struct world *w = *state;
	struct wgm_api_call call1, call2;
	struct wgm_api_request req;
	struct wgm_api_reply reply;
	char *body1 = member_request(w, w->mesh_key, "/update", T0, &call1);
	char *body2 = member_request(w, w->mesh_key, "/update", T0, &call2), *rbody, err[160];
	json_t *answer = json_object();

	assert_int_equal(server_open(w, "/update", body1, T0, &req, err, sizeof(err)), 0);
	assert_int_equal(wgm_api_auth_seal_reply(&w->server, &req, w->mesh_key, answer, T0, &rbody, err, sizeof(err)),
			 0);
	assert_int_equal(wgm_api_auth_open_reply(&w->caller, &call2, w->mesh_key, rbody, strlen(rbody), &reply, err,
						 sizeof(err)),
			 -EACCES);
	assert_string_equal(err, "reply: not the answer to this request");
	wgm_api_request_clear(&req);
	json_decref(answer);
	free(rbody);
	free(body1);
	free(body2);
}

static int join_with(struct world *w, const struct wgm_token *token, int64_t now, char *err, size_t errlen)
{
	struct wgm_api_call call;
	struct wgm_api_request req;
	json_t *p = sample_payload();
	char *body;
	int rc;

	assert_int_equal(wgm_api_auth_seal_join(&w->caller, token, "/connect", p, now, &call, &body, err, errlen), 0);
	assert_int_equal(server_open(w, "/connect", body, now, &req, err, errlen), 0);
	rc = wgm_api_auth_check_join(w->tokens, w->replay, &req, now, NULL, err, errlen);
	if (rc)
		note_err(err);
	wgm_api_request_clear(&req);
	json_decref(p);
	free(body);
	return rc;
}

static void test_refused_tokens_say_why(void **state)
{
	struct world *w = *state;
	struct wgm_token wrong = w->token, revoked = w->token;
	struct wgm_token_info info;
	char err[160];

	wrong.secret[3] ^= 0x40;
	assert_int_equal(join_with(w, &wrong, T0, err, sizeof(err)), -EACCES);
	assert_string_equal(err, "token unknown");
	assert_int_equal(join_with(w, &w->token, T0 + 3600, err, sizeof(err)), -EACCES);
	assert_string_equal(err, "token expired");
	assert_int_equal(join_with(w, &w->token, T0, err, sizeof(err)), 0);
	assert_int_equal(join_with(w, &w->token, T0, err, sizeof(err)), -EACCES);
	assert_string_equal(err, "token used up");
	assert_int_equal(wgm_token_store_create(w->tokens, 60, 5, NULL, T0, revoked.secret, &info, NULL, 0), 0);
	wgm_token_store_revoke(w->tokens, info.id);
	assert_int_equal(join_with(w, &revoked, T0, err, sizeof(err)), -EACCES);
	assert_string_equal(err, "token revoked");
	assert_int_equal(wgm_api_status_from_errno(-EACCES), WGM_API_BAD_TOKEN);
}

static void test_replayed_join_does_not_spend_token(void **state)
{
	struct world *w = *state;
	struct wgm_api_call call;
	struct wgm_api_request req;
	struct wgm_token_info info;
	json_t *p = sample_payload();
	char *body, err[160];

	assert_int_equal(wgm_token_store_create(w->tokens, 60, 2, NULL, T0, w->token.secret, &info, NULL, 0), 0);
	assert_int_equal(
		wgm_api_auth_seal_join(&w->caller, &w->token, "/connect", p, T0, &call, &body, err, sizeof(err)), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(server_open(w, "/connect", body, T0, &req, err, sizeof(err)), 0);
		assert_int_equal(wgm_api_auth_check_join(w->tokens, w->replay, &req, T0, NULL, err, sizeof(err)),
				 i == 0 ? 0 : -EALREADY);
		wgm_api_request_clear(&req);
	}
	assert_int_equal(wgm_token_store_info(w->tokens, 1, &info), 0);
	assert_int_equal(info.uses_left, 1);
	json_decref(p);
	free(body);
}

static void test_request_needs_exactly_one_credential(void **state)
{
	struct world *w = *state;
	struct wgm_api_request req;
	enum wgm_api_caller_kind kind;
	char err[160];

	memset(&req, 0, sizeof(req));
	req.payload = json_object();
	assert_int_equal(wgm_api_auth_caller_kind(&req, &kind, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "payload: token or mac required");
	json_object_set_new(req.payload, "token", json_string("x"));
	json_object_set_new(req.payload, "mac", json_string("y"));
	assert_int_equal(wgm_api_auth_caller_kind(&req, &kind, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "payload: both token and mac given");
	json_object_set_new(req.payload, "mac", json_null());
	json_object_del(req.payload, "mac");
	assert_int_equal(wgm_api_auth_check_join(w->tokens, w->replay, &req, T0, NULL, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "token: not a base64 16-byte secret");
	json_decref(req.payload);
	(void)w;
}

static void test_replay_cache_forgets_only_what_the_clock_refuses(void **state)
{
	struct wgm_replay_cache *c = wgm_replay_cache_new(2, 60);
	uint8_t pk[WGM_API_KEY_LEN] = { 1 }, n1[WGM_API_NONCE_LEN] = { 1 }, n2[WGM_API_NONCE_LEN] = { 2 },
		n3[WGM_API_NONCE_LEN] = { 3 };

	assert_int_equal(wgm_replay_cache_add(c, pk, n1, T0, T0), 0);
	assert_int_equal(wgm_replay_cache_add(c, pk, n1, T0, T0 + 60), -EALREADY);
	assert_int_equal(wgm_replay_cache_add(c, pk, n2, T0 + 30, T0 + 30), 0);
	/* Full of entries a replay could still use: refuse, never forget. */
	assert_int_equal(wgm_replay_cache_add(c, pk, n3, T0 + 30, T0 + 60), -ENOSPC);
	assert_true(wgm_replay_cache_seen(c, pk, n1));
	/* n1's ts is now outside the window, so it can go. */
	assert_int_equal(wgm_replay_cache_add(c, pk, n3, T0 + 61, T0 + 61), 0);
	assert_false(wgm_replay_cache_seen(c, pk, n1));
	assert_int_equal(wgm_replay_cache_count(c), 2);
	wgm_replay_cache_free(c);
}

/* A /connectivity answer's MAC binds the caller's challenge, the node ID and
 * the API key: a substituted key, another ID, an old answer or a non-member's
 * MAC do not verify. */
static void test_connectivity_mac_binds_challenge_id_and_key(void **state)
{
	struct world *w = *state;
	uint8_t ch[WGM_API_NONCE_LEN] = { 1 }, ch2[WGM_API_NONCE_LEN] = { 2 }, other_key[WGM_MESH_KEY_LEN] = { 9 };
	char mac[WGM_API_MAC_B64_LEN + 1], outsider[WGM_API_MAC_B64_LEN + 1];

	wgm_api_auth_connectivity_mac(w->mesh_key, ch, 4, w->server.pk, mac);
	assert_int_equal(wgm_api_auth_connectivity_check(w->mesh_key, ch, 4, w->server.pk, mac), 0);
	assert_int_equal(wgm_api_auth_connectivity_check(w->mesh_key, ch, 4, w->other.pk, mac), -EACCES);
	assert_int_equal(wgm_api_auth_connectivity_check(w->mesh_key, ch, 6, w->server.pk, mac), -EACCES);
	assert_int_equal(wgm_api_auth_connectivity_check(w->mesh_key, ch2, 4, w->server.pk, mac), -EACCES);
	wgm_api_auth_connectivity_mac(other_key, ch, 4, w->other.pk, outsider);
	assert_int_equal(wgm_api_auth_connectivity_check(w->mesh_key, ch, 4, w->other.pk, outsider), -EACCES);
	assert_int_equal(wgm_api_auth_connectivity_check(w->mesh_key, ch, 4, w->server.pk, NULL), -EINVAL);
	assert_int_equal(wgm_api_auth_connectivity_check(w->mesh_key, ch, 4, w->server.pk, "short"), -EINVAL);
}

static void test_keypair_persists_as_base64(void **state)
{
	struct world *w = *state;
	struct wgm_api_keypair back;
	char sk[WGM_B64_KEY_LEN + 1], err[160];

	assert_int_equal(wgm_api_keypair_to_b64(&w->server, sk, sizeof(sk)), 0);
	assert_int_equal(wgm_api_keypair_from_b64(sk, &back, err, sizeof(err)), 0);
	assert_memory_equal(back.pk, w->server.pk, WGM_API_KEY_LEN);
	assert_int_equal(wgm_api_keypair_from_b64("short", &back, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "api key: not a base64 32-byte X25519 secret key");
	wgm_api_keypair_wipe(&back);
}

static void test_error_bodies_are_one_clean_line(void **state)
{
	char *body = wgm_api_error_body("token expired"), out[WGM_API_ERROR_MAX + 1];

	assert_string_equal(body, "{\"error\":\"token expired\"}");
	assert_int_equal(wgm_api_error_parse(body, strlen(body), out, sizeof(out)), 0);
	assert_string_equal(out, "token expired");
	free(body);
	assert_int_equal(wgm_api_error_parse("{\"error\":\"a\\nb\\u001b[31m\"}", 26, out, sizeof(out)), 0);
	assert_string_equal(out, "a?b?[31m");
	/* C1 CSI (U+009B), NEL (U+0085), RLO (U+202E), an isolate (U+2066);
	 * other non-ASCII text stays. */
	const char *c1 = "{\"error\":\"x\\u009b31my\\u0085z \\u202egnp.exe\\u2066 caf\\u00e9\"}";
	assert_int_equal(wgm_api_error_parse(c1, strlen(c1), out, sizeof(out)), 0);
	assert_string_equal(out, "x?31my?z ?gnp.exe? caf\xc3\xa9");
	/* Cut at the limit, never inside a character. */
	char big[WGM_API_ERROR_MAX * 2 + 32];
	int k = snprintf(big, sizeof(big), "{\"error\":\"a");
	for (int i = 0; i < WGM_API_ERROR_MAX; i++)
		k += snprintf(big + k, sizeof(big) - (size_t)k, "\xc3\xa9");
	snprintf(big + k, sizeof(big) - (size_t)k, "\"}");
	assert_int_equal(wgm_api_error_parse(big, strlen(big), out, sizeof(out)), 0);
	assert_true(strlen(out) <= WGM_API_ERROR_MAX);
	assert_int_equal(strlen(out) % 2, 1);
	assert_int_equal(wgm_api_error_parse("<html>", 6, out, sizeof(out)), -EINVAL);
}

/* Runs last: every error line seen above must be free of the secrets. */
static void test_no_secret_in_any_error_line(void **state)
{
	struct world *w = *state;
	char b64[WGM_B64_KEY_LEN + 1];

	assert_true(strlen(seen_errors) > 100);
	wgm_b64_encode(w->token.secret, WGM_TOKEN_SECRET_LEN, b64, sizeof(b64));
	assert_null(strstr(seen_errors, b64));
	wgm_b64_encode(w->mesh_key, WGM_MESH_KEY_LEN, b64, sizeof(b64));
	assert_null(strstr(seen_errors, b64));
	wgm_b64_encode(w->server.sk, WGM_API_KEY_LEN, b64, sizeof(b64));
	assert_null(strstr(seen_errors, b64));
	wgm_b64_encode(w->caller.sk, WGM_API_KEY_LEN, b64, sizeof(b64));
	assert_null(strstr(seen_errors, b64));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_request_round_trip_carries_payload_ts_and_route, setup, teardown),
		cmocka_unit_test_setup_teardown(test_body_shows_no_plaintext, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tampered_box_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_box_for_another_server_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_and_future_timestamps_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_skew_is_configurable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_box_for_another_route_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_bodies_get_one_line_reasons, setup, teardown),
		cmocka_unit_test_setup_teardown(test_payload_must_be_object_with_ts_and_route, setup, teardown),
		cmocka_unit_test_setup_teardown(test_member_call_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replayed_member_request_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_mesh_key_is_not_a_member, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mac_made_for_another_route_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_substituted_server_key_cannot_answer_as_member, setup, teardown),
		cmocka_unit_test_setup_teardown(test_join_round_trip_hands_over_mesh_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_man_in_the_middle_cannot_read_join_or_answer_it, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_to_another_request_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_tokens_say_why, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replayed_join_does_not_spend_token, setup, teardown),
		cmocka_unit_test_setup_teardown(test_request_needs_exactly_one_credential, setup, teardown),
		cmocka_unit_test(test_replay_cache_forgets_only_what_the_clock_refuses),
		cmocka_unit_test_setup_teardown(test_connectivity_mac_binds_challenge_id_and_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keypair_persists_as_base64, setup, teardown),
		cmocka_unit_test(test_error_bodies_are_one_clean_line),
		cmocka_unit_test_setup_teardown(test_no_secret_in_any_error_line, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
