#include "daemon/core/ctl_server.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/ctl/ctlproto.h"
#include "common/util/log.h"

struct ctl_handler {
	char *cmd;
	ctl_handler_fn fn;
	void *ctx;
	struct ctl_handler *next;
};

struct ctl_conn {
	struct ctl_server *srv;
	int fd;
	struct loop_watch *watch;
	struct wgm_ctl_line_reader reader;
	char *out;
	size_t out_len;
	size_t out_cap;
	bool subscriber;
	bool closed;
	bool input_eof;
	bool dispatching;
	struct ctl_request *pending;
	struct ctl_conn *next;
};

struct ctl_request {
	struct ctl_conn *conn; /* NULL once abandoned */
	json_t *args;
};

struct ctl_server {
	struct loop *loop;
	char *path;
	int fd;
	struct loop_watch *watch;
	struct ctl_handler *handlers;
	struct ctl_conn *conns;
	/* Closed connections are freed from a timer, never under a callback
	 * that may still hold them. */
	struct ctl_conn *closed;
	struct loop_timer *reaper;
	size_t output_max;
	bool publishing;
	json_t *recent[CTL_SERVER_RECENT_EVENTS]; /* ring, oldest at recent_head */
	size_t recent_head;
	size_t recent_count;
	struct {
		ctl_event_observer_fn fn;
		void *ctx;
	} observers[CTL_SERVER_OBSERVERS_MAX];
};

static void conn_process_input(struct ctl_conn *c);

