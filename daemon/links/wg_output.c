#include "daemon/links/wg_output.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "common/util/clock.h"
#include "common/util/inotify_wall.h"
#include "common/util/line_buf.h"
#include "common/util/line_fold.h"
#include "common/util/log.h"

struct reader {
	struct wg_output *o;
	struct reader *next;
	char ifname[IFNAMSIZ];
	int fd;
	struct loop_watch *watch;
	struct wgm_line_fold fold;
	struct wgm_line_buf buf;
};

/* A pipe handed over by the worker, waiting for the loop. */
struct pending {
	struct pending *next;
	char ifname[IFNAMSIZ];
	int fd;
};

struct wg_output {
	struct loop *loop;
	int efd;
	struct loop_watch *efd_watch;
	struct loop_timer *tick;
	struct reader *readers;
	pthread_mutex_t lock; /* guards pending */
	struct pending *pending;
	int64_t wall_logged_ms; /* the inotify wall's explanation, last logged (0: never) */
};

/* Every link started meanwhile hits the same wall: one explanation per
 * fold period, next to the folded wireguard-go lines. */
static void explain_inotify_wall(struct reader *r)
{
	int64_t now = wgm_mono_ms();
	char why[400];

	if (r->o->wall_logged_ms && now - r->o->wall_logged_ms < WG_OUTPUT_FOLD_PERIOD_MS)
		return;
	r->o->wall_logged_ms = now;
	wgm_inotify_wall_explain(wgm_inotify_wall_current(), why, sizeof(why));
	log_warn("%s: %s", r->ifname, why);
}

static void emit(const char *line, void *ctx)
{
	struct reader *r = ctx;

	if (wgm_inotify_wall_line(line))
		explain_inotify_wall(r);

	/* wireguard-go marks its errors "ERROR: (pipe2) ..." */
	if (strncmp(line, "ERROR:", 6) == 0)
		log_warn("%s: wireguard-go: %s", r->ifname, line);
	else
		log_info("%s: wireguard-go: %s", r->ifname, line);
}

static void line_done(const char *line, void *ctx)
{
	struct reader *r = ctx;

	wgm_line_fold_add(&r->fold, line, wgm_real_us() / 1000, emit, r);
}

static void reader_free(struct reader *r)
{
	struct reader **pp;

	for (pp = &r->o->readers; *pp; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	loop_watch_remove(r->watch);
	close(r->fd);
	wgm_line_buf_finish(&r->buf, line_done, r);
	wgm_line_fold_flush(&r->fold, emit, r);
	free(r);
}

/* Reads what is there; 1 when the pipe ended (the process exited). */
static int reader_drain(struct reader *r)
{
	char buf[4096];

	for (;;) {
		ssize_t n = read(r->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0)
			return 1;
		wgm_line_buf_feed(&r->buf, buf, (size_t)n, line_done, r);
	}
}

static void on_readable(struct loop *loop, int fd, uint32_t events, void *ctx)
{
	struct reader *r = ctx;

	if (reader_drain(r))
		reader_free(r);
}

static void on_pending(struct loop *loop, int fd, uint32_t events, void *ctx)
{
	struct wg_output *o = ctx;
	struct pending *list;
	uint64_t n;

	if (read(o->efd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		log_warn("wireguard-go output: eventfd: %s", strerror(errno));
	pthread_mutex_lock(&o->lock);
	list = o->pending;
	o->pending = NULL;
	pthread_mutex_unlock(&o->lock);
	while (list) {
		struct pending *p = list;
		struct reader *r = calloc(1, sizeof(*r));
		list = p->next;
		if (!r || fcntl(p->fd, F_SETFL, O_NONBLOCK) < 0 ||
		    loop_watch_add(o->loop, p->fd, EPOLLIN, on_readable, r, &r->watch) < 0) {
			/* Its output is lost, nothing worse: wireguard-go never
			 * waits on a full pipe once it runs (common/wg/wg.h). */
			log_warn("%s: wireguard-go's output cannot be read (%s); it is not logged", p->ifname,
				 strerror(r ? errno : ENOMEM));
			close(p->fd);
			free(r);
			free(p);
			continue;
		}
		r->o = o;
		r->fd = p->fd;
		snprintf(r->ifname, sizeof(r->ifname), "%s", p->ifname);
		r->next = o->readers;
		o->readers = r;
		free(p);
	}
}

static void on_tick(struct loop *loop, struct loop_timer *timer, void *ctx)
{
	struct wg_output *o = ctx;

	for (struct reader *r = o->readers; r; r = r->next)
		wgm_line_fold_tick(&r->fold, emit, r);
}

void wg_output_take(void *ctx, const char *ifname, int fd)
{
	struct wg_output *o = ctx;
	struct pending *p = calloc(1, sizeof(*p));
	uint64_t one = 1;

	if (!p) {
		close(fd);
		return;
	}
	snprintf(p->ifname, sizeof(p->ifname), "%s", ifname);
	p->fd = fd;
	pthread_mutex_lock(&o->lock);
	p->next = o->pending;
	o->pending = p;
	pthread_mutex_unlock(&o->lock);
	/* Only EAGAIN can fail it: the counter is full, the loop wakes anyway. */
	ssize_t w = write(o->efd, &one, sizeof(one));
	(void)w;
}

int wg_output_new(struct loop *loop, struct wg_output **out)
{
	struct wg_output *o = calloc(1, sizeof(*o));
	int rc;

	if (!o)
		return -ENOMEM;
	o->loop = loop;
	pthread_mutex_init(&o->lock, NULL);
	o->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (o->efd < 0) {
		rc = -errno;
		goto fail;
	}
	if ((rc = loop_watch_add(loop, o->efd, EPOLLIN, on_pending, o, &o->efd_watch)) < 0 ||
	    (rc = loop_timer_start(loop, on_tick, o, WG_OUTPUT_FOLD_PERIOD_MS, WG_OUTPUT_FOLD_PERIOD_MS, &o->tick)) < 0)
		goto fail;
	*out = o;
	return 0;
fail:
	wg_output_free(o);
	return rc;
}

void wg_output_free(struct wg_output *o)
{
	if (!o)
		return;
	if (o->efd >= 0)
		on_pending(o->loop, o->efd, EPOLLIN, o);
	while (o->readers) {
		reader_drain(o->readers);
		reader_free(o->readers);
	}
	loop_timer_free(o->tick);
	loop_watch_remove(o->efd_watch);
	if (o->efd >= 0)
		close(o->efd);
	pthread_mutex_destroy(&o->lock);
	free(o);
}
