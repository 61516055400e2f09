/* wgm-notify-recv PATH SECONDS: plays systemd's side of the notify protocol
 * for tests. Binds a datagram socket at PATH and prints every message it
 * receives on one line (its "\n"-separated assignments joined by spaces),
 * until STOPPING=1 arrives (exit 0) or SECONDS pass (exit 1). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Prints one message on one line; returns 1 when it holds STOPPING=1. */
static int print_message(char *msg, size_t len)
{
	int stopping = 0;
	char *line, *save = NULL;

	msg[len] = '\0';
	for (line = strtok_r(msg, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		printf("%s%s", line == msg ? "" : " ", line);
		stopping |= strcmp(line, "STOPPING=1") == 0;
	}
	printf("\n");
	fflush(stdout);
	return stopping;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[4096];
	long long deadline;
	char *end;
	long secs;
	int fd, rc = 1;

	if (argc != 3) {
		fprintf(stderr, "usage: wgm-notify-recv PATH SECONDS\n");
		return 2;
	}
	secs = strtol(argv[2], &end, 10);
	if (*end || secs < 1 || secs > 3600 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "wgm-notify-recv: bad PATH or SECONDS\n");
		return 2;
	}
	memcpy(sa.sun_path, argv[1], strlen(argv[1]) + 1);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "wgm-notify-recv: %s: %s\n", argv[1], strerror(errno));
		goto out;
	}
	deadline = now_ms() + secs * 1000;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long long left = deadline - now_ms();
		ssize_t n;

		if (left <= 0)
			break;
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n < 0)
			continue;
		if (print_message(buf, (size_t)n)) {
			rc = 0;
			break;
		}
	}
out:
	if (fd >= 0)
		close(fd);
	unlink(argv[1]);
	return rc;
}
