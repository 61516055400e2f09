/* xt_WGOBFS's pseudo-random function ("chacha6 hash", obfuscation.md §2.2):
 * the ChaCha block function with 6 rounds over a 32-byte key and a 16-byte
 * input in the counter/nonce words, output words = state + input state. Pure;
 * it keeps no state and wipes its working copy. */
#ifndef WGM_COMMON_OBFS_CHACHA6_H
#define WGM_COMMON_OBFS_CHACHA6_H

#include <stddef.h>
#include <stdint.h>

/* Writes NWORDS (1..8) little-endian output words, 4 * NWORDS bytes, to OUT. */
void wgm_chacha6_hash(const uint8_t in[16], const uint32_t key[8], uint8_t *out, unsigned nwords);

#endif
