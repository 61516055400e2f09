#include "tui/console/conn.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/ctl/ctl_client.h"
#include "common/ctl/ctlproto.h"

#define BACKOFF_MIN_MS 500
#define BACKOFF_MAX_MS 5000
#define SUBSCRIBE_TIMEOUT_MS 5000

void conn_open(struct conn *c, const char *path, conn_event_fn on_event, conn_state_fn on_state, void *ctx)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->on_event = on_event;
	c->on_state = on_state;
	c->ctx = ctx;
	c->backoff_ms = BACKOFF_MIN_MS;
}

static void pending_finish(struct conn_pending *p, const json_t *reply, const char *err)
{
	conn_reply_fn fn = p->fn;
	void *ctx = p->ctx;
	char cmd[sizeof(p->cmd)];
	memcpy(cmd, p->cmd, sizeof(cmd));
	wgm_ctl_client_free(p->client);
	memset(p, 0, sizeof(*p));
	if (fn)
		fn(ctx, cmd, reply, err);
}

static void events_drop(struct conn *c, int64_t now_ms, const char *why)
{
	bool was_up = c->subscribed;
	wgm_ctl_client_free(c->events);
	c->events = NULL;
	c->subscribed = false;
	snprintf(c->last_error, sizeof(c->last_error), "%s", why);
	c->next_attempt_ms = now_ms + c->backoff_ms;
	c->backoff_ms = c->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : c->backoff_ms * 2;
	if (was_up && c->on_state)
		c->on_state(c->ctx, false);
}

void conn_close(struct conn *c)
{
	for (size_t i = 0; i < CONN_PENDING_MAX; i++) {
		if (c->pending[i].client) {
			c->pending[i].fn = NULL;
			pending_finish(&c->pending[i], NULL, NULL);
		}
	}
	wgm_ctl_client_free(c->events);
	c->events = NULL;
	c->subscribed = false;
}

void conn_request(struct conn *c, json_t *req, int64_t timeout_ms, conn_reply_fn fn, void *ctx)
{
	char err[256] = "";
	const char *cmd = json_string_value(json_object_get(req, "cmd"));
	struct conn_pending *slot = NULL;
	for (size_t i = 0; i < CONN_PENDING_MAX && !slot; i++)
		slot = c->pending[i].client ? NULL : &c->pending[i];
	if (!slot) {
		snprintf(err, sizeof(err), "too many requests waiting for the daemon");
		goto fail;
	}
	struct wgm_ctl_client *client = NULL;
	if (wgm_ctl_client_connect(c->path, &client, err, sizeof(err)) < 0)
		goto fail;
	/* A request line is small; a socket that cannot take it at once means
	 * the daemon is stuck, which the caller hears about as an error. */
	if (wgm_ctl_client_send(client, req, 0, err, sizeof(err)) < 0) {
		wgm_ctl_client_free(client);
		goto fail;
	}
	*slot = (struct conn_pending){ .client = client, .fn = fn, .ctx = ctx, .timeout_ms = timeout_ms };
	snprintf(slot->cmd, sizeof(slot->cmd), "%s", cmd ? cmd : "?");
	slot->started_ms = -1; /* stamped by the next conn_process */
	json_decref(req);
	return;
fail:
	if (fn)
		fn(ctx, cmd ? cmd : "?", NULL, err);
	json_decref(req);
}

size_t conn_pollfds(const struct conn *c, struct pollfd *fds, size_t max)
{
	size_t n = 0;
	if (c->events && n < max)
		fds[n++] = (struct pollfd){ .fd = wgm_ctl_client_fd(c->events), .events = POLLIN };
	for (size_t i = 0; i < CONN_PENDING_MAX && n < max; i++) {
		if (c->pending[i].client)
			fds[n++] = (struct pollfd){ .fd = wgm_ctl_client_fd(c->pending[i].client), .events = POLLIN };
	}
	return n;
}

static short revents_of(const struct pollfd *fds, size_t nfds, int fd)
{
	for (size_t i = 0; i < nfds; i++) {
		if (fds[i].fd == fd)
			return fds[i].revents;
	}
	return 0;
}

