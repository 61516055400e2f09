/* Mesh-key hand-overs and epochs (common/api/mesh_key.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <sodium.h>

#include "common/api/mesh_key.h"

static uint8_t mesh_pk[WGM_TRUST_PK_LEN], mesh_sk[WGM_TRUST_SK_LEN];
static struct wgm_api_keypair member, other;

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0 || wgm_trust_keypair_new(mesh_pk, mesh_sk) < 0)
		return -1;
	return wgm_api_keypair_generate(&member) < 0 || wgm_api_keypair_generate(&other) < 0 ? -1 : 0;
}

static void test_handover_round_trips_and_opens_for_its_member_only(void **state)
{
	struct wgm_mesh_key_handover h, back;
	uint8_t key[WGM_MESH_KEY_LEN], got[WGM_MESH_KEY_LEN];
	char text[WGM_MESH_KEY_HANDOVER_B64_MAX];

	(void)state;
	randombytes_buf(key, sizeof(key));
	assert_int_equal(wgm_mesh_key_handover_make(&h, 4, member.pk, 2, 1700000600, key, mesh_sk), 0);
	wgm_mesh_key_handover_encode(&h, text);
	assert_true(strlen(text) < sizeof(text));
	assert_int_equal(wgm_mesh_key_handover_decode(text, &back), 0);
	assert_int_equal(back.node_id, 4);
	assert_int_equal(back.epoch, 2);
	assert_int_equal(back.grace_until, 1700000600);
	assert_int_equal(wgm_mesh_key_handover_verify(&back, mesh_pk), 0);
	assert_int_equal(wgm_mesh_key_handover_open(&back, &member, got), 0);
	assert_memory_equal(got, key, sizeof(key));
	/* Another node holds the record but cannot open it. */
	assert_int_equal(wgm_mesh_key_handover_open(&back, &other, got), -EACCES);
}

static void test_handover_not_from_the_authority_is_refused(void **state)
{
	uint8_t pk2[WGM_TRUST_PK_LEN], sk2[WGM_TRUST_SK_LEN], key[WGM_MESH_KEY_LEN] = { 7 };
	struct wgm_mesh_key_handover h;
	char text[WGM_MESH_KEY_HANDOVER_B64_MAX];

	(void)state;
	assert_int_equal(wgm_trust_keypair_new(pk2, sk2), 0);
	assert_int_equal(wgm_mesh_key_handover_make(&h, 4, member.pk, 2, 0, key, sk2), 0);
	assert_int_equal(wgm_mesh_key_handover_verify(&h, mesh_pk), -EACCES);
	/* Any field changed after signing: refused (here the epoch, and the
	 * recipient: a record cannot be re-aimed). */
	assert_int_equal(wgm_mesh_key_handover_make(&h, 4, member.pk, 2, 0, key, mesh_sk), 0);
	h.epoch = 3;
	assert_int_equal(wgm_mesh_key_handover_verify(&h, mesh_pk), -EACCES);
	h.epoch = 2;
	h.node_id = 5;
	assert_int_equal(wgm_mesh_key_handover_verify(&h, mesh_pk), -EACCES);
	h.node_id = 4;
	assert_int_equal(wgm_mesh_key_handover_verify(&h, mesh_pk), 0);
	assert_int_equal(wgm_mesh_key_handover_decode("not base64", &h), -EINVAL);
	wgm_mesh_key_handover_encode(&h, text);
	text[strlen(text) - 8] = '\0';
	assert_int_equal(wgm_mesh_key_handover_decode(text, &h), -EINVAL);
}

static void test_epoch_acceptance_rules(void **state)
{
	uint8_t cur[WGM_MESH_KEY_LEN] = { 1 }, next[WGM_MESH_KEY_LEN] = { 2 }, newest[WGM_MESH_KEY_LEN] = { 3 };
	struct wgm_mesh_key_old old = { 0 };
	const uint8_t *key;
	uint32_t epoch = 0;
	char err[160];

	(void)state;
	assert_int_equal(wgm_mesh_key_pick(cur, epoch, &old, 0, 1000, &key, err, sizeof(err)), 0);
	assert_ptr_equal(key, cur);
	assert_int_equal(wgm_mesh_key_pick(cur, epoch, &old, 1, 1000, &key, err, sizeof(err)), -EAGAIN);
	assert_null(key);

	/* Rotation with a grace until 1600: both epochs until then. */
	assert_int_equal(wgm_mesh_key_install(cur, &epoch, &old, next, 1, 1600, 1000), 1);
	assert_int_equal(epoch, 1);
	assert_int_equal(cur[0], 2);
	assert_true(old.has);
	assert_int_equal(wgm_mesh_key_pick(cur, epoch, &old, 1, 1001, &key, err, sizeof(err)), 0);
	assert_int_equal(key[0], 2);
	assert_int_equal(wgm_mesh_key_pick(cur, epoch, &old, 0, 1599, &key, err, sizeof(err)), 0);
	assert_int_equal(key[0], 1);
	/* After the grace the old epoch is refused, saying which is current. */
	assert_int_equal(wgm_mesh_key_pick(cur, epoch, &old, 0, 1600, &key, err, sizeof(err)), -ESTALE);
	assert_string_equal(err, "stale mesh key epoch 0, current 1 (the mesh key was rotated)");

	/* The same or an older epoch again changes nothing. */
	assert_int_equal(wgm_mesh_key_install(cur, &epoch, &old, newest, 1, 5000, 1000), 0);
	assert_int_equal(cur[0], 2);
	/* A node that was down past the grace takes the new key without the old. */
	assert_int_equal(wgm_mesh_key_install(cur, &epoch, &old, newest, 3, 1500, 2000), 1);
	assert_int_equal(epoch, 3);
	assert_false(old.has);
	assert_int_equal(wgm_mesh_key_pick(cur, epoch, &old, 1, 2000, &key, err, sizeof(err)), -ESTALE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handover_round_trips_and_opens_for_its_member_only),
		cmocka_unit_test(test_handover_not_from_the_authority_is_refused),
		cmocka_unit_test(test_epoch_acceptance_rules),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
