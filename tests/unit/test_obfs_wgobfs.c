#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "common/obfs/chacha6.h"
#include "common/obfs/obfs.h"
#include "common/obfs/wg_msg.h"
#include "common/obfs/wgobfs.h"
#include "test_obfs_util.h"

/* obfuscation.md §6: key "mysecretkey"; message byte 0 = type, 1..3 zero,
 * byte i >= 4 = i * fill mod 256, mac2 zeroed where said. */
struct vector {
	const char *name;
	unsigned type;
	size_t len;
	unsigned fill;
	bool mac2_zero;
	const char *out; /* "" = dropped */
};

static const struct vector vectors[] = {
	{ "initiation, mac2 zero", 1, 148, 1, true,
	  "21e4fb7c7cdc95ffa5cca9d713df9bc7101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f"
	  "303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
	  "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f80818283f33d2dc598e9102d5e9db3e8"
	  "30fda45db813b61d148bb52c19d2749efbb19b41e0f620" },
	{ "initiation, mac2 set (cookie)", 1, 148, 3, false,
	  "460caedc266c281f4f7eef6164e0e2a0303336393c3f4245484b4e5154575a5d606366696c6f7275787b7e8184878a8d"
	  "909396999c9fa2a5a8abaeb1b4b7babdc0c3c6c9cccfd2d5d8dbdee1e4e7eaedf0f3f6f9fcff0205080b0e1114171a1d"
	  "202326292c2f3235383b3e4144474a4d505356595c5f6265686b6e7174777a7d808386898c8f9295989b9ea1a4a7aaad"
	  "b0b3b6b9b2a5b76bc872" },
	{ "response, mac2 zero", 2, 92, 5, true,
	  "a80f37fc922b427fe66fcef377e014ad50555a5f64696e73787d82878c91969ba0a5aaafb4b9bec3c8cdd2d7dce1e6eb"
	  "f0f5faff04090e13181d22272c31363b40454a4f54595e63686d7277c6a8e7f44049f8eb2a1762fe434b6ca334ca4a81"
	  "e7776cdf1dbbad98b8a62abf0d4f6527d92090fcd913ef5b62" },
	{ "cookie reply", 3, 64, 11, false,
	  "3f91b47eb6146ef757155d7120e1f30ab0bbc6d1dce7f2fd08131e29343f4a55606b76818c97a2adb8c3ced9e4effa05"
	  "101b26313c47525d68737e89949faab56792bf4bb1560810" },
	{ "transport 96 B", 4, 96, 7, false,
	  "e8c6953a1855e5efe9db3b2c5f75960070777e858c939aa1a8afb6bdc4cbd2d9e0e7eef5fc030a11181f262d343b4249"
	  "50575e656c737a81888f969da4abb2b9c0c7ced5dce3eaf1f8ff060d141b222930373e454c535a61686f767d848b9299"
	  "6382070cf6c7af" },
	{ "transport 1200 B", 4, 1200, 13, false,
	  "563aaa729adeffd248817c459c79c0a8d0ddeaf704111e2b3845525f6c798693a0adbac7d4e1eefb0815222f3c495663"
	  "707d8a97a4b1becbd8e5f2ff0c192633404d5a6774818e9ba8b5c2cfdce9f603101d2a3744515e6b7885929facb9c6d3"
	  "e0edfa0714212e3b4855626f7c8996a3b0bdcad7e4f1fe0b1825323f4c596673808d9aa7b4c1cedbe8f5020f1c293643"
	  "505d6a7784919eabb8c5d2dfecf90613202d3a4754616e7b8895a2afbcc9d6e3f0fd0a1724313e4b5865727f8c99a6b3"
	  "c0cddae7f4010e1b2835424f5c697683909daab7c4d1deebf805121f2c394653606d7a8794a1aebbc8d5e2effc091623"
	  "303d4a5764717e8b98a5b2bfccd9e6f3000d1a2734414e5b6875828f9ca9b6c3d0ddeaf704111e2b3845525f6c798693"
	  "a0adbac7d4e1eefb0815222f3c495663707d8a97a4b1becbd8e5f2ff0c192633404d5a6774818e9ba8b5c2cfdce9f603"
	  "101d2a3744515e6b7885929facb9c6d3e0edfa0714212e3b4855626f7c8996a3b0bdcad7e4f1fe0b1825323f4c596673"
	  "808d9aa7b4c1cedbe8f5020f1c293643505d6a7784919eabb8c5d2dfecf90613202d3a4754616e7b8895a2afbcc9d6e3"
	  "f0fd0a1724313e4b5865727f8c99a6b3c0cddae7f4010e1b2835424f5c697683909daab7c4d1deebf805121f2c394653"
	  "606d7a8794a1aebbc8d5e2effc091623303d4a5764717e8b98a5b2bfccd9e6f3000d1a2734414e5b6875828f9ca9b6c3"
	  "d0ddeaf704111e2b3845525f6c798693a0adbac7d4e1eefb0815222f3c495663707d8a97a4b1becbd8e5f2ff0c192633"
	  "404d5a6774818e9ba8b5c2cfdce9f603101d2a3744515e6b7885929facb9c6d3e0edfa0714212e3b4855626f7c8996a3"
	  "b0bdcad7e4f1fe0b1825323f4c596673808d9aa7b4c1cedbe8f5020f1c293643505d6a7784919eabb8c5d2dfecf90613"
	  "202d3a4754616e7b8895a2afbcc9d6e3f0fd0a1724313e4b5865727f8c99a6b3c0cddae7f4010e1b2835424f5c697683"
	  "909daab7c4d1deebf805121f2c394653606d7a8794a1aebbc8d5e2effc091623303d4a5764717e8b98a5b2bfccd9e6f3"
	  "000d1a2734414e5b6875828f9ca9b6c3d0ddeaf704111e2b3845525f6c798693a0adbac7d4e1eefb0815222f3c495663"
	  "707d8a97a4b1becbd8e5f2ff0c192633404d5a6774818e9ba8b5c2cfdce9f603101d2a3744515e6b7885929facb9c6d3"
	  "e0edfa0714212e3b4855626f7c8996a3b0bdcad7e4f1fe0b1825323f4c596673808d9aa7b4c1cedbe8f5020f1c293643"
	  "505d6a7784919eabb8c5d2dfecf90613202d3a4754616e7b8895a2afbcc9d6e3f0fd0a1724313e4b5865727f8c99a6b3"
	  "c0cddae7f4010e1b2835424f5c697683909daab7c4d1deebf805121f2c394653606d7a8794a1aebbc8d5e2effc091623"
	  "303d4a5764717e8b98a5b2bfccd9e6f3000d1a2734414e5b6875828f9ca9b6c3d0ddeaf704111e2b3845525f6c798693"
	  "a0adbac7d4e1eefb0815222f3c495663707d8a97a4b1becbd8e5f2ff0c192633404d5a6774818e9ba8b5c2cfdce9f603"
	  "101d2a3744515e6b7885929facb9c6d3e0edfa0714212e3b4855626f7c8996a3b0bdcad7e4f1fe0b1825323f4c596673"
	  "808d9aa7b4c1cedbe8f5020f1c293643505d6a7784919eabb8c5d2dfecf90613202d3a4754616e7b8895a2afbcc9d6e3"
	  "25088d32b5cd7336" },
	{ "keepalive, dropped", 4, 32, 1, false, "" },
	{ "keepalive, kept", 4, 32, 8, false,
	  "c34db12e2a9ae99e56ffb924231e733580889098a0a8b0b8c0c8d0d8e0e8f0f8471cca8ddafdc76224b854ac578c3e80"
	  "4d30bbd8aa3d4ba7e2a97a30" },
};