static void conn_close(struct ctl_conn *c)
{
	struct ctl_conn **pp;

	if (c->closed)
		return;
	c->closed = true;
	loop_watch_remove(c->watch);
	c->watch = NULL;
	close(c->fd);
	c->fd = -1;
	if (c->pending)
		c->pending->conn = NULL;
	c->pending = NULL;
	for (pp = &c->srv->conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	c->next = c->srv->closed;
	c->srv->closed = c;
	loop_timer_arm(c->srv->reaper, 0, 0);
}

static void conn_free(struct ctl_conn *c)
{
	wgm_ctl_line_reader_free(&c->reader);
	free(c->out);
	free(c);
}

static void reap_closed(struct loop *loop, struct loop_timer *t, void *ctx)
{
	struct ctl_server *srv = ctx;

	while (srv->closed) {
		struct ctl_conn *c = srv->closed;
		srv->closed = c->next;
		conn_free(c);
	}
}

static uint32_t conn_wanted_events(const struct ctl_conn *c)
{
	uint32_t ev = 0;

	/* While a request is pending, input waits in the socket: one request
	 * at a time keeps replies in order. */
	if (!c->pending && !c->input_eof)
		ev |= EPOLLIN;
	if (c->out_len > 0)
		ev |= EPOLLOUT;
	return ev;
}

static void conn_update_events(struct ctl_conn *c)
{
	if (!c->closed)
		loop_watch_modify(c->watch, conn_wanted_events(c));
}

static void conn_flush(struct ctl_conn *c)
{
	while (c->out_len > 0) {
		ssize_t n = send(c->fd, c->out, c->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			conn_close(c);
			return;
		}
		memmove(c->out, c->out + n, c->out_len - (size_t)n);
		c->out_len -= (size_t)n;
	}
	if (c->out_len == 0 && c->input_eof && !c->pending) {
		conn_close(c);
		return;
	}
	conn_update_events(c);
}

/* Returns 0, or -ENOBUFS when the client's queue would pass the bound (the
 * caller closes it). */
static int conn_queue(struct ctl_conn *c, const json_t *msg)
{
	size_t len;
	char *line = wgm_ctl_message_dump(msg, &len);

	if (!line)
		return -ENOMEM;
	if (c->out_len + len > c->srv->output_max) {
		free(line);
		return -ENOBUFS;
	}
	if (c->out_len + len > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		char *out;
		while (cap < c->out_len + len)
			cap *= 2;
		out = realloc(c->out, cap);
		if (!out) {
			free(line);
			return -ENOMEM;
		}
		c->out = out;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, line, len);
	c->out_len += len;
	free(line);
	return 0;
}

/* Takes ownership of msg. */
static void conn_send(struct ctl_conn *c, json_t *msg)
{
	int rc = msg ? conn_queue(c, msg) : -ENOMEM;

	json_decref(msg);
	if (rc < 0) {
		conn_close(c);
		return;
	}
	conn_flush(c);
}

bool ctl_request_abandoned(const struct ctl_request *req)
{
	return req->conn == NULL;
}

void ctl_request_reply(struct ctl_request *req, json_t *reply)
{
	struct ctl_conn *c = req->conn;

	if (!reply)
		reply = wgm_ctl_reply_error("internal error: no reply");
	if (c) {
		c->pending = NULL;
		conn_send(c, reply);
		/* Lines that arrived with this request wait in the reader; when
		 * the reply comes from inside dispatch, the dispatch loop goes on. */
		if (!c->closed && !c->dispatching)
			conn_process_input(c);
	} else {
		json_decref(reply);
	}
	json_decref(req->args);
	free(req);
}

static struct ctl_handler *find_handler(struct ctl_server *srv, const char *cmd)
{
	for (struct ctl_handler *h = srv->handlers; h; h = h->next)
		if (strcmp(h->cmd, cmd) == 0)
			return h;
	return NULL;
}

static json_t *recent_events(const struct ctl_server *srv)
{
	json_t *list = json_array();

	for (size_t i = 0; list && i < srv->recent_count; i++)
		json_array_append(list, srv->recent[(srv->recent_head + i) % CTL_SERVER_RECENT_EVENTS]);
	return list;
}

static void remember_event(struct ctl_server *srv, json_t *event)
{
	const char *kind = wgm_ctl_event_kind(event);
	size_t slot;

	if (kind && strcmp(kind, WGM_CTL_EVENT_METRICS) == 0)
		return;
	if (srv->recent_count < CTL_SERVER_RECENT_EVENTS) {
		slot = (srv->recent_head + srv->recent_count++) % CTL_SERVER_RECENT_EVENTS;
	} else {
		slot = srv->recent_head;
		srv->recent_head = (srv->recent_head + 1) % CTL_SERVER_RECENT_EVENTS;
		json_decref(srv->recent[slot]);
	}
	srv->recent[slot] = json_incref(event);
}

static void handle_events(struct ctl_request *req, const json_t *args, void *ctx)
{
	struct ctl_server *srv = ctx;
	json_t *reply = wgm_ctl_reply_ok();

	if (reply)
		json_object_set_new(reply, "events", recent_events(srv));
	ctl_request_reply(req, reply);
}

static void handle_subscribe(struct ctl_request *req, const json_t *args, void *ctx)
{
	struct ctl_server *srv = ctx;
	struct ctl_conn *c = req->conn;
	const json_t *replay = json_object_get(args, "replay");

	if (replay && !json_is_boolean(replay)) {
		ctl_request_reply(req, wgm_ctl_reply_error("subscribe: \"replay\" must be true or false"));
		return;
	}
	c->subscriber = true;
	ctl_request_reply(req, wgm_ctl_reply_ok());
	for (size_t i = 0; json_is_true(replay) && !c->closed && i < srv->recent_count; i++)
		conn_send(c, json_incref(srv->recent[(srv->recent_head + i) % CTL_SERVER_RECENT_EVENTS]));
}

static void conn_dispatch_line(struct ctl_conn *c, const char *line, size_t len)
{
	char err[256];
	json_t *msg = NULL;
	const char *cmd;
	struct ctl_handler *h;
	struct ctl_request *req;

	if (len == 0)
		return;
	if (wgm_ctl_message_parse(line, len, &msg, err, sizeof(err)) < 0 ||
	    wgm_ctl_request_validate(msg, &cmd, err, sizeof(err)) < 0) {
		json_decref(msg);
		conn_send(c, wgm_ctl_reply_error("%s", err));
		return;
	}
	h = find_handler(c->srv, cmd);
	if (!h) {
		conn_send(c, wgm_ctl_reply_error("unknown command \"%.64s\"", cmd));
		json_decref(msg);
		return;
	}
	req = calloc(1, sizeof(*req));
	if (!req) {
		json_decref(msg);
		conn_close(c);
		return;
	}
	req->conn = c;
	req->args = msg;
	c->pending = req;
	c->dispatching = true;
	h->fn(req, msg, h->ctx);
	c->dispatching = false;
	conn_update_events(c);
}

static void conn_process_input(struct ctl_conn *c)
{
	const char *line;
	size_t len;
	int rc;

	/* A subscriber's connection carries only events; what it sends is
	 * read (to notice it leaving) and ignored. */
	while (!c->closed && !c->pending && !c->subscriber &&
	       (rc = wgm_ctl_line_reader_next(&c->reader, &line, &len)) != 0) {
		if (rc < 0) {
			conn_send(c, wgm_ctl_reply_error("request line longer than %d bytes", WGM_CTL_LINE_MAX));
			conn_close(c);
			return;
		}
		conn_dispatch_line(c, line, len);
	}
	if (!c->closed && c->input_eof && !c->pending && c->out_len == 0)
		conn_close(c);
}

static void conn_ready(struct loop *loop, int fd, uint32_t events, void *ctx)
{
	struct ctl_conn *c = ctx;
	char buf[16384];

	if (events & EPOLLOUT) {
		conn_flush(c);
		if (c->closed)
			return;
	}
	/* The peer is gone for good: nobody will read a pending reply. */
	if ((events & (EPOLLHUP | EPOLLERR)) && (c->pending || c->input_eof)) {
		conn_close(c);
		return;
	}
	if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)) || c->pending || c->input_eof)
		return;
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			conn_close(c);
		return;
	}
	if (n == 0) {
		c->input_eof = true;
		if (c->subscriber) {
			conn_close(c);
			return;
		}
	} else if (c->subscriber) {
		return;
	} else if (wgm_ctl_line_reader_feed(&c->reader, buf, (size_t)n) < 0) {
		conn_send(c, wgm_ctl_reply_error("request line longer than %d bytes", WGM_CTL_LINE_MAX));
		conn_close(c);
		return;
	}
	conn_process_input(c);
	conn_update_events(c);
}

