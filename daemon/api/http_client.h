/* An HTTP client (libcurl multi) driven by the daemon's loop: requests run
 * concurrently, never block the loop, and report through a callback.
 * http and https only, no redirects, capped response size. */
#ifndef WGM_DAEMON_HTTP_CLIENT_H
#define WGM_DAEMON_HTTP_CLIENT_H

#include <stddef.h>

#include "daemon/core/loop.h"

struct http_client;
struct http_client_request;

#define HTTP_CLIENT_RESPONSE_MAX (1024u * 1024)

/* status: the HTTP status (0 when no response arrived, then error says why
 * in one line: "http://192.0.2.1:8080/connect: Timeout was reached").
 * body is NUL-terminated (empty when none), valid during the call only. */
typedef void (*http_client_done_fn)(long status, const char *body, size_t body_len, const char *error, void *ctx);

/* response_max: 0 for HTTP_CLIENT_RESPONSE_MAX. */
int http_client_new(struct loop *loop, size_t response_max, struct http_client **out);
/* Cancels every request still running: each callback runs once more with
 * status 0 and a "cancelled" error, so owners can free their context; new
 * requests are refused (-ESHUTDOWN) from then on. */
void http_client_free(struct http_client *client);

/* Starts method ("GET", "POST", "PATCH", ...) on url; body (may be NULL)
 * is sent as application/json. The callback runs exactly once, from the
 * loop, never from inside this call. *handle (optional) lets the caller
 * cancel; it is invalid once the callback ran. */
int http_client_request(struct http_client *client, const char *method, const char *url, const char *body,
			size_t body_len, unsigned timeout_ms, http_client_done_fn fn, void *ctx,
			struct http_client_request **handle);
/* The callback will not run. */
void http_client_cancel(struct http_client_request *req);

#endif
