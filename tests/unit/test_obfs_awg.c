#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "common/obfs/awg_params.h"
#include "common/obfs/blake2s.h"
#include "common/obfs/obfs.h"
#include "common/obfs/wg_msg.h"
#include "test_obfs_util.h"

/* Two ends of one link: A (public key pa) and B (pb), each with the other as
 * remote. The checks of wire bytes below are written here from the
 * whitepaper, not taken from awg.c. */
static uint8_t pa[32], pb[32];

static void hash_label(uint8_t out[32], const char *label, const uint8_t pub[32])
{
	uint8_t buf[40];
	memcpy(buf, label, 8);
	memcpy(buf + 8, pub, 32);
	wgm_blake2s(out, 32, NULL, 0, buf, 40);
}

static void mac1_for(uint8_t out[16], const uint8_t receiver_pub[32], const uint8_t *msg, size_t mac1_off)
{
	uint8_t k[32];
	hash_label(k, "mac1----", receiver_pub);
	wgm_blake2s(out, 16, k, 32, msg, mac1_off);
}

static struct wgm_obfs *new_end(const struct wgm_awg_params *p, const uint8_t *local, const uint8_t *remote)
{
	struct wgm_obfs_config cfg = { .type = WGM_LINK_AMNEZIAWG, .awg = *p, .random = test_rng_fill };
	memcpy(cfg.local_public, local, 32);
	memcpy(cfg.remote_public, remote, 32);
	struct wgm_obfs *o;
	char err[128];
	int rc = wgm_obfs_new(&cfg, &o, err, sizeof(err));
	if (rc)
		print_message("wgm_obfs_new: %s\n", err);
	assert_int_equal(rc, 0);
	return o;
}

/* A message as A's backend would send it to B: standard type, mac1 keyed
 * with B's key, MAC2 as given (NULL = zero). */
static size_t backend_msg(uint8_t *m, unsigned type, size_t data_len, const uint8_t *receiver, const uint8_t *mac2)
{
	size_t len = test_wg_msg(m, type, data_len, 0);
	size_t off = wg_mac1_offset(type);
	if (off) {
		mac1_for(m + off, receiver, m, off);
		if (mac2)
			memcpy(m + off + 16, mac2, 16);
	}
	return len;
}

struct junk_log {
	size_t n;
	size_t len[64];
};

static int collect(void *ctx, const uint8_t *d, size_t len)
{
	struct junk_log *j = ctx;
	if (j->n < 64)
		j->len[j->n] = len;
	j->n++;
	return 0;
}

static uint16_t prefix(const struct wgm_awg_params *p, unsigned type)
{
	const uint16_t s[4] = { p->s1, p->s2, p->version == 2 ? p->s3 : 0, p->version == 2 ? p->s4 : 0 };
	return s[type - 1];
}

static void check_wire(const struct wgm_awg_params *p, unsigned type, const uint8_t *wire, size_t n, size_t len,
		       const uint8_t *receiver)
{
	size_t s = prefix(p, type);
	assert_int_equal(n, s + len);
	uint32_t h = wg_get_le32(wire + s);
	assert_true(h >= p->h[type - 1].lo && h <= p->h[type - 1].hi);
	size_t off = wg_mac1_offset(type);
	if (off) {
		uint8_t want[16];
		mac1_for(want, receiver, wire + s, off);
		assert_memory_equal(wire + s + off, want, 16);
	}
}

