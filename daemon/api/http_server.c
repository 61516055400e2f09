#include "daemon/api/http_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/util/clock.h"
#include "common/util/log.h"

/* How often deadlines are checked: a slow client is cut at most this late. */
#define SWEEP_MS 1000

struct http_route {
	char *method;
	char *path;
	http_handler_fn fn;
	void *ctx;
	struct http_route *next;
};

enum request_state {
	REQ_RECEIVING,    /* reading the body */
	REQ_WITH_HANDLER, /* the handler owns the request until it replies */
	REQ_ANSWERED,     /* response ready to queue */
};

/* One TCP connection (MHD's socket context), for the absolute request
 * deadline and the per-address accounting. */
struct http_conn {
	struct http_server *srv;
	struct MHD_Connection *mhd;
	int fd;
	char client_ip[INET6_ADDRSTRLEN];
	bool counted;    /* conn_open accepted it: conn_close owed */
	bool refused;    /* cut at once by conn_open */
	bool cut;        /* cut at its deadline */
	bool in_request; /* a request's headers arrived; it is not complete */
	bool failure_reported;
	unsigned requests_done;
	int64_t deadline_ms; /* monotonic; 0 while a handler holds the request */
	struct http_conn *prev, *next;
};

struct http_request {
	struct http_server *srv;
	struct http_conn *hc;        /* NULL if MHD gave no socket context */
	struct MHD_Connection *conn; /* NULL once MHD is done with it */
	enum request_state state;
	bool suspended;
	bool abandoned;
	bool in_handler;
	const struct http_route *route;
	char method[16];
	char *path;
	char client_ip[INET6_ADDRSTRLEN];
	char *body;
	size_t body_len;
	size_t body_cap;
	struct MHD_Response *response;
	unsigned status;
	/* Suspended requests, so that shutdown can resume them. */
	struct http_request *prev_suspended, *next_suspended;
};

struct http_server {
	struct loop *loop;
	struct MHD_Daemon *mhd;
	struct loop_watch *watch;
	struct loop_timer *timer;
	struct http_server_options opts;
	uint16_t port;
	struct http_route *routes;
	http_gate_fn gate;
	void *gate_ctx;
	http_outcome_fn outcome;
	void *outcome_ctx;
	struct http_request *suspended;
	http_conn_open_fn conn_open;
	http_conn_close_fn conn_close;
	void *conn_ctx;
	struct http_conn *conns;
	unsigned n_conns;
	struct loop_timer *sweep;
};

static void server_run_mhd(struct http_server *srv);

static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	size_t n;

	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n > 0 && line[n - 1] == '\n')
		line[--n] = '\0';
	log_debug("http server: %s", line);
}

static void request_free(struct http_request *req)
{
	if (req->response)
		MHD_destroy_response(req->response);
	free(req->path);
	free(req->body);
	free(req);
}

static void unlink_suspended(struct http_request *req)
{
	if (!req->suspended)
		return;
	if (req->prev_suspended)
		req->prev_suspended->next_suspended = req->next_suspended;
	else
		req->srv->suspended = req->next_suspended;
	if (req->next_suspended)
		req->next_suspended->prev_suspended = req->prev_suspended;
	req->prev_suspended = req->next_suspended = NULL;
	req->suspended = false;
}

static struct MHD_Response *make_response(unsigned status, const char *content_type, const void *body, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)(body ? body : ""),
								 MHD_RESPMEM_MUST_COPY);

	(void)status;
	if (r && content_type)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	return r;
}

static struct MHD_Response *make_error_response(const char *reason)
{
	json_t *body = json_pack("{s:s}", "error", reason);
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	struct MHD_Response *r = make_response(0, "application/json", text, text ? strlen(text) : 0);

	free(text);
	json_decref(body);
	return r;
}

