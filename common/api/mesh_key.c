/* Mesh-key epochs and hand-overs (mesh_key.h). */
#include "common/api/mesh_key.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "common/api/api_b64.h"
#include "common/util/be.h"

#define HANDOVER_CONTEXT "wgmesh mesh key v1"
#define HANDOVER_FIELDS_LEN (4 + WGM_API_KEY_LEN + 4 + 8 + WGM_MESH_KEY_SEALED_LEN)

_Static_assert(WGM_MESH_KEY_SEALED_LEN == WGM_MESH_KEY_LEN + crypto_box_SEALBYTES, "sealed key length");
_Static_assert(WGM_MESH_KEY_HANDOVER_B64_MAX > WGM_B64_LEN(HANDOVER_FIELDS_LEN + WGM_TRUST_SIG_LEN),
	       "hand-over text buffer too small");

static void fields(const struct wgm_mesh_key_handover *h, uint8_t f[HANDOVER_FIELDS_LEN])
{
	wgm_put_be32(f, h->node_id);
	memcpy(f + 4, h->api_pk, WGM_API_KEY_LEN);
	wgm_put_be32(f + 36, h->epoch);
	wgm_put_be64(f + 40, (uint64_t)h->grace_until);
	memcpy(f + 48, h->sealed, WGM_MESH_KEY_SEALED_LEN);
}

/* CONTEXT NUL FIELDS: what is signed. */
static size_t message(const struct wgm_mesh_key_handover *h,
		      uint8_t out[sizeof(HANDOVER_CONTEXT) + HANDOVER_FIELDS_LEN])
{
	memcpy(out, HANDOVER_CONTEXT, sizeof(HANDOVER_CONTEXT));
	fields(h, out + sizeof(HANDOVER_CONTEXT));
	return sizeof(HANDOVER_CONTEXT) + HANDOVER_FIELDS_LEN;
}

int wgm_mesh_key_handover_make(struct wgm_mesh_key_handover *h, uint32_t node_id, const uint8_t api_pk[WGM_API_KEY_LEN],
			       uint32_t epoch, int64_t grace_until, const uint8_t key[WGM_MESH_KEY_LEN],
			       const uint8_t sk[WGM_TRUST_SK_LEN])
{
	uint8_t msg[sizeof(HANDOVER_CONTEXT) + HANDOVER_FIELDS_LEN];

	memset(h, 0, sizeof(*h));
	h->node_id = node_id;
	memcpy(h->api_pk, api_pk, WGM_API_KEY_LEN);
	h->epoch = epoch;
	h->grace_until = grace_until;
	if (crypto_box_seal(h->sealed, key, WGM_MESH_KEY_LEN, api_pk) != 0)
		return -EINVAL;
	crypto_sign_detached(h->sig, NULL, msg, message(h, msg), sk);
	return 0;
}

int wgm_mesh_key_handover_verify(const struct wgm_mesh_key_handover *h, const uint8_t pk[WGM_TRUST_PK_LEN])
{
	uint8_t msg[sizeof(HANDOVER_CONTEXT) + HANDOVER_FIELDS_LEN];

	return crypto_sign_verify_detached(h->sig, msg, message(h, msg), pk) == 0 ? 0 : -EACCES;
}

int wgm_mesh_key_handover_open(const struct wgm_mesh_key_handover *h, const struct wgm_api_keypair *kp,
			       uint8_t key[WGM_MESH_KEY_LEN])
{
	if (sodium_memcmp(h->api_pk, kp->pk, WGM_API_KEY_LEN) != 0 ||
	    crypto_box_seal_open(key, h->sealed, WGM_MESH_KEY_SEALED_LEN, kp->pk, kp->sk) != 0) {
		sodium_memzero(key, WGM_MESH_KEY_LEN);
		return -EACCES;
	}
	return 0;
}

void wgm_mesh_key_handover_encode(const struct wgm_mesh_key_handover *h, char out[WGM_MESH_KEY_HANDOVER_B64_MAX])
{
	uint8_t bin[HANDOVER_FIELDS_LEN + WGM_TRUST_SIG_LEN];

	fields(h, bin);
	memcpy(bin + HANDOVER_FIELDS_LEN, h->sig, WGM_TRUST_SIG_LEN);
	wgm_b64_encode(bin, sizeof(bin), out, WGM_MESH_KEY_HANDOVER_B64_MAX);
}

int wgm_mesh_key_handover_decode(const char *b64, struct wgm_mesh_key_handover *h)
{
	uint8_t bin[HANDOVER_FIELDS_LEN + WGM_TRUST_SIG_LEN];

	memset(h, 0, sizeof(*h));
	if (!b64 || wgm_b64_decode_exact(b64, bin, sizeof(bin)) < 0)
		return -EINVAL;
	h->node_id = wgm_get_be32(bin);
	memcpy(h->api_pk, bin + 4, WGM_API_KEY_LEN);
	h->epoch = wgm_get_be32(bin + 36);
	h->grace_until = (int64_t)wgm_get_be64(bin + 40);
	memcpy(h->sealed, bin + 48, WGM_MESH_KEY_SEALED_LEN);
	memcpy(h->sig, bin + HANDOVER_FIELDS_LEN, WGM_TRUST_SIG_LEN);
	return 0;
}

int wgm_mesh_key_pick(const uint8_t current[WGM_MESH_KEY_LEN], uint32_t cur_epoch, const struct wgm_mesh_key_old *old,
		      uint32_t epoch, int64_t now, const uint8_t **key, char *err, size_t errlen)
{
	*key = NULL;
	if (epoch == cur_epoch) {
		*key = current;
		return 0;
	}
	if (old && old->has && old->epoch == epoch && now < old->until) {
		*key = old->key;
		return 0;
	}
	if (epoch > cur_epoch) {
		snprintf(err, errlen,
			 "mesh key epoch %u is newer than this node's (%u): it fetches the new key "
			 "from an admin; try again",
			 epoch, cur_epoch);
		return -EAGAIN;
	}
	snprintf(err, errlen, "stale mesh key epoch %u, current %u (the mesh key was rotated)", epoch, cur_epoch);
	return -ESTALE;
}

int wgm_mesh_key_install(uint8_t current[WGM_MESH_KEY_LEN], uint32_t *cur_epoch, struct wgm_mesh_key_old *old,
			 const uint8_t key[WGM_MESH_KEY_LEN], uint32_t epoch, int64_t grace_until, int64_t now)
{
	if (epoch <= *cur_epoch)
		return 0;
	sodium_memzero(old, sizeof(*old));
	if (now < grace_until) {
		old->has = true;
		old->epoch = *cur_epoch;
		old->until = grace_until;
		memcpy(old->key, current, WGM_MESH_KEY_LEN);
	}
	memcpy(current, key, WGM_MESH_KEY_LEN);
	*cur_epoch = epoch;
	return 1;
}
