#include "daemon/control/ctl_links.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ctl/ctlproto.h"

static void handle_links(struct ctl_request *req, const json_t *args, void *ctx)
{
	struct ctl_links *cl = ctx;
	json_t *reply = wgm_ctl_reply_ok();

	json_object_set_new(reply, "schema", json_integer(WGM_CTL_SCHEMA_VERSION));
	json_object_set_new(reply, "links", links_to_json(cl->links));
	ctl_request_reply(req, reply);
}

static void connect_done(int rc, const json_t *result, const char *err, void *ctx)
{
	struct ctl_request *req = ctx;
	json_t *reply;

	if (rc < 0) {
		ctl_request_reply(req, wgm_ctl_reply_error("%s", err ? err : "connect failed"));
		return;
	}
	reply = wgm_ctl_reply_ok();
	json_object_update(reply, (json_t *)result);
	ctl_request_reply(req, reply);
}

static const char *opt_string(const json_t *args, const char *name)
{
	return json_string_value(json_object_get(args, name));
}

static void handle_connect(struct ctl_request *req, const json_t *args, void *ctx)
{
	struct ctl_links *cl = ctx;
	const json_t *port = json_object_get(args, "port");
	const char *token = opt_string(args, "token");
	char err[512];

	if (!token) {
		ctl_request_reply(
			req, wgm_ctl_reply_error("token: missing (get one with `wgmesh token` on the other node)"));
		return;
	}
	if (port && !json_is_null(port) &&
	    (!json_is_integer(port) || json_integer_value(port) < 0 || json_integer_value(port) > 65535)) {
		ctl_request_reply(req, wgm_ctl_reply_error("port: must be 0-65535"));
		return;
	}
	if (join_connect_token(cl->join, opt_string(args, "url"), token, opt_string(args, "link_type"),
			       port ? (unsigned)json_integer_value(port) : 0, connect_done, req, err, sizeof(err)) < 0)
		ctl_request_reply(req, wgm_ctl_reply_error("%s", err));
}

/* Collects the results of disconnecting several links into one reply. */
struct disconnect_batch {
	struct ctl_request *req;
	unsigned pending;
	json_t *removed;
	json_t *errors;
	/* `disconnect` of every link goes one link at a time (see below). */
	struct ctl_links *cl;
	json_t *queue;
	size_t next;
	bool force;
};

static void batch_finish(struct disconnect_batch *b)
{
	json_t *reply;

	if (json_array_size(b->errors) > 0) {
		/* One line: the first failure, and how many more there were. */
		size_t n = json_array_size(b->errors);
		reply = wgm_ctl_reply_error("%s%s", json_string_value(json_array_get(b->errors, 0)),
					    n > 1 ? " (and more failures)" : "");
	} else {
		reply = wgm_ctl_reply_ok();
	}
	json_object_set(reply, "removed", b->removed);
	ctl_request_reply(b->req, reply);
	json_decref(b->removed);
	json_decref(b->errors);
	json_decref(b->queue);
	free(b);
}

static void start_one(struct ctl_links *cl, struct disconnect_batch *b, const char *name, bool force);

/* Starts the next queued link, skipping those that fail at once. */
static void queue_next(struct disconnect_batch *b)
{
	while (b->queue && b->next < json_array_size(b->queue)) {
		unsigned before = b->pending;
		start_one(b->cl, b, json_string_value(json_array_get(b->queue, b->next++)), b->force);
		if (b->pending > before)
			return;
	}
}

struct disconnect_one {
	struct disconnect_batch *batch;
	char name[LINK_NAME_MAX + 1];
};

static void disconnect_one_done(int rc, const char *err, void *ctx)
{
	struct disconnect_one *one = ctx;
	struct disconnect_batch *b = one->batch;

	if (rc < 0)
		json_array_append_new(b->errors, json_string(err));
	else
		json_array_append_new(b->removed, json_string(one->name));
	free(one);
	/* Held while the next queued link starts. */
	queue_next(b);
	if (--b->pending == 0)
		batch_finish(b);
}

static void start_one(struct ctl_links *cl, struct disconnect_batch *b, const char *name, bool force)
{
	struct disconnect_one *one = calloc(1, sizeof(*one));
	char err[512];

	if (!one) {
		json_array_append_new(b->errors, json_string("out of memory"));
		return;
	}
	one->batch = b;
	snprintf(one->name, sizeof(one->name), "%s", name);
	b->pending++;
	if (disconnect_link(&cl->disconnect, name, force, disconnect_one_done, one, err, sizeof(err)) < 0) {
		b->pending--;
		json_array_append_new(b->errors, json_string(err));
		free(one);
	}
}

