#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "common/obfs/obfs.h"
#include "common/obfs/wg_msg.h"
#include "common/obfs/xor.h"
#include "test_obfs_util.h"

static struct wgm_obfs *new_xor(const uint8_t *key, size_t key_len)
{
	struct wgm_obfs_config cfg = { .type = WGM_LINK_IPT_XOR, .key_len = key_len };
	memcpy(cfg.key, key, key_len);
	struct wgm_obfs *o;
	char err[128];
	assert_int_equal(wgm_obfs_new(&cfg, &o, err, sizeof(err)), 0);
	return o;
}

static void xor_with(const uint8_t *key, size_t key_len, const uint8_t *in, size_t len, uint8_t *out)
{
	struct wgm_xor_key k;
	wgm_xor_prepare(&k, key, key_len);
	wgm_xor_apply(&k, in, len, out);
}

/* payload[i] ^= key[i % key_len], from the first payload byte, per packet. */
static void test_xor_is_the_target_transform(void **state)
{
	const uint8_t key[] = "abc";
	uint8_t in[10] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, out[10];
	xor_with(key, 3, in, 10, out);
	for (int i = 0; i < 10; i++)
		assert_int_equal(out[i], in[i] ^ key[i % 3]);
	/* The index restarts with every datagram. */
	uint8_t out2[10];
	xor_with(key, 3, in + 1, 9, out2);
	assert_int_equal(out2[0], in[1] ^ 'a');
	/* Its own inverse, in place. */
	xor_with(key, 3, out, 10, out);
	assert_memory_equal(out, in, 10);
}

/* The word-wise loop against the definition, every key length, long and
 * odd-sized datagrams, unaligned buffers. */
static void test_matches_definition(void **state)
{
	static uint8_t in[3001], out[3001];
	uint8_t key[32];
	test_rng_seed(4);
	for (size_t kl = 1; kl <= 32; kl++) {
		test_rng_fill(key, kl);
		for (int r = 0; r < 20; r++) {
			size_t len = test_rng_below(3000), off = test_rng_below(2);
			test_rng_fill(in, sizeof(in));
			xor_with(key, kl, in + off, len, out + off);
			for (size_t i = 0; i < len; i++)
				assert_int_equal(out[off + i], in[off + i] ^ key[i % kl]);
		}
	}
}

static void test_round_trips_every_type(void **state)
{
	test_rng_seed(3);
	for (int k = 0; k < 40; k++) {
		uint8_t key[32];
		size_t kl = 1 + test_rng_below(32);
		test_rng_fill(key, kl);
		struct wgm_obfs *o = new_xor(key, kl);
		for (int i = 0; i < 200; i++) {
			uint8_t msg[1500], wire[1500], back[1500];
			size_t len = test_wg_msg(msg, 1 + test_rng_below(4), test_random_data_len(),
						 (int)test_rng_below(2));
			ssize_t n = wgm_obfs_outbound(o, msg, len, wire, sizeof(wire), NULL, NULL);
			assert_int_equal(n, (ssize_t)len);
			for (size_t j = 0; j < len; j++)
				assert_int_equal(wire[j], msg[j] ^ key[j % kl]);
			assert_int_equal(wgm_obfs_inbound(o, wire, len, back, sizeof(back)), (ssize_t)len);
			assert_memory_equal(back, msg, len);
			/* In place. */
			assert_int_equal(wgm_obfs_inbound(o, wire, len, wire, sizeof(wire)), (ssize_t)len);
			assert_memory_equal(wire, msg, len);
		}
		wgm_obfs_free(o);
	}
}

