/* Mesh-key epochs and hand-overs (mesh_key.h): a hand-over is a sealed
 * record (sealed_record.h) whose secret is the key and whose own fields are
 * the epoch and the end of the grace time. */
#include "common/api/mesh_key.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "common/api/sealed_record.h"
#include "common/util/be.h"

#define HANDOVER_CONTEXT "wgmesh mesh key v1"

_Static_assert(WGM_MESH_KEY_LEN == WGM_SEALED_SECRET_LEN, "the key is the record's secret");
_Static_assert(WGM_MESH_KEY_SEALED_LEN == WGM_SEALED_BOX_LEN, "sealed key length");
_Static_assert(WGM_MESH_KEY_HANDOVER_B64_MAX >= WGM_SEALED_RECORD_B64_MAX, "hand-over text buffer too small");

static void to_record(const struct wgm_mesh_key_handover *h, struct wgm_sealed_record *r)
{
	r->node_id = h->node_id;
	memcpy(r->api_pk, h->api_pk, WGM_API_KEY_LEN);
	wgm_put_be32(r->extra, h->epoch);
	wgm_put_be64(r->extra + 4, (uint64_t)h->grace_until);
	memcpy(r->sealed, h->sealed, WGM_MESH_KEY_SEALED_LEN);
	memcpy(r->sig, h->sig, WGM_TRUST_SIG_LEN);
}

static void from_record(const struct wgm_sealed_record *r, struct wgm_mesh_key_handover *h)
{
	h->node_id = r->node_id;
	memcpy(h->api_pk, r->api_pk, WGM_API_KEY_LEN);
	h->epoch = wgm_get_be32(r->extra);
	h->grace_until = (int64_t)wgm_get_be64(r->extra + 4);
	memcpy(h->sealed, r->sealed, WGM_MESH_KEY_SEALED_LEN);
	memcpy(h->sig, r->sig, WGM_TRUST_SIG_LEN);
}

int wgm_mesh_key_handover_make(struct wgm_mesh_key_handover *h, uint32_t node_id, const uint8_t api_pk[WGM_API_KEY_LEN],
			       uint32_t epoch, int64_t grace_until, const uint8_t key[WGM_MESH_KEY_LEN],
			       const uint8_t sk[WGM_TRUST_SK_LEN])
{
	struct wgm_sealed_record r;
	int rc;

	memset(h, 0, sizeof(*h));
	h->node_id = node_id;
	memcpy(h->api_pk, api_pk, WGM_API_KEY_LEN);
	h->epoch = epoch;
	h->grace_until = grace_until;
	to_record(h, &r);
	rc = wgm_sealed_record_seal(&r, HANDOVER_CONTEXT, key, sk);
	if (rc < 0)
		return rc;
	from_record(&r, h);
	return 0;
}

int wgm_mesh_key_handover_verify(const struct wgm_mesh_key_handover *h, const uint8_t pk[WGM_TRUST_PK_LEN])
{
	struct wgm_sealed_record r;

	to_record(h, &r);
	return wgm_sealed_record_verify(&r, HANDOVER_CONTEXT, pk);
}

int wgm_mesh_key_handover_open(const struct wgm_mesh_key_handover *h, const struct wgm_api_keypair *kp,
			       uint8_t key[WGM_MESH_KEY_LEN])
{
	struct wgm_sealed_record r;

	to_record(h, &r);
	return wgm_sealed_record_open(&r, kp, key);
}

void wgm_mesh_key_handover_encode(const struct wgm_mesh_key_handover *h, char out[WGM_MESH_KEY_HANDOVER_B64_MAX])
{
	struct wgm_sealed_record r;

	to_record(h, &r);
	wgm_sealed_record_encode(&r, out);
}

int wgm_mesh_key_handover_decode(const char *b64, struct wgm_mesh_key_handover *h)
{
	struct wgm_sealed_record r;
	int rc = wgm_sealed_record_decode(b64, &r);

	memset(h, 0, sizeof(*h));
	if (rc < 0)
		return rc;
	from_record(&r, h);
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
