/* The XOR target's transform (obfuscation.md §3): every byte of the UDP
 * payload XORed with the key repeated from its first byte, afresh for each
 * datagram. Its own inverse; length unchanged; IN and OUT may be the same.
 * The key is prepared once into a stream of whole key periods, so the
 * per-packet loop runs on 8-byte words. */
#ifndef WGM_COMMON_OBFS_XOR_H
#define WGM_COMMON_OBFS_XOR_H

#include <stddef.h>
#include <stdint.h>

#define WGM_XOR_STREAM 512

struct wgm_xor_key {
	uint8_t stream[WGM_XOR_STREAM]; /* the key repeated, secret */
	size_t period;                  /* whole key periods in stream, <= WGM_XOR_STREAM */
};

/* KEY_LEN 1..32 (anything from 1 up to WGM_XOR_STREAM works). */
void wgm_xor_prepare(struct wgm_xor_key *k, const uint8_t *key, size_t key_len);
void wgm_xor_apply(const struct wgm_xor_key *k, const uint8_t *in, size_t len, uint8_t *out);

#endif
