#include "bird/client.h"

#include "common/util/err.h"

#include "common/util/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define WELCOME_CODE 1
#define READING_CONFIG_CODE 2

void bird_client_init(struct bird_client *c)
{
	c->fd = -1;
	c->welcomed = false;
	c->version[0] = '\0';
	bird_reply_parser_init(&c->parser);
}

void bird_client_close(struct bird_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	bird_reply_parser_free(&c->parser);
	bird_client_init(c);
}

int bird_client_fd(const struct bird_client *c)
{
	return c->fd;
}

int bird_client_adopt(struct bird_client *c, int fd)
{
	int flags = fcntl(fd, F_GETFL);
	bird_client_close(c);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -errno;
	c->fd = fd;
	return 0;
}

int bird_client_open(struct bird_client *c, const char *socket_path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int rc;

	bird_client_close(c);
	if (!socket_path || !*socket_path || strlen(socket_path) >= sizeof(sa.sun_path))
		return wgm_err(-EINVAL, err, errlen, "bird: socket path '%s' is empty or too long",
			       socket_path ? socket_path : "");
	memcpy(sa.sun_path, socket_path, strlen(socket_path) + 1);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return wgm_err(-errno, err, errlen, "bird: socket: %s", strerror(errno));
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = -errno;
		bird_client_close(c);
		return wgm_err(rc, err, errlen, "bird: cannot connect to %s: %s", socket_path, strerror(-rc));
	}
	return 0;
}

/* "BIRD 2.0.12 ready." */
static int take_welcome(struct bird_client *c, const struct bird_reply *r, char *err, size_t errlen)
{
	const char *msg = bird_reply_message(r);
	const char *end = strstr(msg, " ready.");
	size_t len = end ? (size_t)(end - msg) - 5 : 0;
	if (r->code != WELCOME_CODE || strncmp(msg, "BIRD ", 5) != 0 || !end || end < msg + 5 ||
	    len >= sizeof(c->version))
		return wgm_err(-EPROTO, err, errlen, "bird: unexpected welcome '%.60s'", msg);
	memcpy(c->version, msg + 5, len);
	c->version[len] = '\0';
	c->welcomed = true;
	return 0;
}

/* Hands out the oldest queued reply past the welcome: 1, 0 or -errno. */
static int next_queued(struct bird_client *c, struct bird_reply **reply, char *err, size_t errlen)
{
	struct bird_reply *r;
	while ((r = bird_reply_parser_next(&c->parser))) {
		if (c->welcomed) {
			*reply = r;
			return 1;
		}
		int rc = take_welcome(c, r, err, errlen);
		bird_reply_free(r);
		if (rc)
			return rc;
	}
	return 0;
}

int bird_client_on_readable(struct bird_client *c, struct bird_reply **reply, char *err, size_t errlen)
{
	char buf[16384];
	int rc;

	*reply = NULL;
	if (c->fd < 0)
		return wgm_err(-ENOTCONN, err, errlen, "bird: not connected");
	rc = next_queued(c, reply, err, errlen);
	if (rc)
		goto out;
	ssize_t n = read(c->fd, buf, sizeof(buf));
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		rc = wgm_err(-errno, err, errlen, "bird: read: %s", strerror(errno));
		goto out;
	}
	if (n == 0) {
		rc = wgm_err(-ECONNRESET, err, errlen, "bird: BIRD closed the control socket");
		goto out;
	}
	rc = bird_reply_parser_feed(&c->parser, buf, (size_t)n);
	if (rc) {
		wgm_err(rc, err, errlen, "bird: reply is not BIRD's protocol (%s)", strerror(-rc));
		goto out;
	}
	rc = next_queued(c, reply, err, errlen);
out:
	if (rc < 0)
		bird_client_close(c);
	return rc;
}

int bird_client_send(struct bird_client *c, const char *command, char *err, size_t errlen)
{
	char line[BIRD_COMMAND_MAX + 2];
	size_t len = command ? strlen(command) : 0;

	if (c->fd < 0)
		return wgm_err(-ENOTCONN, err, errlen, "bird: not connected");
	if (len == 0 || len > BIRD_COMMAND_MAX || strchr(command, '\n'))
		return wgm_err(-EINVAL, err, errlen, "bird: command is empty, too long or holds a newline");
	memcpy(line, command, len);
	line[len] = '\n';
	ssize_t n;
	do
		n = send(c->fd, line, len + 1, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)(len + 1))
		return 0;
	int rc = n < 0 ? -errno : -EAGAIN;
	bird_client_close(c);
	return wgm_err(rc, err, errlen, "bird: sending '%.40s': %s", command, n < 0 ? strerror(-rc) : "short write");
}

/* Waits for the next reply (or, with want_welcome, only the welcome). */
static int wait_reply(struct bird_client *c, int timeout_ms, bool want_welcome, struct bird_reply **reply, char *err,
		      size_t errlen)
{
	long long deadline = wgm_mono_ms() + timeout_ms;
	for (;;) {
		int rc = bird_client_on_readable(c, reply, err, errlen);
		if (rc != 0 || (want_welcome && c->welcomed))
			return rc < 0 ? rc : 0;
		long long left = deadline - wgm_mono_ms();
		if (left <= 0) {
			bird_client_close(c);
			return wgm_err(-ETIMEDOUT, err, errlen, "bird: no reply within %d ms", timeout_ms);
		}
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
		if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR) {
			rc = -errno;
			bird_client_close(c);
			return wgm_err(rc, err, errlen, "bird: poll: %s", strerror(-rc));
		}
	}
}

