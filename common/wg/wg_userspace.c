/* The userspace backend: one wireguard-go (or amneziawg-go) process per
 * interface, configured over its UAPI socket with the text protocol. */
#include "common/wg/wg.h"

#include "common/util/ifname.h"

#include "common/util/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/util/log.h"
#include "common/netlink/nl_route.h"
#include "common/wg/wg_reclaim.h"
#include "common/wg/wg_uapi.h"
#include "common/util/inotify_wall.h"

#define DEFAULT_BINARY "wireguard-go"
#define DEFAULT_UAPI_DIR "/var/run/wireguard"
#define DEFAULT_START_TIMEOUT_MS 5000
#define STOP_TIMEOUT_MS 3000
#define UAPI_IO_TIMEOUT_S 5
#define UAPI_REPLY_MAX (4u << 20)

struct us_proc {
	char ifname[IFNAMSIZ];
	pid_t pid;     /* 0: not ours, or reaped */
	pid_t adopted; /* an earlier run's process whose output we took (or tried to); 0 */
	int out_w;     /* the write end of its output pipe until it serves its socket; -1 */
};

struct wg_userspace {
	struct wgm_wg_backend base;
	struct wgm_nl_sock *route;
	char binary[PATH_MAX];
	char uapi_dir[PATH_MAX - IFNAMSIZ - 8];
	unsigned int start_timeout_ms;
	struct us_proc *procs;
	size_t n_procs;
	void (*output)(void *ctx, const char *ifname, int fd);
	void *output_ctx;
	bool reclaim_warned; /* pidfd_getfd is not available to us: said once */
};

/* The pipe a process writes its output into: big, as nobody may read it for
 * a while (a daemon restart). */
#define OUTPUT_PIPE_SIZE (1 << 20)
/* Where the process keeps its own read end of that pipe. */
#define OUTPUT_KEEP_FD 3

