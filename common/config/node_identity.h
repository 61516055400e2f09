/* A node's identity: its API key pair (the key tokens bind) and the mesh key
 * (proof of membership). Kept in stateDir/node.json, mode 0600. */
#ifndef WGM_COMMON_NODE_IDENTITY_H
#define WGM_COMMON_NODE_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/api/api_auth.h"
#include "common/api/api_envelope.h"
#include "common/api/mesh_key.h"
#include "common/api/trust.h"

/* The mesh authority (common/api/trust.h): every member of a mesh made by
 * this version holds the mesh's public signing key and its own certificate;
 * an admin also holds the secret half. State written by an earlier version
 * has none of them (a mesh without an authority, docs/api.md). */
struct wgm_node_identity {
	struct wgm_api_keypair api;           /* secret half inside */
	uint8_t mesh_key[WGM_MESH_KEY_LEN];   /* secret; the current one */
	uint32_t mesh_epoch;                  /* its epoch (common/api/mesh_key.h) */
	struct wgm_mesh_key_old old_mesh_key; /* the previous one, within its grace */
	bool has_mesh_pk;
	uint8_t mesh_pk[WGM_TRUST_PK_LEN];
	bool is_admin;
	uint8_t mesh_sk[WGM_TRUST_SK_LEN]; /* secret; only with is_admin */
	bool has_cert;
	struct wgm_cert cert; /* this node's certificate */
};

/* stateDir/node.json into PATH. 0 or -ENAMETOOLONG. */
int wgm_node_identity_path(const char *state_dir, char *path, size_t len);

/* A fresh identity: new API key pair, a new mesh key and a new mesh signing
 * key (a node alone is a mesh of one, and its admin, until it joins another,
 * then it takes that mesh's keys and certificate). */
int wgm_node_identity_generate(struct wgm_node_identity *id);

/* 0, -ENOENT (no identity yet: `wgmesh init` makes it), or -EINVAL/-EBADMSG
 * with one line naming the file. */
int wgm_node_identity_load(const char *state_dir, struct wgm_node_identity *id, char *err, size_t errlen);
/* Atomic, 0600. */
int wgm_node_identity_save(const char *state_dir, const struct wgm_node_identity *id, char *err, size_t errlen);

void wgm_node_identity_wipe(struct wgm_node_identity *id);

/* The mesh key that checks a MAC made under EPOCH (wgm_mesh_key_pick). */
int wgm_node_identity_mesh_key(const struct wgm_node_identity *id, uint32_t epoch, int64_t now, const uint8_t **key,
			       char *err, size_t errlen);
/* The "epoch" of a member payload or /connectivity answer: 0 when absent.
 * 0 or -EINVAL (not an integer from 0 to 2^32-1). */
int wgm_node_identity_payload_epoch(const json_t *payload, uint32_t *epoch);
/* A /connectivity ANSWER's "mac" for CHALLENGE, checked under the key of the
 * answer's "epoch": 0, -EINVAL (no MAC), -EACCES (another MAC, or an epoch
 * this node has no key for). */
int wgm_node_identity_connectivity_check(const struct wgm_node_identity *id, const json_t *answer,
					 const uint8_t challenge[WGM_API_NONCE_LEN], unsigned node_id,
					 const uint8_t api_pk[WGM_API_KEY_LEN], int64_t now);

#endif