static const uint8_t spec_key[] = "mysecretkey";
#define SPEC_KEY_LEN 11

static size_t make_vector_in(const struct vector *v, uint8_t *m)
{
	memset(m, 0, v->len);
	m[0] = (uint8_t)v->type;
	for (size_t i = 4; i < v->len; i++)
		m[i] = (uint8_t)(i * v->fill);
	if (v->mac2_zero)
		memset(m + v->len - 16, 0, 16);
	return v->len;
}

static void test_key_expands_cyclically(void **state)
{
	uint32_t w[8];
	wgm_wgobfs_expand_key(spec_key, SPEC_KEY_LEN, w);
	const char *want = "mysecretkeymysecretkeymysecretke";
	for (int i = 0; i < 8; i++)
		assert_int_equal(w[i], wg_get_le32((const uint8_t *)want + 4 * i));
}

static void test_chacha6_matches_module(void **state)
{
	uint32_t w[8];
	uint8_t in[16] = { 0 }, out[32], want[32];
	wgm_wgobfs_expand_key(spec_key, SPEC_KEY_LEN, w);
	wgm_chacha6_hash(in, w, out, 8);
	test_hex("4af8b834af3dd8bd8b6eccc8c1e08af09ef15b05b04751cbf1f53eb7104352eb", want, 32);
	assert_memory_equal(out, want, 32);
	/* Fewer words are a prefix. */
	uint8_t four[16];
	wgm_chacha6_hash(in, w, four, 4);
	assert_memory_equal(four, want, 16);
}

