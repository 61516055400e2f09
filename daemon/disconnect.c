#include "daemon/disconnect.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/api_msg.h"
#include "common/log.h"
#include "daemon/api_call.h"

struct disconnect_op {
	struct disconnect_deps deps;
	char name[LINK_NAME_MAX + 1];
	unsigned remote_id;
	bool force;
	links_done_fn done;
	void *ctx;
};

static void local_removed(int rc, const char *err, void *ctx)
{
	struct disconnect_op *op = ctx;

	op->done(rc, err, op->ctx);
	free(op);
}

static void remove_locally(struct disconnect_op *op)
{
	int rc = links_remove(op->deps.links, op->name, local_removed, op);

	if (rc < 0) {
		char err[128];
		snprintf(err, sizeof(err), "link %s: %s", op->name,
			 rc == -ENOENT ? "no such link" : rc == -EBUSY ? "being changed; try again" : strerror(-rc));
		op->done(rc, err, op->ctx);
		free(op);
	}
}

static void on_remote_reply(long status, const json_t *payload, const char *err, void *ctx)
{
	struct disconnect_op *op = ctx;
	char line[640];

	/* 404: the other end has no such link any more; ours is stale. */
	if (payload || status == 404) {
		remove_locally(op);
		return;
	}
	if (op->force) {
		log_warn("node %u did not take down its end of %s (%s); removing this end only", op->remote_id,
			 op->name, err);
		remove_locally(op);
		return;
	}
	snprintf(line, sizeof(line), "node %u: %s (`wgmesh disconnect %s force` removes this end only)", op->remote_id,
		 err, op->name);
	op->done(-ECONNREFUSED, line, op->ctx);
	free(op);
}

int disconnect_link(const struct disconnect_deps *deps, const char *name, bool force, links_done_fn done,
		    void *ctx, char *err, size_t errlen)
{
	struct link *link = links_find(deps->links, name);
	struct wgm_msg_disconnect_req m = { 0 };
	struct disconnect_op *op;
	char url[LINK_URL_MAX];
	json_t *payload;
	int rc;

	if (!link) {
		snprintf(err, errlen, "no link named %.32s (see `wgmesh links`)", name);
		return -ENOENT;
	}
	op = calloc(1, sizeof(*op));
	if (!op) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	op->deps = *deps;
	snprintf(op->name, sizeof(op->name), "%s", name);
	op->remote_id = link->rec.remote_id;
	op->force = force;
	op->done = done;
	op->ctx = ctx;
	if (!link->rec.has_remote_api_pk) {
		if (!force) {
			snprintf(err, errlen, "link %s does not know the other node's API key; use force", name);
			free(op);
			return -EINVAL;
		}
		remove_locally(op);
		return 0;
	}
	/* The mesh route reaches the other node's API when its listen address is
	 * local; the URL used to connect is the first choice for our own links. */
	if (link->rec.role == LINK_ROLE_CLIENT && link->rec.remote_api_url[0])
		snprintf(url, sizeof(url), "%s", link->rec.remote_api_url);
	else
		join_member_url(deps->plan, deps->cfg, link->rec.remote_id, url, sizeof(url));
	m.link.caller_id = (int)deps->cfg->id;
	m.link.transport = link->rec.transport;
	payload = wgm_msg_disconnect_req_encode(&m);
	if (!payload) {
		free(op);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = api_call_boxed(deps->http, deps->identity, url, "POST", WGM_API_ROUTE_DISCONNECT, NULL,
			    link->rec.remote_api_pk, payload, on_remote_reply, op, err, errlen);
	json_decref(payload);
	if (rc < 0) {
		if (force) {
			remove_locally(op);
			return 0;
		}
		free(op);
	}
	return rc;
}