static void round_trips(uint8_t version, uint64_t seed)
{
	test_rng_seed(seed);
	struct wgm_awg_params p;
	wgm_awg_params_random(version, &p, test_rng_fill);
	test_rng_fill(pa, 32);
	test_rng_fill(pb, 32);
	struct wgm_obfs *a = new_end(&p, pa, pb), *b = new_end(&p, pb, pa);
	for (int i = 0; i < 400; i++) {
		uint8_t msg[1500], wire[1600], back[1600];
		unsigned type = 1 + (unsigned)(i % 4);
		/* Both directions. */
		bool ab = i % 8 < 4;
		struct wgm_obfs *from = ab ? a : b, *to = ab ? b : a;
		size_t len = backend_msg(msg, type, i % 12 == 3 ? 32 : test_random_data_len(), ab ? pb : pa, NULL);
		struct junk_log junk = { 0 };
		ssize_t n = wgm_obfs_outbound(from, msg, len, wire, sizeof(wire), collect, &junk);
		assert_true(n > 0);
		check_wire(&p, type, wire, (size_t)n, len, ab ? pb : pa);
		if (type == WGM_WG_TYPE_INIT) {
			assert_int_equal(junk.n, p.jc);
			for (size_t j = 0; j < junk.n; j++) {
				assert_true(junk.len[j] >= p.jmin);
				assert_true(junk.len[j] <= (version == 1 ? p.jmax - 1u : p.jmax));
			}
		} else {
			assert_int_equal(junk.n, 0);
		}
		if (type == WGM_WG_TYPE_COOKIE) /* no mac1 sent before: unopened reply dropped */
			continue;
		ssize_t m = wgm_obfs_inbound(to, wire, (size_t)n, back, sizeof(back));
		assert_int_equal(m, (ssize_t)len);
		assert_memory_equal(back, msg, len);
		/* In place. */
		ssize_t m2 = wgm_obfs_inbound(to, wire, (size_t)n, wire, sizeof(wire));
		assert_int_equal(m2, (ssize_t)len);
		assert_memory_equal(wire, msg, len);
	}
	wgm_obfs_free(a);
	wgm_obfs_free(b);
}

static void test_round_trips_v1(void **state)
{
	for (uint64_t seed = 1; seed <= 10; seed++)
		round_trips(1, seed);
}

static void test_round_trips_v2(void **state)
{
	for (uint64_t seed = 1; seed <= 10; seed++)
		round_trips(2, seed);
}

static const struct wgm_awg_params observed = {
	.version = 1,
	.jc = 3,
	.jmin = 40,
	.jmax = 70,
	.s1 = 15,
	.s2 = 20,
	.h = { { 1111, 1111 }, { 2222, 2222 }, { 3333, 3333 }, { 4444, 4444 } },
};

/* obfuscation.md §4.5, amneziawg-go v0.2.19 on the wire. */
static void test_observed_layout_v1(void **state)
{
	test_rng_seed(45);
	test_rng_fill(pa, 32);
	test_rng_fill(pb, 32);
	struct wgm_obfs *a = new_end(&observed, pa, pb);
	uint8_t msg[200], wire[300];
	struct junk_log junk = { 0 };
	size_t len = backend_msg(msg, 1, 0, pb, NULL);
	assert_int_equal(wgm_obfs_outbound(a, msg, len, wire, sizeof(wire), collect, &junk), 163);
	assert_memory_equal(wire + 15, "\x57\x04\x00\x00", 4);
	assert_memory_equal(wire + 19, msg + 4, 148 - 4 - 32);
	assert_int_equal(junk.n, 3);
	len = backend_msg(msg, 2, 0, pb, NULL);
	assert_int_equal(wgm_obfs_outbound(a, msg, len, wire, sizeof(wire), collect, &junk), 112);
	assert_memory_equal(wire + 20, "\xae\x08\x00\x00", 4);
	len = backend_msg(msg, 4, 64, pb, NULL);
	assert_int_equal(wgm_obfs_outbound(a, msg, len, wire, sizeof(wire), NULL, NULL), 64);
	assert_memory_equal(wire, "\x5c\x11\x00\x00", 4);
	assert_memory_equal(wire + 4, msg + 4, 60);
	len = backend_msg(msg, 3, 0, pb, NULL);
	assert_int_equal(wgm_obfs_outbound(a, msg, len, wire, sizeof(wire), NULL, NULL), 64);
	assert_memory_equal(wire, "\x05\x0d\x00\x00", 4);
	wgm_obfs_free(a);
}

