/* Asks BIRD something every period from the loop: a non-blocking
 * control-socket client with its timer. Each period, once connected and no
 * command is out, the owner's ask hook sends its command (bird_poll_ask);
 * each reply goes to the reply hook, which may ask the next command of the
 * same period. A reply missing stall_ms after its command, a send or read
 * error, or BIRD closing the socket closes it (the down hook says why), and
 * a later period connects again, at most every reconnect_ms. The shared part
 * of bird_watch.c and fast_repair.c; nothing here blocks. */
#ifndef WGM_DAEMON_BIRD_POLL_H
#define WGM_DAEMON_BIRD_POLL_H

#include <stdbool.h>
#include <stdint.h>

#include "bird/reply.h"
#include "daemon/core/loop.h"

struct bird_poll;

struct bird_poll_deps {
	struct loop *loop;
	const char *socket_path; /* borrowed */
	unsigned first_ms;       /* the first period starts after this */
	unsigned period_ms;
	unsigned stall_ms;     /* a reply missing this long after its command */
	unsigned reconnect_ms; /* 0: try to connect every period */
	/* Optional, first thing every period: false keeps the socket closed
	 * this period (closing it when open, through the down hook). */
	bool (*tick)(void *ctx);
	/* Connected and nothing out: send the period's first command. */
	void (*ask)(void *ctx);
	/* A reply (owned by the caller of the hook; do not free it). */
	void (*reply)(struct bird_reply *reply, void *ctx);
	/* Optional, after the replies read from one readable event, while the
	 * socket is still open. */
	void (*read)(void *ctx);
	/* The socket could not be opened or was closed; err says why. */
	void (*down)(const char *err, void *ctx);
	void *ctx;
};

int bird_poll_new(const struct bird_poll_deps *deps, struct bird_poll **out);
/* Closes the socket without calling any hook. */
void bird_poll_free(struct bird_poll *p);

/* Sends COMMAND (kept by pointer until its reply: a string literal). 0, or
 * a negative errno after closing the socket and calling the down hook. */
int bird_poll_ask(struct bird_poll *p, const char *command);

bool bird_poll_connected(const struct bird_poll *p);
/* BIRD's welcome was read on the open socket. */
bool bird_poll_welcomed(const struct bird_poll *p);
/* A command is out, its reply not yet read. */
bool bird_poll_waiting(const struct bird_poll *p);
/* Starts the next period now unless a command is out. */
void bird_poll_now(struct bird_poll *p);

#endif