void http_request_reply(struct http_request *req, unsigned status, const char *content_type, const void *body,
			size_t len)
{
	struct http_server *srv = req->srv;

	if (req->abandoned) {
		request_free(req);
		return;
	}
	req->response = make_response(status, content_type, body, len);
	req->status = status;
	req->state = REQ_ANSWERED;
	if (req->suspended) {
		unlink_suspended(req);
		MHD_resume_connection(req->conn);
		/* MHD queues the response from its own callback, on its next run. */
		loop_timer_arm(srv->timer, 0, 0);
	}
}

void http_request_reply_json(struct http_request *req, unsigned status, json_t *body)
{
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;

	/* A body that cannot be encoded is a bug here, not the client's. */
	if (body && !text)
		status = 500;
	http_request_reply(req, status, "application/json", text ? text : "{}", text ? strlen(text) : 2);
	free(text);
	json_decref(body);
}

void http_request_reply_error(struct http_request *req, unsigned status, const char *fmt, ...)
{
	char reason[512];
	json_t *body;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	for (char *p = reason; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	body = json_pack("{s:s}", "error", reason);
	http_request_reply_json(req, status, body);
}

const char *http_request_method(const struct http_request *req)
{
	return req->method;
}
const char *http_request_path(const struct http_request *req)
{
	return req->path;
}
const char *http_request_client_ip(const struct http_request *req)
{
	return req->client_ip;
}
const char *http_request_body(const struct http_request *req)
{
	return req->body ? req->body : "";
}
size_t http_request_body_len(const struct http_request *req)
{
	return req->body_len;
}
bool http_request_abandoned(const struct http_request *req)
{
	return req->abandoned;
}

const char *http_request_header(const struct http_request *req, const char *name)
{
	if (!req->in_handler || !req->conn)
		return NULL;
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

int http_request_json(const struct http_request *req, json_t **out, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *v;

	if (req->body_len == 0) {
		snprintf(err, errlen, "body: empty, expected a JSON object");
		return -EINVAL;
	}
	v = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!v) {
		snprintf(err, errlen, "body: invalid JSON at position %d: %s", jerr.position, jerr.text);
		return -EINVAL;
	}
	if (!json_is_object(v)) {
		json_decref(v);
		snprintf(err, errlen, "body: not a JSON object");
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static void client_ip_text(struct MHD_Connection *conn, char *out, size_t outlen)
{
	const union MHD_ConnectionInfo *info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = info ? info->client_addr : NULL;

	snprintf(out, outlen, "unknown");
	if (!sa)
		return;
	if (sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)outlen);
	} else if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		/* A dual-stack listener sees IPv4 clients as ::ffff:a.b.c.d; the
		 * blocklist and logs want one spelling per client. */
		if (IN6_IS_ADDR_V4MAPPED(a))
			inet_ntop(AF_INET, &a->s6_addr[12], out, (socklen_t)outlen);
		else
			inet_ntop(AF_INET6, a, out, (socklen_t)outlen);
	}
}

static const struct http_route *find_route(const struct http_server *srv, const char *method, const char *path,
					   bool *path_known)
{
	*path_known = false;
	for (const struct http_route *r = srv->routes; r; r = r->next) {
		if (strcmp(r->path, path) != 0)
			continue;
		*path_known = true;
		if (strcmp(r->method, method) == 0)
			return r;
	}
	return NULL;
}

/* An answer decided before the handler; the status is kept for the outcome
 * hook. A blocked client's connection is closed after its 403: it has
 * nothing more to say. */
static enum MHD_Result refuse_early(struct http_request *req, unsigned status, const char *reason)
{
	struct MHD_Response *r = make_error_response(reason);
	enum MHD_Result rc;

	req->status = status;
	if (!r)
		return MHD_NO;
	if (status == MHD_HTTP_FORBIDDEN)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	rc = MHD_queue_response(req->conn, status, r);
	MHD_destroy_response(r);
	return rc;
}

/* The first call for a request: everything decided from the headers alone,
 * answered before any body is read. */