static void try_connect(struct conn *c, int64_t now_ms)
{
	char err[256] = "";
	json_t *req = NULL;
	if (wgm_ctl_client_connect(c->path, &c->events, err, sizeof(err)) < 0) {
		events_drop(c, now_ms, err);
		return;
	}
	/* Replay: the events pane starts with what the daemon remembers; the
	 * console clears its own list on every (re)subscribe to match. */
	req = wgm_ctl_request_new(WGM_CTL_CMD_SUBSCRIBE);
	if (req && json_object_set_new(req, "replay", json_true()) < 0) {
		json_decref(req);
		req = NULL;
	}
	if (!req || wgm_ctl_client_send(c->events, req, 0, err, sizeof(err)) < 0)
		events_drop(c, now_ms, err[0] ? err : "cannot subscribe");
	else
		c->subscribe_sent_ms = now_ms;
	json_decref(req);
}

static void process_events(struct conn *c, short rev, int64_t now_ms)
{
	char err[256] = "";
	json_t *msg = NULL;
	int rc = 0;
	if (rev & (POLLIN | POLLHUP | POLLERR))
		rc = wgm_ctl_client_receive(c->events);
	/* Deliver what arrived before a close, then drop. */
	while (c->events && wgm_ctl_client_next(c->events, &msg, err, sizeof(err)) == 1) {
		if (!c->subscribed) {
			if (wgm_ctl_reply_check(msg, err, sizeof(err)) < 0) {
				json_decref(msg);
				events_drop(c, now_ms, err);
				return;
			}
			c->subscribed = true;
			c->backoff_ms = BACKOFF_MIN_MS;
			c->last_error[0] = '\0';
			if (c->on_state)
				c->on_state(c->ctx, true);
		} else if (c->on_event) {
			c->on_event(c->ctx, msg);
		}
		json_decref(msg);
	}
	if (rc < 0)
		events_drop(c, now_ms, rc == -ECONNRESET ? "the daemon closed the connection" : "lost the daemon");
	else if (c->events && !c->subscribed && now_ms - c->subscribe_sent_ms > SUBSCRIBE_TIMEOUT_MS)
		events_drop(c, now_ms, "the daemon did not answer subscribe");
}

static void process_pending(struct conn_pending *p, short rev, int64_t now_ms)
{
	char err[256] = "";
	json_t *msg = NULL;
	if (p->started_ms < 0)
		p->started_ms = now_ms;
	int rc = (rev & (POLLIN | POLLHUP | POLLERR)) ? wgm_ctl_client_receive(p->client) : 0;
	int got = wgm_ctl_client_next(p->client, &msg, err, sizeof(err));
	if (got == 1) {
		int ok = wgm_ctl_reply_check(msg, err, sizeof(err));
		pending_finish(p, ok == 0 ? msg : NULL, ok == 0 ? NULL : err);
		json_decref(msg);
	} else if (got < 0) {
		pending_finish(p, NULL, err);
	} else if (rc < 0) {
		pending_finish(p, NULL, "the daemon closed the connection before replying");
	} else if (now_ms - p->started_ms > p->timeout_ms) {
		snprintf(err, sizeof(err), "no reply from the daemon in %lld s", (long long)(p->timeout_ms / 1000));
		pending_finish(p, NULL, err);
	}
}

void conn_process(struct conn *c, const struct pollfd *fds, size_t nfds, int64_t now_ms)
{
	if (c->events)
		process_events(c, revents_of(fds, nfds, wgm_ctl_client_fd(c->events)), now_ms);
	else if (now_ms >= c->next_attempt_ms)
		try_connect(c, now_ms);
	for (size_t i = 0; i < CONN_PENDING_MAX; i++) {
		struct conn_pending *p = &c->pending[i];
		if (p->client)
			process_pending(p, revents_of(fds, nfds, wgm_ctl_client_fd(p->client)), now_ms);
	}
}

bool conn_up(const struct conn *c)
{
	return c->subscribed;
}

int64_t conn_retry_in(const struct conn *c, int64_t now_ms)
{
	return c->events || c->next_attempt_ms <= now_ms ? 0 : c->next_attempt_ms - now_ms;
}

int64_t conn_oldest_request_ms(const struct conn *c, int64_t now_ms)
{
	int64_t oldest = 0;
	for (size_t i = 0; i < CONN_PENDING_MAX; i++) {
		const struct conn_pending *p = &c->pending[i];
		/* Long jobs (connect waits for a link) are expected to take time. */
		if (p->client && p->started_ms >= 0 && p->timeout_ms <= CONN_QUICK_TIMEOUT_MS &&
		    now_ms - p->started_ms > oldest)
			oldest = now_ms - p->started_ms;
	}
	return oldest;
}
