/* Client side of the control socket (docs/control-socket.md). Blocking
 * calls with a timeout for the CLI; a non-blocking mode (poll the fd, feed
 * bytes, take whole messages) for the console. */
#ifndef WGM_COMMON_CTL_CLIENT_H
#define WGM_COMMON_CTL_CLIENT_H

#include <jansson.h>
#include <stddef.h>

struct wgm_ctl_client;

/* Connects to the daemon's socket. err: one line naming the path and
 * saying whether the daemon seems not to run. */
int wgm_ctl_client_connect(const char *path, struct wgm_ctl_client **out, char *err, size_t errlen);
void wgm_ctl_client_free(struct wgm_ctl_client *c);

/* Sends req and waits up to timeout_ms (-1: forever) for the reply.
 * Returns 0 with *reply for {"ok":true}; -EREMOTEIO with *reply and err =
 * the daemon's error; -ETIMEDOUT, -ECONNRESET, -EPROTO (err says) with
 * *reply NULL. The caller frees *reply. */
int wgm_ctl_client_call(struct wgm_ctl_client *c, const json_t *req, int timeout_ms, json_t **reply, char *err,
			size_t errlen);

/* One connection for one call: connect, call, close. */
int wgm_ctl_call(const char *path, const json_t *req, int timeout_ms, json_t **reply, char *err, size_t errlen);

/* Writes one message (waits up to timeout_ms for socket space). */
int wgm_ctl_client_send(struct wgm_ctl_client *c, const json_t *msg, int timeout_ms, char *err, size_t errlen);
/* Waits up to timeout_ms for the next message (a reply or an event).
 * Returns 0 with *msg, -ETIMEDOUT, -ECONNRESET (daemon closed), -EPROTO. */
int wgm_ctl_client_read(struct wgm_ctl_client *c, int timeout_ms, json_t **msg, char *err, size_t errlen);

/* Non-blocking mode. The fd is non-blocking; poll it for POLLIN. */
int wgm_ctl_client_fd(const struct wgm_ctl_client *c);
/* Reads whatever is available without blocking: 0, or -ECONNRESET when the
 * daemon closed the connection, -EMSGSIZE on an oversized line. */
int wgm_ctl_client_receive(struct wgm_ctl_client *c);
/* Adds bytes obtained elsewhere (tests, other transports). */
int wgm_ctl_client_feed(struct wgm_ctl_client *c, const char *data, size_t len);
/* 1 with *msg (caller frees), 0 when no whole message is buffered, -EPROTO
 * (err says) for a line that is not a JSON object (the line is consumed). */
int wgm_ctl_client_next(struct wgm_ctl_client *c, json_t **msg, char *err, size_t errlen);

#endif
