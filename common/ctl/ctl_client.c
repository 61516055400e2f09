#include "common/ctl/ctl_client.h"

#include "common/util/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "common/ctl/ctlproto.h"

struct wgm_ctl_client {
	int fd;
	struct wgm_ctl_line_reader reader;
};

static long long deadline_after(int timeout_ms)
{
	return timeout_ms < 0 ? -1 : wgm_mono_ms() + timeout_ms;
}

/* Milliseconds left until deadline, for poll(): -1 means no deadline. */
static int remaining_ms(long long deadline)
{
	long long left;

	if (deadline < 0)
		return -1;
	left = deadline - wgm_mono_ms();
	return left < 0 ? 0 : (int)left;
}

int wgm_ctl_client_connect(const char *path, struct wgm_ctl_client **out, char *err, size_t errlen)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct wgm_ctl_client *c;
	int e;

	if (!path || !*path || strlen(path) >= sizeof(addr.sun_path)) {
		snprintf(err, errlen, "socket path \"%s\" is empty or too long", path ? path : "");
		return -EINVAL;
	}
	memcpy(addr.sun_path, path, strlen(path) + 1);
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	wgm_ctl_line_reader_init(&c->reader);
	/* A local connect does not wait on the network; the socket turns
	 * non-blocking once connected. */
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK) < 0) {
		e = errno;
		if (e == ENOENT || e == ECONNREFUSED)
			snprintf(err, errlen, "cannot connect to %s: %s (is wgmeshd running?)", path, strerror(e));
		else
			snprintf(err, errlen, "cannot connect to %s: %s", path, strerror(e));
		wgm_ctl_client_free(c);
		return -e;
	}
	*out = c;
	return 0;
}

void wgm_ctl_client_free(struct wgm_ctl_client *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	wgm_ctl_line_reader_free(&c->reader);
	free(c);
}

int wgm_ctl_client_fd(const struct wgm_ctl_client *c)
{
	return c->fd;
}

int wgm_ctl_client_feed(struct wgm_ctl_client *c, const char *data, size_t len)
{
	return wgm_ctl_line_reader_feed(&c->reader, data, len);
}

int wgm_ctl_client_receive(struct wgm_ctl_client *c)
{
	char buf[16384];

	for (;;) {
		ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0)
			return -ECONNRESET;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -errno;
		}
		int rc = wgm_ctl_line_reader_feed(&c->reader, buf, (size_t)n);
		if (rc < 0)
			return rc;
		if ((size_t)n < sizeof(buf))
			return 0;
	}
}

int wgm_ctl_client_next(struct wgm_ctl_client *c, json_t **msg, char *err, size_t errlen)
{
	const char *line;
	size_t len;
	int rc;

	do {
		rc = wgm_ctl_line_reader_next(&c->reader, &line, &len);
	} while (rc == 1 && len == 0);
	if (rc == -EMSGSIZE) {
		snprintf(err, errlen, "daemon sent a line longer than %d bytes", WGM_CTL_LINE_MAX);
		return -EPROTO;
	}
	if (rc <= 0)
		return rc;
	if (wgm_ctl_message_parse(line, len, msg, err, errlen) < 0)
		return -EPROTO;
	return 1;
}

int wgm_ctl_client_send(struct wgm_ctl_client *c, const json_t *msg, int timeout_ms, char *err, size_t errlen)
{
	long long deadline = deadline_after(timeout_ms);
	size_t len, off = 0;
	char *line = wgm_ctl_message_dump(msg, &len);
	int rc = 0;

	if (!line) {
		snprintf(err, errlen, "cannot encode the request");
		return -ENOMEM;
	}
	while (off < len) {
		ssize_t n = send(c->fd, line + off, len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n >= 0) {
			off += (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			rc = -errno;
			snprintf(err, errlen, "cannot send to the daemon: %s", strerror(errno));
			break;
		}
		struct pollfd p = { .fd = c->fd, .events = POLLOUT };
		int pr = poll(&p, 1, remaining_ms(deadline));
		if (pr == 0) {
			rc = -ETIMEDOUT;
			snprintf(err, errlen, "the daemon did not take the request in time");
			break;
		}
		if (pr < 0 && errno != EINTR) {
			rc = -errno;
			snprintf(err, errlen, "poll: %s", strerror(errno));
			break;
		}
	}
	free(line);
	return rc;
}

int wgm_ctl_client_read(struct wgm_ctl_client *c, int timeout_ms, json_t **msg, char *err, size_t errlen)
{
	long long deadline = deadline_after(timeout_ms);

	for (;;) {
		int rc = wgm_ctl_client_next(c, msg, err, errlen);
		if (rc == 1)
			return 0;
		if (rc < 0)
			return rc;
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		int pr = poll(&p, 1, remaining_ms(deadline));
		if (pr < 0) {
			int e = errno;
			snprintf(err, errlen, e == EINTR ? "interrupted while waiting for the daemon" : "poll: %s",
				 strerror(e));
			return -e;
		}
		if (pr == 0) {
			snprintf(err, errlen, "no answer from the daemon within %d ms", timeout_ms);
			return -ETIMEDOUT;
		}
		rc = wgm_ctl_client_receive(c);
		if (rc == -ECONNRESET) {
			/* Whole lines that came before the close still count. */
			rc = wgm_ctl_client_next(c, msg, err, errlen);
			if (rc == 1)
				return 0;
			snprintf(err, errlen, "the daemon closed the connection");
			return -ECONNRESET;
		}
		if (rc < 0) {
			snprintf(err, errlen, "cannot read from the daemon: %s", strerror(-rc));
			return rc;
		}
	}
}

int wgm_ctl_client_call(struct wgm_ctl_client *c, const json_t *req, int timeout_ms, json_t **reply, char *err,
			size_t errlen)
{
	long long deadline = deadline_after(timeout_ms);
	json_t *msg = NULL;
	int rc;

	*reply = NULL;
	rc = wgm_ctl_client_send(c, req, timeout_ms, err, errlen);
	if (rc < 0)
		return rc;
	rc = wgm_ctl_client_read(c, remaining_ms(deadline), &msg, err, errlen);
	if (rc < 0)
		return rc;
	rc = wgm_ctl_reply_check(msg, err, errlen);
	if (rc == -EPROTO) {
		json_decref(msg);
		return rc;
	}
	*reply = msg;
	return rc;
}

int wgm_ctl_call(const char *path, const json_t *req, int timeout_ms, json_t **reply, char *err, size_t errlen)
{
	struct wgm_ctl_client *c;
	int rc = wgm_ctl_client_connect(path, &c, err, errlen);

	*reply = NULL;
	if (rc < 0)
		return rc;
	rc = wgm_ctl_client_call(c, req, timeout_ms, reply, err, errlen);
	wgm_ctl_client_free(c);
	return rc;
}
