#include "daemon/mesh/join_abort.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util/log.h"
#include "daemon/api/api_call.h"
#include "daemon/links/link_record.h"

struct abort_call {
	unsigned remote_id;
	char link_name[LINK_NAME_MAX + 1];
};

static void on_reply(long status, const json_t *payload, const char *err, void *ctx)
{
	struct abort_call *c = ctx;

	if (payload)
		log_notice("node %u removed its end of %s, which this node could not finish", c->remote_id,
			   c->link_name);
	else if (status == 404)
		log_info("node %u holds no end of %s (it never made it, or removed it already)", c->remote_id,
			 c->link_name);
	else
		log_warn("node %u did not remove its end of %s (%s); it removes it by itself once its "
			 "handshakeTimeout passes",
			 c->remote_id, c->link_name, err ? err : "no reason given");
	free(c);
}

int join_abort_send(struct http_client *http, const struct wgm_node_identity *self, const struct join_abort *ab)
{
	struct wgm_msg_disconnect_req m = { .link = { .caller_id = (int)ab->self_id, .transport = ab->transport },
					    .has_wg_pk = true };
	struct wgm_node_identity member;
	struct abort_call *c = calloc(1, sizeof(*c));
	json_t *payload = NULL;
	char err[512];
	int rc;

	if (!c) {
		rc = -ENOMEM;
		snprintf(err, sizeof(err), "out of memory");
		goto out;
	}
	c->remote_id = ab->remote_id;
	snprintf(c->link_name, sizeof(c->link_name), "%s", ab->link_name);
	memcpy(m.wg_pk, ab->wg_pk, sizeof(m.wg_pk));
	payload = wgm_msg_disconnect_req_encode(&m);
	if (!payload) {
		rc = -ENOMEM;
		snprintf(err, sizeof(err), "out of memory");
		goto out;
	}
	/* The call goes out as a member of the mesh the other node is in,
	 * which this node may not have joined (it refused the mesh key). */
	member = *self;
	memcpy(member.mesh_key, ab->mesh_key, sizeof(member.mesh_key));
	member.mesh_epoch = ab->mesh_epoch;
	rc = api_call_boxed(http, &member, ab->url, "POST", WGM_API_ROUTE_DISCONNECT, NULL, ab->server_pk, payload,
			    on_reply, c, err, sizeof(err));
	wgm_node_identity_wipe(&member);
	if (rc == 0) {
		log_info("asked node %u to remove its end of %s", ab->remote_id, ab->link_name);
		c = NULL;
	}
out:
	if (rc == -ESHUTDOWN)
		log_info("daemon stopping: node %u keeps its end of %s until its handshakeTimeout passes",
			 ab->remote_id, ab->link_name);
	else if (rc < 0)
		log_warn("cannot ask node %u to remove its end of %s (%s); it removes it by itself once its "
			 "handshakeTimeout passes",
			 ab->remote_id, ab->link_name, err);
	json_decref(payload);
	free(c);
	return rc;
}