static enum MHD_Result request_begin(struct http_server *srv, struct MHD_Connection *conn, const char *url,
				     const char *method, void **con_cls)
{
	struct http_request *req = calloc(1, sizeof(*req));
	const char *reason = NULL;
	const char *length;
	bool path_known;

	if (!req)
		return MHD_NO;
	req->srv = srv;
	req->conn = conn;
	snprintf(req->method, sizeof(req->method), "%s", method);
	req->path = strdup(url);
	if (!req->path) {
		free(req);
		return MHD_NO;
	}
	client_ip_text(conn, req->client_ip, sizeof(req->client_ip));
	{
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
		req->hc = ci ? ci->socket_context : NULL;
		if (req->hc)
			req->hc->in_request = true;
	}
	*con_cls = req;
	if (srv->gate && !srv->gate(req->client_ip, &reason, srv->gate_ctx))
		return refuse_early(req, MHD_HTTP_FORBIDDEN, reason ? reason : "forbidden");
	req->route = find_route(srv, method, url, &path_known);
	if (!req->route)
		return path_known ? refuse_early(req, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed")
				  : refuse_early(req, MHD_HTTP_NOT_FOUND, "no such resource");
	length = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (length) {
		char *end;
		errno = 0;
		unsigned long long n = strtoull(length, &end, 10);
		if (errno || *end || end == length || n > srv->opts.body_max) {
			char msg[96];
			snprintf(msg, sizeof(msg), "body larger than %zu bytes", srv->opts.body_max);
			return refuse_early(req, MHD_HTTP_CONTENT_TOO_LARGE, msg);
		}
	}
	return MHD_YES;
}

static int append_body(struct http_request *req, const char *data, size_t len)
{
	if (req->body_len + len > req->srv->opts.body_max)
		return -EMSGSIZE;
	if (req->body_len + len + 1 > req->body_cap) {
		size_t cap = req->body_cap ? req->body_cap : 1024;
		char *body;
		while (cap < req->body_len + len + 1)
			cap *= 2;
		body = realloc(req->body, cap);
		if (!body)
			return -ENOMEM;
		req->body = body;
		req->body_cap = cap;
	}
	memcpy(req->body + req->body_len, data, len);
	req->body_len += len;
	req->body[req->body_len] = '\0';
	return 0;
}

static enum MHD_Result access_handler(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				      const char *version, const char *upload_data, size_t *upload_data_size,
				      void **con_cls)
{
	struct http_server *srv = cls;
	struct http_request *req = *con_cls;
	enum MHD_Result rc;

	if (!req)
		return request_begin(srv, conn, url, method, con_cls);
	if (*upload_data_size > 0) {
		/* Without a Content-Length the cap is only known mid-body; MHD
		 * cannot answer then, so the connection is cut. */
		if (req->state != REQ_RECEIVING)
			return MHD_NO;
		if (append_body(req, upload_data, *upload_data_size) < 0) {
			/* Counted as what it is, though the caller sees a cut connection. */
			req->status = MHD_HTTP_CONTENT_TOO_LARGE;
			return MHD_NO;
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (req->state == REQ_RECEIVING) {
		req->state = REQ_WITH_HANDLER;
		req->in_handler = true;
		/* Read in full: the wait from now on is the handler's. */
		if (req->hc)
			req->hc->deadline_ms = 0;
		req->route->fn(req, req->route->ctx);
		req->in_handler = false;
		if (req->state == REQ_WITH_HANDLER) {
			req->suspended = true;
			req->next_suspended = srv->suspended;
			if (srv->suspended)
				srv->suspended->prev_suspended = req;
			srv->suspended = req;
			MHD_suspend_connection(conn);
			return MHD_YES;
		}
	}
	if (req->state != REQ_ANSWERED || !req->response)
		return MHD_NO;
	rc = MHD_queue_response(conn, req->status, req->response);
	MHD_destroy_response(req->response);
	req->response = NULL;
	return rc;
}

static void request_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			      enum MHD_RequestTerminationCode toe)
{
	struct http_request *req = *con_cls;

	if (!req)
		return;
	*con_cls = NULL;
	if (req->status && req->srv->outcome)
		req->srv->outcome(req->client_ip, req->status, req->srv->outcome_ctx);
	if (req->hc) {
		struct http_conn *hc = req->hc;
		/* Cut at the deadline or abandoned by the client half-way: a
		 * failure like any 4xx, so slow clients end up blocked. */
		if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && req->state == REQ_RECEIVING && !req->status &&
		    !hc->failure_reported && !hc->refused) {
			hc->failure_reported = true;
			if (req->srv->outcome)
				req->srv->outcome(req->client_ip, MHD_HTTP_REQUEST_TIMEOUT, req->srv->outcome_ctx);
		}
		hc->in_request = false;
		hc->requests_done++;
		/* The next request on a kept-alive connection gets its own time. */
		hc->deadline_ms = wgm_mono_ms() + (int64_t)req->srv->opts.request_timeout_s * 1000;
	}
	unlink_suspended(req);
	req->conn = NULL;
	/* The handler still holds it: its reply will free it. */
	if (req->state == REQ_WITH_HANDLER) {
		req->abandoned = true;
		return;
	}
	request_free(req);
}

static void conn_unlink(struct http_conn *hc)
{
	struct http_server *srv = hc->srv;

	if (hc->prev)
		hc->prev->next = hc->next;
	else
		srv->conns = hc->next;
	if (hc->next)
		hc->next->prev = hc->prev;
	srv->n_conns--;
	if (!srv->conns)
		loop_timer_disarm(srv->sweep);
}

/* Cuts a connection without an answer: MHD sees end of file on its next
 * read and closes it (the descriptor stays MHD's). */
static void conn_cut(struct http_conn *hc)
{
	if (hc->fd >= 0)
		shutdown(hc->fd, SHUT_RDWR);
}

static void conn_started(struct http_server *srv, struct MHD_Connection *conn, void **socket_context)
{
	const union MHD_ConnectionInfo *info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	struct http_conn *hc = calloc(1, sizeof(*hc));

	if (!hc) {
		/* Without a record the connection cannot be bounded: drop it. */
		if (info)
			shutdown(info->connect_fd, SHUT_RDWR);
		return;
	}
	hc->srv = srv;
	hc->mhd = conn;
	hc->fd = info ? info->connect_fd : -1;
	client_ip_text(conn, hc->client_ip, sizeof(hc->client_ip));
	hc->deadline_ms = wgm_mono_ms() + (int64_t)srv->opts.request_timeout_s * 1000;
	hc->next = srv->conns;
	if (srv->conns)
		srv->conns->prev = hc;
	srv->conns = hc;
	srv->n_conns++;
	*socket_context = hc;
	if (!loop_timer_armed(srv->sweep))
		loop_timer_arm(srv->sweep, SWEEP_MS, SWEEP_MS);
	if (srv->conn_open && srv->conn_open(hc->client_ip, srv->conn_ctx) < 0) {
		log_debug("http server: connection from %s refused (too many open)", hc->client_ip);
		hc->refused = true;
		conn_cut(hc);
		return;
	}
	hc->counted = srv->conn_open != NULL;
}

static void conn_closed(struct http_server *srv, struct http_conn *hc)
{
	/* Cut before a request was complete (not an idle kept-alive one). */
	if (hc->cut && !hc->failure_reported && (hc->requests_done == 0 || hc->in_request) && srv->outcome)
		srv->outcome(hc->client_ip, MHD_HTTP_REQUEST_TIMEOUT, srv->outcome_ctx);
	if (hc->counted && srv->conn_close)
		srv->conn_close(hc->client_ip, srv->conn_ctx);
	conn_unlink(hc);
	free(hc);
}

static void notify_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			      enum MHD_ConnectionNotificationCode toe)
{
	struct http_server *srv = cls;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED)
		conn_started(srv, conn, socket_context);
	else if (toe == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context) {
		conn_closed(srv, *socket_context);
		*socket_context = NULL;
	}
}

