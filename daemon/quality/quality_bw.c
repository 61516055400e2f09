/* Bandwidth mode (operationMode 2): the iperf3 processes of path quality.
 *
 * While the mode is on, every active link has an iperf3 server bound to its
 * own local link address (-B: never the underlay), and the node measures one
 * link at a time (daemon/quality/bw_sched.h) with `iperf3 -c REMOTE -J`: each
 * end measures what it sends, which is the direction its OSPF cost on the
 * link stands for. Everything runs as children on the loop: the client's
 * report comes through a pipe, a run that overstays is killed, servers that
 * exit are reaped and started again, and all of them are killed when the mode
 * goes off, a link goes, or the daemon stops. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util/clock.h"
#include "common/util/log.h"
#include "daemon/quality/iperf_result.h"
#include "daemon/quality/quality_internal.h"

#define IPERF3 "iperf3"
/* A run gets its duration plus this (connect timeout, the report). */
#define BW_RUN_GRACE_S 15
#define BW_CONNECT_TIMEOUT_MS 5000
#define BW_OUTPUT_MAX (1024 * 1024)
#define BW_SERVER_RETRY_US (10 * 1000000LL)
#define BW_REAP_POLL_MS 20

struct bw_run {
	struct qlink *ql;
	pid_t pid;
	int fd;
	struct loop_watch *watch;
	char *buf;
	size_t len, cap;
	bool eof;
	bool too_long;
	int64_t started_us, deadline_us;
};

static bool bw_mode(const struct quality *q)
{
	return q->d.cfg->operation_mode == WGM_OPMODE_BANDWIDTH;
}

/* A child that dies with the daemon (PR_SET_PDEATHSIG: a crashed or
 * SIGKILLed daemon leaves no iperf3 holding the port), with the signal mask
 * the daemon started with (the loop blocks SIGTERM and friends), /dev/null
 * for what it should not read or write, and out_fd (or /dev/null) as stdout.
 * A program that cannot be run exits 127. */
static int bw_spawn(struct quality *q, char *const argv[], int out_fd, pid_t *pid)
{
	const sigset_t *mask = loop_original_sigmask(q->d.loop);
	pid_t parent = getpid();
	int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	pid_t child;

	if (null_fd < 0)
		return -errno;
	child = fork();
	if (child == 0) {
		/* Only async-signal-safe calls from here to exec. */
		if (dup2(null_fd, STDIN_FILENO) < 0 || dup2(out_fd >= 0 ? out_fd : null_fd, STDOUT_FILENO) < 0 ||
		    dup2(null_fd, STDERR_FILENO) < 0 || prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
			_exit(126);
		sigprocmask(SIG_SETMASK, mask, NULL);
		close_range(STDERR_FILENO + 1, ~0U, 0); /* none of the daemon's descriptors */
		execvp(argv[0], argv);
		_exit(127);
	}
	close(null_fd);
	if (child < 0)
		return -errno;
	*pid = child;
	return 0;
}

/* Killed at once: nothing of an iperf3 run is worth waiting for, and
 * SIGKILL cannot be held up, so the wait is short. */
static void bw_kill(pid_t *pid)
{
	if (*pid <= 0)
		return;
	kill(*pid, SIGKILL);
	while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
		;
	*pid = 0;
}

static void describe_status(int status, char *buf, size_t len)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		snprintf(buf, len, "could not be run (install the iperf3 package)");
	else if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "was killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, len, "ended");
}

static void addr_text(struct in_addr a, char *buf, size_t len)
{
	if (!inet_ntop(AF_INET, &a, buf, (socklen_t)len) && len)
		buf[0] = '\0';
}

/* ---- servers ---- */

