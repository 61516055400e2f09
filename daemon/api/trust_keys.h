/* Mesh-key rotation (docs/api.md "Mesh authority", rotation of the mesh key):
 * `wgmesh member rotate-key` on an admin makes a new mesh key of the next
 * epoch and hands it to every certified, unrevoked member it knows, each in a
 * hand-over sealed to that member's API key and signed by the mesh
 * (common/api/mesh_key.h), in a POST /trust. Every /trust body names its
 * sender's ID and mesh-key epoch: an admin answers a member that is behind
 * with its hand-over, and a member that sees a newer epoch than its own (in an
 * answer, or a member call) asks the admins it knows. The previous key keeps
 * being accepted until the grace time the admin gave. Part of the trust store
 * (trust_store.h). */
#ifndef WGM_DAEMON_TRUST_KEYS_H
#define WGM_DAEMON_TRUST_KEYS_H

#include <jansson.h>

#include "daemon/api/trust_store.h"

#define TRUST_KEYS_GRACE_DEFAULT_S 600
#define TRUST_KEYS_GRACE_MAX_S 86400
#define TRUST_KEYS_FETCH_PERIOD_S 5

/* Takes the hand-overs J ("mesh_keys") carries for this node; asks the
 * admins when J names a newer epoch than this node has. */
void trust_keys_take(struct trust_store *ts, const json_t *j, const char *from);
/* An admin adds to ANSWER the hand-over of the caller BODY names when the
 * caller's epoch is older than this node's. */
void trust_keys_answer(struct trust_store *ts, const json_t *body, json_t *answer);
/* `member list`'s mesh-key fields: "mesh_key_epoch", "old_key_until". */
void trust_keys_put_state(const struct trust_store *ts, json_t *reply);
/* WGM_CTL_CMD_MEMBER_ROTATE_KEY {"grace": SECONDS}. */
void trust_keys_handle_rotate(struct ctl_request *req, const json_t *args, void *ctx);

#endif
