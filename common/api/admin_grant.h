/* The authority's grant of the mesh signing key to another member (docs/api.md
 * "Mesh authority", `wgmesh member promote`).
 *
 * A grant names a member (node ID, API key), the time and the issuing admin,
 * and carries the 32-byte Ed25519 seed of the mesh signing key sealed
 * (crypto_box_seal) to that API key, all signed by the mesh under its own
 * context string. Only that member opens it; anyone can check it. The same
 * record is the public proof that the member is an admin: it is gossiped in
 * /trust bodies and kept in members.json, and counts while the member's
 * identity is not revoked. A sealed record (sealed_record.h), as the mesh-key
 * hand-over is. Pure. */
#ifndef WGM_COMMON_API_ADMIN_GRANT_H
#define WGM_COMMON_API_ADMIN_GRANT_H

#include <stdint.h>

#include "common/api/api_auth.h"
#include "common/api/trust.h"

#define WGM_ADMIN_SEED_LEN 32                          /* crypto_sign_SEEDBYTES */
#define WGM_ADMIN_SEALED_LEN (WGM_ADMIN_SEED_LEN + 48) /* + crypto_box_SEALBYTES */
#define WGM_ADMIN_GRANT_B64_MAX 260

struct wgm_admin_grant {
	uint32_t node_id;
	uint8_t api_pk[WGM_API_KEY_LEN];
	int64_t time;
	uint32_t issuer_id;
	uint8_t sealed[WGM_ADMIN_SEALED_LEN];
	uint8_t sig[WGM_TRUST_SIG_LEN];
};

/* Seals SK's seed to API_PK and signs the whole with SK. 0 or -EINVAL. */
int wgm_admin_grant_make(struct wgm_admin_grant *g, uint32_t node_id, const uint8_t api_pk[WGM_API_KEY_LEN],
			 int64_t time, uint32_t issuer_id, const uint8_t sk[WGM_TRUST_SK_LEN]);
/* 0 when G is signed by the mesh whose public key is PK, else -EACCES. */
int wgm_admin_grant_verify(const struct wgm_admin_grant *g, const uint8_t pk[WGM_TRUST_PK_LEN]);
/* The signing key inside G, for the holder of KP (G must name KP's public
 * key), checked to be the secret half of MESH_PK. 0 or -EACCES (SK zeroed).
 * Check the signature first. */
int wgm_admin_grant_open(const struct wgm_admin_grant *g, const struct wgm_api_keypair *kp,
			 const uint8_t mesh_pk[WGM_TRUST_PK_LEN], uint8_t sk[WGM_TRUST_SK_LEN]);
/* OUT holds WGM_ADMIN_GRANT_B64_MAX bytes. Decode: 0 or -EINVAL. */
void wgm_admin_grant_encode(const struct wgm_admin_grant *g, char out[WGM_ADMIN_GRANT_B64_MAX]);
int wgm_admin_grant_decode(const char *b64, struct wgm_admin_grant *g);

#endif
