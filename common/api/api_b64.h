/* Base64 for fixed-length binary values (keys, nonces, secrets) in API JSON. */
#ifndef WGM_COMMON_API_B64_H
#define WGM_COMMON_API_B64_H

#include <stddef.h>
#include <stdint.h>

/* Standard alphabet with padding, as WireGuard prints keys: 32 bytes -> 44 chars. */
#define WGM_B64_LEN(n) ((((n) + 2) / 3) * 4)
#define WGM_B64_KEY_LEN WGM_B64_LEN(32)

/* Encodes len bytes into out (NUL-terminated). Returns 0 or -ENOSPC. */
int wgm_b64_encode(const uint8_t *bin, size_t len, char *out, size_t outlen);

/* Decodes text that must be exactly the encoding of len bytes (no spaces, no
 * other length). Returns 0, or -EINVAL; on failure out is zeroed. The
 * decoding runs in constant time over the input (libsodium's decoder). */
int wgm_b64_decode_exact(const char *text, uint8_t *out, size_t len);

#endif
