#include "daemon/mesh/disconnect.h"
#include "common/util/clock.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/api/api_msg.h"
#include "common/util/log.h"
#include "daemon/api/api_call.h"

struct disconnect_op {
	struct disconnect_deps deps;
	char name[LINK_NAME_MAX + 1];
	unsigned remote_id;
	bool force;
	links_done_fn done;
	void *ctx;
	/* The member call, kept to try it again. */
	char url[LINK_URL_MAX];
	uint8_t remote_api_pk[LINK_KEY_LEN];
	bool peer;                      /* a peering link: /peer_disconnect under its psk */
	uint8_t link_key[LINK_KEY_LEN]; /* secret: the peering link's psk */
	json_t *payload;
	uint64_t first_try_ms;
	struct loop_timer *retry; /* armed only while on deps.waiting's list */
	struct disconnect_op *next_waiting;
};

static void op_free(struct disconnect_op *op)
{
	loop_timer_free(op->retry);
	sodium_memzero(op->link_key, sizeof(op->link_key));
	json_decref(op->payload);
	free(op);
}

static void local_removed(int rc, const char *err, void *ctx)
{
	struct disconnect_op *op = ctx;

	op->done(rc, err, op->ctx);
	op_free(op);
}

static void remove_locally(struct disconnect_op *op)
{
	int rc = links_remove(op->deps.links, op->name, local_removed, op);

	if (rc < 0) {
		char err[128];
		snprintf(err, sizeof(err), "link %s: %s", op->name,
			 rc == -ENOENT  ? "no such link"
			 : rc == -EBUSY ? "being changed; try again"
					: strerror(-rc));
		op->done(rc, err, op->ctx);
		op_free(op);
	}
}

/* The other node did not take down its end: with force this end goes anyway. */
static void remote_failed(struct disconnect_op *op, int rc, const char *err)
{
	char line[640];

	if (op->force) {
		log_warn("node %u did not take down its end of %s (%s); removing this end only", op->remote_id,
			 op->name, err);
		remove_locally(op);
		return;
	}
	snprintf(line, sizeof(line), "node %u: %s (`wgmesh disconnect %s force` removes this end only)", op->remote_id,
		 err, op->name);
	op->done(rc, line, op->ctx);
	op_free(op);
}

static void on_remote_reply(long status, const json_t *payload, const char *err, void *ctx);

static int call_remote(struct disconnect_op *op, char *err, size_t errlen)
{
	if (op->peer)
		return api_call_peer(op->deps.http, op->deps.identity, op->url, WGM_API_ROUTE_PEER_DISCONNECT,
				     op->remote_api_pk, op->link_key, op->payload, on_remote_reply, op, err, errlen);
	return api_call_boxed(op->deps.http, op->deps.identity, op->url, "POST", WGM_API_ROUTE_DISCONNECT, NULL,
			      op->remote_api_pk, op->payload, on_remote_reply, op, err, errlen);
}

static void waiting_unlink(struct disconnect_op *op)
{
	for (struct disconnect_op **p = &op->deps.waiting->first; *p; p = &(*p)->next_waiting) {
		if (*p == op) {
			*p = op->next_waiting;
			op->next_waiting = NULL;
			return;
		}
	}
}

static void on_retry(struct loop *loop, struct loop_timer *timer, void *ctx)
{
	struct disconnect_op *op = ctx;
	char err[512] = "";

	(void)loop;
	(void)timer;
	waiting_unlink(op);
	if (call_remote(op, err, sizeof(err)) < 0)
		remote_failed(op, -ECONNREFUSED, err);
}

/* Puts op on the waiting list for another try in DISCONNECT_RETRY_MS; false
 * when the time is up or the daemon is stopping (op untouched then). */
static bool retry_later(struct disconnect_op *op, const char *err)
{
	struct disconnect_waiting *w = op->deps.waiting;

	if (!w || !op->deps.loop || w->stopping ||
	    wgm_mono_ms() - op->first_try_ms + DISCONNECT_RETRY_MS >= DISCONNECT_RETRY_FOR_MS)
		return false;
	if (!op->retry && loop_timer_new(op->deps.loop, on_retry, op, &op->retry) < 0)
		return false;
	if (loop_timer_arm(op->retry, DISCONNECT_RETRY_MS, 0) < 0)
		return false;
	op->next_waiting = w->first;
	w->first = op;
	log_info("disconnect %s: node %u did not answer (%s); trying again in %u ms", op->name, op->remote_id, err,
		 DISCONNECT_RETRY_MS);
	return true;
}

static void on_remote_reply(long status, const json_t *payload, const char *err, void *ctx)
{
	struct disconnect_op *op = ctx;

	/* 404: the other end has no such link any more; ours is stale. */
	if (payload || status == 404) {
		remove_locally(op);
		return;
	}
	/* No answer at all (refused, no route, timeout): the mesh may still be
	 * moving the route to the other node. An HTTP refusal is final. */
	if (status == 0 && retry_later(op, err))
		return;
	remote_failed(op, -ECONNREFUSED, err);
}

int disconnect_link(const struct disconnect_deps *deps, const char *name, bool force, links_done_fn done, void *ctx,
		    char *err, size_t errlen)
{
	struct link *link = links_find(deps->links, name);
	struct wgm_msg_disconnect_req m = { 0 };
	struct disconnect_op *op;
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
			op_free(op);
			return -EINVAL;
		}
		remove_locally(op);
		return 0;
	}
	/* A peer is no member: its API is where it said (or where we reached
	 * it), and the link's own key proves the call (docs/api.md). */
	op->peer = link->rec.peer;
	if (op->peer) {
		memcpy(op->link_key, link->rec.psk, sizeof(op->link_key));
		if (!link->rec.remote_api_url[0]) {
			if (!force) {
				snprintf(err, errlen,
					 "peering link %s does not know the other node's API address; use force", name);
				op_free(op);
				return -EINVAL;
			}
			remove_locally(op);
			return 0;
		}
	}
	/* The mesh route reaches the other node's API when its listen address is
	 * local; the URL used to connect is the first choice for our own links. */
	if ((op->peer || link->rec.role == LINK_ROLE_CLIENT) && link->rec.remote_api_url[0])
		snprintf(op->url, sizeof(op->url), "%s", link->rec.remote_api_url);
	else
		join_member_url(deps->plan, deps->cfg, link->rec.remote_id, op->url, sizeof(op->url));
	memcpy(op->remote_api_pk, link->rec.remote_api_pk, sizeof(op->remote_api_pk));
	m.link.caller_id = (int)deps->cfg->id;
	m.link.transport = link->rec.transport;
	op->payload = wgm_msg_disconnect_req_encode(&m);
	if (!op->payload) {
		op_free(op);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	op->first_try_ms = wgm_mono_ms();
	rc = call_remote(op, err, errlen);
	if (rc < 0) {
		if (force) {
			remove_locally(op);
			return 0;
		}
		op_free(op);
	}
	return rc;
}

void disconnect_stop(struct disconnect_waiting *w)
{
	if (!w)
		return;
	w->stopping = true;
	while (w->first) {
		struct disconnect_op *op = w->first;
		w->first = op->next_waiting;
		op->next_waiting = NULL;
		loop_timer_disarm(op->retry);
		remote_failed(op, -ECONNREFUSED, "request cancelled: the daemon is stopping");
	}
}