static void test_vectors_obfs_and_back(void **state)
{
	uint32_t w[8];
	wgm_wgobfs_expand_key(spec_key, SPEC_KEY_LEN, w);
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		const struct vector *v = &vectors[i];
		uint8_t in[1300], out[1300], want[1300], back[1300];
		size_t len = make_vector_in(v, in);
		ssize_t n = wgm_wgobfs_obfs(w, in, len, out, sizeof(out));
		size_t want_len = test_hex(v->out, want, sizeof(want));
		print_message("%s: %zd (want %zu)\n", v->name, n, want_len);
		assert_int_equal(n, (ssize_t)want_len);
		if (!want_len)
			continue;
		assert_memory_equal(out, want, want_len);
		ssize_t m = wgm_wgobfs_unobfs(w, out, (size_t)n, back, sizeof(back));
		assert_int_equal(m, (ssize_t)len);
		assert_memory_equal(back, in, len);
	}
}

static void test_vectors_in_place(void **state)
{
	uint32_t w[8];
	wgm_wgobfs_expand_key(spec_key, SPEC_KEY_LEN, w);
	const struct vector *v = &vectors[0];
	uint8_t buf[300], in[300], want[300];
	size_t len = make_vector_in(v, in);
	memcpy(buf, in, len);
	ssize_t n = wgm_wgobfs_obfs(w, buf, len, buf, sizeof(buf));
	assert_int_equal(n, (ssize_t)test_hex(v->out, want, sizeof(want)));
	assert_memory_equal(buf, want, (size_t)n);
	assert_int_equal(wgm_wgobfs_unobfs(w, buf, (size_t)n, buf, sizeof(buf)), (ssize_t)len);
	assert_memory_equal(buf, in, len);
}

static void test_obfs_small_cap_and_short_input(void **state)
{
	uint32_t w[8];
	wgm_wgobfs_expand_key(spec_key, SPEC_KEY_LEN, w);
	uint8_t in[200], out[200];
	size_t len = make_vector_in(&vectors[0], in);
	assert_int_equal(wgm_wgobfs_obfs(w, in, len, out, len + 3), -EMSGSIZE);
	assert_int_equal(wgm_wgobfs_obfs(w, in, 31, out, sizeof(out)), -EINVAL);
}

static struct wgm_obfs *new_wgobfs(const uint8_t *key, size_t key_len)
{
	struct wgm_obfs_config cfg = { .type = WGM_LINK_WGOBFS, .key_len = key_len };
	memcpy(cfg.key, key, key_len);
	struct wgm_obfs *o;
	char err[128];
	assert_int_equal(wgm_obfs_new(&cfg, &o, err, sizeof(err)), 0);
	return o;
}

/* Thousands of random messages of every type and size cross and come back
 * unchanged; keepalives are dropped about 80 % of the time. */
