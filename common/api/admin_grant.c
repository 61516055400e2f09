/* Grants of the mesh signing key (admin_grant.h): a sealed record
 * (sealed_record.h) whose secret is the Ed25519 seed and whose own fields
 * are the time and the issuing admin. */
#include "common/api/admin_grant.h"

#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "common/api/sealed_record.h"
#include "common/util/be.h"

#define GRANT_CONTEXT "wgmesh admin grant v1"

_Static_assert(WGM_ADMIN_SEED_LEN == crypto_sign_SEEDBYTES, "seed length");
_Static_assert(WGM_ADMIN_SEED_LEN == WGM_SEALED_SECRET_LEN, "the seed is the record's secret");
_Static_assert(WGM_ADMIN_SEALED_LEN == WGM_SEALED_BOX_LEN, "sealed seed length");
_Static_assert(WGM_ADMIN_GRANT_B64_MAX >= WGM_SEALED_RECORD_B64_MAX, "grant text buffer too small");

static void to_record(const struct wgm_admin_grant *g, struct wgm_sealed_record *r)
{
	r->node_id = g->node_id;
	memcpy(r->api_pk, g->api_pk, WGM_API_KEY_LEN);
	wgm_put_be64(r->extra, (uint64_t)g->time);
	wgm_put_be32(r->extra + 8, g->issuer_id);
	memcpy(r->sealed, g->sealed, WGM_ADMIN_SEALED_LEN);
	memcpy(r->sig, g->sig, WGM_TRUST_SIG_LEN);
}

static void from_record(const struct wgm_sealed_record *r, struct wgm_admin_grant *g)
{
	g->node_id = r->node_id;
	memcpy(g->api_pk, r->api_pk, WGM_API_KEY_LEN);
	g->time = (int64_t)wgm_get_be64(r->extra);
	g->issuer_id = wgm_get_be32(r->extra + 8);
	memcpy(g->sealed, r->sealed, WGM_ADMIN_SEALED_LEN);
	memcpy(g->sig, r->sig, WGM_TRUST_SIG_LEN);
}

int wgm_admin_grant_make(struct wgm_admin_grant *g, uint32_t node_id, const uint8_t api_pk[WGM_API_KEY_LEN],
			 int64_t time, uint32_t issuer_id, const uint8_t sk[WGM_TRUST_SK_LEN])
{
	struct wgm_sealed_record r;
	uint8_t seed[WGM_ADMIN_SEED_LEN];
	int rc;

	memset(g, 0, sizeof(*g));
	g->node_id = node_id;
	memcpy(g->api_pk, api_pk, WGM_API_KEY_LEN);
	g->time = time;
	g->issuer_id = issuer_id;
	to_record(g, &r);
	crypto_sign_ed25519_sk_to_seed(seed, sk);
	rc = wgm_sealed_record_seal(&r, GRANT_CONTEXT, seed, sk);
	sodium_memzero(seed, sizeof(seed));
	if (rc < 0)
		return rc;
	from_record(&r, g);
	return 0;
}

int wgm_admin_grant_verify(const struct wgm_admin_grant *g, const uint8_t pk[WGM_TRUST_PK_LEN])
{
	struct wgm_sealed_record r;

	to_record(g, &r);
	return wgm_sealed_record_verify(&r, GRANT_CONTEXT, pk);
}

int wgm_admin_grant_open(const struct wgm_admin_grant *g, const struct wgm_api_keypair *kp,
			 const uint8_t mesh_pk[WGM_TRUST_PK_LEN], uint8_t sk[WGM_TRUST_SK_LEN])
{
	struct wgm_sealed_record r;
	uint8_t seed[WGM_ADMIN_SEED_LEN], pk[WGM_TRUST_PK_LEN];
	int ok;

	to_record(g, &r);
	ok = wgm_sealed_record_open(&r, kp, seed) == 0 && crypto_sign_seed_keypair(pk, sk, seed) == 0 &&
	     sodium_memcmp(pk, mesh_pk, WGM_TRUST_PK_LEN) == 0;
	sodium_memzero(seed, sizeof(seed));
	if (!ok) {
		sodium_memzero(sk, WGM_TRUST_SK_LEN);
		return -EACCES;
	}
	return 0;
}

void wgm_admin_grant_encode(const struct wgm_admin_grant *g, char out[WGM_ADMIN_GRANT_B64_MAX])
{
	struct wgm_sealed_record r;

	to_record(g, &r);
	wgm_sealed_record_encode(&r, out);
}

int wgm_admin_grant_decode(const char *b64, struct wgm_admin_grant *g)
{
	struct wgm_sealed_record r;
	int rc = wgm_sealed_record_decode(b64, &r);

	memset(g, 0, sizeof(*g));
	if (rc < 0)
		return rc;
	from_record(&r, g);
	return 0;
}
