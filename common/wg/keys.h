/* WireGuard keys: X25519 key pairs and preshared keys, byte for byte what
 * `wg genkey`, `wg pubkey` and `wg genpsk` produce, and their base64 text. */
#ifndef WGM_COMMON_KEYS_H
#define WGM_COMMON_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WGM_KEY_LEN 32
#define WGM_KEY_B64_LEN 44 /* standard base64 with one '=' */
#define WGM_KEY_B64_SIZE (WGM_KEY_B64_LEN + 1)

/* Initialises libsodium (idempotent, thread-safe). Returns 0 or -EIO. Every
 * other function here calls it as needed; callers may call it early to fail
 * at start-up rather than later. */
int wgm_keys_init(void);

/* A new private key: 32 random bytes, clamped as `wg genkey` clamps them.
 * Returns 0 or -EIO (no randomness). */
int wgm_key_generate_private(uint8_t priv[WGM_KEY_LEN]);

/* The public key of PRIV (clamped first, as wg does, so an unclamped key
 * gives the same result as `wg pubkey`). Returns 0, or -EINVAL when the
 * result would be the all-zero point. */
int wgm_key_public(uint8_t pub[WGM_KEY_LEN], const uint8_t priv[WGM_KEY_LEN]);

/* A new preshared key: 32 random bytes (`wg genpsk`). Returns 0 or -EIO. */
int wgm_key_generate_preshared(uint8_t psk[WGM_KEY_LEN]);

/* 44 characters of standard base64 and a NUL. */
void wgm_key_to_base64(char out[WGM_KEY_B64_SIZE], const uint8_t key[WGM_KEY_LEN]);

/* Decodes exactly 44 characters of standard base64 (ending in one '=', no
 * whitespace, no other length, no stray low bits in the last character) in
 * time independent of the key's content. Returns 0 or -EINVAL ("Key is not
 * the correct length or format"); on failure KEY is zeroed. */
int wgm_key_from_base64(uint8_t key[WGM_KEY_LEN], const char *text);

/* Constant-time comparisons. */
bool wgm_key_equal(const uint8_t a[WGM_KEY_LEN], const uint8_t b[WGM_KEY_LEN]);
bool wgm_key_is_zero(const uint8_t key[WGM_KEY_LEN]);

/* Wipes key material (buffers of keys, their base64 text) so it does not
 * linger in memory. */
void wgm_key_wipe(void *key, size_t len);

#endif