int wgm_wg_userspace_binary_find(const char *name, char *path, size_t len)
{
	const char *env = getenv("PATH");
	char *dirs, *save = NULL;
	int result = -ENOENT;

	if (!name || !name[0])
		return -EINVAL;
	if (strchr(name, '/')) {
		if (access(name, X_OK) != 0)
			return -errno;
		snprintf(path, len, "%s", name);
		return 0;
	}
	dirs = strdup(env && env[0] ? env : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	if (!dirs)
		return -ENOMEM;
	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		char candidate[PATH_MAX];
		if (snprintf(candidate, sizeof(candidate), "%s/%s", d, name) >= (int)sizeof(candidate))
			continue;
		if (access(candidate, X_OK) == 0) {
			snprintf(path, len, "%s", candidate);
			result = 0;
			break;
		}
	}
	free(dirs);
	return result;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static struct us_proc *proc_find(struct wg_userspace *us, const char *ifname)
{
	for (size_t i = 0; i < us->n_procs; i++)
		if (strcmp(us->procs[i].ifname, ifname) == 0)
			return &us->procs[i];
	return NULL;
}

static struct us_proc *proc_add(struct wg_userspace *us, const char *ifname)
{
	struct us_proc *p = proc_find(us, ifname);
	struct us_proc *grown;

	if (p)
		return p;
	grown = realloc(us->procs, (us->n_procs + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	us->procs = grown;
	p = &us->procs[us->n_procs++];
	memset(p, 0, sizeof(*p));
	p->out_w = -1;
	snprintf(p->ifname, sizeof(p->ifname), "%s", ifname);
	return p;
}

/* True while our process for P runs; reaps it (and reports how it ended)
 * once it has exited. */
static bool proc_running(struct us_proc *p, int *status_out)
{
	int status = 0;
	pid_t r;

	if (p->pid <= 0)
		return false;
	r = waitpid(p->pid, &status, WNOHANG);
	if (r == 0)
		return true;
	/* ECHILD: someone else reaped it (SIGCHLD ignored); it is gone. */
	if (status_out)
		*status_out = r == p->pid ? status : -1;
	p->pid = 0;
	return false;
}

/* -ENAMETOOLONG when the path does not fit a Unix socket address. */
static int socket_path(const struct wg_userspace *us, const char *ifname, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s.sock", us->uapi_dir, ifname);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* A connected UAPI socket, or -errno (-ENOENT/-ECONNREFUSED: nobody serves it). */
static int uapi_connect(const struct wg_userspace *us, const char *ifname)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct timeval tv = { UAPI_IO_TIMEOUT_S, 0 };
	int fd, e;

	if (socket_path(us, ifname, addr.sun_path, sizeof(addr.sun_path)) < 0)
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

/* Whether IFNAME's socket answers; *server (may be NULL) gets the process
 * serving it (the one that called listen()), 0 when unknown. */
static bool uapi_probe(const struct wg_userspace *us, const char *ifname, pid_t *server)
{
	struct ucred cred = { 0 };
	socklen_t len = sizeof(cred);
	int fd = uapi_connect(us, ifname);

	if (fd < 0)
		return false;
	if (server)
		*server = getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 && cred.pid > 0 ? cred.pid : 0;
	close(fd);
	return true;
}

static bool uapi_answers(const struct wg_userspace *us, const char *ifname)
{
	return uapi_probe(us, ifname, NULL);
}

/* Sends REQ and reads the reply up to its blank line. *REPLY may hold
 * secrets: the caller frees it with wgm_wg_uapi_text_free(*reply, *cap). */
static int uapi_exchange(int fd, const char *req, size_t req_len, char **reply, size_t *len, size_t *cap)
{
	size_t off = 0;

	*reply = NULL;
	*len = *cap = 0;
	while (off < req_len) {
		ssize_t n = send(fd, req + off, req_len - off, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		}
		off += (size_t)n;
	}
	for (;;) {
		ssize_t n;
		if (*len + 1024 > *cap) {
			size_t ncap = *cap ? *cap * 2 : 4096;
			char *grown;
			if (ncap > UAPI_REPLY_MAX)
				return -EMSGSIZE;
			/* No realloc: the old block may hold a private key. */
			grown = malloc(ncap);
			if (!grown)
				return -ENOMEM;
			if (*reply) {
				memcpy(grown, *reply, *len);
				wgm_wg_uapi_text_free(*reply, *cap);
			}
			*reply = grown;
			*cap = ncap;
		}
		n = recv(fd, *reply + *len, *cap - *len - 1, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		}
		if (n == 0)
			return *len ? 0 : -ECONNRESET;
		*len += (size_t)n;
		if (*len >= 2 && (*reply)[*len - 1] == '\n' && (*reply)[*len - 2] == '\n')
			return 0;
		if (*len == 1 && (*reply)[0] == '\n')
			return 0;
	}
}

static int not_running(struct wg_userspace *us, const char *ifname, int e, char *err, size_t errlen)
{
	struct us_proc *p = proc_find(us, ifname);
	int status = 0;

	if (p)
		proc_running(p, &status);
	snprintf(err, errlen, "WireGuard %s: %s is not running (%s)", ifname, us->binary, strerror(-e));
	return -ENOTCONN;
}

static int userspace_set_device(struct wgm_wg_backend *b, const struct wgm_wg_device *dev, char *err, size_t errlen)
{
	struct wg_userspace *us = (struct wg_userspace *)b;
	char *req = NULL, *reply = NULL;
	size_t req_len = 0, reply_len = 0, reply_cap = 0;
	int fd = -1, e;

	if (!wgm_ifname_valid(dev->ifname)) {
		snprintf(err, errlen, "configure WireGuard: invalid interface name");
		return -EINVAL;
	}
	e = wgm_wg_uapi_format_set(dev, &req, &req_len);
	if (e < 0) {
		snprintf(err, errlen, "configure WireGuard %s: %s", dev->ifname,
			 e == -EINVAL ? "invalid endpoint or allowed IP" : strerror(-e));
		goto out;
	}
	fd = uapi_connect(us, dev->ifname);
	if (fd < 0) {
		e = not_running(us, dev->ifname, fd, err, errlen);
		goto out;
	}
	e = uapi_exchange(fd, req, req_len, &reply, &reply_len, &reply_cap);
	if (e < 0) {
		snprintf(err, errlen, "configure WireGuard %s: UAPI socket: %s", dev->ifname, strerror(-e));
		goto out;
	}
	{
		char why[160];
		e = wgm_wg_uapi_parse_set_reply(reply, reply_len, why, sizeof(why));
		if (e < 0)
			snprintf(err, errlen, "configure WireGuard %s: %s", dev->ifname, why);
	}
out:
	if (fd >= 0)
		close(fd);
	wgm_wg_uapi_text_free(req, req_len);
	wgm_wg_uapi_text_free(reply, reply_cap);
	return e;
}

static int userspace_get_device(struct wgm_wg_backend *b, const char *ifname, struct wgm_wg_device **out, char *err,
				size_t errlen)
{
	static const char req[] = "get=1\n\n";
	struct wg_userspace *us = (struct wg_userspace *)b;
	struct wgm_wg_device *dev = NULL;
	char *reply = NULL;
	size_t reply_len = 0, reply_cap = 0;
	int fd = -1, e;

	if (!wgm_ifname_valid(ifname)) {
		snprintf(err, errlen, "read WireGuard: invalid interface name");
		return -EINVAL;
	}
	fd = uapi_connect(us, ifname);
	if (fd < 0) {
		e = not_running(us, ifname, fd, err, errlen);
		goto out;
	}
	e = uapi_exchange(fd, req, sizeof(req) - 1, &reply, &reply_len, &reply_cap);
	if (e < 0) {
		snprintf(err, errlen, "read WireGuard %s: UAPI socket: %s", ifname, strerror(-e));
		goto out;
	}
	dev = calloc(1, sizeof(*dev));
	if (!dev) {
		e = -ENOMEM;
		goto out;
	}
	{
		char why[160];
		e = wgm_wg_uapi_parse_get(reply, reply_len, dev, why, sizeof(why));
		if (e < 0) {
			snprintf(err, errlen, "read WireGuard %s: %s", ifname, why);
			goto out;
		}
	}
	snprintf(dev->ifname, sizeof(dev->ifname), "%s", ifname);
	*out = dev;
	dev = NULL;
out:
	if (fd >= 0)
		close(fd);
	wgm_wg_device_free(dev);
	wgm_wg_uapi_text_free(reply, reply_cap);
	return e;
}

extern char **environ;

/* The child's environment: ours with WG_PROCESS_FOREGROUND=1, built before
 * fork because only async-signal-safe calls may run between fork and exec. */
static char **foreground_environ(void)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ && environ[n])
		n++;
	env = calloc(n + 2, sizeof(*env));
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "WG_PROCESS_FOREGROUND=", 22) != 0)
			env[k++] = environ[i];
	env[k] = (char *)"WG_PROCESS_FOREGROUND=1";
	return env;
}