static void server_start(struct quality *q, struct qlink *ql, int64_t now)
{
	const struct link *l = ql->link;
	char addr[INET_ADDRSTRLEN], port[8];
	char *argv[] = { IPERF3, "-s", "-B", addr, "-p", port, NULL };
	int rc;

	addr_text(l->rec.local4, addr, sizeof(addr));
	snprintf(port, sizeof(port), "%u", q->d.cfg->bandwidth_port);
	rc = bw_spawn(q, argv, -1, &ql->bw_server_pid);
	if (rc < 0) {
		ql->bw_server_pid = 0;
		ql->bw_server_retry_us = now + BW_SERVER_RETRY_US;
		if (!ql->bw_server_logged)
			log_err("link %s: cannot start %s: %s", l->rec.name, IPERF3, strerror(-rc));
		ql->bw_server_logged = true;
		return;
	}
	ql->bw_server_since_us = now;
	log_debug("link %s: iperf3 server on %s port %s (pid %d)", l->rec.name, addr, port, (int)ql->bw_server_pid);
}

/* A server that ended by itself (its address went, the port is taken) is
 * started again after a pause; said once until one runs for a minute. */
static void server_reap(struct quality *q, struct qlink *ql, int64_t now)
{
	int status;
	char how[64];

	(void)q;
	if (ql->bw_server_pid <= 0 || waitpid(ql->bw_server_pid, &status, WNOHANG) != ql->bw_server_pid)
		return;
	ql->bw_server_pid = 0;
	ql->bw_server_retry_us = now + BW_SERVER_RETRY_US;
	if (now - ql->bw_server_since_us >= 60 * 1000000LL)
		ql->bw_server_logged = false;
	if (ql->bw_server_logged)
		return;
	describe_status(status, how, sizeof(how));
	log_warn("link %s: its iperf3 server %s; starting it again in %lld s", ql->link->rec.name, how,
		 (long long)(BW_SERVER_RETRY_US / 1000000));
	ql->bw_server_logged = true;
}

/* ---- the one run ---- */

static void run_free(struct quality *q)
{
	struct bw_run *r = q->bw_run;

	if (!r)
		return;
	loop_watch_remove(r->watch);
	if (r->fd >= 0)
		close(r->fd);
	bw_kill(&r->pid);
	loop_timer_disarm(q->bw_timer);
	free(r->buf);
	free(r);
	q->bw_run = NULL;
}

/* The run is over (reaped, or killed): its figure, or one line saying why
 * there is none and what stays. */
static void run_finish(struct quality *q, const char *failure, int64_t now)
{
	struct bw_run *r = q->bw_run;
	struct qlink *ql = r->ql;
	struct iperf_result res;
	char err[256];
	bool ok = false;

	if (!failure) {
		if (r->too_long)
			failure = "iperf3's report is over 1 MiB";
		else if (iperf_result_parse(r->buf, r->len, &res, err, sizeof(err)) < 0)
			failure = err;
		else
			ok = true;
	}
	if (ok) {
		ql->bw_has = true;
		ql->bw_mbps = res.mbps;
		ql->bw_at = wgm_real_us() / 1000000;
		log_info("link %s: bandwidth %u Mbit/s (iperf3, %.1f s)", ql->link->rec.name, res.mbps, res.seconds);
	} else if (ql->bw_has) {
		log_warn("link %s: bandwidth measurement failed: %s; keeping %u Mbit/s", ql->link->rec.name, failure,
			 ql->bw_mbps);
	} else {
		log_warn("link %s: bandwidth measurement failed: %s; its latency cost stays", ql->link->rec.name,
			 failure);
	}
	ql->bw_quiet_until_us = now + (int64_t)QUALITY_WINDOW_SECONDS * 1000000;
	bw_sched_done(&ql->bw_sched, ok,
		      &(struct bw_sched_params){ .interval_us = (int64_t)q->d.cfg->bandwidth_interval_s * 1000000,
						 .retry_us = BW_RETRY_US },
		      now);
	run_free(q);
}

/* Reaped: the report is complete once stdout closed too. */
static bool run_try_reap(struct quality *q, int64_t now)
{
	struct bw_run *r = q->bw_run;
	int status;
	char how[96];

	if (!r->eof || waitpid(r->pid, &status, WNOHANG) != r->pid)
		return false;
	r->pid = 0;
	/* iperf3 exits 1 when the run failed, with the reason in its JSON:
	 * the report decides either way. */
	if (r->len == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		describe_status(status, how, sizeof(how));
		run_finish(q, how, now);
	} else {
		run_finish(q, NULL, now);
	}
	return true;
}