/* Junk lengths: [jmin, jmax - 1] in 1.0, [jmin, jmax] in 2.0, both ends hit. */
static void test_junk_lengths(void **state)
{
	for (uint8_t v = 1; v <= 2; v++) {
		struct wgm_awg_params p = observed;
		p.version = v;
		p.jmin = 40;
		p.jmax = 44;
		test_rng_seed(v);
		test_rng_fill(pa, 32);
		struct wgm_obfs *a = new_end(&p, pa, pb);
		size_t seen[50] = { 0 };
		for (int i = 0; i < 300; i++) {
			uint8_t msg[200], wire[300];
			struct junk_log junk = { 0 };
			size_t len = backend_msg(msg, 1, 0, pb, NULL);
			assert_true(wgm_obfs_outbound(a, msg, len, wire, sizeof(wire), collect, &junk) > 0);
			assert_int_equal(junk.n, 3);
			for (int j = 0; j < 3; j++)
				seen[junk.len[j]]++;
		}
		for (size_t l = 0; l < 50; l++)
			if (l < 40 || l > (v == 1 ? 43u : 44u))
				assert_int_equal(seen[l], 0);
			else
				assert_true(seen[l] > 0);
		/* Jmin == Jmax in 1.0: exactly Jmin. */
		wgm_obfs_free(a);
	}
	struct wgm_awg_params p = observed;
	p.jmax = p.jmin;
	struct wgm_obfs *a = new_end(&p, pa, pb);
	uint8_t msg[200], wire[300];
	struct junk_log junk = { 0 };
	size_t len = backend_msg(msg, 1, 0, pb, NULL);
	assert_true(wgm_obfs_outbound(a, msg, len, wire, sizeof(wire), collect, &junk) > 0);
	for (int j = 0; j < 3; j++)
		assert_int_equal(junk.len[j], 40);
	wgm_obfs_free(a);
}

static int stop_emit(void *ctx, const uint8_t *d, size_t len)
{
	return 1;
}

/* The whole cookie exchange: B's backend, under load, answers A's
 * initiation with a cookie reply; A's backend then sends mac2. */
