/* Grants of the mesh signing key (common/api/admin_grant.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <sodium.h>

#include "common/api/admin_grant.h"

static uint8_t mesh_pk[WGM_TRUST_PK_LEN], mesh_sk[WGM_TRUST_SK_LEN];
static struct wgm_api_keypair member, other;

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0 || wgm_trust_keypair_new(mesh_pk, mesh_sk) < 0)
		return -1;
	return wgm_api_keypair_generate(&member) < 0 || wgm_api_keypair_generate(&other) < 0 ? -1 : 0;
}

static void test_grant_round_trips_and_gives_the_signing_key_to_its_member(void **state)
{
	struct wgm_admin_grant g, back;
	uint8_t sk[WGM_TRUST_SK_LEN];
	char text[WGM_ADMIN_GRANT_B64_MAX];

	(void)state;
	assert_int_equal(wgm_admin_grant_make(&g, 2, member.pk, 1700000000, 0, mesh_sk), 0);
	wgm_admin_grant_encode(&g, text);
	assert_true(strlen(text) < sizeof(text));
	assert_int_equal(wgm_admin_grant_decode(text, &back), 0);
	assert_int_equal(back.node_id, 2);
	assert_int_equal(back.issuer_id, 0);
	assert_int_equal(back.time, 1700000000);
	assert_memory_equal(back.api_pk, member.pk, sizeof(member.pk));
	assert_int_equal(wgm_admin_grant_verify(&back, mesh_pk), 0);
	assert_int_equal(wgm_admin_grant_open(&back, &member, mesh_pk, sk), 0);
	assert_memory_equal(sk, mesh_sk, sizeof(sk));
}

static void test_grant_for_another_key_does_not_open(void **state)
{
	struct wgm_admin_grant g;
	uint8_t sk[WGM_TRUST_SK_LEN], zero[WGM_TRUST_SK_LEN] = { 0 };

	(void)state;
	assert_int_equal(wgm_admin_grant_make(&g, 2, member.pk, 1, 0, mesh_sk), 0);
	assert_int_equal(wgm_admin_grant_open(&g, &other, mesh_pk, sk), -EACCES);
	assert_memory_equal(sk, zero, sizeof(sk));
	/* Re-aimed at the other key (the signature no longer holds, and the
	 * seal is still the member's). */
	memcpy(g.api_pk, other.pk, sizeof(other.pk));
	assert_int_equal(wgm_admin_grant_verify(&g, mesh_pk), -EACCES);
	assert_int_equal(wgm_admin_grant_open(&g, &other, mesh_pk, sk), -EACCES);
}

static void test_tampered_or_foreign_grant_is_refused(void **state)
{
	uint8_t pk2[WGM_TRUST_PK_LEN], sk2[WGM_TRUST_SK_LEN];
	struct wgm_admin_grant g;

	(void)state;
	assert_int_equal(wgm_trust_keypair_new(pk2, sk2), 0);
	assert_int_equal(wgm_admin_grant_make(&g, 2, member.pk, 1, 0, sk2), 0);
	assert_int_equal(wgm_admin_grant_verify(&g, mesh_pk), -EACCES);
	assert_int_equal(wgm_admin_grant_make(&g, 2, member.pk, 1, 0, mesh_sk), 0);
	g.node_id = 3;
	assert_int_equal(wgm_admin_grant_verify(&g, mesh_pk), -EACCES);
	g.node_id = 2;
	g.sealed[5] ^= 1;
	assert_int_equal(wgm_admin_grant_verify(&g, mesh_pk), -EACCES);
	g.sealed[5] ^= 1;
	g.time++;
	assert_int_equal(wgm_admin_grant_verify(&g, mesh_pk), -EACCES);
	g.time--;
	assert_int_equal(wgm_admin_grant_verify(&g, mesh_pk), 0);
	assert_int_equal(wgm_admin_grant_decode("not base64!", &g), -EINVAL);
	assert_int_equal(wgm_admin_grant_decode(NULL, &g), -EINVAL);
}

static void test_seed_of_another_mesh_is_refused(void **state)
{
	uint8_t pk2[WGM_TRUST_PK_LEN], sk2[WGM_TRUST_SK_LEN], sk[WGM_TRUST_SK_LEN];
	struct wgm_admin_grant g;

	(void)state;
	/* Signed by this mesh's key, but carrying another mesh's seed: the
	 * member checks what it opens derives the mesh key it holds. */
	assert_int_equal(wgm_trust_keypair_new(pk2, sk2), 0);
	assert_int_equal(wgm_admin_grant_make(&g, 2, member.pk, 1, 0, sk2), 0);
	assert_int_equal(wgm_admin_grant_open(&g, &member, mesh_pk, sk), -EACCES);
	assert_int_equal(wgm_admin_grant_open(&g, &member, pk2, sk), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grant_round_trips_and_gives_the_signing_key_to_its_member),
		cmocka_unit_test(test_grant_for_another_key_does_not_open),
		cmocka_unit_test(test_tampered_or_foreign_grant_is_refused),
		cmocka_unit_test(test_seed_of_another_mesh_is_refused),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
