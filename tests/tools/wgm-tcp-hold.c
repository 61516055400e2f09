/* wgm-tcp-hold: one long-lived TCP connection, to show that route changes
 * do not break connections.
 *   wgm-tcp-hold serve ADDR PORT
 *       accepts connections and echoes what they send, until killed.
 *   wgm-tcp-hold client ADDR PORT STATUSFILE [ECHO_WAIT]
 *       connects, then every 200 ms sends a line and waits (ECHO_WAIT seconds,
 *       5 by default) for its echo; after each round trip writes "ok N MS" to
 *       STATUSFILE (N round trips so far, MS the longest one in ms). On any
 *       failure writes "error: WHY" and exits 1. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int parse_addr(const char *addr, const char *port, struct sockaddr_in *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)atoi(port));
	return inet_pton(AF_INET, addr, &sa->sin_addr) == 1 ? 0 : -1;
}

static void *echo_thread(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char buf[4096];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)n) != n)
			break;
	close(fd);
	return NULL;
}

static int serve(struct sockaddr_in *sa)
{
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)sa, sizeof(*sa)) < 0 || listen(fd, 8) < 0) {
		perror("wgm-tcp-hold: listen");
		return 1;
	}
	for (;;) {
		pthread_t t;
		int c = accept(fd, NULL, NULL);
		if (c < 0)
			continue;
		if (pthread_create(&t, NULL, echo_thread, (void *)(intptr_t)c) == 0)
			pthread_detach(t);
		else
			close(c);
	}
}

/* Written whole, then renamed: readers never see half a line. */
static void status(const char *path, const char *text)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return;
	fprintf(f, "%s\n", text);
	fclose(f);
	rename(tmp, path);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int client(struct sockaddr_in *sa, const char *path, int echo_wait_s)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	unsigned long n = 0;
	long longest = 0;
	char line[64], back[64], text[256];

	if (connect(fd, (struct sockaddr *)sa, sizeof(*sa)) < 0) {
		snprintf(text, sizeof(text), "error: connect: %s", strerror(errno));
		status(path, text);
		return 1;
	}
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		size_t len = (size_t)snprintf(line, sizeof(line), "%lu\n", n), got = 0;
		long sent = now_ms();

		if (write(fd, line, len) != (ssize_t)len) {
			snprintf(text, sizeof(text), "error: write after %lu: %s", n, strerror(errno));
			status(path, text);
			return 1;
		}
		while (got < len) {
			ssize_t r;
			if (poll(&p, 1, echo_wait_s * 1000) != 1) {
				snprintf(text, sizeof(text), "error: no echo within %d s after %lu", echo_wait_s, n);
				status(path, text);
				return 1;
			}
			r = read(fd, back + got, len - got);
			if (r <= 0) {
				snprintf(text, sizeof(text), "error: read after %lu: %s", n,
					 r == 0 ? "connection closed" : strerror(errno));
				status(path, text);
				return 1;
			}
			got += (size_t)r;
		}
		if (memcmp(line, back, len) != 0) {
			snprintf(text, sizeof(text), "error: echo differs after %lu", n);
			status(path, text);
			return 1;
		}
		if (now_ms() - sent > longest)
			longest = now_ms() - sent;
		snprintf(text, sizeof(text), "ok %lu %ld", ++n, longest);
		status(path, text);
		usleep(200000);
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa;

	if (argc >= 4 && parse_addr(argv[2], argv[3], &sa) == 0) {
		if (argc == 4 && strcmp(argv[1], "serve") == 0)
			return serve(&sa);
		int wait_s = argc == 6 ? atoi(argv[5]) : 5;
		if ((argc == 5 || argc == 6) && strcmp(argv[1], "client") == 0 && wait_s > 0 && wait_s <= 600)
			return client(&sa, argv[4], wait_s);
	}
	fprintf(stderr, "usage: wgm-tcp-hold serve ADDR PORT | client ADDR PORT STATUSFILE [ECHO_WAIT 1-600]\n");
	return 2;
}
