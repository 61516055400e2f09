#include "common/obfs/blake2s.h"

#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "common/obfs/wg_msg.h"

/* RFC 7693 §2.6: BLAKE2s uses SHA-256's initialisation vector. */
static const uint32_t iv[8] = { 0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A,
				0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19 };

/* RFC 7693 §2.7: message word schedule, ten rounds. */
static const uint8_t sigma[10][16] = {
	{ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
	{ 14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3 },
	{ 11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4 },
	{ 7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8 },
	{ 9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13 },
	{ 2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9 },
	{ 12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11 },
	{ 13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10 },
	{ 6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5 },
	{ 10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0 },
};

static uint32_t rotr(uint32_t v, int n)
{
	return (v >> n) | (v << (32 - n));
}

/* RFC 7693 §3.1, rotations 16, 12, 8, 7 for BLAKE2s. */
#define G(a, b, c, d, x, y)                   \
	do {                                  \
		v[a] = v[a] + v[b] + (x);     \
		v[d] = rotr(v[d] ^ v[a], 16); \
		v[c] = v[c] + v[d];           \
		v[b] = rotr(v[b] ^ v[c], 12); \
		v[a] = v[a] + v[b] + (y);     \
		v[d] = rotr(v[d] ^ v[a], 8);  \
		v[c] = v[c] + v[d];           \
		v[b] = rotr(v[b] ^ v[c], 7);  \
	} while (0)

static void compress(struct wgm_blake2s *s, int last)
{
	uint32_t v[16], m[16];
	for (int i = 0; i < 8; i++) {
		v[i] = s->h[i];
		v[i + 8] = iv[i];
	}
	v[12] ^= s->t[0];
	v[13] ^= s->t[1];
	if (last)
		v[14] = ~v[14];
	for (int i = 0; i < 16; i++)
		m[i] = wg_get_le32(s->b + 4 * i);
	for (int r = 0; r < 10; r++) {
		const uint8_t *z = sigma[r];
		G(0, 4, 8, 12, m[z[0]], m[z[1]]);
		G(1, 5, 9, 13, m[z[2]], m[z[3]]);
		G(2, 6, 10, 14, m[z[4]], m[z[5]]);
		G(3, 7, 11, 15, m[z[6]], m[z[7]]);
		G(0, 5, 10, 15, m[z[8]], m[z[9]]);
		G(1, 6, 11, 12, m[z[10]], m[z[11]]);
		G(2, 7, 8, 13, m[z[12]], m[z[13]]);
		G(3, 4, 9, 14, m[z[14]], m[z[15]]);
	}
	for (int i = 0; i < 8; i++)
		s->h[i] ^= v[i] ^ v[i + 8];
	sodium_memzero(v, sizeof(v));
	sodium_memzero(m, sizeof(m));
}

static void count(struct wgm_blake2s *s, size_t n)
{
	s->t[0] += (uint32_t)n;
	if (s->t[0] < n)
		s->t[1]++;
}

int wgm_blake2s_init(struct wgm_blake2s *s, size_t outlen, const void *key, size_t keylen)
{
	if (outlen < 1 || outlen > WGM_BLAKE2S_OUT_MAX || keylen > WGM_BLAKE2S_KEY_MAX || (keylen && !key))
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	memcpy(s->h, iv, sizeof(s->h));
	/* Parameter block word 0: digest length, key length, fanout 1, depth 1. */
	s->h[0] ^= 0x01010000 ^ (uint32_t)(keylen << 8) ^ (uint32_t)outlen;
	s->outlen = outlen;
	if (keylen) {
		/* The key, zero-padded to a block, is the first block. */
		memcpy(s->b, key, keylen);
		s->c = WGM_BLAKE2S_BLOCK;
	}
	return 0;
}

void wgm_blake2s_update(struct wgm_blake2s *s, const void *in, size_t len)
{
	const uint8_t *p = in;
	while (len > 0) {
		/* The last block is compressed in final, with the last flag, so a
		 * full buffer is compressed only when more input follows. */
		if (s->c == WGM_BLAKE2S_BLOCK) {
			count(s, WGM_BLAKE2S_BLOCK);
			compress(s, 0);
			s->c = 0;
		}
		size_t take = WGM_BLAKE2S_BLOCK - s->c;
		if (take > len)
			take = len;
		memcpy(s->b + s->c, p, take);
		s->c += take;
		p += take;
		len -= take;
	}
}

void wgm_blake2s_final(struct wgm_blake2s *s, void *out)
{
	count(s, s->c);
	memset(s->b + s->c, 0, WGM_BLAKE2S_BLOCK - s->c);
	compress(s, 1);
	uint8_t full[32];
	for (int i = 0; i < 8; i++)
		wg_put_le32(full + 4 * i, s->h[i]);
	memcpy(out, full, s->outlen);
	sodium_memzero(full, sizeof(full));
	sodium_memzero(s, sizeof(*s));
}

int wgm_blake2s(void *out, size_t outlen, const void *key, size_t keylen, const void *in, size_t inlen)
{
	struct wgm_blake2s s;
	int rc = wgm_blake2s_init(&s, outlen, key, keylen);
	if (rc < 0)
		return rc;
	wgm_blake2s_update(&s, in, inlen);
	wgm_blake2s_final(&s, out);
	return 0;
}
