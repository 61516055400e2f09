/* Sealed, signed member records (common/api/sealed_record.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>

#include <sodium.h>

#include "common/api/sealed_record.h"

static uint8_t mesh_pk[WGM_TRUST_PK_LEN], mesh_sk[WGM_TRUST_SK_LEN];
static struct wgm_api_keypair member, other;

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0 || wgm_trust_keypair_new(mesh_pk, mesh_sk) < 0)
		return -1;
	return wgm_api_keypair_generate(&member) < 0 || wgm_api_keypair_generate(&other) < 0 ? -1 : 0;
}

static struct wgm_sealed_record sealed(const char *context, const uint8_t secret[WGM_SEALED_SECRET_LEN])
{
	struct wgm_sealed_record r = { .node_id = 6 };

	memcpy(r.api_pk, member.pk, sizeof(member.pk));
	memset(r.extra, 0xa5, sizeof(r.extra));
	assert_int_equal(wgm_sealed_record_seal(&r, context, secret, mesh_sk), 0);
	return r;
}

static void test_round_trip_opens_for_its_member_only(void **state)
{
	uint8_t secret[WGM_SEALED_SECRET_LEN], got[WGM_SEALED_SECRET_LEN];
	char text[WGM_SEALED_RECORD_B64_MAX];
	struct wgm_sealed_record r, back;

	(void)state;
	randombytes_buf(secret, sizeof(secret));
	r = sealed("kind a", secret);
	wgm_sealed_record_encode(&r, text);
	assert_int_equal(wgm_sealed_record_decode(text, &back), 0);
	assert_memory_equal(&back, &r, sizeof(r));
	assert_int_equal(wgm_sealed_record_verify(&back, "kind a", mesh_pk), 0);
	assert_int_equal(wgm_sealed_record_open(&back, &member, got), 0);
	assert_memory_equal(got, secret, sizeof(secret));
	assert_int_equal(wgm_sealed_record_open(&back, &other, got), -EACCES);
	assert_true(sodium_is_zero(got, sizeof(got)));
}

static void test_a_record_of_one_kind_is_not_another(void **state)
{
	uint8_t secret[WGM_SEALED_SECRET_LEN] = { 1 };
	struct wgm_sealed_record r;

	(void)state;
	r = sealed("kind a", secret);
	assert_int_equal(wgm_sealed_record_verify(&r, "kind b", mesh_pk), -EACCES);
	r.extra[11] ^= 1;
	assert_int_equal(wgm_sealed_record_verify(&r, "kind a", mesh_pk), -EACCES);
}

static void test_bad_input_refused(void **state)
{
	uint8_t secret[WGM_SEALED_SECRET_LEN] = { 0 };
	struct wgm_sealed_record r = { 0 };
	char text[WGM_SEALED_RECORD_B64_MAX];

	(void)state;
	memcpy(r.api_pk, member.pk, sizeof(member.pk));
	assert_int_equal(wgm_sealed_record_seal(&r, "a context string longer than 32 bytes", secret, mesh_sk), -EINVAL);
	assert_int_equal(wgm_sealed_record_decode(NULL, &r), -EINVAL);
	assert_int_equal(wgm_sealed_record_decode("AAAA", &r), -EINVAL);
	r = sealed("kind a", secret);
	wgm_sealed_record_encode(&r, text);
	text[strlen(text) - 4] = '\0';
	assert_int_equal(wgm_sealed_record_decode(text, &r), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_opens_for_its_member_only),
		cmocka_unit_test(test_a_record_of_one_kind_is_not_another),
		cmocka_unit_test(test_bad_input_refused),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