static void on_run_output(struct loop *loop, int fd, uint32_t events, void *ctx)
{
	struct quality *q = ctx;
	struct bw_run *r = q->bw_run;
	char chunk[4096];
	ssize_t n;

	(void)loop;
	(void)events;
	n = read(fd, chunk, sizeof(chunk));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0) {
		if (r->len + (size_t)n + 1 > BW_OUTPUT_MAX) {
			r->too_long = true;
			return; /* drained and dropped: the run still has to end */
		}
		if (r->len + (size_t)n + 1 > r->cap) {
			size_t cap = r->cap ? r->cap * 2 : 16384;
			char *grown;
			while (cap < r->len + (size_t)n + 1)
				cap *= 2;
			grown = realloc(r->buf, cap);
			if (!grown) {
				r->too_long = true;
				return;
			}
			r->buf = grown;
			r->cap = cap;
		}
		memcpy(r->buf + r->len, chunk, (size_t)n);
		r->len += (size_t)n;
		r->buf[r->len] = '\0';
		return;
	}
	/* EOF (or a read error, which ends the report just the same). */
	loop_watch_remove(r->watch);
	r->watch = NULL;
	close(r->fd);
	r->fd = -1;
	r->eof = true;
	if (!run_try_reap(q, wgm_mono_us()))
		loop_timer_arm(q->bw_timer, BW_REAP_POLL_MS, BW_REAP_POLL_MS);
}

static void on_bw_timer(struct loop *loop, struct loop_timer *timer, void *ctx)
{
	struct quality *q = ctx;
	struct bw_run *r = q->bw_run;
	int64_t now = wgm_mono_us();
	char why[96];

	(void)loop;
	(void)timer;
	if (!r) {
		loop_timer_disarm(q->bw_timer);
		return;
	}
	if (run_try_reap(q, now))
		return;
	if (now < r->deadline_us) {
		if (!r->eof)
			loop_timer_arm(q->bw_timer, (uint64_t)(r->deadline_us - now) / 1000 + 1, 0);
		return;
	}
	snprintf(why, sizeof(why), "iperf3 did not finish within %lld s; killed",
		 (long long)((r->deadline_us - r->started_us) / 1000000));
	run_finish(q, why, now);
}

static void run_start(struct quality *q, struct qlink *ql, int64_t now)
{
	const struct link *l = ql->link;
	char local[INET_ADDRSTRLEN], remote[INET_ADDRSTRLEN], port[8], secs[8], connect_ms[12];
	char *argv[] = { IPERF3,     "-c", remote, "-B", local, "-p", port, "-t", secs, "-J", "--connect-timeout",
			 connect_ms, NULL };
	struct bw_run *r = calloc(1, sizeof(*r));
	int pipefd[2] = { -1, -1 }, rc;
	unsigned duration = q->d.cfg->bandwidth_duration_s;

	if (!r)
		goto fail;
	r->fd = -1;
	r->ql = ql;
	q->bw_run = r;
	addr_text(l->rec.local4, local, sizeof(local));
	addr_text(l->rec.remote4, remote, sizeof(remote));
	snprintf(port, sizeof(port), "%u", q->d.cfg->bandwidth_port);
	snprintf(secs, sizeof(secs), "%u", duration);
	snprintf(connect_ms, sizeof(connect_ms), "%d", BW_CONNECT_TIMEOUT_MS);
	/* Only our end non-blocking: iperf3 writes its report in one go. */
	if (pipe2(pipefd, O_CLOEXEC) < 0 || fcntl(pipefd[0], F_SETFL, O_NONBLOCK) < 0) {
		rc = -errno;
		goto fail_rc;
	}
	r->fd = pipefd[0];
	rc = bw_spawn(q, argv, pipefd[1], &r->pid);
	close(pipefd[1]);
	if (rc < 0) {
		r->pid = 0;
		goto fail_rc;
	}
	if ((rc = loop_watch_add(q->d.loop, r->fd, EPOLLIN, on_run_output, q, &r->watch)) < 0)
		goto fail_rc;
	r->started_us = now;
	r->deadline_us = now + ((int64_t)duration + BW_RUN_GRACE_S) * 1000000;
	loop_timer_arm(q->bw_timer, (uint64_t)(r->deadline_us - now) / 1000 + 1, 0);
	ql->bw_quiet_until_us = INT64_MAX;
	log_debug("link %s: measuring its bandwidth to %s for %u s (pid %d)", l->rec.name, remote, duration,
		  (int)r->pid);
	return;
fail_rc : {
	char why[128];
	snprintf(why, sizeof(why), "cannot run %s: %s", IPERF3, strerror(-rc));
	run_finish(q, why, now);
	return;
}
fail:
	free(r);
	q->bw_run = NULL;
	log_err("link %s: out of memory for a bandwidth measurement", l->rec.name);
}

