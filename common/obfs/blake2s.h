/* BLAKE2s (RFC 7693), plain and keyed, digests of 1..32 bytes: WireGuard's
 * HASH and MAC, which libsodium does not offer (it has BLAKE2b only). Used
 * by the AmneziaWG transform to check and recompute mac1/mac2. The state
 * is wiped by wgm_blake2s_final. */
#ifndef WGM_COMMON_OBFS_BLAKE2S_H
#define WGM_COMMON_OBFS_BLAKE2S_H

#include <stddef.h>
#include <stdint.h>

#define WGM_BLAKE2S_OUT_MAX 32
#define WGM_BLAKE2S_KEY_MAX 32
#define WGM_BLAKE2S_BLOCK 64

struct wgm_blake2s {
	uint32_t h[8];
	uint32_t t[2]; /* bytes hashed so far, 64-bit */
	uint8_t b[WGM_BLAKE2S_BLOCK];
	size_t c; /* bytes in b */
	size_t outlen;
};

/* OUTLEN 1..32, KEYLEN 0..32 (KEY may be NULL when 0). 0 or -EINVAL. */
int wgm_blake2s_init(struct wgm_blake2s *s, size_t outlen, const void *key, size_t keylen);
void wgm_blake2s_update(struct wgm_blake2s *s, const void *in, size_t len);
void wgm_blake2s_final(struct wgm_blake2s *s, void *out);

/* One call: OUT = BLAKE2s-OUTLEN(KEY; IN). 0 or -EINVAL. */
int wgm_blake2s(void *out, size_t outlen, const void *key, size_t keylen, const void *in, size_t inlen);

#endif