static void listener_ready(struct loop *loop, int fd, uint32_t events, void *ctx)
{
	struct ctl_server *srv = ctx;
	struct ctl_conn *c;
	int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (cfd < 0)
		return;
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(cfd);
		return;
	}
	c->srv = srv;
	c->fd = cfd;
	wgm_ctl_line_reader_init(&c->reader);
	if (loop_watch_add(loop, cfd, EPOLLIN, conn_ready, c, &c->watch) < 0) {
		close(cfd);
		free(c);
		return;
	}
	c->next = srv->conns;
	srv->conns = c;
}

static int make_parent_dirs(const char *path, char *err, size_t errlen)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];

	snprintf(dir, sizeof(dir), "%s", path);
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
			int e = errno;
			snprintf(err, errlen, "%s: cannot create directory %s: %s", path, dir, strerror(e));
			return -e;
		}
		*p = '/';
	}
	return 0;
}

/* Opens the socket's directory and checks that nobody but root (or the
 * daemon's own user) could swap what is in it: owned by one of them, not
 * writable by others. Then the socket file we bind is the one we chmod. */
static int open_socket_dir(const char *path, int *dirfd_out, const char **base_out, char *err, size_t errlen)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	const char *slash = strrchr(path, '/');
	struct stat st;
	int fd;

	if (!slash) {
		snprintf(dir, sizeof(dir), ".");
		*base_out = path;
	} else if (slash == path) {
		snprintf(dir, sizeof(dir), "/");
		*base_out = slash + 1;
	} else {
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
		*base_out = slash + 1;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		snprintf(err, errlen, "%s: cannot open directory %s: %s", path, dir, strerror(e));
		return -e;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		close(fd);
		snprintf(err, errlen,
			 "%s: directory %s is owned by uid %u, not root; refusing to put the control socket there",
			 path, dir, (unsigned)st.st_uid);
		return -EPERM;
	}
	if (st.st_mode & S_IWOTH) {
		close(fd);
		snprintf(err, errlen,
			 "%s: directory %s is writable by others (mode %04o); refusing to put the control socket there",
			 path, dir, (unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	*dirfd_out = fd;
	return 0;
}

/* Returns 0 when path is free to bind (removing a dead socket file). */
static int claim_socket_path(const char *path, const struct sockaddr_un *addr, char *err, size_t errlen)
{
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) < 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s: exists and is not a socket; not replacing it", path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	rc = connect(fd, (const struct sockaddr *)addr, sizeof(*addr));
	close(fd);
	if (rc == 0) {
		snprintf(err, errlen, "%s: another daemon is serving on this socket", path);
		return -EADDRINUSE;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		int e = errno;
		snprintf(err, errlen, "%s: cannot remove stale socket: %s", path, strerror(e));
		return -e;
	}
	return 0;
}

int ctl_server_new(struct loop *loop, const char *path, struct ctl_server **out, char *err, size_t errlen)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct ctl_server *srv = NULL;
	struct group grp, *gr = NULL;
	char grbuf[4096];
	mode_t old_umask;
	const char *base = NULL;
	int rc, dirfd = -1;

	if (!path || !*path || strlen(path) >= sizeof(addr.sun_path)) {
		snprintf(err, errlen, "socket path \"%s\" is empty or longer than %zu bytes", path ? path : "",
			 sizeof(addr.sun_path) - 1);
		return -EINVAL;
	}
	memcpy(addr.sun_path, path, strlen(path) + 1);
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return -ENOMEM;
	srv->loop = loop;
	srv->fd = -1;
	srv->output_max = CTL_SERVER_OUTPUT_MAX;
	srv->path = strdup(path);
	if (!srv->path) {
		rc = -ENOMEM;
		goto fail;
	}
	rc = loop_timer_new(loop, reap_closed, srv, &srv->reaper);
	if (rc < 0)
		goto fail;
	rc = make_parent_dirs(path, err, errlen);
	if (rc < 0)
		goto fail;
	rc = open_socket_dir(path, &dirfd, &base, err, errlen);
	if (rc < 0)
		goto fail;
	rc = claim_socket_path(path, &addr, err, errlen);
	if (rc < 0)
		goto fail;
	srv->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (srv->fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: socket: %s", path, strerror(-rc));
		goto fail;
	}
	/* The socket must never be reachable with wider permissions, not even
	 * between bind and chmod. */
	old_umask = umask(0117);
	rc = bind(srv->fd, (struct sockaddr *)&addr, sizeof(addr));
	umask(old_umask);
	if (rc < 0 || listen(srv->fd, 64) < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot listen: %s", path, strerror(-rc));
		goto fail;
	}
	/* Relative to the checked directory and never through a symlink: a
	 * file swapped in meanwhile is refused, not chmod'ed. */
	if (fchmodat(dirfd, base, 0660, AT_SYMLINK_NOFOLLOW) < 0)
		log_warn("%s: cannot set the socket's mode: %s", path, strerror(errno));
	if (getgrnam_r("wgmesh", &grp, grbuf, sizeof(grbuf), &gr) == 0 && gr &&
	    fchownat(dirfd, base, (uid_t)-1, gr->gr_gid, AT_SYMLINK_NOFOLLOW) < 0)
		log_warn("%s: cannot give the socket to group wgmesh: %s", path, strerror(errno));
	close(dirfd);
	dirfd = -1;
	rc = loop_watch_add(loop, srv->fd, EPOLLIN, listener_ready, srv, &srv->watch);
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		unlink(path);
		goto fail;
	}
	rc = ctl_server_register(srv, WGM_CTL_CMD_SUBSCRIBE, handle_subscribe, srv);
	if (rc == 0)
		rc = ctl_server_register(srv, WGM_CTL_CMD_EVENTS, handle_events, srv);
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		goto fail_listening;
	}
	*out = srv;
	return 0;

