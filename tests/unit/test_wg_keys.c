#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <sodium.h>
#include <string.h>

#include "common/wg/keys.h"

/* Produced by wireguard-tools: `k=$(wg genkey); echo $k | wg pubkey`, plus an
 * unclamped and an all-ones private key to show we clamp exactly as wg does. */
static const struct {
	const char *priv, *pub;
} vectors[] = {
	{ "2NxTfEf/M8CGstFn4RRcKOx3ReRnKMmDBrzZAJ3e5X4=", "udrz2iP+2VOeVP67tEd+Ye+ph0X8yTmeWL3RdF0HUTc=" },
	{ "gEoqpoi4ZdsQLHYJOI8Lb7LIf4pEAOmUiTVu4lQVm0Q=", "6+pU0UsMgGJPwvRI/xQr0m0Db3xA33jWKuiyCsY+63Y=" },
	{ "mOjgRh4dKvJMRdsWPM9/LD2j2mmNsYv9ScfZyt96N2k=", "Dxs7RjsUS2bze/qCHzTuDB2ADsvD9pQMr93yC627VRA=" },
	{ "H5ZfRVAj1RwHKHtuaVwlaaHwqDkDD+pyou6KonqX2/Y=", "JaoqGY9Hqe1QYTUOYPz+4P3/VRR6pHIYL+/zKI1wFC0=" },
	{ "//////////////////////////////////////////8=", "hHwNLDdSNPNl5mCVUYejc1oPdhPRYJ06ak2MU66qWiI=" },
	{ "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "L+V9o0fNYkMVKNqsX7spBzD/9oSvxM/C7ZCZX1jLO3Q=" },
};

static void test_public_keys_match_wg_pubkey(void **state)
{
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		uint8_t priv[WGM_KEY_LEN], pub[WGM_KEY_LEN];
		char text[WGM_KEY_B64_SIZE];
		assert_int_equal(wgm_key_from_base64(priv, vectors[i].priv), 0);
		assert_int_equal(wgm_key_public(pub, priv), 0);
		wgm_key_to_base64(text, pub);
		assert_string_equal(text, vectors[i].pub);
	}
}

static void test_base64_round_trips(void **state)
{
	uint8_t key[WGM_KEY_LEN];
	char text[WGM_KEY_B64_SIZE];
	assert_int_equal(wgm_key_from_base64(key, "IeH5RYmovFIGWeK3dIOoCdRvxZ3lqo8pRZZ2s64NEO4="), 0);
	wgm_key_to_base64(text, key);
	assert_string_equal(text, "IeH5RYmovFIGWeK3dIOoCdRvxZ3lqo8pRZZ2s64NEO4=");
	assert_int_equal(strlen(text), WGM_KEY_B64_LEN);
}

static void test_malformed_base64_is_refused_and_zeroed(void **state)
{
	static const char *const bad[] = {
		"",
		"IeH5RYmovFIGWeK3dIOoCdRvxZ3lqo8pRZZ2s64NEO4",    /* no padding */
		"IeH5RYmovFIGWeK3dIOoCdRvxZ3lqo8pRZZ2s64NEO4==",  /* too long */
		"IeH5RYmovFIGWeK3dIOoCdRvxZ3lqo8pRZZ2s64NEO4=\n", /* trailing newline */
		" IeH5RYmovFIGWeK3dIOoCdRvxZ3lqo8pRZZ2s64NEO4=",  /* leading space */
		"IeH5RYmovFIGWeK3dIOoCdRvxZ3lqo8pRZZ2s64NEO-=",   /* URL alphabet */
		"IeH5RYmovFIGWeK3dIOoCdRvxZ3lqo8pRZZ2s64NEO4A",   /* no '=' */
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=",   /* stray low bits, wg refuses */
		"IeH5RYmovFIGWeK3dIOoCdRvxZ3lqo8pRZZ2s64N=O4=",   /* '=' inside */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t key[WGM_KEY_LEN];
		memset(key, 0xaa, sizeof(key));
		assert_int_equal(wgm_key_from_base64(key, bad[i]), -EINVAL);
		assert_true(wgm_key_is_zero(key));
	}
	uint8_t key[WGM_KEY_LEN];
	assert_int_equal(wgm_key_from_base64(key, NULL), -EINVAL);
}

static void test_generated_private_keys_are_clamped_and_differ(void **state)
{
	uint8_t a[WGM_KEY_LEN], b[WGM_KEY_LEN];
	assert_int_equal(wgm_key_generate_private(a), 0);
	assert_int_equal(wgm_key_generate_private(b), 0);
	assert_int_equal(a[0] & 7, 0);
	assert_int_equal(a[31] & 0xc0, 0x40);
	assert_false(wgm_key_equal(a, b));
}

static void test_generated_key_pair_agrees_on_a_shared_secret(void **state)
{
	uint8_t a[WGM_KEY_LEN], b[WGM_KEY_LEN], pa[WGM_KEY_LEN], pb[WGM_KEY_LEN];
	uint8_t s1[WGM_KEY_LEN], s2[WGM_KEY_LEN];
	assert_int_equal(wgm_key_generate_private(a), 0);
	assert_int_equal(wgm_key_generate_private(b), 0);
	assert_int_equal(wgm_key_public(pa, a), 0);
	assert_int_equal(wgm_key_public(pb, b), 0);
	assert_int_equal(crypto_scalarmult(s1, a, pb), 0);
	assert_int_equal(crypto_scalarmult(s2, b, pa), 0);
	assert_memory_equal(s1, s2, sizeof(s1));
}

static void test_preshared_keys_are_random(void **state)
{
	uint8_t a[WGM_KEY_LEN], b[WGM_KEY_LEN];
	assert_int_equal(wgm_key_generate_preshared(a), 0);
	assert_int_equal(wgm_key_generate_preshared(b), 0);
	assert_false(wgm_key_is_zero(a));
	assert_false(wgm_key_equal(a, b));
}

static void test_equal_and_wipe(void **state)
{
	uint8_t a[WGM_KEY_LEN], b[WGM_KEY_LEN];
	char text[WGM_KEY_B64_SIZE];
	memset(a, 7, sizeof(a));
	memcpy(b, a, sizeof(b));
	assert_true(wgm_key_equal(a, b));
	b[31] ^= 1;
	assert_false(wgm_key_equal(a, b));
	wgm_key_to_base64(text, a);
	wgm_key_wipe(a, sizeof(a));
	wgm_key_wipe(text, sizeof(text));
	assert_true(wgm_key_is_zero(a));
	for (size_t i = 0; i < sizeof(text); i++)
		assert_int_equal(text[i], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_public_keys_match_wg_pubkey),
		cmocka_unit_test(test_base64_round_trips),
		cmocka_unit_test(test_malformed_base64_is_refused_and_zeroed),
		cmocka_unit_test(test_generated_private_keys_are_clamped_and_differ),
		cmocka_unit_test(test_generated_key_pair_agrees_on_a_shared_secret),
		cmocka_unit_test(test_preshared_keys_are_random),
		cmocka_unit_test(test_equal_and_wipe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
