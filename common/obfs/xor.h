/* The XOR target's transform (obfuscation.md §3): every byte of the UDP
 * payload XORed with the key repeated from its first byte, afresh for each
 * datagram. Its own inverse; length unchanged; IN and OUT may be the same. */
#ifndef WGM_COMMON_OBFS_XOR_H
#define WGM_COMMON_OBFS_XOR_H

#include <stddef.h>
#include <stdint.h>

/* KEY_LEN must be at least 1. */
void wgm_xor_apply(const uint8_t *key, size_t key_len, const uint8_t *in, size_t len, uint8_t *out);

#endif