fail_listening:
	unlink(path);
fail:
	if (dirfd >= 0)
		close(dirfd);
	if (srv->fd >= 0)
		close(srv->fd);
	loop_watch_remove(srv->watch);
	loop_timer_free(srv->reaper);
	while (srv->handlers) {
		struct ctl_handler *h = srv->handlers;
		srv->handlers = h->next;
		free(h->cmd);
		free(h);
	}
	free(srv->path);
	free(srv);
	return rc;
}

void ctl_server_free(struct ctl_server *srv)
{
	if (!srv)
		return;
	while (srv->conns)
		conn_close(srv->conns);
	reap_closed(srv->loop, srv->reaper, srv);
	loop_timer_free(srv->reaper);
	loop_watch_remove(srv->watch);
	close(srv->fd);
	unlink(srv->path);
	while (srv->handlers) {
		struct ctl_handler *h = srv->handlers;
		srv->handlers = h->next;
		free(h->cmd);
		free(h);
	}
	for (size_t i = 0; i < srv->recent_count; i++)
		json_decref(srv->recent[(srv->recent_head + i) % CTL_SERVER_RECENT_EVENTS]);
	free(srv->path);
	free(srv);
}

int ctl_server_register(struct ctl_server *srv, const char *cmd, ctl_handler_fn fn, void *ctx)
{
	struct ctl_handler *h = find_handler(srv, cmd);

	if (!fn)
		return -EINVAL;
	if (!h) {
		h = calloc(1, sizeof(*h));
		if (!h)
			return -ENOMEM;
		h->cmd = strdup(cmd);
		if (!h->cmd) {
			free(h);
			return -ENOMEM;
		}
		h->next = srv->handlers;
		srv->handlers = h;
	}
	h->fn = fn;
	h->ctx = ctx;
	return 0;
}

