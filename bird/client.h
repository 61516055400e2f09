/* A client of BIRD's control socket (what birdc does, without a process).
 *
 * Two ways to use it:
 * - blocking, for the CLI and tests: bird_client_connect() then
 *   bird_client_command() (each waits at most timeout_ms);
 * - non-blocking, for the daemon's epoll loop: bird_client_open(), add
 *   bird_client_fd() for EPOLLIN, bird_client_send(), and on every readable
 *   event call bird_client_on_readable() until it hands out the reply.
 * One command at a time: send the next one after the previous reply.
 * After any transport error (EOF, timeout, garbage) the client closes its
 * socket, since the reply stream has lost its place: open it again. */
#ifndef WGM_BIRD_CLIENT_H
#define WGM_BIRD_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "bird/reply.h"

#define BIRD_COMMAND_MAX 1024

struct bird_client {
	int fd;           /* -1 when closed; O_NONBLOCK, close-on-exec */
	bool welcomed;    /* BIRD's "0001 BIRD x.y.z ready." was read */
	char version[32]; /* "2.0.12", from the welcome */
	struct bird_reply_parser parser;
};

/* Sets fd to -1; call once before anything else. */
void bird_client_init(struct bird_client *c);

/* Non-blocking: connects to the socket (a Unix socket connects at once or
 * fails) and returns 0; the welcome is read later by on_readable. Errors:
 * negative errno, err says which socket and why. */
int bird_client_open(struct bird_client *c, const char *socket_path, char *err, size_t errlen);

/* Blocking: bird_client_open() and waits for the welcome. */
int bird_client_connect(struct bird_client *c, const char *socket_path, int timeout_ms, char *err, size_t errlen);

/* Takes over an already connected stream socket (a socketpair in tests),
 * made non-blocking; the welcome is still expected on it. */
int bird_client_adopt(struct bird_client *c, int fd);

int bird_client_fd(const struct bird_client *c);

/* Sends one command line (no newline inside; at most BIRD_COMMAND_MAX).
 * The socket is empty of our data between commands, so the line goes out
 * in one write; a short write is reported as -EAGAIN and closes. */
int bird_client_send(struct bird_client *c, const char *command, char *err, size_t errlen);

/* Reads what is available. Returns 1 and sets *reply (the caller frees it
 * with bird_reply_free) when a reply is complete, 0 when more is needed,
 * or a negative errno: -ECONNRESET when BIRD closed the socket, -EPROTO for
 * a stream that is not BIRD's protocol. The welcome is consumed here and
 * never handed out. A reply with an error code is still a reply (1): check
 * bird_reply_status(). */
int bird_client_on_readable(struct bird_client *c, struct bird_reply **reply, char *err, size_t errlen);

/* Blocking: sends the command and waits at most timeout_ms for its reply.
 * Returns 0 with *reply set (check bird_reply_status()), or a negative errno
 * (-ETIMEDOUT and transport errors; the client is then closed). */
int bird_client_command(struct bird_client *c, const char *command, int timeout_ms, struct bird_reply **reply,
			char *err, size_t errlen);

void bird_client_close(struct bird_client *c);

/* Applies a new BIRD config safely (blocking, each step at most timeout_ms):
 * writes text to a temporary file next to final_path, asks BIRD to
 * `configure check` it, and only if that passes renames it over final_path
 * and sends `configure`. BIRD must have been started with -c final_path
 * (checked: BIRD names the file it reads). Returns 0 when BIRD runs the new
 * config; -EINVAL when the check refused it (the last good config stays,
 * on disk and in BIRD; err carries BIRD's message, one line); -EIO when
 * `configure` failed; other negative errnos for files and transport. */
int bird_apply_config(struct bird_client *c, const char *final_path, const char *text, int timeout_ms, char *err,
		      size_t errlen);

#endif
