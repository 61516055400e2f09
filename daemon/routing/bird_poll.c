#include "daemon/routing/bird_poll.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "bird/client.h"
#include "common/util/clock.h"

struct bird_poll {
	struct bird_poll_deps d;
	struct bird_client client;
	struct loop_watch *watch;
	struct loop_timer *timer;
	const char *asked; /* the command out, while waiting */
	bool waiting;
	int64_t sent_ms, next_connect_ms;
};

static void poll_close(struct bird_poll *p)
{
	loop_watch_remove(p->watch);
	p->watch = NULL;
	bird_client_close(&p->client);
	p->waiting = false;
}

static void poll_down(struct bird_poll *p, const char *err)
{
	poll_close(p);
	p->d.down(err, p->d.ctx);
}

int bird_poll_ask(struct bird_poll *p, const char *command)
{
	char err[256];
	int rc = bird_client_send(&p->client, command, err, sizeof(err));

	if (rc < 0) {
		poll_down(p, err);
		return rc;
	}
	p->asked = command;
	p->waiting = true;
	p->sent_ms = wgm_mono_ms();
	return 0;
}

static void on_readable(struct loop *loop, int fd, uint32_t events, void *ctx)
{
	struct bird_poll *p = ctx;
	struct bird_reply *reply = NULL;
	char err[256];
	int rc;

	(void)loop;
	(void)fd;
	(void)events;
	while ((rc = bird_client_on_readable(&p->client, &reply, err, sizeof(err))) == 1) {
		p->waiting = false;
		p->d.reply(reply, p->d.ctx);
		bird_reply_free(reply);
		reply = NULL;
		if (p->client.fd < 0)
			return;
	}
	if (rc < 0)
		poll_down(p, err);
	else if (p->d.read)
		p->d.read(p->d.ctx);
}

/* 0 when connected, else the next period tries again. */
static int poll_connect(struct bird_poll *p, int64_t now)
{
	char err[256];

	if (now < p->next_connect_ms)
		return -EAGAIN;
	if (bird_client_open(&p->client, p->d.socket_path, err, sizeof(err)) < 0) {
		p->next_connect_ms = now + p->d.reconnect_ms;
		p->d.down(err, p->d.ctx);
		return -ENOTCONN;
	}
	if (loop_watch_add(p->d.loop, p->client.fd, EPOLLIN, on_readable, p, &p->watch) < 0) {
		p->next_connect_ms = now + p->d.reconnect_ms;
		poll_down(p, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

static void on_timer(struct loop *loop, struct loop_timer *timer, void *ctx)
{
	struct bird_poll *p = ctx;
	int64_t now = wgm_mono_ms();
	char err[256 + BIRD_COMMAND_MAX];

	(void)loop;
	(void)timer;
	if (p->d.tick && !p->d.tick(p->d.ctx)) {
		if (p->client.fd >= 0)
			poll_down(p, "not asked now");
		return;
	}
	if (p->waiting) {
		if (now - p->sent_ms >= p->d.stall_ms) {
			snprintf(err, sizeof(err), "BIRD did not answer `%s`", p->asked);
			poll_down(p, err);
		}
		return;
	}
	if (p->client.fd < 0 && poll_connect(p, now) < 0)
		return;
	/* BIRD reads commands after its welcome; one queued before it waits. */
	p->d.ask(p->d.ctx);
}

int bird_poll_new(const struct bird_poll_deps *deps, struct bird_poll **out)
{
	struct bird_poll *p = calloc(1, sizeof(*p));
	int rc;

	if (!p)
		return -ENOMEM;
	p->d = *deps;
	bird_client_init(&p->client);
	rc = loop_timer_start(deps->loop, on_timer, p, deps->first_ms, deps->period_ms, &p->timer);
	if (rc < 0) {
		free(p);
		return rc;
	}
	*out = p;
	return 0;
}

void bird_poll_free(struct bird_poll *p)
{
	if (!p)
		return;
	loop_timer_free(p->timer);
	poll_close(p);
	free(p);
}

bool bird_poll_connected(const struct bird_poll *p)
{
	return p->client.fd >= 0;
}

bool bird_poll_welcomed(const struct bird_poll *p)
{
	return p->client.fd >= 0 && p->client.welcomed;
}

bool bird_poll_waiting(const struct bird_poll *p)
{
	return p->waiting;
}

void bird_poll_now(struct bird_poll *p)
{
	if (!p->waiting)
		loop_timer_arm(p->timer, 0, p->d.period_ms);
}
