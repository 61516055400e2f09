/* One worker thread for the slow system calls of link management (starting
 * wireguard-go and waiting for its socket, netlink round trips), so the event
 * loop never waits on them. Jobs run one at a time in submission order, which
 * also serialises every change to interfaces. A job's `done` runs back on the
 * loop thread; only `done` may touch daemon state. */
#ifndef WGM_DAEMON_WORKER_H
#define WGM_DAEMON_WORKER_H

#include "daemon/core/loop.h"

struct worker;

/* run: on the worker thread; must not touch loop-owned state.
 * done: on the loop thread, after run; ctx is the job's to free there. */
typedef void (*worker_run_fn)(void *ctx);
typedef void (*worker_done_fn)(void *ctx);

int worker_new(struct loop *loop, struct worker **out);
/* Runs the queued jobs to the end, calls their done callbacks (so each ctx is
 * freed by its owner), joins the thread. NULL is ignored. */
void worker_free(struct worker *w);

/* Queues a job. 0 or -ENOMEM. */
int worker_submit(struct worker *w, worker_run_fn run, worker_done_fn done, void *ctx);

/* Jobs queued or running. */
unsigned worker_pending(const struct worker *w);

#endif
