#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sodium.h>

#include "common/api/trust.h"

static uint8_t mesh_pk[WGM_TRUST_PK_LEN], mesh_sk[WGM_TRUST_SK_LEN];

static int setup(void **state)
{
	(void)state;
	return sodium_init() < 0 || wgm_trust_keypair_new(mesh_pk, mesh_sk) < 0 ? -1 : 0;
}

static struct wgm_cert cert_for(uint32_t id, const uint8_t api_pk[32], const uint8_t *sk)
{
	struct wgm_cert c = { .node_id = id, .issuer_id = 0, .issued_at = 1700000000 };

	memcpy(c.api_pk, api_pk, 32);
	wgm_cert_sign(&c, sk);
	return c;
}

static struct wgm_revocation revocation_of(uint32_t id, const uint8_t api_pk[32], const uint8_t *sk)
{
	struct wgm_revocation r = { .node_id = id, .time = 1700000100, .issuer_id = 0 };

	wgm_trust_fingerprint(api_pk, r.fpr);
	wgm_revocation_sign(&r, sk);
	return r;
}

static void test_cert_round_trips_and_verifies(void **state)
{
	uint8_t key[32];
	char text[WGM_TRUST_CERT_B64_MAX];
	struct wgm_cert c, d;

	(void)state;
	randombytes_buf(key, sizeof(key));
	c = cert_for(7, key, mesh_sk);
	wgm_cert_encode(&c, text);
	assert_int_equal(wgm_cert_decode(text, &d), 0);
	assert_int_equal(d.node_id, 7);
	assert_int_equal(d.issued_at, 1700000000);
	assert_memory_equal(d.api_pk, key, 32);
	assert_int_equal(wgm_cert_verify(&d, mesh_pk), 0);
	/* Any field changed breaks the signature. */
	d.node_id = 8;
	assert_int_equal(wgm_cert_verify(&d, mesh_pk), -EACCES);
	assert_int_equal(wgm_cert_decode("AAAA", &d), -EINVAL);
	assert_int_equal(wgm_cert_decode(NULL, &d), -EINVAL);
}

static void test_cert_of_another_authority_is_refused(void **state)
{
	uint8_t other_pk[WGM_TRUST_PK_LEN], other_sk[WGM_TRUST_SK_LEN], key[32];
	struct wgm_trust *t = calloc(1, sizeof(*t));
	struct wgm_cert c;
	char err[128];
	bool added;

	(void)state;
	wgm_trust_keypair_new(other_pk, other_sk);
	randombytes_buf(key, sizeof(key));
	wgm_trust_init(t, mesh_pk);
	c = cert_for(3, key, other_sk);
	assert_int_equal(wgm_trust_check(t, &c, key, &added, err, sizeof(err)), -EACCES);
	assert_non_null(strstr(err, "not signed by this mesh"));
	c = cert_for(3, key, mesh_sk);
	assert_int_equal(wgm_trust_check(t, &c, key, &added, err, sizeof(err)), 0);
	assert_true(added);
	assert_int_equal(wgm_trust_check(t, &c, key, &added, err, sizeof(err)), 0);
	assert_false(added);
	free(t);
}

static void test_cert_must_name_the_caller_and_id_binds_one_key(void **state)
{
	uint8_t a[32], b[32];
	struct wgm_trust *t = calloc(1, sizeof(*t));
	struct wgm_cert ca, cb;
	char err[128];
	bool added;

	(void)state;
	randombytes_buf(a, sizeof(a));
	randombytes_buf(b, sizeof(b));
	wgm_trust_init(t, mesh_pk);
	ca = cert_for(5, a, mesh_sk);
	/* Someone else's certificate, replayed by B. */
	assert_int_equal(wgm_trust_check(t, &ca, b, &added, err, sizeof(err)), -EACCES);
	assert_non_null(strstr(err, "another API key than the caller's"));
	assert_int_equal(wgm_trust_check(t, &ca, a, &added, err, sizeof(err)), 0);
	/* A second, validly signed identity for ID 5 is refused while A's stands. */
	cb = cert_for(5, b, mesh_sk);
	assert_int_equal(wgm_trust_check(t, &cb, b, &added, err, sizeof(err)), -EACCES);
	assert_non_null(strstr(err, "known in this mesh with another API key"));
	assert_int_equal(wgm_trust_may_admit(t, 5, b, err, sizeof(err)), -EACCES);
	assert_int_equal(wgm_trust_may_admit(t, 6, b, err, sizeof(err)), 0);
	free(t);
}

static void test_revocation_refuses_the_identity_and_frees_the_id(void **state)
{
	uint8_t a[32], b[32];
	struct wgm_trust *t = calloc(1, sizeof(*t));
	struct wgm_cert ca, cb;
	struct wgm_revocation r, forged;
	uint8_t other_pk[WGM_TRUST_PK_LEN], other_sk[WGM_TRUST_SK_LEN];
	char err[128], text[WGM_TRUST_REV_B64_MAX];
	bool added;

	(void)state;
	randombytes_buf(a, sizeof(a));
	randombytes_buf(b, sizeof(b));
	wgm_trust_init(t, mesh_pk);
	ca = cert_for(9, a, mesh_sk);
	assert_int_equal(wgm_trust_check(t, &ca, a, &added, err, sizeof(err)), 0);
	/* A revocation not signed by the mesh does nothing. */
	wgm_trust_keypair_new(other_pk, other_sk);
	forged = revocation_of(9, a, other_sk);
	assert_int_equal(wgm_trust_add_revocation(t, &forged), -EACCES);
	assert_false(wgm_trust_revoked(t, 9, a));

	r = revocation_of(9, a, mesh_sk);
	wgm_revocation_encode(&r, text);
	assert_int_equal(wgm_revocation_decode(text, &forged), 0);
	assert_int_equal(wgm_trust_add_revocation(t, &forged), 1);
	assert_int_equal(wgm_trust_add_revocation(t, &r), 0);
	assert_true(wgm_trust_revoked(t, 9, a));
	assert_false(wgm_trust_revoked(t, 9, b));
	assert_int_equal(wgm_trust_check(t, &ca, a, &added, err, sizeof(err)), -EACCES);
	assert_non_null(strstr(err, "revoked"));
	assert_null(wgm_trust_current(t, 9));
	/* The ID is free for a new identity (a reinstalled node, a new token). */
	cb = cert_for(9, b, mesh_sk);
	assert_int_equal(wgm_trust_check(t, &cb, b, &added, err, sizeof(err)), 0);
	assert_non_null(wgm_trust_current(t, 9));
	free(t);
}