static void test_random_round_trips(void **state)
{
	test_rng_seed(11);
	uint8_t key[32];
	test_rng_fill(key, sizeof(key));
	struct wgm_obfs *o = new_wgobfs(key, 1 + test_rng_below(32));
	unsigned keepalives = 0, kept = 0;
	for (int i = 0; i < 20000; i++) {
		uint8_t msg[1500], wire[1600], back[1600];
		unsigned type = 1 + test_rng_below(4);
		size_t len = test_wg_msg(msg, type, i % 5 == 0 ? 32 : test_random_data_len(), (int)test_rng_below(2));
		ssize_t n = wgm_obfs_outbound(o, msg, len, wire, sizeof(wire), NULL, NULL);
		if (type == 4 && len == 32) {
			keepalives++;
			if (n == 0)
				continue;
			kept++;
		}
		assert_true(n >= (ssize_t)len + 4);
		assert_true(n <= (ssize_t)len + (len > 200 ? 8 : 32));
		ssize_t m = wgm_obfs_inbound(o, wire, (size_t)n, back, sizeof(back));
		assert_int_equal(m, (ssize_t)len);
		assert_memory_equal(back, msg, len);
	}
	double share = (double)kept / keepalives;
	print_message("keepalives kept: %u of %u\n", kept, keepalives);
	assert_true(share > 0.15 && share < 0.25);
	wgm_obfs_free(o);
}

static void test_malformed_dropped(void **state)
{
	struct wgm_obfs *o = new_wgobfs(spec_key, SPEC_KEY_LEN);
	uint32_t w[8];
	wgm_wgobfs_expand_key(spec_key, SPEC_KEY_LEN, w);
	uint8_t buf[2000], out[2000];
	/* Short. */
	test_rng_seed(5);
	for (size_t len = 0; len < 36; len++) {
		test_rng_fill(buf, len);
		assert_int_equal(wgm_obfs_inbound(o, buf, len, out, sizeof(out)), 0);
	}
	/* r == 0 and r + 32 > len, made on purpose with the head. */
	uint8_t head[20];
	for (int r = 0; r < 2; r++) {
		size_t len = 60;
		test_rng_fill(buf, len);
		wgm_chacha6_hash(buf + 16, w, head, 5);
		buf[len - 1] = (uint8_t)((r ? 29 : 0) ^ head[16]);
		assert_int_equal(wgm_wgobfs_unobfs(w, buf, len, out, sizeof(out)), 0);
		assert_int_equal(wgm_obfs_inbound(o, buf, len, out, sizeof(out)), 0);
	}
	/* A valid datagram whose padding byte says 28 (of 60) decodes at the
	 * module level but is not a WireGuard message: dropped by us. */
	test_rng_fill(buf, 60);
	wgm_chacha6_hash(buf + 16, w, head, 5);
	buf[59] = (uint8_t)(28 ^ head[16]);
	assert_int_equal(wgm_wgobfs_unobfs(w, buf, 60, out, sizeof(out)), 32);
	assert_int_equal(wgm_obfs_inbound(o, buf, 60, out, sizeof(out)), 0);
	/* Plain WireGuard and garbage. */
	size_t accepted = 0;
	for (int i = 0; i < 100000; i++) {
		size_t len = test_rng_below(1600);
		test_rng_fill(buf, len);
		if (i % 3 == 0 && len >= 32) {
			unsigned type = 1 + test_rng_below(4);
			len = test_wg_msg(buf, type, test_random_data_len(), 0);
		}
		ssize_t n = wgm_obfs_inbound(o, buf, len, out, sizeof(out));
		assert_true(n >= 0);
		if (n > 0) {
			assert_true(wg_msg_plausible(out, (size_t)n));
			accepted++;
		}
	}
	print_message("garbage accepted: %zu of 100000\n", accepted);
	assert_true(accepted < 5);
	wgm_obfs_free(o);
}

