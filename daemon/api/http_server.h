/* An HTTP server (libmicrohttpd) driven by the daemon's loop: routes by
 * method and path, request bodies with a hard cap, per-address connection
 * limits, timeouts, a gate that can refuse an address with 403, and
 * asynchronous handlers (the loop never waits for one).
 *
 * libmicrohttpd's own timeout is an idle one: a client trickling a byte every
 * few seconds would hold its connection for ever (slowloris). So every
 * request also has an absolute deadline, counted from the connection's start
 * (or the end of its previous request) to the moment the whole request is
 * read; a connection past it is cut and reported as a 408 outcome, as is a
 * request whose client went away half-way. While a handler holds a request
 * there is no deadline: that wait is ours, not the client's. */
#ifndef WGM_DAEMON_HTTP_SERVER_H
#define WGM_DAEMON_HTTP_SERVER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/core/loop.h"

struct http_server;
struct http_request;

struct http_server_options {
	const char *address;        /* "0.0.0.0", "::" (both families), "10.0.4.1", "2001:db8::1" */
	uint16_t port;              /* 0: any free port (see http_server_port) */
	size_t body_max;            /* bytes; bigger bodies get 413. 0: HTTP_SERVER_BODY_MAX */
	unsigned per_ip_limit;      /* concurrent connections per address; 0: 8 */
	unsigned timeout_s;         /* idle connection timeout; 0: 10 s */
	unsigned request_timeout_s; /* absolute time to send a whole request; 0: 10 s */
	unsigned connection_limit;  /* all connections; 0: 256 */
};

#define HTTP_SERVER_BODY_MAX (64u * 1024)

/* Called once per request with the whole body. The handler must call one of
 * the http_request_reply* functions exactly once, now or later from another
 * loop callback; the connection waits (suspended) meanwhile. */
typedef void (*http_handler_fn)(struct http_request *req, void *ctx);

/* Called before routing with the client's address (text, IPv4-mapped IPv6
 * shown as IPv4). Returning false answers 403 with reason (if set). */
typedef bool (*http_gate_fn)(const char *client_ip, const char **reason, void *ctx);

/* Called once per finished request with the status it was answered with
 * (413 also when an oversized body without Content-Length was cut off), e.g.
 * to count failures per address. Requests abandoned at shutdown are not
 * reported. */
typedef void (*http_outcome_fn)(const char *client_ip, unsigned status, void *ctx);

/* Called when a connection opens, with the client's address (as the gate
 * gets it); a negative return cuts it at once, unanswered. conn_close is
 * called once for each connection conn_open accepted. */
typedef int (*http_conn_open_fn)(const char *client_ip, void *ctx);
typedef void (*http_conn_close_fn)(const char *client_ip, void *ctx);

int http_server_new(struct loop *loop, const struct http_server_options *opts, struct http_server **out, char *err,
		    size_t errlen);
/* Stops listening and closes every connection. Requests still waiting for
 * their handler are abandoned; their later replies are discarded. */
void http_server_free(struct http_server *srv);
uint16_t http_server_port(const struct http_server *srv);

/* method "GET", "POST", "PATCH", ...; path is matched exactly ("/connect").
 * A known path with another method gets 405, an unknown path 404. */
int http_server_route(struct http_server *srv, const char *method, const char *path, http_handler_fn fn, void *ctx);
void http_server_set_gate(struct http_server *srv, http_gate_fn fn, void *ctx);
void http_server_set_outcome_hook(struct http_server *srv, http_outcome_fn fn, void *ctx);
void http_server_set_conn_hooks(struct http_server *srv, http_conn_open_fn open_fn, http_conn_close_fn close_fn,
				void *ctx);
/* Connections open now (for tests). */
unsigned http_server_connections(const struct http_server *srv);

/* Request accessors; valid until the reply. route_ctx: the ctx its route
 * was registered with (NULL once the request is abandoned). */
void *http_request_route_ctx(const struct http_request *req);
const char *http_request_method(const struct http_request *req);
const char *http_request_path(const struct http_request *req);
const char *http_request_client_ip(const struct http_request *req);
const char *http_request_body(const struct http_request *req); /* NUL-terminated */
size_t http_request_body_len(const struct http_request *req);
/* A request header (case-insensitive name) or NULL; only during the handler
 * call itself, not after it returned. */
const char *http_request_header(const struct http_request *req, const char *name);
/* Parses the body as a JSON object. -EINVAL with err ("body: ...") if not. */
int http_request_json(const struct http_request *req, json_t **out, char *err, size_t errlen);
/* True once the server stopped; a reply is then discarded. */
bool http_request_abandoned(const struct http_request *req);

/* Replies and frees req. body may be NULL for an empty body. */
void http_request_reply(struct http_request *req, unsigned status, const char *content_type, const void *body,
			size_t len);
/* JSON body (takes ownership of body; NULL sends {}). */
void http_request_reply_json(struct http_request *req, unsigned status, json_t *body);
/* {"error":"reason"}: the one-line reason the other side shows its user. */
void http_request_reply_error(struct http_request *req, unsigned status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
