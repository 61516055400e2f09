/* The joining side's half of cleaning up a join that failed after the other
 * node may have made its end of the link (it answered /connect, or its answer
 * never arrived): a member call to the other node's /disconnect naming this
 * node's end by its WireGuard public key, so only that very link goes. Best
 * effort, fire and forget: when the call cannot be made or fails, the other
 * node removes a link whose peer never handshaked by itself after its
 * handshakeTimeout (daemon/links/link_expiry.h). */
#ifndef WGM_DAEMON_JOIN_ABORT_H
#define WGM_DAEMON_JOIN_ABORT_H

#include <stdint.h>

#include "common/api/api_msg.h"
#include "common/config/node_identity.h"
#include "daemon/api/http_client.h"

struct join_abort {
	const char *url;          /* the other node's API base URL */
	const uint8_t *server_pk; /* its API public key */
	const uint8_t *mesh_key;  /* the mesh key it checks member calls with */
	uint32_t mesh_epoch;      /* that key's epoch */
	unsigned self_id;         /* this node: the caller the other side names the link by */
	unsigned remote_id;
	enum wgm_transport transport;
	const uint8_t *wg_pk;  /* this node's WireGuard public key for the link */
	const char *link_name; /* this node's name for the link, for the log */
};

/* 0 once the call is under way (its outcome is logged), or a negative errno
 * (logged too) when it could not be started. */
int join_abort_send(struct http_client *http, const struct wgm_node_identity *self, const struct join_abort *ab);

#endif