static void test_only_plausible_messages_pass(void **state)
{
	const uint8_t key[] = "0123456789abcdef0123456789abcdef";
	struct wgm_obfs *o = new_xor(key, 32);
	uint8_t msg[200], wire[200], back[200];
	/* Wrong sizes for a type, non-zero reserved, bad type, short. */
	struct {
		uint8_t type, reserved;
		size_t len;
	} bad[] = { { 1, 0, 147 }, { 1, 0, 149 }, { 2, 0, 91 }, { 3, 0, 65 }, { 4, 0, 31 },
		    { 4, 1, 48 },  { 0, 0, 48 },  { 5, 0, 48 }, { 1, 0, 3 },  { 0, 0, 0 } };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(msg, 0, sizeof(msg));
		msg[0] = bad[i].type;
		msg[1] = bad[i].reserved;
		xor_with(key, 32, msg, bad[i].len, wire);
		assert_int_equal(wgm_obfs_inbound(o, wire, bad[i].len, back, sizeof(back)), 0);
	}
	/* A plain (unXORed) WireGuard message is garbage to an XOR link. */
	size_t len = test_wg_msg(msg, 1, 0, 0);
	assert_int_equal(wgm_obfs_inbound(o, msg, len, back, sizeof(back)), 0);
	/* Too small an output buffer. */
	xor_with(key, 32, msg, len, wire);
	assert_int_equal(wgm_obfs_inbound(o, wire, len, back, len - 1), -EMSGSIZE);
	assert_int_equal(wgm_obfs_outbound(o, msg, len, wire, len - 1, NULL, NULL), -EMSGSIZE);
	/* Random garbage, fixed seed. */
	test_rng_seed(99);
	for (int i = 0; i < 100000; i++) {
		uint8_t buf[1600], out[1600];
		size_t n = test_rng_below(1600);
		test_rng_fill(buf, n);
		assert_int_equal(wgm_obfs_inbound(o, buf, n, out, sizeof(out)), 0);
	}
	wgm_obfs_free(o);
}

static void test_rekey(void **state)
{
	const uint8_t k1[] = "first-key", k2[] = "second-key-second-key";
	struct wgm_obfs *a = new_xor(k1, 9), *b = new_xor(k1, 9);
	uint8_t msg[200], old_wire[200], wire[200], back[200];
	test_rng_seed(1);
	size_t len = test_wg_msg(msg, 2, 0, 0);
	assert_int_equal(wgm_obfs_outbound(a, msg, len, old_wire, sizeof(old_wire), NULL, NULL), (ssize_t)len);
	assert_int_equal(wgm_obfs_rekey(a, k2, sizeof(k2) - 1), 0);
	assert_int_equal(wgm_obfs_outbound(a, msg, len, wire, sizeof(wire), NULL, NULL), (ssize_t)len);
	assert_memory_not_equal(wire, old_wire, len);
	/* b has not rekeyed yet: the new key is garbage to it. */
	assert_int_equal(wgm_obfs_inbound(b, wire, len, back, sizeof(back)), 0);
	assert_int_equal(wgm_obfs_rekey(b, k2, sizeof(k2) - 1), 0);
	assert_int_equal(wgm_obfs_inbound(b, wire, len, back, sizeof(back)), (ssize_t)len);
	assert_memory_equal(back, msg, len);
	assert_int_equal(wgm_obfs_inbound(b, old_wire, len, back, sizeof(back)), (ssize_t)len);
	assert_memory_equal(back, msg, len);
	/* In place with two keys to try. */
	uint8_t buf[200];
	memcpy(buf, old_wire, len);
	assert_int_equal(wgm_obfs_inbound(b, buf, len, buf, sizeof(buf)), (ssize_t)len);
	assert_memory_equal(buf, msg, len);
	wgm_obfs_forget_old_key(b);
	assert_int_equal(wgm_obfs_inbound(b, old_wire, len, back, sizeof(back)), 0);
	assert_int_equal(wgm_obfs_inbound(b, wire, len, back, sizeof(back)), (ssize_t)len);
	wgm_obfs_free(a);
	wgm_obfs_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xor_is_the_target_transform),
		cmocka_unit_test(test_matches_definition),
		cmocka_unit_test(test_round_trips_every_type),
		cmocka_unit_test(test_only_plausible_messages_pass),
		cmocka_unit_test(test_rekey),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
