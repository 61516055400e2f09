#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "common/obfs/blake2s.h"
#include "test_obfs_util.h"

static void check(const char *want_hex, const uint8_t *got, size_t n)
{
	uint8_t want[32];
	assert_int_equal(test_hex(want_hex, want, sizeof(want)), n);
	assert_memory_equal(got, want, n);
}

/* RFC 7693 Appendix B. */
static void test_abc(void **state)
{
	uint8_t out[32];
	assert_int_equal(wgm_blake2s(out, 32, NULL, 0, "abc", 3), 0);
	check("508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982", out, 32);
}

/* RFC 7693 Appendix E: the self-test over digest lengths 16..32, input
 * lengths 0..1024, plain and keyed. */
static void selftest_seq(uint8_t *out, size_t len, uint32_t seed)
{
	uint32_t a = 0xDEAD4BAD * seed, b = 1;
	for (size_t i = 0; i < len; i++) {
		uint32_t t = a + b;
		a = b;
		b = t;
		out[i] = (uint8_t)(t >> 24);
	}
}

static void test_rfc7693_selftest(void **state)
{
	static const size_t md_len[] = { 16, 20, 28, 32 };
	static const size_t in_len[] = { 0, 3, 64, 65, 255, 1024 };
	uint8_t in[1024], md[32], key[32], result[32];
	struct wgm_blake2s ctx;
	assert_int_equal(wgm_blake2s_init(&ctx, 32, NULL, 0), 0);
	for (size_t i = 0; i < 4; i++)
		for (size_t j = 0; j < 6; j++) {
			size_t outlen = md_len[i], inlen = in_len[j];
			selftest_seq(in, inlen, (uint32_t)inlen);
			wgm_blake2s(md, outlen, NULL, 0, in, inlen);
			wgm_blake2s_update(&ctx, md, outlen);
			selftest_seq(key, outlen, (uint32_t)outlen);
			wgm_blake2s(md, outlen, key, outlen, in, inlen);
			wgm_blake2s_update(&ctx, md, outlen);
		}
	wgm_blake2s_final(&ctx, result);
	check("6a411f08ce25adcdfb02aba641451cec53c598b24f4fc787fbdc88797f4c1dfe", result, 32);
}

/* Keyed mode: the BLAKE2 reference KAT (key 00..1f) and a 16-byte MAC as
 * WireGuard's mac1/mac2 use it (checked with Python's hashlib.blake2s). */
static void test_keyed(void **state)
{
	uint8_t key[32], in[255], out[32];
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	for (int i = 0; i < 255; i++)
		in[i] = (uint8_t)i;
	wgm_blake2s(out, 32, key, 32, in, 0);
	check("48a8997da407876b3d79c0d92325ad3b89cbb754d86ab71aee047ad345fd2c49", out, 32);
	wgm_blake2s(out, 32, key, 32, in, 64);
	check("8975b0577fd35566d750b362b0897a26c399136df07bababbde6203ff2954ed4", out, 32);
	wgm_blake2s(out, 32, key, 32, in, 255);
	check("3fb735061abc519dfe979e54c1ee5bfad0a9d858b3315bad34bde999efd724dd", out, 32);
	uint8_t k16[16];
	memset(k16, 'k', 16);
	uint8_t in200[200];
	for (int i = 0; i < 200; i++)
		in200[i] = (uint8_t)i;
	wgm_blake2s(out, 16, k16, 16, in200, 200);
	check("2c21253d7782e371d8d789bc1d7a36e4", out, 16);
}

static void test_incremental_equals_one_shot(void **state)
{
	test_rng_seed(8);
	for (int k = 0; k < 500; k++) {
		uint8_t in[600], key[32], a[32], b[32];
		size_t len = test_rng_below(600), klen = test_rng_below(33), outlen = 1 + test_rng_below(32);
		test_rng_fill(in, len);
		test_rng_fill(key, klen);
		wgm_blake2s(a, outlen, key, klen, in, len);
		struct wgm_blake2s s;
		wgm_blake2s_init(&s, outlen, key, klen);
		size_t off = 0;
		while (off < len) {
			size_t n = test_rng_below((uint32_t)(len - off) + 1);
			wgm_blake2s_update(&s, in + off, n);
			off += n;
		}
		wgm_blake2s_final(&s, b);
		assert_memory_equal(a, b, outlen);
	}
}

static void test_bad_parameters(void **state)
{
	struct wgm_blake2s s;
	uint8_t key[33] = { 0 };
	assert_int_equal(wgm_blake2s_init(&s, 0, NULL, 0), -EINVAL);
	assert_int_equal(wgm_blake2s_init(&s, 33, NULL, 0), -EINVAL);
	assert_int_equal(wgm_blake2s_init(&s, 32, key, 33), -EINVAL);
	assert_int_equal(wgm_blake2s_init(&s, 32, NULL, 4), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_abc),
		cmocka_unit_test(test_rfc7693_selftest),
		cmocka_unit_test(test_keyed),
		cmocka_unit_test(test_incremental_equals_one_shot),
		cmocka_unit_test(test_bad_parameters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