static void cookie_exchange(uint8_t version)
{
	test_rng_seed(100 + version);
	struct wgm_awg_params p;
	wgm_awg_params_random(version, &p, test_rng_fill);
	test_rng_fill(pa, 32);
	test_rng_fill(pb, 32);
	struct wgm_obfs *a = new_end(&p, pa, pb), *b = new_end(&p, pb, pa);
	uint8_t init[200], wire[300], at_b[300];
	size_t len = backend_msg(init, 1, 0, pb, NULL);
	ssize_t n = wgm_obfs_outbound(a, init, len, wire, sizeof(wire), NULL, NULL);
	assert_int_equal(wgm_obfs_inbound(b, wire, (size_t)n, at_b, sizeof(at_b)), (ssize_t)len);

	/* B's backend seals cookie T over the mac1 it saw. */
	uint8_t cookie[16], ck[32], reply[64], reply_wire[200], at_a[200];
	test_rng_fill(cookie, 16);
	hash_label(ck, "cookie--", pb);
	memset(reply, 0, sizeof(reply));
	reply[0] = 3;
	memcpy(reply + 4, init + 4, 4); /* receiver = A's sender index */
	test_rng_fill(reply + 8, 24);
	crypto_aead_xchacha20poly1305_ietf_encrypt(reply + 32, NULL, cookie, 16, at_b + 116, 16, NULL, reply + 8, ck);
	n = wgm_obfs_outbound(b, reply, 64, reply_wire, sizeof(reply_wire), NULL, NULL);
	check_wire(&p, 3, reply_wire, (size_t)n, 64, pa);
	/* On the wire it opens with the mac1 A's end sent (what AWG uses). */
	uint8_t opened[16];
	size_t s3 = prefix(&p, 3);
	assert_int_equal(crypto_aead_xchacha20poly1305_ietf_decrypt(opened, NULL, NULL, reply_wire + s3 + 32, 32,
								    wire + prefix(&p, 1) + 116, 16, reply_wire + s3 + 8,
								    ck),
			 0);
	assert_memory_equal(opened, cookie, 16);
	assert_int_equal(wgm_obfs_inbound(a, reply_wire, (size_t)n, at_a, sizeof(at_a)), 64);
	/* A's backend opens it with its own mac1. */
	assert_int_equal(crypto_aead_xchacha20poly1305_ietf_decrypt(opened, NULL, NULL, at_a + 32, 32, init + 116, 16,
								    at_a + 8, ck),
			 0);
	assert_memory_equal(opened, cookie, 16);
	assert_memory_equal(at_a, reply, 32);

	/* A retries with mac2 = MAC(T, message up to mac2). */
	uint8_t init2[200], wire2[300], at_b2[300];
	len = backend_msg(init2, 1, 0, pb, NULL);
	wgm_blake2s(init2 + 132, 16, cookie, 16, init2, 132);
	n = wgm_obfs_outbound(a, init2, len, wire2, sizeof(wire2), NULL, NULL);
	size_t s1 = prefix(&p, 1);
	uint8_t want[16];
	wgm_blake2s(want, 16, cookie, 16, wire2 + s1, 132);
	assert_memory_equal(wire2 + s1 + 132, want, 16);
	assert_int_equal(wgm_obfs_inbound(b, wire2, (size_t)n, at_b2, sizeof(at_b2)), (ssize_t)len);
	assert_memory_equal(at_b2, init2, len);

	/* A cookie reply that opens with no mac1 A sent is dropped. */
	reply_wire[s3 + 40] ^= 1;
	assert_int_equal(wgm_obfs_inbound(a, reply_wire, 64 + s3, at_a, sizeof(at_a)), 0);
	wgm_obfs_free(a);
	wgm_obfs_free(b);
}

static void test_cookie_exchange_v1(void **state)
{
	cookie_exchange(1);
}

static void test_cookie_exchange_v2(void **state)
{
	cookie_exchange(2);
}

static void test_bad_input_dropped(void **state)
{
	for (uint8_t v = 1; v <= 2; v++) {
		test_rng_seed(200 + v);
		struct wgm_awg_params p;
		wgm_awg_params_random(v, &p, test_rng_fill);
		uint8_t pc[32];
		test_rng_fill(pa, 32);
		test_rng_fill(pb, 32);
		test_rng_fill(pc, 32);
		struct wgm_obfs *a = new_end(&p, pa, pb), *b = new_end(&p, pb, pa), *c = new_end(&p, pc, pa);
		uint8_t msg[200], wire[300], out[300];
		size_t len = backend_msg(msg, 1, 0, pb, NULL);
		ssize_t n = wgm_obfs_outbound(a, msg, len, wire, sizeof(wire), NULL, NULL);
		/* Meant for someone else: mac1 fails. */
		assert_int_equal(wgm_obfs_inbound(c, wire, (size_t)n, out, sizeof(out)), 0);
		/* Any flipped bit before mac2 breaks mac1 (or the classification). */
		for (size_t i = 0; i < (size_t)n - 16; i += 7) {
			uint8_t t[300];
			memcpy(t, wire, (size_t)n);
			if (i < p.s1)
				continue; /* the prefix is not covered */
			t[i] ^= 0x20;
			assert_int_equal(wgm_obfs_inbound(b, t, (size_t)n, out, sizeof(out)), 0);
		}
		/* Plain WireGuard is not ours. */
		assert_int_equal(wgm_obfs_inbound(b, msg, len, out, sizeof(out)), 0);
		/* Output buffer too small. */
		assert_int_equal(wgm_obfs_inbound(b, wire, (size_t)n, out, len - 1), -EMSGSIZE);
		assert_int_equal(wgm_obfs_outbound(a, msg, len, wire, len, NULL, NULL),
				 p.s1 ? -EMSGSIZE : (ssize_t)len);
		/* Outbound takes only WireGuard messages. */
		assert_int_equal(wgm_obfs_outbound(a, msg, len - 1, wire, sizeof(wire), NULL, NULL), -EINVAL);
		/* An emit callback that stops the send. */
		assert_true(wgm_obfs_outbound(a, msg, len, wire, sizeof(wire), stop_emit, NULL) < 0);
		/* Junk itself. */
		size_t accepted = 0;
		for (int i = 0; i < 3000; i++) {
			struct junk_log junk = { 0 };
			(void)junk;
			uint8_t j[300];
			size_t jl = p.jmin + test_rng_below(p.jmax - p.jmin + 1u);
			test_rng_fill(j, jl);
			accepted += wgm_obfs_inbound(b, j, jl, out, sizeof(out)) > 0;
		}
		print_message("v%u: junk accepted %zu of 3000\n", v, accepted);
		assert_true(accepted <= 1);
		wgm_obfs_free(a);
		wgm_obfs_free(b);
		wgm_obfs_free(c);
	}
}