static bool link_answers_on_underlay(struct ctl_links *cl, const struct link *l)
{
	char member[LINK_URL_MAX];

	if (l->rec.role != LINK_ROLE_CLIENT || !l->rec.remote_api_url[0])
		return false;
	join_member_url(cl->disconnect.plan, cl->disconnect.cfg, l->rec.remote_id, member, sizeof(member));
	return strcmp(member, l->rec.remote_api_url) != 0;
}

static void handle_disconnect(struct ctl_request *req, const json_t *args, void *ctx)
{
	struct ctl_links *cl = ctx;
	const json_t *names = json_object_get(args, "links");
	bool force = json_is_true(json_object_get(args, "force"));
	struct disconnect_batch *b = calloc(1, sizeof(*b));
	size_t i;
	const json_t *v;

	if (!b) {
		ctl_request_reply(req, wgm_ctl_reply_error("out of memory"));
		return;
	}
	b->req = req;
	b->removed = json_array();
	b->errors = json_array();
	b->pending = 1; /* held while starting */
	if (names && !json_is_array(names)) {
		json_array_append_new(b->errors, json_string("links: must be a list of link names"));
	} else if (json_array_size(names) > 0) {
		json_array_foreach (names, i, v) {
			if (json_is_string(v))
				start_one(cl, b, json_string_value(v), force);
			else
				json_array_append_new(b->errors, json_string("links: every entry must be a name"));
		}
	} else if (!json_is_true(json_object_get(args, "all"))) {
		/* Removing every link takes saying so: an empty list is more
		 * often a mistake than a wish. */
		json_array_append_new(b->errors,
				      json_string("links: name a link, or set \"all\" to remove every link"));
	} else {
		/* "all": every link, as the original's `disconnect` did, one
		 * at a time. The other end removes its side before it answers, so
		 * the answer about the last direct link to a node travels through
		 * the rest of the mesh: links reached through the mesh go first,
		 * those whose other end answers on the underlay (joined by token)
		 * last, and never all at once. */
		b->cl = cl;
		b->force = force;
		b->queue = json_array();
		for (int underlay = 0; underlay < 2 && b->queue; underlay++)
			for (struct link *l = links_first(cl->links); l; l = l->next)
				if (link_answers_on_underlay(cl, l) == underlay)
					json_array_append_new(b->queue, json_string(l->rec.name));
		if (!b->queue)
			json_array_append_new(b->errors, json_string("out of memory"));
		queue_next(b);
	}
	if (--b->pending == 0)
		batch_finish(b);
}

static void admin_done(int rc, const char *err, void *ctx)
{
	struct ctl_request *req = ctx;

	ctl_request_reply(req, rc < 0 ? wgm_ctl_reply_error("%s", err) : wgm_ctl_reply_ok());
}

static void handle_admin(struct ctl_request *req, bool up, struct ctl_links *cl)
{
	if (links_set_admin_all(cl->links, up, admin_done, req) < 0)
		ctl_request_reply(req, wgm_ctl_reply_error("out of memory"));
}

static void handle_up(struct ctl_request *req, const json_t *args, void *ctx)
{
	handle_admin(req, true, ctx);
}

static void handle_down(struct ctl_request *req, const json_t *args, void *ctx)
{
	handle_admin(req, false, ctx);
}
/* `peer URL TOKEN`: a BGP peering link to a node of another network. */
static void handle_peer(struct ctl_request *req, const json_t *args, void *ctx)
{
	struct ctl_links *cl = ctx;
	const char *token = opt_string(args, "token");
	char err[512];

	if (!token) {
		ctl_request_reply(
			req, wgm_ctl_reply_error("token: missing (get one with `wgmesh token` on the other node)"));
		return;
	}
	if (join_peer_token(cl->join, opt_string(args, "url"), token, connect_done, req, err, sizeof(err)) < 0)
		ctl_request_reply(req, wgm_ctl_reply_error("%s", err));
}

int ctl_links_register(struct ctl_links *cl, struct ctl_server *ctl)
{
	static const struct {
		const char *name;
		ctl_handler_fn fn;
	} table[] = {
		{ WGM_CTL_CMD_LINKS, handle_links }, { WGM_CTL_CMD_CONNECT, handle_connect },
		{ WGM_CTL_CMD_PEER, handle_peer },   { WGM_CTL_CMD_DISCONNECT, handle_disconnect },
		{ WGM_CTL_CMD_UP, handle_up },       { WGM_CTL_CMD_DOWN, handle_down },
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		int rc = ctl_server_register(ctl, table[i].name, table[i].fn, cl);
		if (rc < 0)
			return rc;
	}
	return 0;
}
