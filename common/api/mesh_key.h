/* Mesh-key epochs and the authority's hand-over of a new mesh key
 * (docs/api.md "Mesh authority", rotation).
 *
 * The mesh key (api_auth.h) has an epoch: 0 for the key the mesh started
 * with, one more at each `wgmesh member rotate-key`. A member call names the
 * epoch of the key it was made with ("epoch" in the boxed payload, absent for
 * 0). After a rotation a node keeps the previous key until the grace time the
 * admin set, then refuses calls made with it.
 *
 * A hand-over gives one member the new key: the key sealed to that member's
 * API key (crypto_box_seal: only that member opens it), with its node ID, API
 * key, the epoch and the end of the grace time, all signed by the mesh
 * signing key (only an admin makes one; anyone can check it). It travels in
 * plain /trust bodies: nothing in it is readable by anyone else. A sealed
 * record (sealed_record.h), as the admin grant is.
 *
 * Pure: no I/O, the clock is a parameter. */
#ifndef WGM_COMMON_API_MESH_KEY_H
#define WGM_COMMON_API_MESH_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/api/api_auth.h"
#include "common/api/api_envelope.h"
#include "common/api/trust.h"

#define WGM_MESH_KEY_SEALED_LEN (WGM_MESH_KEY_LEN + 48) /* + crypto_box_SEALBYTES */
#define WGM_MESH_KEY_HANDOVER_B64_MAX 280

/* The key of the previous epoch, kept for the grace time. */
struct wgm_mesh_key_old {
	bool has;
	uint32_t epoch;
	int64_t until;                 /* unix seconds: refused from then on */
	uint8_t key[WGM_MESH_KEY_LEN]; /* secret */
};

struct wgm_mesh_key_handover {
	uint32_t node_id;
	uint8_t api_pk[WGM_API_KEY_LEN];
	uint32_t epoch;
	int64_t grace_until;
	uint8_t sealed[WGM_MESH_KEY_SEALED_LEN];
	uint8_t sig[WGM_TRUST_SIG_LEN];
};

/* Seals KEY to API_PK and signs the whole with SK. 0 or -EINVAL (API_PK is
 * not a usable key). */
int wgm_mesh_key_handover_make(struct wgm_mesh_key_handover *h, uint32_t node_id, const uint8_t api_pk[WGM_API_KEY_LEN],
			       uint32_t epoch, int64_t grace_until, const uint8_t key[WGM_MESH_KEY_LEN],
			       const uint8_t sk[WGM_TRUST_SK_LEN]);
/* 0 when H is signed by the mesh whose public key is PK, else -EACCES. */
int wgm_mesh_key_handover_verify(const struct wgm_mesh_key_handover *h, const uint8_t pk[WGM_TRUST_PK_LEN]);
/* The key inside H, for the holder of KP (H must name KP's public key).
 * 0 or -EACCES. Check the signature first. */
int wgm_mesh_key_handover_open(const struct wgm_mesh_key_handover *h, const struct wgm_api_keypair *kp,
			       uint8_t key[WGM_MESH_KEY_LEN]);
/* OUT holds WGM_MESH_KEY_HANDOVER_B64_MAX bytes. Decode: 0 or -EINVAL. */
void wgm_mesh_key_handover_encode(const struct wgm_mesh_key_handover *h, char out[WGM_MESH_KEY_HANDOVER_B64_MAX]);
int wgm_mesh_key_handover_decode(const char *b64, struct wgm_mesh_key_handover *h);

/* The key that checks a MAC made under EPOCH, for a node holding CURRENT
 * (epoch CUR_EPOCH) and OLD. 0 with *KEY set; -ESTALE (EPOCH is older than
 * the node's and not the previous one within its grace) or -EAGAIN (EPOCH is
 * newer than the node's: it has to fetch the new key), one line in ERR. */
int wgm_mesh_key_pick(const uint8_t current[WGM_MESH_KEY_LEN], uint32_t cur_epoch, const struct wgm_mesh_key_old *old,
		      uint32_t epoch, int64_t now, const uint8_t **key, char *err, size_t errlen);

/* Takes KEY of EPOCH when it is newer than CUR_EPOCH: the current key
 * becomes OLD until GRACE_UNTIL (none when that is past). 1 taken, 0 not
 * newer (nothing changes). */
int wgm_mesh_key_install(uint8_t current[WGM_MESH_KEY_LEN], uint32_t *cur_epoch, struct wgm_mesh_key_old *old,
			 const uint8_t key[WGM_MESH_KEY_LEN], uint32_t epoch, int64_t grace_until, int64_t now);

#endif
