#include "common/api/api_b64.h"

#include <errno.h>
#include <sodium.h>
#include <string.h>

int wgm_b64_encode(const uint8_t *bin, size_t len, char *out, size_t outlen)
{
	if (outlen < sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL))
		return -ENOSPC;
	sodium_bin2base64(out, outlen, bin, len, sodium_base64_VARIANT_ORIGINAL);
	return 0;
}

int wgm_b64_decode_exact(const char *text, uint8_t *out, size_t len)
{
	size_t got = 0;
	const char *end = NULL;

	if (!text || strlen(text) != WGM_B64_LEN(len))
		goto bad;
	if (sodium_base642bin(out, len, text, strlen(text), NULL, &got, &end, sodium_base64_VARIANT_ORIGINAL) != 0)
		goto bad;
	if (got != len || *end != '\0')
		goto bad;
	return 0;
bad:
	sodium_memzero(out, len);
	return -EINVAL;
}