/* ---- driving it ---- */

static void stop_link(struct quality *q, struct qlink *ql)
{
	if (q->bw_run && q->bw_run->ql == ql)
		run_free(q);
	bw_kill(&ql->bw_server_pid);
	ql->bw_sched.eligible = false;
}

/* Everything stops; with forget, the figures go too (a figure from before
 * the mode went off would be stale by the time it comes back). */
static void stop_all(struct quality *q, bool forget)
{
	for (struct link *l = links_first(q->d.links); l; l = l->next) {
		struct qlink *ql = qlink_of(l);
		if (!ql)
			continue;
		stop_link(q, ql);
		ql->bw_server_retry_us = 0;
		if (forget) {
			ql->bw_has = false;
			ql->bw_mbps = 0;
			ql->bw_at = 0;
			ql->bw_sched.due_us = 0;
			ql->bw_quiet_until_us = 0;
		}
	}
	run_free(q);
}

void quality_bw_tick(struct quality *q, int64_t now)
{
	struct bw_sched_link *arr;
	struct qlink **who;
	size_t n = 0, i = 0;
	long pick;

	if (!bw_mode(q)) {
		if (q->bw_on)
			stop_all(q, true);
		q->bw_on = false;
		return;
	}
	q->bw_on = true;
	for (struct link *l = links_first(q->d.links); l; l = l->next) {
		struct qlink *ql = qlink_of(l);
		if (!ql)
			continue;
		n++;
		server_reap(q, ql, now);
		if (l->phase != LINK_PHASE_ACTIVE || !ql->has_target) {
			stop_link(q, ql);
			continue;
		}
		if (ql->bw_server_pid <= 0 && now >= ql->bw_server_retry_us)
			server_start(q, ql, now);
		ql->bw_sched.eligible = true;
	}
	if (q->bw_run || n == 0)
		return;
	arr = calloc(n, sizeof(*arr));
	who = calloc(n, sizeof(*who));
	if (arr && who) {
		for (struct link *l = links_first(q->d.links); l && i < n; l = l->next)
			if (qlink_of(l)) {
				who[i] = qlink_of(l);
				arr[i++] = qlink_of(l)->bw_sched;
			}
		pick = bw_sched_pick(arr, i, false, now, NULL);
		if (pick >= 0)
			run_start(q, who[pick], now);
	}
	free(arr);
	free(who);
}

void quality_bw_link_gone(struct quality *q, struct qlink *ql)
{
	stop_link(q, ql);
}

void quality_bw_config_changed(struct quality *q, const char *key)
{
	int64_t now = wgm_mono_us();

	if (strcmp(key, "bandwidthPort") == 0) {
		/* Started again on the new port by the next round. */
		stop_all(q, false);
	} else if (strcmp(key, "bandwidthInterval") == 0) {
		int64_t latest = now + (int64_t)q->d.cfg->bandwidth_interval_s * 1000000;
		for (struct link *l = links_first(q->d.links); l; l = l->next) {
			struct qlink *ql = qlink_of(l);
			if (ql && ql->bw_sched.due_us > latest)
				ql->bw_sched.due_us = latest;
		}
	}
	/* operationMode: the next round starts or stops everything;
	 * bandwidthDuration: the next run takes it. */
}

int quality_bw_init(struct quality *q)
{
	return loop_timer_new(q->d.loop, on_bw_timer, q, &q->bw_timer);
}

void quality_bw_free(struct quality *q)
{
	stop_all(q, true);
	loop_timer_free(q->bw_timer);
	q->bw_timer = NULL;
}
