/* The control socket server (docs/control-socket.md): a Unix stream socket
 * in the daemon's loop, a dispatch table from command names to handlers,
 * asynchronous replies, and the "subscribe" event stream. */
#ifndef WGM_DAEMON_CTL_SERVER_H
#define WGM_DAEMON_CTL_SERVER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "daemon/core/loop.h"

struct ctl_server;
struct ctl_request;

/* Called on the loop for a request {"cmd":NAME,...}; args is the whole
 * request object (borrowed, valid until the reply). The handler must call
 * ctl_request_reply exactly once, now or later. A connection handles one
 * request at a time, so replies keep the order of requests. */
typedef void (*ctl_handler_fn)(struct ctl_request *req, const json_t *args, void *ctx);

/* Default bound on the bytes queued for one client; a client whose queue
 * would grow past it (a subscriber that stopped reading) is disconnected. */
#define CTL_SERVER_OUTPUT_MAX (4u * 1024 * 1024)

/* Listens on path: creates missing parent directories (0755), makes the
 * socket 0660 and group "wgmesh" when that group exists. An existing socket
 * file is replaced only when nobody answers on it; a live daemon there is
 * an error (-EADDRINUSE). err gets one line naming the path. */
int ctl_server_new(struct loop *loop, const char *path, struct ctl_server **out, char *err, size_t errlen);
/* Closes every connection and removes the socket file. Pending requests are
 * abandoned: their later replies are discarded. NULL is ignored. */
void ctl_server_free(struct ctl_server *srv);

/* The server keeps the last CTL_SERVER_RECENT_EVENTS published events
 * (except "metrics", which are periodic snapshots, not history) for the
 * built-in "events" command and for {"cmd":"subscribe","replay":true}. */
#define CTL_SERVER_RECENT_EVENTS 200

/* Registers (or replaces) the handler of cmd. "subscribe" and "events" are
 * built in. */
int ctl_server_register(struct ctl_server *srv, const char *cmd, ctl_handler_fn fn, void *ctx);

/* Sends the reply (takes ownership of reply; NULL sends an internal error)
 * and frees req. */
void ctl_request_reply(struct ctl_request *req, json_t *reply);
/* True once the client went away; the reply will be discarded. */
bool ctl_request_abandoned(const struct ctl_request *req);

/* Queues event (takes ownership) for every subscriber. Never blocks; a
 * subscriber whose queue would pass the output bound is disconnected.
 * Events published from inside publish (a log line about a dropped
 * subscriber) are not delivered to the same round. */
void ctl_server_publish(struct ctl_server *srv, json_t *event);

/* In-daemon observers (event hooks) see every published event, after the
 * subscribers, borrowed for the call. At most CTL_SERVER_OBSERVERS_MAX;
 * -ENOSPC past that. Unobserve before the observer's ctx goes. */
#define CTL_SERVER_OBSERVERS_MAX 4
typedef void (*ctl_event_observer_fn)(const json_t *event, void *ctx);
int ctl_server_observe(struct ctl_server *srv, ctl_event_observer_fn fn, void *ctx);
/* NULL srv is ignored. */
void ctl_server_unobserve(struct ctl_server *srv, ctl_event_observer_fn fn, void *ctx);
size_t ctl_server_subscriber_count(const struct ctl_server *srv);
void ctl_server_set_output_max(struct ctl_server *srv, size_t bytes);

#endif
