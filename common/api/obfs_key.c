#include "common/api/obfs_key.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <sodium.h>

#include "common/api/api_b64.h"

#define RANDOM_BYTES 24 /* base64url without padding: exactly 32 characters */

static bool is_url_char(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

static bool is_text_key(const uint8_t *key, size_t len)
{
	bool ok = len == WGM_OBFS_KEY_LEN;

	/* No early exit: the key is secret. */
	for (size_t i = 0; i < len; i++)
		ok &= is_url_char(key[i]);
	return ok;
}

int wgm_obfs_key_generate(uint8_t key[WGM_OBFS_KEY_LEN])
{
	uint8_t raw[RANDOM_BYTES];
	char text[WGM_OBFS_KEY_LEN + 1];

	randombytes_buf(raw, sizeof(raw));
	if (!sodium_bin2base64(text, sizeof(text), raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING)) {
		sodium_memzero(raw, sizeof(raw));
		return -EIO;
	}
	memcpy(key, text, WGM_OBFS_KEY_LEN);
	sodium_memzero(raw, sizeof(raw));
	sodium_memzero(text, sizeof(text));
	return 0;
}

void wgm_obfs_key_to_text(const uint8_t key[WGM_OBFS_KEY_LEN], char out[WGM_OBFS_KEY_TEXT_MAX])
{
	if (is_text_key(key, WGM_OBFS_KEY_LEN)) {
		memcpy(out, key, WGM_OBFS_KEY_LEN);
		out[WGM_OBFS_KEY_LEN] = '\0';
		return;
	}
	wgm_b64_encode(key, WGM_OBFS_KEY_LEN, out, WGM_OBFS_KEY_TEXT_MAX);
}

int wgm_obfs_key_from_text(const char *text, uint8_t key[WGM_OBFS_KEY_LEN])
{
	size_t len = text ? strlen(text) : 0;

	if (len == WGM_OBFS_KEY_LEN && is_text_key((const uint8_t *)text, len)) {
		memcpy(key, text, WGM_OBFS_KEY_LEN);
		return 0;
	}
	if (text && wgm_b64_decode_exact(text, key, WGM_OBFS_KEY_LEN) == 0)
		return 0;
	sodium_memzero(key, WGM_OBFS_KEY_LEN);
	return -EINVAL;
}