/* Cuts every connection past its deadline. */
static void sweep_deadlines(struct loop *loop, struct loop_timer *t, void *ctx)
{
	struct http_server *srv = ctx;
	int64_t now = wgm_mono_ms();
	bool any = false;

	for (struct http_conn *hc = srv->conns; hc; hc = hc->next) {
		if (hc->cut || hc->refused || !hc->deadline_ms || now < hc->deadline_ms)
			continue;
		log_debug("http server: %s did not send its request within %u s: cut", hc->client_ip,
			  srv->opts.request_timeout_s);
		hc->cut = true;
		conn_cut(hc);
		any = true;
	}
	if (any)
		server_run_mhd(srv);
}

static void server_update_timer(struct http_server *srv)
{
	MHD_UNSIGNED_LONG_LONG timeout_ms;

	if (MHD_get_timeout(srv->mhd, &timeout_ms) == MHD_YES)
		loop_timer_arm(srv->timer, timeout_ms, 0);
	else
		loop_timer_disarm(srv->timer);
}

static void server_run_mhd(struct http_server *srv)
{
	MHD_run(srv->mhd);
	server_update_timer(srv);
}

static void mhd_ready(struct loop *loop, int fd, uint32_t events, void *ctx)
{
	server_run_mhd(ctx);
}