int bird_client_connect(struct bird_client *c, const char *socket_path, int timeout_ms, char *err, size_t errlen)
{
	struct bird_reply *reply = NULL;
	int rc = bird_client_open(c, socket_path, err, errlen);
	if (rc)
		return rc;
	rc = wait_reply(c, timeout_ms, true, &reply, err, errlen);
	/* BIRD speaks only when asked, so nothing but the welcome can be here. */
	if (rc == 0 && reply) {
		bird_reply_free(reply);
		bird_client_close(c);
		return wgm_err(-EPROTO, err, errlen, "bird: reply before any command");
	}
	return rc;
}

int bird_client_command(struct bird_client *c, const char *command, int timeout_ms, struct bird_reply **reply,
			char *err, size_t errlen)
{
	*reply = NULL;
	int rc = bird_client_send(c, command, err, errlen);
	if (rc)
		return rc;
	return wait_reply(c, timeout_ms, false, reply, err, errlen);
}

static bool path_quotable(const char *path)
{
	for (const char *p = path; *p; p++)
		if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20)
			return false;
	return *path != '\0';
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Durability of the rename: the directory entry reaches the disk too. */
static void sync_parent_dir(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	if (!slash) {
		snprintf(dir, sizeof(dir), ".");
	} else if (slash == path) {
		snprintf(dir, sizeof(dir), "/");
	} else {
		size_t len = (size_t)(slash - path);
		if (len >= sizeof(dir))
			return;
		memcpy(dir, path, len);
		dir[len] = '\0';
	}
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

static int write_temp(const char *final_path, const char *text, char *tmp, size_t tmplen, char *err, size_t errlen)
{
	int rc;
	if ((size_t)snprintf(tmp, tmplen, "%s.XXXXXX", final_path) >= tmplen)
		return wgm_err(-ENAMETOOLONG, err, errlen, "bird: config path %s is too long", final_path);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		rc = -errno;
		tmp[0] = '\0';
		return wgm_err(rc, err, errlen, "bird: cannot create a file next to %s: %s", final_path, strerror(-rc));
	}
	rc = write_all(fd, text, strlen(text));
	if (rc == 0 && fchmod(fd, 0644) < 0)
		rc = -errno;
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc)
		return wgm_err(rc, err, errlen, "bird: writing %s: %s", tmp, strerror(-rc));
	return 0;
}

/* BIRD names the file it parses ("Reading configuration from PATH"). */
static bool reply_read_file(const struct bird_reply *r, const char *path)
{
	static const char prefix[] = "Reading configuration from ";
	for (size_t i = 0; i < r->n_lines; i++) {
		const char *t = r->lines[i].text;
		if (r->lines[i].code == READING_CONFIG_CODE && strncmp(t, prefix, sizeof(prefix) - 1) == 0)
			return strcmp(t + sizeof(prefix) - 1, path) == 0;
	}
	return false;
}

int bird_apply_config(struct bird_client *c, const char *final_path, const char *text, int timeout_ms, char *err,
		      size_t errlen)
{
	/* Sized so that `configure check "TMP"` always fits one command. */
	char tmp[BIRD_COMMAND_MAX - 24] = "";
	char command[BIRD_COMMAND_MAX + 1];
	struct bird_reply *reply = NULL;
	int rc;

	if (!final_path || !path_quotable(final_path) || strlen(final_path) + 40 > BIRD_COMMAND_MAX)
		return wgm_err(-EINVAL, err, errlen, "bird: config path '%s' is empty, too long or holds a quote",
			       final_path ? final_path : "");
	rc = write_temp(final_path, text, tmp, sizeof(tmp), err, errlen);
	if (rc)
		goto out;

	snprintf(command, sizeof(command), "configure check \"%s\"", tmp);
	rc = bird_client_command(c, command, timeout_ms, &reply, err, errlen);
	if (rc)
		goto out;
	if (reply->error) {
		/* BIRD prefixes the message with the file it read: the temp file,
		 * which is gone by the time anyone reads this. */
		const char *msg = bird_reply_message(reply);
		size_t tmp_len = strlen(tmp);
		if (strncmp(msg, tmp, tmp_len) == 0 && msg[tmp_len] == ':')
			msg += tmp_len + 1;
		while (*msg == ' ')
			msg++;
		rc = wgm_err(-EINVAL, err, errlen, "bird: new config for %s refused: %s", final_path, msg);
		goto out;
	}
	bird_reply_free(reply);
	reply = NULL;

	if (rename(tmp, final_path) < 0) {
		rc = -errno;
		wgm_err(rc, err, errlen, "bird: rename to %s: %s", final_path, strerror(-rc));
		goto out;
	}
	tmp[0] = '\0';
	sync_parent_dir(final_path);

	rc = bird_client_command(c, "configure", timeout_ms, &reply, err, errlen);
	if (rc)
		goto out;
	if (reply->error) {
		rc = wgm_err(-EIO, err, errlen, "bird: configure: %s", bird_reply_message(reply));
		goto out;
	}
	if (!reply_read_file(reply, final_path)) {
		rc = wgm_err(-EIO, err, errlen, "bird: BIRD does not read %s (start it with -c %s)", final_path,
			     final_path);
		goto out;
	}
out:
	if (tmp[0])
		unlink(tmp);
	bird_reply_free(reply);
	return rc;
}
