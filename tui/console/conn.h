/* The console's link to the daemon, never blocking the screen: one
 * connection subscribed to events, and one short-lived connection per
 * request (a slow "connect" must not hold up "links"). Reconnects by itself
 * with backoff. The caller polls conn_pollfds() and calls conn_process(). */
#ifndef WGM_TUI_CONN_H
#define WGM_TUI_CONN_H

#include <jansson.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONN_PENDING_MAX 16
/* Requests with a longer timeout are long jobs, not a sign of a slow daemon. */
#define CONN_QUICK_TIMEOUT_MS 15000

/* reply: the daemon's {"ok":true,...} (borrowed), or NULL with err set (the
 * daemon's error, a timeout, or "daemon disconnected"). */
typedef void (*conn_reply_fn)(void *ctx, const char *cmd, const json_t *reply, const char *err);
/* Every message on the subscription (borrowed). */
typedef void (*conn_event_fn)(void *ctx, const json_t *event);
/* The subscription came up (fetch a fresh snapshot) or went down. */
typedef void (*conn_state_fn)(void *ctx, bool up);

struct conn_pending {
	struct wgm_ctl_client *client; /* NULL = free slot */
	char cmd[32];
	conn_reply_fn fn;
	void *ctx;
	int64_t started_ms, timeout_ms;
};

struct conn {
	char path[108];
	struct wgm_ctl_client *events;
	bool subscribed;
	int64_t subscribe_sent_ms;
	int64_t next_attempt_ms;
	int64_t backoff_ms;
	char last_error[160];
	struct conn_pending pending[CONN_PENDING_MAX];
	conn_event_fn on_event;
	conn_state_fn on_state;
	void *ctx;
};

void conn_open(struct conn *c, const char *path, conn_event_fn on_event, conn_state_fn on_state, void *ctx);
void conn_close(struct conn *c);

/* Sends req (consumed) on its own connection. fn runs later from
 * conn_process, or right away with an error. timeout_ms bounds the wait. */
void conn_request(struct conn *c, json_t *req, int64_t timeout_ms, conn_reply_fn fn, void *ctx);

/* Fills fds (up to max) with what to poll; returns the count. */
size_t conn_pollfds(const struct conn *c, struct pollfd *fds, size_t max);
/* After poll: reads what is ready, delivers events and replies, times out
 * requests, reconnects when due. now_ms: a monotonic clock. */
void conn_process(struct conn *c, const struct pollfd *fds, size_t nfds, int64_t now_ms);

bool conn_up(const struct conn *c);
/* Milliseconds until the next reconnect attempt (when down). */
int64_t conn_retry_in(const struct conn *c, int64_t now_ms);
/* The oldest quick request's age, 0 when none waits (the "slow daemon" note). */
int64_t conn_oldest_request_ms(const struct conn *c, int64_t now_ms);

#endif