static void test_rekey_accepts_both_until_forgotten(void **state)
{
	uint8_t k1[32], k2[32];
	test_rng_seed(77);
	test_rng_fill(k1, 32);
	test_rng_fill(k2, 32);
	struct wgm_obfs *a = new_wgobfs(k1, 32), *b = new_wgobfs(k1, 32);
	uint8_t msg[200], wire[300], back[300];
	size_t len = test_wg_msg(msg, 1, 0, 0);
	ssize_t old_wire = wgm_obfs_outbound(a, msg, len, wire, sizeof(wire), NULL, NULL);
	assert_true(old_wire > 0);
	assert_int_equal(wgm_obfs_rekey(a, k2, 32), 0);
	assert_int_equal(wgm_obfs_rekey(b, k2, 32), 0);
	/* An old-key datagram still in flight decodes. */
	assert_int_equal(wgm_obfs_inbound(b, wire, (size_t)old_wire, back, sizeof(back)), (ssize_t)len);
	assert_memory_equal(back, msg, len);
	/* In place too (the scratch path). */
	uint8_t inplace[300];
	memcpy(inplace, wire, (size_t)old_wire);
	assert_int_equal(wgm_obfs_inbound(b, inplace, (size_t)old_wire, inplace, sizeof(inplace)), (ssize_t)len);
	assert_memory_equal(inplace, msg, len);
	/* New key outbound. */
	ssize_t n = wgm_obfs_outbound(a, msg, len, wire, sizeof(wire), NULL, NULL);
	struct wgm_obfs *only_old = new_wgobfs(k1, 32);
	assert_int_equal(wgm_obfs_inbound(only_old, wire, (size_t)n, back, sizeof(back)), 0);
	assert_int_equal(wgm_obfs_inbound(b, wire, (size_t)n, back, sizeof(back)), (ssize_t)len);
	wgm_obfs_forget_old_key(b);
	assert_int_equal(wgm_obfs_inbound(b, wire, (size_t)n, back, sizeof(back)), (ssize_t)len);
	assert_int_equal(wgm_obfs_inbound(b, wire, (size_t)old_wire, back, sizeof(back)), 0);
	assert_int_equal(wgm_obfs_rekey(b, k2, 0), -EINVAL);
	assert_int_equal(wgm_obfs_rekey(b, k2, 33), -EINVAL);
	wgm_obfs_free(a);
	wgm_obfs_free(b);
	wgm_obfs_free(only_old);
}

static void test_new_validates_and_growth(void **state)
{
	struct wgm_obfs_config cfg = { .type = WGM_LINK_WGOBFS, .key_len = 0 };
	struct wgm_obfs *o;
	char err[128];
	assert_int_equal(wgm_obfs_new(&cfg, &o, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "key"));
	cfg.key_len = 33;
	assert_int_equal(wgm_obfs_new(&cfg, &o, err, sizeof(err)), -EINVAL);
	cfg.key_len = 32;
	assert_int_equal(wgm_obfs_new(&cfg, &o, err, sizeof(err)), 0);
	wgm_obfs_free(o);
	assert_int_equal(wgm_obfs_max_growth(&cfg), 8);
	cfg.type = WGM_LINK_IPT_XOR;
	assert_int_equal(wgm_obfs_max_growth(&cfg), 0);
	cfg.type = WGM_LINK_DEFAULT;
	assert_int_equal(wgm_obfs_max_growth(&cfg), 0);
	/* Identity. */
	assert_int_equal(wgm_obfs_new(&cfg, &o, err, sizeof(err)), 0);
	uint8_t m[40] = { 4 }, out[40];
	assert_int_equal(wgm_obfs_outbound(o, m, 40, out, 40, NULL, NULL), 40);
	assert_memory_equal(m, out, 40);
	assert_int_equal(wgm_obfs_inbound(o, m, 40, out, 39), -EMSGSIZE);
	assert_int_equal(wgm_obfs_rekey(o, m, 8), -EOPNOTSUPP);
	wgm_obfs_free(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_expands_cyclically),
		cmocka_unit_test(test_chacha6_matches_module),
		cmocka_unit_test(test_vectors_obfs_and_back),
		cmocka_unit_test(test_vectors_in_place),
		cmocka_unit_test(test_obfs_small_cap_and_short_input),
		cmocka_unit_test(test_random_round_trips),
		cmocka_unit_test(test_malformed_dropped),
		cmocka_unit_test(test_rekey_accepts_both_until_forgotten),
		cmocka_unit_test(test_new_validates_and_growth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
