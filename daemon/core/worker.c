#include "daemon/core/worker.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct job {
	worker_run_fn run;
	worker_done_fn done;
	void *ctx;
	struct job *next;
};

struct worker {
	struct loop *loop;
	struct loop_watch *watch;
	int event_fd;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct job *todo_head, *todo_tail; /* guarded by lock */
	struct job *done_head, *done_tail; /* guarded by lock */
	unsigned pending;                  /* loop thread only */
	bool stopping;                     /* guarded by lock */
};

static void append(struct job **head, struct job **tail, struct job *job)
{
	job->next = NULL;
	if (*tail)
		(*tail)->next = job;
	else
		*head = job;
	*tail = job;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	uint64_t one = 1;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		struct job *job;

		while (!w->todo_head && !w->stopping)
			pthread_cond_wait(&w->wake, &w->lock);
		if (!w->todo_head)
			break;
		job = w->todo_head;
		w->todo_head = job->next;
		if (!w->todo_head)
			w->todo_tail = NULL;
		pthread_mutex_unlock(&w->lock);
		job->run(job->ctx);
		pthread_mutex_lock(&w->lock);
		append(&w->done_head, &w->done_tail, job);
		/* An eventfd write cannot block here: the counter never nears its max. */
		if (write(w->event_fd, &one, sizeof(one)) < 0) {
			/* The loop drains the done list on its next wake-up anyway. */
		}
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static void on_jobs_done(struct loop *loop, int fd, uint32_t events, void *ctx)
{
	struct worker *w = ctx;
	struct job *list;
	uint64_t count;

	if (read(fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		return;
	pthread_mutex_lock(&w->lock);
	list = w->done_head;
	w->done_head = w->done_tail = NULL;
	pthread_mutex_unlock(&w->lock);
	while (list) {
		struct job *job = list;
		list = job->next;
		w->pending--;
		if (job->done)
			job->done(job->ctx);
		free(job);
	}
}

int worker_new(struct loop *loop, struct worker **out)
{
	struct worker *w = calloc(1, sizeof(*w));
	sigset_t all, old;
	int rc;

	if (!w)
		return -ENOMEM;
	w->loop = loop;
	w->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->event_fd < 0) {
		rc = -errno;
		free(w);
		return rc;
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	rc = loop_watch_add(loop, w->event_fd, EPOLLIN, on_jobs_done, w, &w->watch);
	if (rc < 0)
		goto fail;
	/* Signals belong to the loop's signalfd: the thread must never take one. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = -pthread_create(&w->thread, NULL, worker_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc < 0)
		goto fail;
	*out = w;
	return 0;
fail:
	loop_watch_remove(w->watch);
	close(w->event_fd);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	free(w);
	return rc;
}

void worker_free(struct worker *w)
{
	struct job *list;

	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	loop_watch_remove(w->watch);
	close(w->event_fd);
	/* Jobs that ran but whose done never came: their ctx is theirs to free,
	 * so done is called after all, with the loop about to go. */
	list = w->done_head;
	while (list) {
		struct job *job = list;
		list = job->next;
		if (job->done)
			job->done(job->ctx);
		free(job);
	}
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

int worker_submit(struct worker *w, worker_run_fn run, worker_done_fn done, void *ctx)
{
	struct job *job = calloc(1, sizeof(*job));

	if (!job)
		return -ENOMEM;
	job->run = run;
	job->done = done;
	job->ctx = ctx;
	pthread_mutex_lock(&w->lock);
	append(&w->todo_head, &w->todo_tail, job);
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	w->pending++;
	return 0;
}

unsigned worker_pending(const struct worker *w)
{
	return w->pending;
}