static void mhd_timeout(struct loop *loop, struct loop_timer *t, void *ctx)
{
	server_run_mhd(ctx);
}

static int open_listener(const char *address, uint16_t port, int *out, uint16_t *bound_port, char *err, size_t errlen)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	int fd, one = 1, v6only;

	if (inet_pton(AF_INET, address, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		ss.ss_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port = htons(port);
		len = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, address, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		ss.ss_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);
		len = sizeof(struct sockaddr_in6);
	} else {
		snprintf(err, errlen, "listen address \"%s\" is not an IPv4 or IPv6 address", address);
		return -EINVAL;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6) {
		/* "::" serves both families; a specific IPv6 address only itself. */
		v6only = !IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6 *)&ss)->sin6_addr);
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only));
	}
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 64) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		goto fail;
	*bound_port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
						    : ((struct sockaddr_in6 *)&ss)->sin6_port);
	*out = fd;
	return 0;
fail:;
	int e = errno;
	if (fd >= 0)
		close(fd);
	snprintf(err, errlen, "cannot listen on %s port %u: %s", address, port, strerror(e));
	return -e;
}

int http_server_new(struct loop *loop, const struct http_server_options *opts, struct http_server **out, char *err,
		    size_t errlen)
{
	struct http_server *srv = calloc(1, sizeof(*srv));
	const union MHD_DaemonInfo *info;
	const char *address;
	int fd = -1, rc;

	if (!srv)
		return -ENOMEM;
	srv->loop = loop;
	srv->opts = *opts;
	srv->opts.address = NULL; /* not kept: the caller owns the string */
	if (!srv->opts.body_max)
		srv->opts.body_max = HTTP_SERVER_BODY_MAX;
	if (!srv->opts.per_ip_limit)
		srv->opts.per_ip_limit = 8;
	if (!srv->opts.timeout_s)
		srv->opts.timeout_s = 10;
	if (!srv->opts.connection_limit)
		srv->opts.connection_limit = 256;
	if (!srv->opts.request_timeout_s)
		srv->opts.request_timeout_s = 10;
	address = opts->address ? opts->address : "0.0.0.0";
	rc = open_listener(address, opts->port, &fd, &srv->port, err, errlen);
	if (rc < 0)
		goto fail;
	rc = loop_timer_new(loop, mhd_timeout, srv, &srv->timer);
	if (rc == 0)
		rc = loop_timer_new(loop, sweep_deadlines, srv, &srv->sweep);
	if (rc < 0) {
		snprintf(err, errlen, "http server timer: %s", strerror(-rc));
		goto fail;
	}
	srv->mhd = MHD_start_daemon(MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG, 0, NULL, NULL,
				    access_handler, srv, MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_TIMEOUT,
				    srv->opts.timeout_s, MHD_OPTION_PER_IP_CONNECTION_LIMIT, srv->opts.per_ip_limit,
				    MHD_OPTION_CONNECTION_LIMIT, srv->opts.connection_limit,
				    MHD_OPTION_NOTIFY_COMPLETED, request_completed, srv, MHD_OPTION_NOTIFY_CONNECTION,
				    notify_connection, srv, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv, MHD_OPTION_END);
	if (!srv->mhd) {
		rc = -EIO;
		snprintf(err, errlen, "cannot start the HTTP server on %s port %u", address, srv->port);
		goto fail;
	}
	fd = -1; /* MHD owns it now */
	info = MHD_get_daemon_info(srv->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (!info) {
		rc = -EIO;
		snprintf(err, errlen, "HTTP server has no epoll descriptor");
		goto fail;
	}
	rc = loop_watch_add(loop, info->epoll_fd, EPOLLIN, mhd_ready, srv, &srv->watch);
	if (rc < 0) {
		snprintf(err, errlen, "http server watch: %s", strerror(-rc));
		goto fail;
	}
	server_update_timer(srv);
	*out = srv;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	if (srv->mhd)
		MHD_stop_daemon(srv->mhd);
	loop_timer_free(srv->timer);
	loop_timer_free(srv->sweep);
	free(srv);
	return rc;
}

void http_server_free(struct http_server *srv)
{
	if (!srv)
		return;
	/* MHD refuses to stop with suspended connections: hand them back to it
	 * (it closes them, and request_completed marks them abandoned). */
	while (srv->suspended) {
		struct http_request *req = srv->suspended;
		unlink_suspended(req);
		MHD_resume_connection(req->conn);
	}
	loop_watch_remove(srv->watch);
	MHD_stop_daemon(srv->mhd);
	loop_timer_free(srv->timer);
	loop_timer_free(srv->sweep);
	while (srv->routes) {
		struct http_route *r = srv->routes;
		srv->routes = r->next;
		free(r->method);
		free(r->path);
		free(r);
	}
	free(srv);
}

uint16_t http_server_port(const struct http_server *srv)
{
	return srv->port;
}

int http_server_route(struct http_server *srv, const char *method, const char *path, http_handler_fn fn, void *ctx)
{
	struct http_route *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->method = strdup(method);
	r->path = strdup(path);
	if (!r->method || !r->path) {
		free(r->method);
		free(r->path);
		free(r);
		return -ENOMEM;
	}
	r->fn = fn;
	r->ctx = ctx;
	r->next = srv->routes;
	srv->routes = r;
	return 0;
}

void http_server_set_gate(struct http_server *srv, http_gate_fn fn, void *ctx)
{
	srv->gate = fn;
	srv->gate_ctx = ctx;
}

void http_server_set_outcome_hook(struct http_server *srv, http_outcome_fn fn, void *ctx)
{
	srv->outcome = fn;
	srv->outcome_ctx = ctx;
}

void http_server_set_conn_hooks(struct http_server *srv, http_conn_open_fn open_fn, http_conn_close_fn close_fn,
				void *ctx)
{
	srv->conn_open = open_fn;
	srv->conn_close = close_fn;
	srv->conn_ctx = ctx;
}

unsigned http_server_connections(const struct http_server *srv)
{
	return srv->n_conns;
}

void *http_request_route_ctx(const struct http_request *req)
{
	/* An abandoned request outlives the server and its routes. */
	return req->route && !req->abandoned ? req->route->ctx : NULL;
}