static void test_lists_merge_and_skip_what_does_not_verify(void **state)
{
	uint8_t a[32], b[32], other_pk[WGM_TRUST_PK_LEN], other_sk[WGM_TRUST_SK_LEN];
	struct wgm_trust *t = calloc(1, sizeof(*t)), *u = calloc(1, sizeof(*u));
	struct wgm_cert ca, cb;
	struct wgm_revocation r, forged;
	char err[128], text[WGM_TRUST_REV_B64_MAX];
	size_t new_revs, bad;
	bool added;
	json_t *j;

	(void)state;
	randombytes_buf(a, sizeof(a));
	randombytes_buf(b, sizeof(b));
	wgm_trust_keypair_new(other_pk, other_sk);
	wgm_trust_init(t, mesh_pk);
	wgm_trust_init(u, mesh_pk);
	ca = cert_for(1, a, mesh_sk);
	cb = cert_for(2, b, mesh_sk);
	assert_int_equal(wgm_trust_check(t, &ca, a, &added, err, sizeof(err)), 0);
	assert_int_equal(wgm_trust_check(t, &cb, b, &added, err, sizeof(err)), 0);
	r = revocation_of(2, b, mesh_sk);
	assert_int_equal(wgm_trust_add_revocation(t, &r), 1);
	j = wgm_trust_to_json(t);
	assert_non_null(j);
	forged = revocation_of(1, a, other_sk);
	wgm_revocation_encode(&forged, text);
	json_array_append_new(json_object_get(j, "revocations"), json_string(text));
	json_array_append_new(json_object_get(j, "certs"), json_string("junk"));
	assert_int_equal(wgm_trust_merge_json(u, j, &new_revs, &bad), 0);
	assert_int_equal(new_revs, 1);
	/* The forged revocation, the junk, and B's certificate (revoked). */
	assert_int_equal(bad, 3);
	assert_true(wgm_trust_revoked(u, 2, b));
	assert_false(wgm_trust_revoked(u, 1, a));
	assert_non_null(wgm_trust_current(u, 1));
	assert_null(wgm_trust_current(u, 2));
	/* Merging again adds nothing. */
	assert_int_equal(wgm_trust_merge_json(u, j, &new_revs, &bad), 0);
	assert_int_equal(new_revs, 0);
	json_decref(j);
	j = json_string("x");
	assert_int_equal(wgm_trust_merge_json(u, j, &new_revs, &bad), -EINVAL);
	json_decref(j);
	free(t);
	free(u);
}

static void test_fingerprint_text(void **state)
{
	uint8_t key[32] = { 0 }, fpr[WGM_TRUST_FPR_LEN];
	char text[WGM_TRUST_FPR_TEXT_LEN + 1];

	(void)state;
	wgm_trust_fingerprint(key, fpr);
	wgm_trust_fingerprint_text(fpr, text);
	assert_int_equal(strlen(text), WGM_TRUST_FPR_TEXT_LEN);
	assert_true(strspn(text, "0123456789abcdef") == WGM_TRUST_FPR_TEXT_LEN);
}

/* At the cap the list keeps what it has: a new revocation is refused, also
 * when it comes in a merged list. */
static void test_revocation_list_full_keeps_the_first(void **state)
{
	static struct wgm_trust t;
	struct wgm_revocation r;
	uint8_t key[32];
	size_t new_revs, bad;
	json_t *j;
	char text[WGM_TRUST_REV_B64_MAX];

	(void)state;
	wgm_trust_init(&t, mesh_pk);
	for (int i = 0; i < WGM_TRUST_REVS_MAX; i++) {
		randombytes_buf(key, sizeof(key));
		r = revocation_of((uint32_t)i, key, mesh_sk);
		assert_int_equal(wgm_trust_add_revocation(&t, &r), 1);
	}
	randombytes_buf(key, sizeof(key));
	r = revocation_of(200, key, mesh_sk);
	assert_int_equal(wgm_trust_add_revocation(&t, &r), -ENOSPC);
	assert_false(wgm_trust_revoked(&t, 200, key));
	wgm_revocation_encode(&r, text);
	j = json_pack("{s:[s]}", "revocations", text);
	assert_int_equal(wgm_trust_merge_json(&t, j, &new_revs, &bad), 0);
	assert_int_equal(new_revs, 0);
	assert_int_equal(bad, 1);
	assert_int_equal(t.n_revs, WGM_TRUST_REVS_MAX);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cert_round_trips_and_verifies),
		cmocka_unit_test(test_cert_of_another_authority_is_refused),
		cmocka_unit_test(test_cert_must_name_the_caller_and_id_binds_one_key),
		cmocka_unit_test(test_revocation_refuses_the_identity_and_frees_the_id),
		cmocka_unit_test(test_lists_merge_and_skip_what_does_not_verify),
		cmocka_unit_test(test_fingerprint_text),
		cmocka_unit_test(test_revocation_list_full_keeps_the_first),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