static void test_params_check(void **state)
{
	char err[128];
	struct wgm_awg_params p = observed;
	assert_int_equal(wgm_awg_params_check(&p, err, sizeof(err)), 0);
#define BAD(field_change, word)                                                        \
	do {                                                                           \
		p = observed;                                                          \
		field_change;                                                          \
		assert_int_equal(wgm_awg_params_check(&p, err, sizeof(err)), -EINVAL); \
		assert_non_null(strstr(err, word));                                    \
	} while (0)
	BAD(p.version = 3, "version");
	BAD(p.jmax = 39, "jmax");
	BAD(p.jmin = 0, "jmin");
	BAD(p.s3 = 1, "s3");
	BAD(p.s2 = 71, "s1/s2"); /* 148 + 15 == 92 + 71 */
	BAD(p.h[0].lo = p.h[0].hi = 4, "h1");
	BAD(p.h[1].lo = p.h[1].hi = 1111, "h2");
	BAD(p.h[2].hi = 3334, "h3");
	BAD(p.s1 = 65507, "s1");
	p = observed;
	p.version = 2;
	p.h[3] = (struct wgm_awg_range){ 4000, 5000 };
	p.s3 = 10;
	p.s4 = 8;
	assert_int_equal(wgm_awg_params_check(&p, err, sizeof(err)), 0);
	p.h[2] = (struct wgm_awg_range){ 3333, 4000 };
	assert_int_equal(wgm_awg_params_check(&p, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "overlaps"));
	p.h[2] = (struct wgm_awg_range){ 3333, 3333 };
	p.s3 = 148 + 15 - 64;
	assert_int_equal(wgm_awg_params_check(&p, err, sizeof(err)), -EINVAL);
	/* Jc 0 needs no junk lengths. */
	p = observed;
	p.jc = 0;
	p.jmin = p.jmax = 0;
	assert_int_equal(wgm_awg_params_check(&p, err, sizeof(err)), 0);
	/* wgm_obfs_new refuses what the check refuses. */
	struct wgm_obfs_config cfg = { .type = WGM_LINK_AMNEZIAWG, .awg = observed };
	cfg.awg.h[1] = cfg.awg.h[0];
	struct wgm_obfs *o;
	assert_int_equal(wgm_obfs_new(&cfg, &o, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "h2"));
}

