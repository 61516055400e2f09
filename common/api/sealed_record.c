/* Sealed, signed member records (sealed_record.h). */
#include "common/api/sealed_record.h"

#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "common/api/api_b64.h"
#include "common/util/be.h"

#define FIELDS_LEN (4 + WGM_API_KEY_LEN + WGM_SEALED_EXTRA_LEN + WGM_SEALED_BOX_LEN)
#define MESSAGE_MAX (WGM_SEALED_CONTEXT_MAX + 1 + FIELDS_LEN)

_Static_assert(WGM_SEALED_BOX_LEN == WGM_SEALED_SECRET_LEN + crypto_box_SEALBYTES, "sealed secret length");
_Static_assert(WGM_SEALED_RECORD_B64_MAX > WGM_B64_LEN(FIELDS_LEN + WGM_TRUST_SIG_LEN), "record text buffer too small");

static void fields(const struct wgm_sealed_record *r, uint8_t f[FIELDS_LEN])
{
	wgm_put_be32(f, r->node_id);
	memcpy(f + 4, r->api_pk, WGM_API_KEY_LEN);
	memcpy(f + 4 + WGM_API_KEY_LEN, r->extra, WGM_SEALED_EXTRA_LEN);
	memcpy(f + 4 + WGM_API_KEY_LEN + WGM_SEALED_EXTRA_LEN, r->sealed, WGM_SEALED_BOX_LEN);
}

/* CONTEXT NUL FIELDS: what is signed. 0 for a context too long. */
static size_t message(const struct wgm_sealed_record *r, const char *context, uint8_t out[MESSAGE_MAX])
{
	size_t clen = strlen(context);

	if (clen > WGM_SEALED_CONTEXT_MAX)
		return 0;
	memcpy(out, context, clen + 1);
	fields(r, out + clen + 1);
	return clen + 1 + FIELDS_LEN;
}

int wgm_sealed_record_seal(struct wgm_sealed_record *r, const char *context,
			   const uint8_t secret[WGM_SEALED_SECRET_LEN], const uint8_t sk[WGM_TRUST_SK_LEN])
{
	uint8_t msg[MESSAGE_MAX];
	size_t len;

	if (crypto_box_seal(r->sealed, secret, WGM_SEALED_SECRET_LEN, r->api_pk) != 0)
		return -EINVAL;
	len = message(r, context, msg);
	if (!len)
		return -EINVAL;
	crypto_sign_detached(r->sig, NULL, msg, len, sk);
	return 0;
}

int wgm_sealed_record_verify(const struct wgm_sealed_record *r, const char *context, const uint8_t pk[WGM_TRUST_PK_LEN])
{
	uint8_t msg[MESSAGE_MAX];
	size_t len = message(r, context, msg);

	return len && crypto_sign_verify_detached(r->sig, msg, len, pk) == 0 ? 0 : -EACCES;
}

int wgm_sealed_record_open(const struct wgm_sealed_record *r, const struct wgm_api_keypair *kp,
			   uint8_t secret[WGM_SEALED_SECRET_LEN])
{
	if (sodium_memcmp(r->api_pk, kp->pk, WGM_API_KEY_LEN) != 0 ||
	    crypto_box_seal_open(secret, r->sealed, WGM_SEALED_BOX_LEN, kp->pk, kp->sk) != 0) {
		sodium_memzero(secret, WGM_SEALED_SECRET_LEN);
		return -EACCES;
	}
	return 0;
}

void wgm_sealed_record_encode(const struct wgm_sealed_record *r, char out[WGM_SEALED_RECORD_B64_MAX])
{
	uint8_t bin[FIELDS_LEN + WGM_TRUST_SIG_LEN];

	fields(r, bin);
	memcpy(bin + FIELDS_LEN, r->sig, WGM_TRUST_SIG_LEN);
	wgm_b64_encode(bin, sizeof(bin), out, WGM_SEALED_RECORD_B64_MAX);
}

int wgm_sealed_record_decode(const char *b64, struct wgm_sealed_record *r)
{
	uint8_t bin[FIELDS_LEN + WGM_TRUST_SIG_LEN];
	const uint8_t *p = bin;

	memset(r, 0, sizeof(*r));
	if (!b64 || wgm_b64_decode_exact(b64, bin, sizeof(bin)) < 0)
		return -EINVAL;
	r->node_id = wgm_get_be32(p);
	p += 4;
	memcpy(r->api_pk, p, WGM_API_KEY_LEN);
	p += WGM_API_KEY_LEN;
	memcpy(r->extra, p, WGM_SEALED_EXTRA_LEN);
	p += WGM_SEALED_EXTRA_LEN;
	memcpy(r->sealed, p, WGM_SEALED_BOX_LEN);
	memcpy(r->sig, bin + FIELDS_LEN, WGM_TRUST_SIG_LEN);
	return 0;
}