static void output_close(struct us_proc *p)
{
	if (p->out_w >= 0)
		close(p->out_w);
	p->out_w = -1;
}

/* It serves its socket, so the Go runtime has long made its os.Stdout (a
 * blocking file, as it found it): from now on a full pipe makes its writes
 * fail (the line is lost) instead of stopping the process. */
static void output_nonblocking(struct us_proc *p)
{
	int flags;

	if (p->out_w < 0)
		return;
	flags = fcntl(p->out_w, F_GETFL);
	if (flags >= 0)
		fcntl(p->out_w, F_SETFL, flags | O_NONBLOCK);
	output_close(p);
}

static pid_t spawn(struct wg_userspace *us, struct us_proc *p)
{
	char *const argv[] = { (char *)us->binary, p->ifname, NULL };
	char **env = foreground_environ();
	int out[2] = { -1, -1 };
	pid_t pid;

	if (!env)
		return -ENOMEM;
	if (us->output) {
		if (pipe2(out, O_CLOEXEC) < 0) {
			free(env);
			return -errno;
		}
		fcntl(out[0], F_SETPIPE_SZ, OUTPUT_PIPE_SIZE);
	}
	pid = fork();
	if (pid == 0) {
		/* In the foreground it stays our child, so we can reap it and see
		 * it die; its own log goes to our stderr (journald) or the pipe. */
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0) {
			dup2(devnull, STDIN_FILENO);
			if (devnull > STDERR_FILENO)
				close(devnull);
		}
		if (out[1] >= 0) {
			dup2(out[1], STDOUT_FILENO);
			dup2(out[1], STDERR_FILENO);
			/* dup2 onto itself would keep close-on-exec. */
			if (out[0] == OUTPUT_KEEP_FD)
				fcntl(OUTPUT_KEEP_FD, F_SETFD, 0);
			else
				dup2(out[0], OUTPUT_KEEP_FD);
		}
		/* It outlives us: any other descriptor it inherited would stay
		 * open after a crash (a netlink socket kept the obfuscation queue
		 * bound, so a restarted daemon could not bind it). */
		close_range(out[1] >= 0 ? OUTPUT_KEEP_FD + 1 : STDERR_FILENO + 1, ~0U, 0);
		execve(us->binary, argv, env);
		_exit(127);
	}
	free(env);
	if (pid < 0) {
		int e = -errno;
		if (out[0] >= 0) {
			close(out[0]);
			close(out[1]);
		}
		return e;
	}
	if (out[0] >= 0) {
		p->out_w = out[1];
		us->output(us->output_ctx, p->ifname, out[0]);
	}
	return pid;
}

