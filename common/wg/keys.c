#include "common/wg/keys.h"

#include <errno.h>
#include <sodium.h>
#include <string.h>

#include "common/api/api_b64.h"

int wgm_keys_init(void)
{
	/* 0: initialised now, 1: already initialised, -1: failure. */
	return sodium_init() < 0 ? -EIO : 0;
}

/* RFC 7748 clamping, as WireGuard's curve25519_clamp_secret. */
static void clamp(uint8_t key[WGM_KEY_LEN])
{
	key[0] &= 248;
	key[31] = (uint8_t)((key[31] & 127) | 64);
}

int wgm_key_generate_private(uint8_t priv[WGM_KEY_LEN])
{
	if (wgm_keys_init() < 0)
		return -EIO;
	randombytes_buf(priv, WGM_KEY_LEN);
	clamp(priv);
	return 0;
}

int wgm_key_public(uint8_t pub[WGM_KEY_LEN], const uint8_t priv[WGM_KEY_LEN])
{
	uint8_t scalar[WGM_KEY_LEN];
	int ret = 0;

	if (wgm_keys_init() < 0)
		return -EIO;
	memcpy(scalar, priv, WGM_KEY_LEN);
	clamp(scalar);
	if (crypto_scalarmult_base(pub, scalar) != 0) {
		sodium_memzero(pub, WGM_KEY_LEN);
		ret = -EINVAL;
	}
	sodium_memzero(scalar, sizeof(scalar));
	return ret;
}

int wgm_key_generate_preshared(uint8_t psk[WGM_KEY_LEN])
{
	if (wgm_keys_init() < 0)
		return -EIO;
	randombytes_buf(psk, WGM_KEY_LEN);
	return 0;
}

void wgm_key_to_base64(char out[WGM_KEY_B64_SIZE], const uint8_t key[WGM_KEY_LEN])
{
	/* The buffer is sized for exactly this, so encoding cannot fail. */
	wgm_b64_encode(key, WGM_KEY_LEN, out, WGM_KEY_B64_SIZE);
}

int wgm_key_from_base64(uint8_t key[WGM_KEY_LEN], const char *text)
{
	/* libsodium's decoder maps characters with arithmetic, not tables, and
	 * refuses set bits past the end of the data, as wg's own decoder does. */
	if (wgm_keys_init() < 0)
		return -EIO;
	return wgm_b64_decode_exact(text, key, WGM_KEY_LEN);
}

bool wgm_key_equal(const uint8_t a[WGM_KEY_LEN], const uint8_t b[WGM_KEY_LEN])
{
	return sodium_memcmp(a, b, WGM_KEY_LEN) == 0;
}

bool wgm_key_is_zero(const uint8_t key[WGM_KEY_LEN])
{
	return sodium_is_zero(key, WGM_KEY_LEN) == 1;
}

void wgm_key_wipe(void *key, size_t len)
{
	sodium_memzero(key, len);
}
