#include "daemon/hooks/hooks.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/ctl/ctlproto.h"
#include "common/util/line_buf.h"
#include "common/util/log.h"
#include "daemon/hooks/hook_env.h"
#include "daemon/hooks/hook_policy.h"

/* A hook's output reaches the log line by line (line_buf.h), at most this
 * much per run. */
#define HOOK_OUTPUT_MAX 4096

struct hook_run {
	struct hooks *h;
	struct hook_run *next;
	char name[HOOK_NAME_MAX];
	char kind[64];
	pid_t pid;
	int pidfd, out_fd;
	struct loop_watch *exit_watch, *out_watch;
	struct loop_timer *timer;
	bool timed_out;
	size_t out_total;
	struct wgm_line_buf buf;
};

/* What was last logged about one hook file. */
struct hook_state {
	struct hook_state *next;
	char name[HOOK_NAME_MAX];
	enum hook_outcome outcome;
	enum hook_file file;
};

struct hooks {
	struct loop *loop;
	struct ctl_server *ctl;
	const struct wgm_config *cfg;
	uid_t uid;
	struct hook_queue queue;
	struct hook_run *runs;
	unsigned running;
	struct hook_state *states;
	int dir_problem; /* last logged: 0, -errno, or 1 + enum hook_file */
	bool drop_warned;
};

static struct hook_state *state_of(struct hooks *h, const char *name)
{
	struct hook_state *s;

	for (s = h->states; s; s = s->next)
		if (strcmp(s->name, name) == 0)
			return s;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->next = h->states;
	h->states = s;
	return s;
}

static bool hook_busy(const char *name, void *ctx)
{
	struct hooks *h = ctx;

	for (struct hook_run *r = h->runs; r; r = r->next)
		if (strcmp(r->name, name) == 0)
			return true;
	return false;
}

static void log_outcome(struct hooks *h, const char *name, enum hook_outcome outcome, const char *detail)
{
	struct hook_state *s = state_of(h, name);
	static const char later[] = "; not logged again until it succeeds";

	if (s && !hook_outcome_should_log(&s->outcome, outcome))
		return;
	if (outcome == HOOK_OK)
		log_notice("hook %s: succeeded again", name);
	else
		log_warn("hook %s: %s%s", name, detail, s ? later : "");
}

/* ---- output ---- */

static void output_line(const char *line, void *ctx)
{
	struct hook_run *r = ctx;

	log_info("hook %s: %s", r->name, line);
}

static void output_bytes(struct hook_run *r, const char *buf, size_t n)
{
	size_t room = r->out_total < HOOK_OUTPUT_MAX ? HOOK_OUTPUT_MAX - r->out_total : 0;

	wgm_line_buf_feed(&r->buf, buf, n < room ? n : room, output_line, r);
	if (n > room && r->out_total <= HOOK_OUTPUT_MAX) {
		wgm_line_buf_finish(&r->buf, output_line, r);
		log_info("hook %s: more output not logged (%d bytes a run)", r->name, HOOK_OUTPUT_MAX);
	}
	r->out_total += n;
}

static void output_close(struct hook_run *r)
{
	if (r->out_fd < 0)
		return;
	loop_watch_remove(r->out_watch);
	r->out_watch = NULL;
	close(r->out_fd);
	r->out_fd = -1;
	wgm_line_buf_finish(&r->buf, output_line, r);
}

