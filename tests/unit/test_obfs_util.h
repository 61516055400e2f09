/* Helpers shared by the obfuscation unit tests: hex decoding, a seeded
 * pseudo-random generator (also as a wgm_obfs_random_fn), and makers of
 * random WireGuard messages of each type. */
#ifndef WGM_TEST_OBFS_UTIL_H
#define WGM_TEST_OBFS_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t test_rng_state = 0x9e3779b97f4a7c15ull;

static inline void test_rng_seed(uint64_t s)
{
	test_rng_state = s ? s : 1;
}

/* splitmix64: fixed seed, same stream on every run. */
static inline uint64_t test_rng_u64(void)
{
	uint64_t z = (test_rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline uint32_t test_rng_below(uint32_t n)
{
	return (uint32_t)(test_rng_u64() % n);
}

static inline void test_rng_fill(void *buf, size_t len)
{
	uint8_t *p = buf;
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)test_rng_u64();
}

static inline size_t test_hex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex) / 2;
	if (n > cap)
		n = cap;
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		char b[3] = { hex[2 * i], hex[2 * i + 1], 0 };
		v = (unsigned)strtoul(b, NULL, 16);
		out[i] = (uint8_t)v;
	}
	return n;
}

/* A random WireGuard message of TYPE (1..4): type, zero reserved, random
 * body; transport of LEN bytes (>= 32, 16-aligned after the header).
 * MAC2: 0 = zero, 1 = random non-zero (handshakes only). Returns the length. */
static inline size_t test_wg_msg(uint8_t *m, unsigned type, size_t data_len, int mac2)
{
	size_t len = type == 1 ? 148 : type == 2 ? 92 : type == 3 ? 64 : data_len;
	test_rng_fill(m, len);
	m[0] = (uint8_t)type;
	m[1] = m[2] = m[3] = 0;
	if (type == 1 || type == 2) {
		uint8_t *mac2p = m + len - 16;
		if (!mac2)
			memset(mac2p, 0, 16);
		else if (!(mac2p[0] | mac2p[1] | mac2p[2] | mac2p[3]))
			mac2p[0] = 1;
	}
	return len;
}

static inline size_t test_random_data_len(void)
{
	return 32 + 16 * (size_t)test_rng_below((1440 - 32) / 16 + 1);
}

#endif
