/* wgm-api-flood IPV4 PORT SECONDS [CONNECTIONS]: junk requests at a node
 * API as fast as one core sends them, for the load bench
 * (tests/bench/bench_api_load.sh). Each request is on a connection of its
 * own (the server closes after a refusal anyway): a POST /connect with a
 * body that is not an envelope, a POST /connectivity with a challenge that
 * is not base64, or a GET of an unknown path, in turn. CONNECTIONS
 * (default 32) are in flight at once. At the end one line of counts:
 * requests sent, answers by status, connections closed without an answer,
 * connections refused or reset, and requests per second. Only for the lab:
 * it refuses any address outside 127.0.0.0/8 and the documentation and mesh
 * ranges. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/util/clock.h"

#define CONNS_MAX 1024
#define REPLY_HEAD 64

struct conn {
	int fd;
	size_t sent;
	const char *req;
	size_t req_len;
	char head[REPLY_HEAD];
	size_t head_len;
};

struct counts {
	unsigned long sent, s2xx, s4xx, s403, s5xx, other, unanswered, refused;
};

static const char *const requests[] = {
	"POST /connect HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 44\r\n"
	"Connection: close\r\n\r\n{\"junk\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}",
	"POST /connectivity HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 21\r\n"
	"Connection: close\r\n\r\n{\"challenge\":\"!!!!\"}\n",
	"GET /admin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
};

static bool lab_address(struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);

	return (h >> 24) == 127 || (h >> 8) == 0xc00002 || (h >> 8) == 0xc63364 || (h >> 8) == 0xcb0071 ||
	       (h >> 16) == 0x0a00;
}

static int open_conn(struct conn *c, const struct sockaddr_in *to, int ep, unsigned long n)
{
	struct epoll_event ev = { .events = EPOLLOUT | EPOLLIN, .data.ptr = c };

	memset(c, 0, sizeof(*c));
	c->req = requests[n % (sizeof(requests) / sizeof(requests[0]))];
	c->req_len = strlen(c->req);
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -errno;
	if (connect(c->fd, (const struct sockaddr *)to, sizeof(*to)) < 0 && errno != EINPROGRESS) {
		int e = errno;
		close(c->fd);
		c->fd = -1;
		return -e;
	}
	return epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) < 0 ? -errno : 0;
}

static void tally(struct counts *n, const struct conn *c)
{
	int status = 0;

	if (c->head_len >= 12 && sscanf(c->head, "HTTP/1.%*d %d", &status) == 1) {
		if (status == 403)
			n->s403++;
		if (status >= 200 && status < 300)
			n->s2xx++;
		else if (status >= 400 && status < 500)
			n->s4xx++;
		else if (status >= 500 && status < 600)
			n->s5xx++;
		else
			n->other++;
	} else {
		n->unanswered++;
	}
}

/* Moves the connection on; false when it is over (closed). */
static bool step(struct conn *c, uint32_t events, struct counts *n)
{
	char buf[4096];
	ssize_t r;

	if (c->sent < c->req_len && (events & EPOLLOUT)) {
		r = send(c->fd, c->req + c->sent, c->req_len - c->sent, MSG_NOSIGNAL);
		if (r < 0 && errno != EAGAIN) {
			n->refused++;
			return false;
		}
		if (r > 0 && (c->sent += (size_t)r) == c->req_len)
			n->sent++;
	}
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		while ((r = recv(c->fd, buf, sizeof(buf), 0)) > 0) {
			size_t take = (size_t)r < REPLY_HEAD - 1 - c->head_len ? (size_t)r
									       : REPLY_HEAD - 1 - c->head_len;
			memcpy(c->head + c->head_len, buf, take);
			c->head_len += take;
			c->head[c->head_len] = '\0';
		}
		if (r == 0 || (r < 0 && errno != EAGAIN)) {
			if (c->sent == 0 && c->head_len == 0)
				n->refused++;
			else
				tally(n, c);
			return false;
		}
	}
	return true;
}

int main(int argc, char **argv)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	static struct conn conns[CONNS_MAX];
	struct epoll_event evs[64];
	struct counts n = { 0 };
	long port, seconds, nconns = 32;
	unsigned long opened = 0;
	int64_t start, end;
	int ep;

	if (argc < 4 || argc > 5 || inet_pton(AF_INET, argv[1], &to.sin_addr) != 1 ||
	    (port = strtol(argv[2], NULL, 10)) < 1 || port > 65535 || (seconds = strtol(argv[3], NULL, 10)) < 1 ||
	    seconds > 3600 || (argc == 5 && ((nconns = strtol(argv[4], NULL, 10)) < 1 || nconns > CONNS_MAX))) {
		fprintf(stderr, "usage: wgm-api-flood IPV4 PORT SECONDS(1-3600) [CONNECTIONS(1-%d)]\n", CONNS_MAX);
		return 2;
	}
	if (!lab_address(to.sin_addr)) {
		fprintf(stderr, "wgm-api-flood: %s is outside loopback, the documentation and the mesh ranges\n",
			argv[1]);
		return 2;
	}
	to.sin_port = htons((uint16_t)port);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0) {
		perror("wgm-api-flood: epoll");
		return 1;
	}
	start = wgm_mono_us();
	end = start + (int64_t)seconds * 1000000;
	for (long i = 0; i < nconns; i++)
		if (open_conn(&conns[i], &to, ep, opened++) < 0)
			n.refused++;
	while (wgm_mono_us() < end) {
		int k = epoll_wait(ep, evs, 64, 100);

		for (int i = 0; i < k; i++) {
			struct conn *c = evs[i].data.ptr;

			if (step(c, evs[i].events, &n))
				continue;
			close(c->fd);
			c->fd = -1;
		}
		/* A slot whose connection is over (or could not be opened: out of
		 * ports, say) gets a new one. */
		for (long i = 0; i < nconns; i++)
			if (conns[i].fd < 0 && open_conn(&conns[i], &to, ep, opened++) < 0)
				n.refused++;
	}
	printf("sent %lu  2xx %lu  4xx %lu (403 %lu)  5xx %lu  other %lu  closed-unanswered %lu  refused/reset %lu  "
	       "%.0f req/s\n",
	       n.sent, n.s2xx, n.s4xx, n.s403, n.s5xx, n.other, n.unanswered, n.refused,
	       (double)n.sent / ((double)(wgm_mono_us() - start) / 1e6));
	return 0;
}