static void test_random_params_always_valid(void **state)
{
	char err[128];
	for (uint64_t seed = 1; seed <= 5000; seed++) {
		test_rng_seed(seed);
		struct wgm_awg_params p;
		uint8_t v = (uint8_t)(1 + seed % 2);
		wgm_awg_params_random(v, &p, test_rng_fill);
		assert_int_equal(p.version, v);
		assert_int_equal(wgm_awg_params_check(&p, err, sizeof(err)), 0);
		assert_true(p.jc >= 3 && p.jc <= 8);
		assert_true(p.jmin >= 40 && p.jmax <= 200 && p.jmin < p.jmax);
		assert_true(p.s1 >= 15 && p.s1 <= 64 && p.s2 >= 15 && p.s2 <= 64);
		if (v == 2) {
			assert_true(p.s3 >= 15 && p.s3 <= 64 && p.s4 >= 1 && p.s4 <= 16);
			assert_int_equal(p.h[0].hi - p.h[0].lo, 999999);
		} else {
			assert_int_equal(p.h[0].hi, p.h[0].lo);
		}
	}
}

/* Without an injected source: libsodium-seeded stream, prefixes and H values
 * differ per datagram, junk of any length, and it still round-trips. */
static void test_default_random_source(void **state)
{
	struct wgm_awg_params p = observed;
	p.version = 2;
	p.s4 = 8;
	p.jmax = 1000; /* junk longer than the pool */
	for (int i = 0; i < 3; i++)
		p.h[i].hi = p.h[i].lo + 999;
	p.h[3].lo = 5000;
	p.h[3].hi = 6000;
	struct wgm_obfs_config cfg = { .type = WGM_LINK_AMNEZIAWG, .awg = p };
	memset(cfg.local_public, 1, 32);
	memset(cfg.remote_public, 2, 32);
	struct wgm_obfs *a, *b;
	char err[128];
	assert_int_equal(wgm_obfs_new(&cfg, &a, err, sizeof(err)), 0);
	memset(cfg.local_public, 2, 32);
	memset(cfg.remote_public, 1, 32);
	assert_int_equal(wgm_obfs_new(&cfg, &b, err, sizeof(err)), 0);
	memset(pb, 2, 32);
	uint8_t msg[1500], w1[1600], w2[1600], back[1600];
	test_rng_seed(9);
	size_t len = backend_msg(msg, 4, 1424, pb, NULL);
	ssize_t n1 = wgm_obfs_outbound(a, msg, len, w1, sizeof(w1), NULL, NULL);
	ssize_t n2 = wgm_obfs_outbound(a, msg, len, w2, sizeof(w2), NULL, NULL);
	assert_int_equal(n1, (ssize_t)len + 8);
	assert_int_equal(n2, n1);
	assert_memory_not_equal(w1, w2, 12);
	assert_int_equal(wgm_obfs_inbound(b, w2, (size_t)n2, back, sizeof(back)), (ssize_t)len);
	assert_memory_equal(back, msg, len);
	len = backend_msg(msg, 1, 0, pb, NULL);
	struct junk_log junk = { 0 };
	for (int i = 0; i < 20; i++) {
		ssize_t n = wgm_obfs_outbound(a, msg, len, w1, sizeof(w1), collect, &junk);
		assert_int_equal(wgm_obfs_inbound(b, w1, (size_t)n, back, sizeof(back)), (ssize_t)len);
	}
	assert_int_equal(junk.n, 60);
	wgm_obfs_free(a);
	wgm_obfs_free(b);
}

static void test_max_growth(void **state)
{
	struct wgm_obfs_config cfg = { .type = WGM_LINK_AMNEZIAWG, .awg = observed };
	assert_int_equal(wgm_obfs_max_growth(&cfg), 0);
	cfg.awg.version = 2;
	cfg.awg.s4 = 12;
	assert_int_equal(wgm_obfs_max_growth(&cfg), 12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trips_v1),
		cmocka_unit_test(test_round_trips_v2),
		cmocka_unit_test(test_observed_layout_v1),
		cmocka_unit_test(test_junk_lengths),
		cmocka_unit_test(test_cookie_exchange_v1),
		cmocka_unit_test(test_cookie_exchange_v2),
		cmocka_unit_test(test_bad_input_dropped),
		cmocka_unit_test(test_params_check),
		cmocka_unit_test(test_random_params_always_valid),
		cmocka_unit_test(test_default_random_source),
		cmocka_unit_test(test_max_growth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
