#include "daemon/obfs/obfs_rules.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int append(char *buf, size_t len, size_t *at, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int append(char *buf, size_t len, size_t *at, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*at >= len)
		return -ENOSPC;
	va_start(ap, fmt);
	n = vsnprintf(buf + *at, len - *at, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len - *at)
		return -ENOSPC;
	*at += (size_t)n;
	return 0;
}

int obfs_rules_script(char *buf, size_t len, const uint16_t *ports, size_t n, bool add_jumps)
{
	size_t at = 0;
	int rc = 0;

	/* With --noflush, declaring a chain creates it or empties it; the
	 * refill follows in the same transaction. */
	rc |= append(buf, len, &at, "*mangle\n:%s - [0:0]\n:%s - [0:0]\n", OBFS_RULES_CHAIN_OUT, OBFS_RULES_CHAIN_IN);
	rc |= append(buf, len, &at, "-A %s -m mark --mark 0x%08x -j RETURN\n", OBFS_RULES_CHAIN_OUT, OBFS_RULES_MARK);
	for (size_t i = 0; i < n; i++) {
		rc |= append(buf, len, &at, "-A %s -p udp -m udp --sport %u -j NFQUEUE --queue-num %u\n",
			     OBFS_RULES_CHAIN_OUT, ports[i], OBFS_RULES_QUEUE);
		rc |= append(buf, len, &at, "-A %s -p udp -m udp --dport %u -j NFQUEUE --queue-num %u\n",
			     OBFS_RULES_CHAIN_IN, ports[i], OBFS_RULES_QUEUE);
	}
	if (add_jumps) {
		rc |= append(buf, len, &at, "-I OUTPUT 1 -j %s\n", OBFS_RULES_CHAIN_OUT);
		rc |= append(buf, len, &at, "-I INPUT 1 -j %s\n", OBFS_RULES_CHAIN_IN);
	}
	rc |= append(buf, len, &at, "COMMIT\n");
	return rc ? -ENOSPC : (int)at;
}

void obfs_rules_parse_save(const char *save, bool *has_jumps, uint16_t *ports, size_t max, size_t *n)
{
	const char *line = save;
	bool out_jump = false, in_jump = false;

	*n = 0;
	while (line && *line) {
		size_t len = strcspn(line, "\n");
		char l[512];

		snprintf(l, sizeof(l), "%.*s", (int)(len < sizeof(l) - 1 ? len : sizeof(l) - 1), line);
		if (strcmp(l, "-A OUTPUT -j " OBFS_RULES_CHAIN_OUT) == 0)
			out_jump = true;
		else if (strcmp(l, "-A INPUT -j " OBFS_RULES_CHAIN_IN) == 0)
			in_jump = true;
		else if (strncmp(l, "-A " OBFS_RULES_CHAIN_OUT " ", strlen(OBFS_RULES_CHAIN_OUT) + 4) == 0) {
			const char *p = strstr(l, "--sport ");
			unsigned port;
			if (p && sscanf(p + 8, "%u", &port) == 1 && port > 0 && port < 65536 && *n < max)
				ports[(*n)++] = (uint16_t)port;
		}
		line += len;
		if (*line == '\n')
			line++;
	}
	*has_jumps = out_jump && in_jump;
}

static void first_line(const char *text, char *err, size_t errlen, const char *prog)
{
	size_t skip = strspn(text, "\n ");

	snprintf(err, errlen, "%s: %.*s", prog, (int)strcspn(text + skip, "\n"), text + skip);
}

int obfs_rules_run(char *const argv[], const char *stdin_text, char *out, size_t outlen, char *err, size_t errlen)
{
	int in[2] = { -1, -1 }, o[2] = { -1, -1 }, e[2] = { -1, -1 }, status = 0, rc;
	char errtext[1024];
	size_t got = 0, egot = 0, left = stdin_text ? strlen(stdin_text) : 0;
	posix_spawn_file_actions_t fa;
	pid_t pid;

	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(o, O_CLOEXEC) < 0 || pipe2(e, O_CLOEXEC) < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: pipe: %s", argv[0], strerror(errno));
		goto close_pipes;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, o[1], 1);
	posix_spawn_file_actions_adddup2(&fa, e[1], 2);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(o[1]);
	close(e[1]);
	in[0] = o[1] = e[1] = -1;
	if (rc != 0) {
		snprintf(err, errlen, "cannot run %s: %s (install the iptables package)", argv[0], strerror(rc));
		rc = -rc;
		goto close_pipes;
	}
	/* Scripts are a few kilobytes at most: they fit the pipe, so writing
	 * all of it before reading cannot deadlock. */
	while (left) {
		ssize_t n = write(in[1], stdin_text, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		stdin_text += n;
		left -= (size_t)n;
	}
	close(in[1]);
	in[1] = -1;
	for (;;) {
		struct pollfd p[2] = { { .fd = o[0], .events = POLLIN }, { .fd = e[0], .events = POLLIN } };
		char sink[4096];
		int open_fds = (o[0] >= 0) + (e[0] >= 0);
		if (!open_fds)
			break;
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			int *fd = i == 0 ? &o[0] : &e[0];
			char *dst = sink;
			size_t room = sizeof(sink);
			ssize_t n;
			if (*fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			/* What does not fit is read and dropped, so the child
			 * never blocks on a full pipe. */
			if (i == 0 && out && outlen > got + 1) {
				dst = out + got;
				room = outlen - 1 - got;
			} else if (i == 1 && sizeof(errtext) > egot + 1) {
				dst = errtext + egot;
				room = sizeof(errtext) - 1 - egot;
			}
			n = read(*fd, dst, room);
			if (n <= 0) {
				close(*fd);
				*fd = -1;
				continue;
			}
			if (dst == sink)
				continue;
			if (i == 0)
				got += (size_t)n;
			else
				egot += (size_t)n;
		}
	}
	if (out && outlen)
		out[got < outlen ? got : outlen - 1] = '\0';
	errtext[egot] = '\0';
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		rc = 0;
	} else {
		rc = -EIO;
		if (egot)
			first_line(errtext, err, errlen, argv[0]);
		else
			snprintf(err, errlen, "%s failed (status %d)", argv[0], status);
	}
close_pipes:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (o[i] >= 0)
			close(o[i]);
		if (e[i] >= 0)
			close(e[i]);
	}
	return rc;
}
