#include "daemon/quality/underlay_probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/util/clock.h"

static int sockaddr_of(const struct underlay_target *t, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, t->host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(t->port);
		*len = sizeof(*in4);
		return 0;
	}
	if (inet_pton(AF_INET6, t->host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(t->port);
		*len = sizeof(*in6);
		return 0;
	}
	return -EINVAL;
}

static void record(struct underlay_target *t, int err, int64_t started_us)
{
	double ms = (double)(wgm_mono_us() - started_us) / 1000.0;

	if (err == 0 || err == ECONNREFUSED) {
		if (!t->answered || ms < t->rtt_ms)
			t->rtt_ms = ms;
		t->answered = true;
		return;
	}
	if (!t->answered)
		snprintf(t->why, sizeof(t->why), "%s", strerror(err));
}

static void one_try(struct underlay_target *t, size_t n, int timeout_ms)
{
	struct pollfd *pfd = calloc(n, sizeof(*pfd));
	int64_t *started = calloc(n, sizeof(*started));
	int64_t deadline;
	size_t open = 0;

	if (!pfd || !started)
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct sockaddr_storage ss;
		socklen_t len;

		pfd[i].fd = -1;
		if (sockaddr_of(&t[i], &ss, &len) < 0) {
			snprintf(t[i].why, sizeof(t[i].why), "not an address");
			continue;
		}
		int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			record(&t[i], errno, 0);
			continue;
		}
		started[i] = wgm_mono_us();
		if (connect(fd, (struct sockaddr *)&ss, len) == 0 || errno != EINPROGRESS) {
			record(&t[i], errno == EINPROGRESS ? 0 : errno, started[i]);
			close(fd);
			continue;
		}
		pfd[i].fd = fd;
		pfd[i].events = POLLOUT;
		open++;
	}
	deadline = wgm_mono_ms() + (int64_t)timeout_ms;
	while (open > 0) {
		int64_t now = wgm_mono_ms();
		if (now >= deadline)
			break;
		int r = poll(pfd, n, (int)(deadline - now));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		for (size_t i = 0; i < n; i++) {
			int soerr = 0;
			socklen_t sl = sizeof(soerr);
			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			if (getsockopt(pfd[i].fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
				soerr = errno;
			record(&t[i], soerr, started[i]);
			close(pfd[i].fd);
			pfd[i].fd = -1;
			open--;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (pfd[i].fd < 0)
			continue;
		if (!t[i].answered)
			snprintf(t[i].why, sizeof(t[i].why), "no answer");
		close(pfd[i].fd);
	}
out:
	free(pfd);
	free(started);
}

int underlay_endpoint_host(const char *endpoint, char *host, size_t len)
{
	const char *start = endpoint, *end;

	if (*endpoint == '[') {
		start = endpoint + 1;
		end = strchr(start, ']');
		if (!end || end[1] != ':')
			return -EINVAL;
		const char *scope = memchr(start, '%', (size_t)(end - start));
		if (scope)
			end = scope;
	} else {
		end = strrchr(endpoint, ':');
		if (!end || memchr(endpoint, ':', (size_t)(end - endpoint)))
			return -EINVAL;
	}
	if (end == start || (size_t)(end - start) >= len)
		return -EINVAL;
	memcpy(host, start, (size_t)(end - start));
	host[end - start] = '\0';
	return 0;
}

void underlay_probe_run(struct underlay_target *t, size_t n, unsigned tries, int timeout_ms)
{
	for (size_t i = 0; i < n; i++) {
		t[i].answered = false;
		t[i].rtt_ms = 0;
		snprintf(t[i].why, sizeof(t[i].why), "no answer");
	}
	for (unsigned k = 0; k < tries; k++)
		one_try(t, n, timeout_ms);
}
