/* Grants of the mesh signing key (admin_grant.h). */
#include "common/api/admin_grant.h"

#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "common/api/api_b64.h"
#include "common/util/be.h"

#define GRANT_CONTEXT "wgmesh admin grant v1"
#define GRANT_FIELDS_LEN (4 + WGM_API_KEY_LEN + 8 + 4 + WGM_ADMIN_SEALED_LEN)

_Static_assert(WGM_ADMIN_SEED_LEN == crypto_sign_SEEDBYTES, "seed length");
_Static_assert(WGM_ADMIN_SEALED_LEN == WGM_ADMIN_SEED_LEN + crypto_box_SEALBYTES, "sealed seed length");
_Static_assert(WGM_ADMIN_GRANT_B64_MAX > WGM_B64_LEN(GRANT_FIELDS_LEN + WGM_TRUST_SIG_LEN),
	       "grant text buffer too small");

static void fields(const struct wgm_admin_grant *g, uint8_t f[GRANT_FIELDS_LEN])
{
	wgm_put_be32(f, g->node_id);
	memcpy(f + 4, g->api_pk, WGM_API_KEY_LEN);
	wgm_put_be64(f + 36, (uint64_t)g->time);
	wgm_put_be32(f + 44, g->issuer_id);
	memcpy(f + 48, g->sealed, WGM_ADMIN_SEALED_LEN);
}

/* CONTEXT NUL FIELDS: what is signed. */
static size_t message(const struct wgm_admin_grant *g, uint8_t out[sizeof(GRANT_CONTEXT) + GRANT_FIELDS_LEN])
{
	memcpy(out, GRANT_CONTEXT, sizeof(GRANT_CONTEXT));
	fields(g, out + sizeof(GRANT_CONTEXT));
	return sizeof(GRANT_CONTEXT) + GRANT_FIELDS_LEN;
}

int wgm_admin_grant_make(struct wgm_admin_grant *g, uint32_t node_id, const uint8_t api_pk[WGM_API_KEY_LEN],
			 int64_t time, uint32_t issuer_id, const uint8_t sk[WGM_TRUST_SK_LEN])
{
	uint8_t msg[sizeof(GRANT_CONTEXT) + GRANT_FIELDS_LEN], seed[WGM_ADMIN_SEED_LEN];
	int rc;

	memset(g, 0, sizeof(*g));
	g->node_id = node_id;
	memcpy(g->api_pk, api_pk, WGM_API_KEY_LEN);
	g->time = time;
	g->issuer_id = issuer_id;
	crypto_sign_ed25519_sk_to_seed(seed, sk);
	rc = crypto_box_seal(g->sealed, seed, sizeof(seed), api_pk);
	sodium_memzero(seed, sizeof(seed));
	if (rc != 0)
		return -EINVAL;
	crypto_sign_detached(g->sig, NULL, msg, message(g, msg), sk);
	return 0;
}

int wgm_admin_grant_verify(const struct wgm_admin_grant *g, const uint8_t pk[WGM_TRUST_PK_LEN])
{
	uint8_t msg[sizeof(GRANT_CONTEXT) + GRANT_FIELDS_LEN];

	return crypto_sign_verify_detached(g->sig, msg, message(g, msg), pk) == 0 ? 0 : -EACCES;
}

int wgm_admin_grant_open(const struct wgm_admin_grant *g, const struct wgm_api_keypair *kp,
			 const uint8_t mesh_pk[WGM_TRUST_PK_LEN], uint8_t sk[WGM_TRUST_SK_LEN])
{
	uint8_t seed[WGM_ADMIN_SEED_LEN], pk[WGM_TRUST_PK_LEN];
	int ok;

	ok = sodium_memcmp(g->api_pk, kp->pk, WGM_API_KEY_LEN) == 0 &&
	     crypto_box_seal_open(seed, g->sealed, WGM_ADMIN_SEALED_LEN, kp->pk, kp->sk) == 0 &&
	     crypto_sign_seed_keypair(pk, sk, seed) == 0 && sodium_memcmp(pk, mesh_pk, WGM_TRUST_PK_LEN) == 0;
	sodium_memzero(seed, sizeof(seed));
	if (!ok) {
		sodium_memzero(sk, WGM_TRUST_SK_LEN);
		return -EACCES;
	}
	return 0;
}

void wgm_admin_grant_encode(const struct wgm_admin_grant *g, char out[WGM_ADMIN_GRANT_B64_MAX])
{
	uint8_t bin[GRANT_FIELDS_LEN + WGM_TRUST_SIG_LEN];

	fields(g, bin);
	memcpy(bin + GRANT_FIELDS_LEN, g->sig, WGM_TRUST_SIG_LEN);
	wgm_b64_encode(bin, sizeof(bin), out, WGM_ADMIN_GRANT_B64_MAX);
}

int wgm_admin_grant_decode(const char *b64, struct wgm_admin_grant *g)
{
	uint8_t bin[GRANT_FIELDS_LEN + WGM_TRUST_SIG_LEN];

	memset(g, 0, sizeof(*g));
	if (!b64 || wgm_b64_decode_exact(b64, bin, sizeof(bin)) < 0)
		return -EINVAL;
	g->node_id = wgm_get_be32(bin);
	memcpy(g->api_pk, bin + 4, WGM_API_KEY_LEN);
	g->time = (int64_t)wgm_get_be64(bin + 36);
	g->issuer_id = wgm_get_be32(bin + 44);
	memcpy(g->sealed, bin + 48, WGM_ADMIN_SEALED_LEN);
	memcpy(g->sig, bin + GRANT_FIELDS_LEN, WGM_TRUST_SIG_LEN);
	return 0;
}