void ctl_server_publish(struct ctl_server *srv, json_t *event)
{
	struct ctl_conn *c, *next;
	int dropped = 0;

	if (!event)
		return;
	if (srv->publishing) {
		json_decref(event);
		return;
	}
	srv->publishing = true;
	remember_event(srv, event);
	for (c = srv->conns; c; c = next) {
		next = c->next;
		if (!c->subscriber)
			continue;
		if (conn_queue(c, event) < 0) {
			conn_close(c);
			dropped++;
			continue;
		}
		conn_flush(c);
	}
	srv->publishing = false;
	/* After the round, so what an observer logs reaches subscribers too. */
	for (size_t i = 0; i < CTL_SERVER_OBSERVERS_MAX; i++)
		if (srv->observers[i].fn)
			srv->observers[i].fn(event, srv->observers[i].ctx);
	json_decref(event);
	if (dropped)
		log_warn("control socket: disconnected %d subscriber(s) that stopped reading", dropped);
}

int ctl_server_observe(struct ctl_server *srv, ctl_event_observer_fn fn, void *ctx)
{
	for (size_t i = 0; i < CTL_SERVER_OBSERVERS_MAX; i++)
		if (!srv->observers[i].fn) {
			srv->observers[i].fn = fn;
			srv->observers[i].ctx = ctx;
			return 0;
		}
	return -ENOSPC;
}

void ctl_server_unobserve(struct ctl_server *srv, ctl_event_observer_fn fn, void *ctx)
{
	for (size_t i = 0; srv && i < CTL_SERVER_OBSERVERS_MAX; i++)
		if (srv->observers[i].fn == fn && srv->observers[i].ctx == ctx)
			srv->observers[i].fn = NULL;
}

size_t ctl_server_subscriber_count(const struct ctl_server *srv)
{
	size_t n = 0;

	for (const struct ctl_conn *c = srv->conns; c; c = c->next)
		n += c->subscriber;
	return n;
}

void ctl_server_set_output_max(struct ctl_server *srv, size_t bytes)
{
	srv->output_max = bytes;
}
