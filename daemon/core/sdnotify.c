#include "daemon/core/sdnotify.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/util/log.h"

int sdnotify_send(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	size_t len;
	socklen_t addrlen;
	int fd, rc = 1;

	if (!path || !*path)
		return 0;
	len = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || len >= sizeof(addr.sun_path))
		return -EINVAL;
	memcpy(addr.sun_path, path, len);
	/* An abstract name starts with a NUL byte and is not NUL-terminated. */
	if (path[0] == '@')
		addr.sun_path[0] = '\0';
	addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + (path[0] == '/'));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&addr, addrlen) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

uint64_t sdnotify_watchdog_usec(void)
{
	const char *usec = getenv("WATCHDOG_USEC");
	const char *pid = getenv("WATCHDOG_PID");
	char *end;
	unsigned long long v;

	if (!usec || !*usec)
		return 0;
	if (pid && *pid) {
		unsigned long long p = strtoull(pid, &end, 10);
		if (*end || p != (unsigned long long)getpid())
			return 0;
	}
	errno = 0;
	v = strtoull(usec, &end, 10);
	if (errno || *end || v == 0)
		return 0;
	return v;
}

static void watchdog_ping(struct loop *loop, struct loop_timer *t, void *ctx)
{
	int rc = sdnotify_send("WATCHDOG=1");

	if (rc < 0)
		log_warn("systemd watchdog: cannot notify: %s", strerror(-rc));
}

int sdnotify_watchdog_start(struct loop *loop, struct loop_timer **out)
{
	uint64_t usec = sdnotify_watchdog_usec();
	uint64_t period_ms;

	*out = NULL;
	if (usec == 0)
		return 0;
	period_ms = usec / 2000;
	if (period_ms == 0)
		period_ms = 1;
	return loop_timer_start(loop, watchdog_ping, NULL, period_ms, period_ms, out);
}