/* PID serves IFNAME's socket, maybe a process an earlier run of the daemon
 * started (a restart adopts it): its output pipe is read again, once per
 * process, from the read end it keeps at OUTPUT_KEEP_FD. */
static void output_adopt(struct wg_userspace *us, const char *ifname, pid_t pid)
{
	struct us_proc *p;
	char why[160];
	int fd;

	if (!us->output || !pid)
		return;
	p = proc_find(us, ifname);
	if (p && (p->pid == pid || p->adopted == pid))
		return;
	if (!(p = proc_add(us, ifname)))
		return;
	p->adopted = pid;
	fd = wgm_wg_output_reclaim(pid, OUTPUT_KEEP_FD, why, sizeof(why));
	if (fd >= 0) {
		log_info("%s: reading the output of the running %s (pid %d) again", ifname, us->binary, (int)pid);
		us->output(us->output_ctx, ifname, fd);
	} else if (fd == -EPROTO) {
		log_notice("%s: the running %s (pid %d) was not started by wgmeshd (%s); its output is not read",
			   ifname, us->binary, (int)pid, why);
	} else if (!us->reclaim_warned) {
		us->reclaim_warned = true;
		log_notice("%s: the output of running %s processes adopted from an earlier run is not read (%s; "
			   "needs Linux >= 5.6 and ptrace rights); it is again once a link's process is restarted",
			   ifname, us->binary, why);
	}
}

static void describe_exit(int status, char *buf, size_t len)
{
	if (status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 127)
		snprintf(buf, len, "could not be run");
	else if (status >= 0 && WIFEXITED(status))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
	else if (status >= 0 && WIFSIGNALED(status))
		snprintf(buf, len, "was killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, len, "exited");
}

static void proc_stop(struct us_proc *p)
{
	int64_t deadline;
	unsigned int pause = 5;

	if (p->pid <= 0)
		return;
	kill(p->pid, SIGTERM);
	deadline = wgm_mono_ms() + STOP_TIMEOUT_MS;
	while (proc_running(p, NULL) && wgm_mono_ms() < deadline) {
		sleep_ms(pause);
		pause = pause < 100 ? pause * 2 : 100;
	}
	if (p->pid > 0) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
		p->pid = 0;
	}
}

static int userspace_create(struct wgm_wg_backend *b, const char *ifname, char *err, size_t errlen)
{
	struct wg_userspace *us = (struct wg_userspace *)b;
	struct us_proc *p;
	unsigned int pause = 2;
	int64_t deadline;
	int status = -1;
	pid_t server = 0;

	if (!wgm_ifname_valid(ifname)) {
		snprintf(err, errlen, "create WireGuard %s: invalid interface name", ifname ? ifname : "");
		return -EINVAL;
	}
	if (uapi_probe(us, ifname, &server)) {
		output_adopt(us, ifname, server);
		return 0;
	}
	p = proc_add(us, ifname);
	if (!p)
		return -ENOMEM;
	if (!proc_running(p, &status)) {
		pid_t pid;
		output_close(p);
		p->adopted = 0;
		pid = spawn(us, p);
		if (pid < 0) {
			snprintf(err, errlen, "create WireGuard %s: fork: %s", ifname, strerror((int)-pid));
			return (int)pid;
		}
		p->pid = pid;
		log_info("started %s for %s (pid %d)", us->binary, ifname, (int)pid);
	}
	/* Poll with growing pauses: the socket usually shows up within tens
	 * of milliseconds, and a dead process is noticed at once. */
	deadline = wgm_mono_ms() + us->start_timeout_ms;
	for (;;) {
		if (uapi_answers(us, ifname)) {
			output_nonblocking(p);
			return 0;
		}
		if (!proc_running(p, &status)) {
			output_close(p);
			char how[64];
			describe_exit(status, how, sizeof(how));
			/* The likeliest cause at scale, said where a join's caller sees it. */
			if (wgm_inotify_wall_reached()) {
				char why[400];
				wgm_inotify_wall_explain(wgm_inotify_wall_current(), why, sizeof(why));
				snprintf(err, errlen, "create WireGuard %s: %s %s: %s", ifname, us->binary, how, why);
				return -ECHILD;
			}
			snprintf(err, errlen, "create WireGuard %s: %s %s", ifname, us->binary, how);
			return -ECHILD;
		}
		if (wgm_mono_ms() >= deadline) {
			proc_stop(p);
			output_close(p);
			snprintf(err, errlen, "create WireGuard %s: %s did not open %s/%s.sock within %u ms", ifname,
				 us->binary, us->uapi_dir, ifname, us->start_timeout_ms);
			return -ETIMEDOUT;
		}
		sleep_ms(pause);
		pause = pause < 50 ? pause * 2 : 50;
	}
}

