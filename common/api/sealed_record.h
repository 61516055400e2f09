/* A secret handed to one member through the gossip: the mesh authority seals
 * 32 secret bytes to the member's API key (crypto_box_seal: only that member
 * opens it) and signs the record under a context string of the record's
 * kind, so a record of one kind is never taken for another. Anyone checks
 * it; nothing in it is readable by others. The mesh-key hand-over
 * (mesh_key.h) and the admin grant (admin_grant.h) are the two kinds; each
 * keeps 12 bytes of its own fields in EXTRA.
 *
 * Wire form (base64 of): node ID (be32) | API key (32) | extra (12) |
 * sealed secret (80) | Ed25519 signature (64) over context NUL and the
 * fields before it. Pure. */
#ifndef WGM_COMMON_API_SEALED_RECORD_H
#define WGM_COMMON_API_SEALED_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "common/api/api_auth.h"
#include "common/api/trust.h"

#define WGM_SEALED_SECRET_LEN 32
#define WGM_SEALED_BOX_LEN (WGM_SEALED_SECRET_LEN + 48) /* + crypto_box_SEALBYTES */
#define WGM_SEALED_EXTRA_LEN 12
#define WGM_SEALED_CONTEXT_MAX 32 /* longest context string, without its NUL */
#define WGM_SEALED_RECORD_B64_MAX 260

struct wgm_sealed_record {
	uint32_t node_id;
	uint8_t api_pk[WGM_API_KEY_LEN];
	uint8_t extra[WGM_SEALED_EXTRA_LEN];
	uint8_t sealed[WGM_SEALED_BOX_LEN];
	uint8_t sig[WGM_TRUST_SIG_LEN];
};

/* Seals SECRET to R->api_pk and signs R (node_id, api_pk and extra set by
 * the caller) with SK under CONTEXT. 0 or -EINVAL (not a usable key, or a
 * context longer than WGM_SEALED_CONTEXT_MAX). */
int wgm_sealed_record_seal(struct wgm_sealed_record *r, const char *context,
			   const uint8_t secret[WGM_SEALED_SECRET_LEN], const uint8_t sk[WGM_TRUST_SK_LEN]);
/* 0 when R is signed under CONTEXT by the mesh whose public key is PK, else -EACCES. */
int wgm_sealed_record_verify(const struct wgm_sealed_record *r, const char *context,
			     const uint8_t pk[WGM_TRUST_PK_LEN]);
/* The secret inside R, for the holder of KP (R must name KP's public key).
 * 0 or -EACCES (SECRET zeroed). Check the signature first. */
int wgm_sealed_record_open(const struct wgm_sealed_record *r, const struct wgm_api_keypair *kp,
			   uint8_t secret[WGM_SEALED_SECRET_LEN]);
/* OUT holds WGM_SEALED_RECORD_B64_MAX bytes. Decode: 0 or -EINVAL. */
void wgm_sealed_record_encode(const struct wgm_sealed_record *r, char out[WGM_SEALED_RECORD_B64_MAX]);
int wgm_sealed_record_decode(const char *b64, struct wgm_sealed_record *r);

#endif
