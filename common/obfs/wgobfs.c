#include "common/obfs/wgobfs.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <sodium.h>

#include "common/obfs/chacha6.h"
#include "common/obfs/wg_msg.h"

/* The module drops a keepalive unless the PRF byte is <= 50 (51/256 kept). */
#define KEEPALIVE_KEEP_MAX 50
/* Messages above this size get at most 8 bytes of padding (MTU room). */
#define SMALL_MSG_MAX 200
#define PAD_MIN 4
/* Bytes 16..31 of every message feed the PRF; bytes 0..15 are masked. */
#define PRF_IN 16
#define HEAD_LEN 20

void wgm_wgobfs_expand_key(const uint8_t *key, size_t len, uint32_t words[8])
{
	uint8_t k[32];
	for (size_t i = 0; i < sizeof(k); i++)
		k[i] = key[i % len];
	for (int i = 0; i < 8; i++)
		words[i] = wg_get_le32(k + 4 * i);
	sodium_memzero(k, sizeof(k));
}

/* The module's counter: a copy of bytes 16..31 whose first byte starts 42
 * higher and goes up by one (as a u8) before each use. */
static void next(uint8_t cin[16])
{
	cin[0]++;
}

ssize_t wgm_wgobfs_obfs(const uint32_t key[8], const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	if (len < WGM_WG_DATA_MIN_LEN)
		return -EINVAL;
	uint8_t cin[16], rnd[32], head[HEAD_LEN];
	memcpy(cin, in + PRF_IN, sizeof(cin));
	cin[0] += 42;

	if (in[0] == WGM_WG_TYPE_DATA && len == WGM_WG_DATA_MIN_LEN) {
		next(cin);
		wgm_chacha6_hash(cin, key, rnd, 1);
		if (rnd[0] > KEEPALIVE_KEEP_MAX) {
			sodium_memzero(rnd, sizeof(rnd));
			return 0;
		}
	}

	/* Padding length: the first byte of a PRF block within [4, maxr];
	 * the padding itself is that block's first r bytes. */
	unsigned maxr = len > SMALL_MSG_MAX ? WGM_WGOBFS_PAD_MAX_LARGE : WGM_WGOBFS_PAD_MAX;
	unsigned r = 0;
	/* The counter byte wraps after 256 blocks and the blocks repeat; a
	 * run of 8 KiB of PRF output without a single byte in range never
	 * happens in practice (p < 1e-69), but the loop must end: take maxr. */
	for (int tries = 0; r == 0; tries++) {
		if (tries == 256) {
			r = maxr;
			break;
		}
		next(cin);
		wgm_chacha6_hash(cin, key, rnd, 8);
		for (size_t i = 0; i < sizeof(rnd) && r == 0; i++)
			if (rnd[i] >= PAD_MIN && rnd[i] <= maxr)
				r = rnd[i];
	}
	if (cap < len + r)
		return -EMSGSIZE;
	memmove(out, in, len);

	/* A zero mac2 (first 4 bytes) would give the handshake away: it becomes
	 * PRF bytes and the type says so (0x11 / 0x12) for the receiver. */
	size_t mac2 = 0;
	if (out[0] == WGM_WG_TYPE_INIT && len == WGM_WG_INIT_LEN)
		mac2 = WGM_WG_INIT_MAC2;
	else if (out[0] == WGM_WG_TYPE_RESPONSE && len == WGM_WG_RESPONSE_LEN)
		mac2 = WGM_WG_RESPONSE_MAC2;
	if (mac2 && wg_get_le32(out + mac2) == 0) {
		next(cin);
		wgm_chacha6_hash(cin, key, out + mac2, 4);
		out[0] |= 0x10;
	}

	wgm_chacha6_hash(out + PRF_IN, key, head, 5);
	memcpy(out + len, rnd, r);
	out[len + r - 1] = (uint8_t)(r ^ head[16]);
	for (int i = 0; i < 16; i++)
		out[i] ^= head[i];
	sodium_memzero(rnd, sizeof(rnd));
	sodium_memzero(cin, sizeof(cin));
	sodium_memzero(head, sizeof(head));
	return (ssize_t)(len + r);
}

ssize_t wgm_wgobfs_unobfs(const uint32_t key[8], const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	/* 32 bytes of message + at least 4 of padding. */
	if (len < WGM_WG_DATA_MIN_LEN + PAD_MIN)
		return 0;
	uint8_t head[HEAD_LEN];
	wgm_chacha6_hash(in + PRF_IN, key, head, 5);
	size_t r = in[len - 1] ^ head[16];
	if (r == 0 || r + WGM_WG_DATA_MIN_LEN > len) {
		sodium_memzero(head, sizeof(head));
		return 0;
	}
	size_t n = len - r;
	if (cap < n) {
		sodium_memzero(head, sizeof(head));
		return -EMSGSIZE;
	}
	memmove(out, in, n);
	for (int i = 0; i < 16; i++)
		out[i] ^= head[i];
	sodium_memzero(head, sizeof(head));
	/* The masked mac2 of a handshake message was zero before. */
	if (out[0] == (0x10 | WGM_WG_TYPE_INIT) && n >= WGM_WG_INIT_LEN)
		memset(out + WGM_WG_INIT_MAC2, 0, WGM_WG_MAC_LEN);
	else if (out[0] == (0x10 | WGM_WG_TYPE_RESPONSE) && n >= WGM_WG_RESPONSE_LEN)
		memset(out + WGM_WG_RESPONSE_MAC2, 0, WGM_WG_MAC_LEN);
	out[0] &= 0x0F;
	return (ssize_t)n;
}
