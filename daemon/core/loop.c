#include "daemon/core/loop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

struct loop_watch {
	struct loop *loop;
	int fd;
	loop_fd_fn fn;
	void *ctx;
	bool dead;
	struct loop_watch *next_dead;
};

struct loop_timer {
	struct loop *loop;
	int fd;
	struct loop_watch *watch;
	loop_timer_fn fn;
	void *ctx;
	bool armed;
	bool periodic;
};

struct signal_handler {
	loop_signal_fn fn;
	void *ctx;
};

struct loop {
	int epfd;
	bool stopping;
	/* Removed watches live until the current epoll batch is dispatched, so
	 * later events of the same batch can still see that they are dead. */
	struct loop_watch *dead;
	int sigfd;
	struct loop_watch *sigwatch;
	sigset_t sigmask;
	sigset_t original_mask;
	struct signal_handler signals[_NSIG];
};

int loop_new(struct loop **out)
{
	struct loop *loop = calloc(1, sizeof(*loop));

	if (!loop)
		return -ENOMEM;
	loop->sigfd = -1;
	sigemptyset(&loop->sigmask);
	sigprocmask(SIG_BLOCK, NULL, &loop->original_mask);
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		int err = -errno;
		free(loop);
		return err;
	}
	*out = loop;
	return 0;
}

static void free_dead_watches(struct loop *loop)
{
	while (loop->dead) {
		struct loop_watch *w = loop->dead;
		loop->dead = w->next_dead;
		free(w);
	}
}

void loop_free(struct loop *loop)
{
	if (!loop)
		return;
	loop_watch_remove(loop->sigwatch);
	if (loop->sigfd >= 0) {
		close(loop->sigfd);
		sigprocmask(SIG_SETMASK, &loop->original_mask, NULL);
	}
	free_dead_watches(loop);
	close(loop->epfd);
	free(loop);
}

int loop_watch_add(struct loop *loop, int fd, uint32_t events, loop_fd_fn fn, void *ctx, struct loop_watch **out)
{
	struct loop_watch *w = calloc(1, sizeof(*w));
	struct epoll_event ev = { .events = events, .data.ptr = w };

	if (!w)
		return -ENOMEM;
	w->loop = loop;
	w->fd = fd;
	w->fn = fn;
	w->ctx = ctx;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int err = -errno;
		free(w);
		return err;
	}
	if (out)
		*out = w;
	return 0;
}

int loop_watch_modify(struct loop_watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	if (epoll_ctl(w->loop->epfd, EPOLL_CTL_MOD, w->fd, &ev) < 0)
		return -errno;
	return 0;
}

void loop_watch_remove(struct loop_watch *w)
{
	if (!w || w->dead)
		return;
	/* EBADF/ENOENT mean the fd was closed first; the kernel dropped it. */
	epoll_ctl(w->loop->epfd, EPOLL_CTL_DEL, w->fd, NULL);
	w->dead = true;
	w->next_dead = w->loop->dead;
	w->loop->dead = w;
}

void loop_stop(struct loop *loop)
{
	loop->stopping = true;
}

int loop_run(struct loop *loop)
{
	struct epoll_event events[64];

	loop->stopping = false;
	while (!loop->stopping) {
		int n = epoll_wait(loop->epfd, events, 64, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (int i = 0; i < n; i++) {
			struct loop_watch *w = events[i].data.ptr;
			if (!w->dead)
				w->fn(loop, w->fd, events[i].events, w->ctx);
		}
		free_dead_watches(loop);
	}
	return 0;
}

static void timer_ready(struct loop *loop, int fd, uint32_t events, void *ctx)
{
	struct loop_timer *t = ctx;
	uint64_t expirations;

	/* EAGAIN: disarmed or re-armed after the kernel reported it ready. */
	if (read(fd, &expirations, sizeof(expirations)) != sizeof(expirations))
		return;
	if (!t->periodic)
		t->armed = false;
	t->fn(loop, t, t->ctx);
}

int loop_timer_new(struct loop *loop, loop_timer_fn fn, void *ctx, struct loop_timer **out)
{
	struct loop_timer *t = calloc(1, sizeof(*t));
	int err;

	if (!t)
		return -ENOMEM;
	t->loop = loop;
	t->fn = fn;
	t->ctx = ctx;
	t->fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (t->fd < 0) {
		err = -errno;
		free(t);
		return err;
	}
	err = loop_watch_add(loop, t->fd, EPOLLIN, timer_ready, t, &t->watch);
	if (err < 0) {
		close(t->fd);
		free(t);
		return err;
	}
	*out = t;
	return 0;
}

static struct timespec ms_to_timespec(uint64_t ms)
{
	return (struct timespec){ .tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L };
}

int loop_timer_arm(struct loop_timer *t, uint64_t delay_ms, uint64_t period_ms)
{
	struct itimerspec its = {
		.it_value = ms_to_timespec(delay_ms),
		.it_interval = ms_to_timespec(period_ms),
	};

	/* An all-zero it_value would disarm; 1 ns means "as soon as possible". */
	if (delay_ms == 0)
		its.it_value.tv_nsec = 1;
	if (timerfd_settime(t->fd, 0, &its, NULL) < 0)
		return -errno;
	t->armed = true;
	t->periodic = period_ms > 0;
	return 0;
}

int loop_timer_start(struct loop *loop, loop_timer_fn fn, void *ctx, uint64_t delay_ms, uint64_t period_ms,
		     struct loop_timer **out)
{
	int rc = loop_timer_new(loop, fn, ctx, out);

	if (rc < 0)
		return rc;
	rc = loop_timer_arm(*out, delay_ms, period_ms);
	if (rc < 0) {
		loop_timer_free(*out);
		*out = NULL;
	}
	return rc;
}

void loop_timer_disarm(struct loop_timer *t)
{
	struct itimerspec its = { 0 };

	timerfd_settime(t->fd, 0, &its, NULL);
	t->armed = false;
}

bool loop_timer_armed(const struct loop_timer *t)
{
	return t->armed;
}

void loop_timer_free(struct loop_timer *t)
{
	if (!t)
		return;
	loop_watch_remove(t->watch);
	close(t->fd);
	free(t);
}

static void signal_ready(struct loop *loop, int fd, uint32_t events, void *ctx)
{
	struct signalfd_siginfo info;

	while (read(fd, &info, sizeof(info)) == sizeof(info)) {
		if (info.ssi_signo >= _NSIG || !loop->signals[info.ssi_signo].fn)
			continue;
		loop->signals[info.ssi_signo].fn(loop, &info, loop->signals[info.ssi_signo].ctx);
	}
}

int loop_signal_add(struct loop *loop, int signo, loop_signal_fn fn, void *ctx)
{
	sigset_t mask = loop->sigmask;
	int fd, err;

	if (signo <= 0 || signo >= _NSIG || !fn)
		return -EINVAL;
	sigaddset(&mask, signo);
	fd = signalfd(loop->sigfd, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (loop->sigfd < 0) {
		err = loop_watch_add(loop, fd, EPOLLIN, signal_ready, NULL, &loop->sigwatch);
		if (err < 0) {
			close(fd);
			return err;
		}
		loop->sigfd = fd;
	}
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	loop->sigmask = mask;
	loop->signals[signo] = (struct signal_handler){ fn, ctx };
	return 0;
}

const sigset_t *loop_original_sigmask(const struct loop *loop)
{
	return &loop->original_mask;
}