/* Reads what is there; closes the pipe at its end. */
static void output_drain(struct hook_run *r)
{
	char buf[4096];

	while (r->out_fd >= 0) {
		ssize_t n = read(r->out_fd, buf, sizeof(buf));
		if (n > 0) {
			output_bytes(r, buf, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		output_close(r);
	}
}

static void on_output(struct loop *loop, int fd, uint32_t events, void *ctx)
{
	output_drain(ctx);
}

/* ---- runs ---- */

static void pump(struct hooks *h);

static void run_free(struct hook_run *r)
{
	struct hook_run **pp;

	for (pp = &r->h->runs; *pp; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	r->h->running--;
	output_close(r);
	loop_watch_remove(r->exit_watch);
	if (r->pidfd >= 0)
		close(r->pidfd);
	loop_timer_free(r->timer);
	free(r);
}

static void on_exit_fd(struct loop *loop, int fd, uint32_t events, void *ctx)
{
	struct hook_run *r = ctx;
	struct hooks *h = r->h;
	enum hook_outcome outcome = HOOK_OK;
	char detail[160] = "";
	int status = 0;
	pid_t got;

	do
		got = waitpid(r->pid, &status, WNOHANG);
	while (got < 0 && errno == EINTR);
	if (got == 0)
		return; /* not yet: pidfd readiness without an exit */
	output_drain(r);
	output_close(r);
	if (r->timed_out) {
		outcome = HOOK_TIMED_OUT;
		snprintf(detail, sizeof(detail), "still running after %u s (hookTimeout), killed (%s event)",
			 h->cfg->hook_timeout_s, r->kind);
	} else if (got > 0 && WIFEXITED(status) && WEXITSTATUS(status) != 0) {
		outcome = HOOK_EXIT_STATUS;
		snprintf(detail, sizeof(detail), "exited with status %d (%s event)", WEXITSTATUS(status), r->kind);
	} else if (got > 0 && WIFSIGNALED(status)) {
		outcome = HOOK_SIGNALED;
		snprintf(detail, sizeof(detail), "killed by signal %d (%s event)", WTERMSIG(status), r->kind);
	}
	log_outcome(h, r->name, outcome, detail);
	run_free(r);
	pump(h);
}

static void on_timeout(struct loop *loop, struct loop_timer *timer, void *ctx)
{
	struct hook_run *r = ctx;

	/* The whole group: a shell script's own children go too. */
	r->timed_out = true;
	kill(-r->pid, SIGKILL);
}

/* The event for stdin: a memfd, so a large event never blocks us on a pipe. */
static int event_fd(const json_t *event)
{
	char *text = json_dumps(event, JSON_COMPACT);
	size_t len, off = 0;
	int fd, e = 0;

	if (!text)
		return -ENOMEM;
	fd = memfd_create("wgmesh-hook-event", MFD_CLOEXEC);
	if (fd < 0) {
		free(text);
		return -errno;
	}
	/* The terminating NUL becomes the line's end. */
	len = strlen(text);
	text[len++] = '\n';
	while (off < len && !e) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0 && errno != EINTR)
			e = -errno;
		else if (n > 0)
			off += (size_t)n;
	}
	free(text);
	if (!e && lseek(fd, 0, SEEK_SET) < 0)
		e = -errno;
	if (e) {
		close(fd);
		return e;
	}
	return fd;
}

static int spawn_child(struct hooks *h, const char *path, int in_fd, int out_fd, char **env, pid_t *pid)
{
	char *const argv[] = { (char *)path, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t all;
	int rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	posix_spawn_file_actions_adddup2(&fa, in_fd, STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out_fd, STDERR_FILENO);
	/* Nothing else of the daemon's: a hook may leave a process behind. */
	posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
	/* Its own process group (so a timeout kills all of it), the signal
	 * mask from before the loop blocked everything, and every signal at
	 * its default (the daemon ignores SIGPIPE; a hook should not). */
	sigfillset(&all);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setsigmask(&attr, loop_original_sigmask(h->loop));
	posix_spawnattr_setsigdefault(&attr, &all);
	rc = posix_spawn(pid, path, &fa, &attr, argv, env);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return -rc;
}

static void run_start(struct hooks *h, struct hook_job *job)
{
	struct hook_run *r = calloc(1, sizeof(*r));
	const char *kind = wgm_ctl_event_kind(job->event);
	char path[WGM_CONFIG_PATH_MAX + HOOK_NAME_MAX + 2], detail[160];
	char **env = hook_env_build(job->event, h->cfg->id);
	int in_fd = -1, pipefd[2] = { -1, -1 }, e = -ENOMEM;

	if (!r || !env)
		goto fail;
	r->h = h;
	r->pidfd = r->out_fd = -1;
	snprintf(r->name, sizeof(r->name), "%s", job->name);
	snprintf(r->kind, sizeof(r->kind), "%s", kind ? kind : "?");
	snprintf(path, sizeof(path), "%s/%s", h->cfg->hooks_dir, job->name);
	in_fd = event_fd(job->event);
	if (in_fd < 0) {
		e = in_fd;
		goto fail;
	}
	if (pipe2(pipefd, O_CLOEXEC) < 0 || fcntl(pipefd[0], F_SETFL, O_NONBLOCK) < 0) {
		e = -errno;
		goto fail;
	}
	e = spawn_child(h, path, in_fd, pipefd[1], env, &r->pid);
	if (e < 0)
		goto fail;
	close(pipefd[1]);
	pipefd[1] = -1;
	close(in_fd);
	in_fd = -1;
	r->out_fd = pipefd[0];
	pipefd[0] = -1;
	r->next = h->runs;
	h->runs = r;
	h->running++;
	r->pidfd = pidfd_open(r->pid, 0);
	if (r->pidfd < 0 || loop_watch_add(h->loop, r->pidfd, EPOLLIN, on_exit_fd, r, &r->exit_watch) < 0 ||
	    loop_watch_add(h->loop, r->out_fd, EPOLLIN, on_output, r, &r->out_watch) < 0 ||
	    loop_timer_start(h->loop, on_timeout, r, (uint64_t)h->cfg->hook_timeout_s * 1000, 0, &r->timer) < 0) {
		/* Without its watches we would never see it end: stop it now. */
		log_err("hook %s: cannot watch the process; killed", r->name);
		kill(-r->pid, SIGKILL);
		while (waitpid(r->pid, NULL, 0) < 0 && errno == EINTR)
			;
		run_free(r);
	}
	hook_env_free(env);
	json_decref(job->event);
	return;
fail:
	snprintf(detail, sizeof(detail), "could not be run: %s", strerror(-e));
	log_outcome(h, job->name, HOOK_EXEC_FAILED, detail);
	for (int i = 0; i < 2; i++)
		if (pipefd[i] >= 0)
			close(pipefd[i]);
	if (in_fd >= 0)
		close(in_fd);
	hook_env_free(env);
	free(r);
	json_decref(job->event);
}

static void pump(struct hooks *h)
{
	struct hook_job job;
	unsigned long dropped;

	while (h->running < HOOKS_MAX_RUNNING && hook_queue_pop(&h->queue, hook_busy, h, &job))
		run_start(h, &job);
	if (h->drop_warned && h->queue.count == 0) {
		dropped = hook_queue_take_dropped(&h->queue);
		log_warn("hooks: %lu run(s) dropped while the queue was full", dropped);
		h->drop_warned = false;
	}
}

/* ---- the directory ---- */

static void dir_problem(struct hooks *h, int problem, const char *why)
{
	if (problem == h->dir_problem)
		return;
	h->dir_problem = problem;
	if (problem)
		log_warn("hooks: %s: %s; no hook runs", h->cfg->hooks_dir, why);
	else
		log_notice("hooks: %s is usable again", h->cfg->hooks_dir);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The hook names to run, sorted, into names; their count. */
static size_t hook_names(struct hooks *h, char (*names)[HOOK_NAME_MAX])
{
	struct stat st;
	struct dirent *de;
	size_t n = 0;
	enum hook_file why;
	DIR *dir = opendir(h->cfg->hooks_dir);

	if (!dir) {
		/* No directory is the normal case of a node without hooks. */
		dir_problem(h, errno == ENOENT ? 0 : -errno, strerror(errno));
		return 0;
	}
	if (fstat(dirfd(dir), &st) < 0) {
		dir_problem(h, -errno, strerror(errno));
		closedir(dir);
		return 0;
	}
	why = hook_dir_check(&st, h->uid);
	dir_problem(h, why == HOOK_FILE_OK ? 0 : 1 + (int)why,
		    why == HOOK_FILE_NOT_REGULAR ? "not a directory" : hook_file_reason(why));
	if (why != HOOK_FILE_OK) {
		closedir(dir);
		return 0;
	}
	while ((de = readdir(dir)) && n < HOOKS_MAX_FILES) {
		if (!hook_name_ok(de->d_name))
			continue;
		/* hook_name_ok checked that it fits. */
		memcpy(names[n++], de->d_name, strlen(de->d_name) + 1);
	}
	qsort(names, n, HOOK_NAME_MAX, name_cmp);
	for (size_t i = 0; i < n;) {
		struct hook_state *s;
		why = fstatat(dirfd(dir), names[i], &st, 0) < 0 ? HOOK_FILE_NOT_REGULAR : hook_file_check(&st, h->uid);
		s = state_of(h, names[i]);
		if (s && s->file != why && why != HOOK_FILE_OK)
			log_warn("hook %s: skipped: %s", names[i], hook_file_reason(why));
		if (s)
			s->file = why;
		if (why == HOOK_FILE_OK) {
			i++;
			continue;
		}
		memmove(names[i], names[i + 1], (n - i - 1) * HOOK_NAME_MAX);
		n--;
	}
	closedir(dir);
	return n;
}

static void on_event(const json_t *event, void *ctx)
{
	struct hooks *h = ctx;
	const char *kind = wgm_ctl_event_kind(event);
	char names[HOOKS_MAX_FILES][HOOK_NAME_MAX];
	size_t n;

	if (!kind || strcmp(kind, WGM_CTL_EVENT_LOG) == 0 || strcmp(kind, WGM_CTL_EVENT_METRICS) == 0)
		return;
	n = hook_names(h, names);
	for (size_t i = 0; i < n; i++)
		if (hook_queue_push(&h->queue, names[i], (json_t *)event) < 0 && !h->drop_warned) {
			log_warn("hooks: %d runs wait already; dropping runs until the queue empties", HOOK_QUEUE_MAX);
			h->drop_warned = true;
		}
	pump(h);
}

int hooks_start(struct loop *loop, struct ctl_server *ctl, const struct wgm_config *cfg, struct hooks **out)
{
	struct hooks *h = calloc(1, sizeof(*h));
	int rc;

	if (!h)
		return -ENOMEM;
	h->loop = loop;
	h->ctl = ctl;
	h->cfg = cfg;
	h->uid = geteuid();
	rc = ctl_server_observe(ctl, on_event, h);
	if (rc < 0) {
		free(h);
		return rc;
	}
	*out = h;
	return 0;
}

void hooks_stop(struct hooks *h)
{
	if (!h)
		return;
	ctl_server_unobserve(h->ctl, on_event, h);
	while (h->runs) {
		struct hook_run *r = h->runs;
		kill(-r->pid, SIGKILL);
		while (waitpid(r->pid, NULL, 0) < 0 && errno == EINTR)
			;
		run_free(r);
	}
	hook_queue_clear(&h->queue);
	while (h->states) {
		struct hook_state *s = h->states;
		h->states = s->next;
		free(s);
	}
	free(h);
}