static int userspace_delete(struct wgm_wg_backend *b, const char *ifname, char *err, size_t errlen)
{
	struct wg_userspace *us = (struct wg_userspace *)b;
	struct us_proc *p;
	unsigned int pause = 5;
	int64_t deadline;
	int e;

	if (!wgm_ifname_valid(ifname)) {
		snprintf(err, errlen, "delete WireGuard %s: invalid interface name", ifname ? ifname : "");
		return -EINVAL;
	}
	/* wireguard-go exits when its interface goes; that also covers a
	 * process started by an earlier run of the daemon (not our child). */
	e = wgm_nl_route_link_delete(us->route, ifname, err, errlen);
	if (e < 0 && e != -ENODEV)
		return e;
	p = proc_find(us, ifname);
	deadline = wgm_mono_ms() + STOP_TIMEOUT_MS;
	while (((p && proc_running(p, NULL)) || uapi_answers(us, ifname)) && wgm_mono_ms() < deadline) {
		sleep_ms(pause);
		pause = pause < 100 ? pause * 2 : 100;
	}
	if (p) {
		proc_stop(p);
		output_close(p);
		*p = us->procs[--us->n_procs];
	}
	if (uapi_answers(us, ifname)) {
		snprintf(err, errlen, "delete WireGuard %s: a process still serves %s/%s.sock", ifname, us->uapi_dir,
			 ifname);
		return -EBUSY;
	}
	return 0;
}

static void userspace_close(struct wgm_wg_backend *b)
{
	struct wg_userspace *us = (struct wg_userspace *)b;

	for (size_t i = 0; i < us->n_procs; i++)
		output_nonblocking(&us->procs[i]);
	free(us->procs);
	free(us);
}

static const struct wgm_wg_backend_ops userspace_ops = {
	.name = "userspace",
	.create = userspace_create,
	.delete = userspace_delete,
	.set_device = userspace_set_device,
	.get_device = userspace_get_device,
	.close = userspace_close,
};

int wgm_wg_userspace_backend_open(const struct wgm_wg_backend_options *opt, struct wgm_nl_sock *route,
				  struct wgm_wg_backend **out, char *err, size_t errlen)
{
	const char *name = opt && opt->userspace_binary ? opt->userspace_binary : DEFAULT_BINARY;
	const char *dir = opt && opt->uapi_dir ? opt->uapi_dir : DEFAULT_UAPI_DIR;
	struct wg_userspace *us;
	int e;

	if (strlen(dir) >= sizeof(us->uapi_dir) ||
	    strlen(dir) + IFNAMSIZ + 6 > sizeof(((struct sockaddr_un *)0)->sun_path)) {
		snprintf(err, errlen, "uapi directory %s: path too long", dir);
		return -ENAMETOOLONG;
	}
	us = calloc(1, sizeof(*us));
	if (!us)
		return -ENOMEM;
	e = wgm_wg_userspace_binary_find(name, us->binary, sizeof(us->binary));
	if (e < 0) {
		snprintf(err, errlen, "userspace WireGuard: %s not found (apt install wireguard-go)", name);
		free(us);
		return e;
	}
	us->base.ops = &userspace_ops;
	us->route = route;
	snprintf(us->uapi_dir, sizeof(us->uapi_dir), "%s", dir);
	us->start_timeout_ms = opt && opt->start_timeout_ms ? opt->start_timeout_ms : DEFAULT_START_TIMEOUT_MS;
	us->output = opt ? opt->output : NULL;
	us->output_ctx = opt ? opt->output_ctx : NULL;
	*out = &us->base;
	return 0;
}
