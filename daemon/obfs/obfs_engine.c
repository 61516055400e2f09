#include "daemon/obfs/obfs_engine.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <sodium.h>

#include "common/util/clock.h"
#include "common/util/log.h"
#include "daemon/obfs/obfs_datapath.h"
#include "daemon/obfs/obfs_nfq.h"
#include "daemon/obfs/obfs_rules.h"

/* Batches handled before the thread looks at its commands again. */
#define BATCHES_PER_WAKE 64

enum cmd_kind { CMD_SET, CMD_REMOVE, CMD_REKEY, CMD_FORGET_OLD_KEY, CMD_STOP };

struct cmd {
	enum cmd_kind kind;
	uint16_t port;
	struct wgm_obfs_config cfg;    /* CMD_SET; secret, wiped by the sender */
	uint8_t key[WGM_OBFS_KEY_MAX]; /* CMD_REKEY; CMD_SET: accepted too when key_len */
	size_t key_len;
	struct obfs_dp_stats *stats;
	int rc;
	char err[160];
	bool done;
	struct cmd *next;
};

/* A link as the worker side knows it. Guarded by lock (names are read by
 * obfs_engine_counters from any thread). */
struct slot {
	bool used;
	char name[16];
	uint16_t port;
	struct obfs_dp_stats stats; /* updated by the engine thread */
};

struct obfs_engine {
	/* Worker side of the rules: ports found queued at start (links that
	 * may still be brought up; kept until obfs_engine_rules_sync) and
	 * whether the jumps to our chains exist, per family. */
	uint16_t inherited[OBFS_DP_LINKS_MAX];
	size_t n_inherited;
	bool has_jumps[2];
	pthread_t thread;
	bool thread_started;
	int event_fd;
	int epoll_fd;
	pthread_mutex_t lock;
	pthread_cond_t done_cond;
	struct cmd *cmds; /* guarded by lock; LIFO is fine, senders wait one at a time */
	bool dead;        /* guarded by lock: the engine thread has ended */
	struct slot slots[OBFS_DP_LINKS_MAX];
	struct obfs_dp dp; /* the engine thread's */
	struct obfs_nfq *queue;
};

/* ---- engine thread ---- */

static void run_cmd(struct obfs_engine *e, struct cmd *c)
{
	struct obfs_dp_link *l;
	struct wgm_obfs *o = NULL;

	c->rc = 0;
	switch (c->kind) {
	case CMD_SET:
		if (c->key_len) {
			/* Made with the staged key, rekeyed to the current one:
			 * sends with the current key, still accepts the staged. */
			struct wgm_obfs_config staged = c->cfg;
			memcpy(staged.key, c->key, c->key_len);
			staged.key_len = c->key_len;
			c->rc = wgm_obfs_new(&staged, &o, c->err, sizeof(c->err));
			sodium_memzero(&staged, sizeof(staged));
			if (c->rc == 0 && (c->rc = wgm_obfs_rekey(o, c->cfg.key, c->cfg.key_len)) < 0) {
				snprintf(c->err, sizeof(c->err), "staging a key: %s", strerror(-c->rc));
				wgm_obfs_free(o);
				break;
			}
		} else {
			c->rc = wgm_obfs_new(&c->cfg, &o, c->err, sizeof(c->err));
		}
		if (c->rc == 0 && (c->rc = obfs_dp_set(&e->dp, c->port, c->cfg.type, o, c->stats)) < 0) {
			wgm_obfs_free(o);
			snprintf(c->err, sizeof(c->err), "too many obfuscated links (%d)", OBFS_DP_LINKS_MAX);
		}
		break;
	case CMD_REMOVE:
		obfs_dp_remove(&e->dp, c->port);
		break;
	case CMD_REKEY:
		if (!(l = obfs_dp_find(&e->dp, c->port)))
			c->rc = -ENOENT;
		else if ((c->rc = wgm_obfs_rekey(l->obfs, c->key, c->key_len)) < 0)
			snprintf(c->err, sizeof(c->err), "rekey: %s", strerror(-c->rc));
		break;
	case CMD_FORGET_OLD_KEY:
		if ((l = obfs_dp_find(&e->dp, c->port)))
			wgm_obfs_forget_old_key(l->obfs);
		break;
	case CMD_STOP:
		break;
	}
}

/* Takes the pending commands, runs them, tells their senders. Returns
 * whether a stop was among them. */
static bool run_cmds(struct obfs_engine *e)
{
	struct cmd *list;
	uint64_t v;
	bool stop = false;

	if (read(e->event_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_warn("obfuscation engine: eventfd: %s", strerror(errno));
	pthread_mutex_lock(&e->lock);
	list = e->cmds;
	e->cmds = NULL;
	pthread_mutex_unlock(&e->lock);
	while (list) {
		struct cmd *c = list;
		list = c->next;
		run_cmd(e, c);
		stop |= c->kind == CMD_STOP;
		pthread_mutex_lock(&e->lock);
		c->done = true;
		pthread_cond_broadcast(&e->done_cond);
		pthread_mutex_unlock(&e->lock);
	}
	return stop;
}

/* The thread ended (stop, or an epoll failure): commands waiting or coming
 * are answered -ESHUTDOWN instead of waiting forever. */
static void mark_dead(struct obfs_engine *e)
{
	pthread_mutex_lock(&e->lock);
	e->dead = true;
	for (struct cmd *c = e->cmds; c; c = c->next) {
		c->rc = -ESHUTDOWN;
		c->done = true;
	}
	e->cmds = NULL;
	pthread_cond_broadcast(&e->done_cond);
	pthread_mutex_unlock(&e->lock);
}

/* Errors of the packet path are logged at most once per this: under load
 * a full socket buffer fails every wake-up, and the log must stay readable. */
#define ERROR_LOG_EVERY_MS 10000

static bool error_log_due(int64_t *last_ms)
{
	int64_t now = wgm_mono_ms();

	if (*last_ms && now - *last_ms < ERROR_LOG_EVERY_MS)
		return false;
	*last_ms = now;
	return true;
}

static void *engine_main(void *arg)
{
	struct obfs_engine *e = arg;
	uint64_t last_errors = 0, queue_errors = 0;
	int64_t queue_logged_ms = 0, verdicts_logged_ms = 0;

	for (;;) {
		struct epoll_event ev[2];
		int n = epoll_wait(e->epoll_fd, ev, 2, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			log_err("obfuscation engine: epoll: %s; obfuscated links stop", strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++) {
			if (ev[i].data.fd == e->event_fd) {
				if (run_cmds(e)) {
					mark_dead(e);
					return NULL;
				}
				continue;
			}
			for (int b = 0; b < BATCHES_PER_WAKE; b++) {
				int rc = obfs_dp_run_batch(&e->dp);
				if (rc < 0 && ++queue_errors && error_log_due(&queue_logged_ms)) {
					log_warn("obfuscation engine: queue: %s (%llu queue errors so far)",
						 strerror(-rc), (unsigned long long)queue_errors);
				}
				if (rc <= 0)
					break;
			}
		}
		if (obfs_nfq_errors(e->queue) != last_errors && error_log_due(&verdicts_logged_ms)) {
			last_errors = obfs_nfq_errors(e->queue);
			log_warn("obfuscation engine: the kernel refused %llu verdict(s) so far",
				 (unsigned long long)last_errors);
		}
	}
	mark_dead(e);
	return NULL;
}

/* ---- other threads ---- */

/* Hands C to the engine thread and waits until it has run. */
static int send_cmd(struct obfs_engine *e, struct cmd *c)
{
	uint64_t one = 1;

	c->done = false;
	c->err[0] = '\0';
	pthread_mutex_lock(&e->lock);
	if (e->dead) {
		pthread_mutex_unlock(&e->lock);
		snprintf(c->err, sizeof(c->err), "the obfuscation engine has stopped (see the log)");
		return c->rc = -ESHUTDOWN;
	}
	c->next = e->cmds;
	e->cmds = c;
	pthread_mutex_unlock(&e->lock);
	/* Cannot fail short of 2^64 - 2 pending wake-ups; the command is
	 * listed either way and the engine takes it at its next wake. */
	(void)!write(e->event_fd, &one, sizeof(one));
	pthread_mutex_lock(&e->lock);
	while (!c->done)
		pthread_cond_wait(&e->done_cond, &e->lock);
	pthread_mutex_unlock(&e->lock);
	return c->rc;
}

int obfs_engine_new(struct obfs_engine **out, char *err, size_t errlen)
{
	struct obfs_engine *e = calloc(1, sizeof(*e));
	struct epoll_event ev = { .events = EPOLLIN };
	sigset_t all, old;
	int rc;

	if (!e) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	e->event_fd = e->epoll_fd = -1;
	e->dp.raw4 = e->dp.raw6 = -1;
	pthread_mutex_init(&e->lock, NULL);
	pthread_cond_init(&e->done_cond, NULL);
	if ((rc = obfs_nfq_open(OBFS_RULES_QUEUE, &e->queue, err, errlen)) < 0)
		goto fail;
	if ((rc = obfs_dp_init(&e->dp, e->queue, err, errlen)) < 0)
		goto fail;
	e->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	e->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (e->event_fd < 0 || e->epoll_fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "obfuscation engine: %s", strerror(errno));
		goto fail;
	}
	ev.data.fd = e->event_fd;
	epoll_ctl(e->epoll_fd, EPOLL_CTL_ADD, e->event_fd, &ev);
	ev.data.fd = obfs_nfq_fd(e->queue);
	epoll_ctl(e->epoll_fd, EPOLL_CTL_ADD, ev.data.fd, &ev);
	/* Signals belong to the loop's signalfd, not to this thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = -pthread_create(&e->thread, NULL, engine_main, e);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc < 0) {
		snprintf(err, errlen, "obfuscation engine thread: %s", strerror(-rc));
		goto fail;
	}
	e->thread_started = true;
	*out = e;
	return 0;
fail:
	obfs_engine_free(e);
	return rc;
}

void obfs_engine_free(struct obfs_engine *e)
{
	if (!e)
		return;
	if (e->thread_started) {
		struct cmd stop = { .kind = CMD_STOP };
		send_cmd(e, &stop);
		pthread_join(e->thread, NULL);
	}
	obfs_dp_free(&e->dp);
	obfs_nfq_close(e->queue);
	if (e->event_fd >= 0)
		close(e->event_fd);
	if (e->epoll_fd >= 0)
		close(e->epoll_fd);
	pthread_cond_destroy(&e->done_cond);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

static struct slot *find_slot(struct obfs_engine *e, const char *name)
{
	for (size_t i = 0; i < OBFS_DP_LINKS_MAX; i++)
		if (e->slots[i].used && strcmp(e->slots[i].name, name) == 0)
			return &e->slots[i];
	return NULL;
}

static const char *const save_prog[2] = { "iptables-save", "ip6tables-save" };
static const char *const restore_prog[2] = { "iptables-restore", "ip6tables-restore" };

/* Writes both families' chains: the ports of the engine's links, plus (until
 * the start-up sync) those found queued at start. */
static int write_rules(struct obfs_engine *e, char *err, size_t errlen)
{
	uint16_t ports[2 * OBFS_DP_LINKS_MAX];
	size_t n = 0;
	char *script;
	int rc = 0;

	pthread_mutex_lock(&e->lock);
	for (size_t i = 0; i < OBFS_DP_LINKS_MAX; i++)
		if (e->slots[i].used)
			ports[n++] = e->slots[i].port;
	pthread_mutex_unlock(&e->lock);
	for (size_t i = 0; i < e->n_inherited; i++) {
		bool dup = false;
		for (size_t k = 0; k < n && !dup; k++)
			dup = ports[k] == e->inherited[i];
		if (!dup)
			ports[n++] = e->inherited[i];
	}
	if (!(script = malloc(256 + n * 160))) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (int f = 0; f < 2 && rc == 0; f++) {
		char *argv[] = { (char *)restore_prog[f], "-w", "--noflush", NULL };
		rc = obfs_rules_script(script, 256 + n * 160, ports, n, !e->has_jumps[f]);
		if (rc >= 0)
			rc = obfs_rules_run(argv, script, NULL, 0, err, errlen);
		if (rc == 0)
			e->has_jumps[f] = true;
	}
	free(script);
	return rc;
}

int obfs_engine_rules_init(struct obfs_engine *e, char *err, size_t errlen)
{
	size_t cap = 1 << 20;
	char *save = malloc(cap);
	int rc = 0;

	if (!save) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	e->n_inherited = 0;
	for (int f = 0; f < 2 && rc == 0; f++) {
		char *argv[] = { (char *)save_prog[f], "-t", "mangle", NULL };
		uint16_t ports[OBFS_DP_LINKS_MAX];
		size_t n = 0;

		rc = obfs_rules_run(argv, NULL, save, cap, err, errlen);
		if (rc == -ENOENT) {
			/* No iptables: nothing of ours can be there. A node with
			 * only default links needs none; an obfuscated link says
			 * what to install when it comes up. */
			free(save);
			return 0;
		}
		if (rc < 0)
			break;
		obfs_rules_parse_save(save, &e->has_jumps[f], ports, OBFS_DP_LINKS_MAX, &n);
		/* Ports queued before this start stay queued until every stored
		 * link is back: their WireGuard may be sending right now. */
		for (size_t i = 0; i < n && e->n_inherited < OBFS_DP_LINKS_MAX; i++)
			e->inherited[e->n_inherited++] = ports[i];
	}
	free(save);
	if (rc < 0)
		return rc;
	/* A node that never had an obfuscated link gets no chains until it
	 * has one; otherwise they are renewed (rules of an older version). */
	return e->has_jumps[0] || e->has_jumps[1] || e->n_inherited ? write_rules(e, err, errlen) : 0;
}

int obfs_engine_link_up(struct obfs_engine *e, const char *name, uint16_t port, const struct wgm_obfs_config *cfg,
			char *err, size_t errlen)
{
	return obfs_engine_link_up_staged(e, name, port, cfg, NULL, 0, err, errlen);
}

int obfs_engine_link_up_staged(struct obfs_engine *e, const char *name, uint16_t port,
			       const struct wgm_obfs_config *cfg, const uint8_t *also_key, size_t also_len, char *err,
			       size_t errlen)
{
	struct cmd *c;
	struct slot *s;
	int rc;

	if (cfg->type == WGM_LINK_DEFAULT)
		return obfs_engine_link_down(e, name, err, errlen);
	pthread_mutex_lock(&e->lock);
	s = find_slot(e, name);
	for (size_t i = 0; !s && i < OBFS_DP_LINKS_MAX; i++)
		if (!e->slots[i].used)
			s = &e->slots[i];
	if (s && !s->used) {
		memset(s, 0, sizeof(*s));
		snprintf(s->name, sizeof(s->name), "%s", name);
	}
	pthread_mutex_unlock(&e->lock);
	if (!s) {
		snprintf(err, errlen, "%s: too many obfuscated links", name);
		return -ENOSPC;
	}
	if (s->used && s->port != port) {
		/* The listen port moved: the old one stops being queued (the
		 * rules are rewritten below) and leaves the engine. */
		struct cmd rm = { .kind = CMD_REMOVE, .port = s->port };
		send_cmd(e, &rm);
	}
	c = sodium_malloc(sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	memset(c, 0, sizeof(*c));
	c->kind = CMD_SET;
	c->port = port;
	c->cfg = *cfg;
	c->stats = &s->stats;
	if (also_key && also_len && also_len <= WGM_OBFS_KEY_MAX) {
		memcpy(c->key, also_key, also_len);
		c->key_len = also_len;
	}
	rc = send_cmd(e, c);
	if (rc < 0)
		snprintf(err, errlen, "%s: %s", name, c->err[0] ? c->err : strerror(-rc));
	sodium_free(c); /* wipes the key */
	if (rc < 0)
		return rc;
	pthread_mutex_lock(&e->lock);
	s->used = true;
	s->port = port;
	pthread_mutex_unlock(&e->lock);
	/* The transform is in place before the first packet is queued. */
	return write_rules(e, err, errlen);
}

int obfs_engine_link_down(struct obfs_engine *e, const char *name, char *err, size_t errlen)
{
	struct cmd rm = { .kind = CMD_REMOVE };
	struct slot *s;
	int rc;

	pthread_mutex_lock(&e->lock);
	s = find_slot(e, name);
	pthread_mutex_unlock(&e->lock);
	if (!s)
		return 0;
	rm.port = s->port;
	for (size_t i = 0; i < e->n_inherited; i++)
		if (e->inherited[i] == rm.port)
			e->inherited[i--] = e->inherited[--e->n_inherited];
	pthread_mutex_lock(&e->lock);
	s->used = false;
	pthread_mutex_unlock(&e->lock);
	/* Unqueue first: from then on nothing reaches the transform. */
	if ((rc = write_rules(e, err, errlen)) < 0)
		return rc;
	send_cmd(e, &rm);
	return 0;
}

int obfs_engine_rules_sync(struct obfs_engine *e, char *err, size_t errlen)
{
	e->n_inherited = 0;
	if (!e->has_jumps[0] && !e->has_jumps[1])
		return 0; /* no chains: nothing queued, nothing stale */
	return write_rules(e, err, errlen);
}

static int port_of(struct obfs_engine *e, const char *name, uint16_t *port)
{
	struct slot *s;

	pthread_mutex_lock(&e->lock);
	s = find_slot(e, name);
	if (s)
		*port = s->port;
	pthread_mutex_unlock(&e->lock);
	return s ? 0 : -ENOENT;
}

int obfs_engine_link_rekey(struct obfs_engine *e, const char *name, const uint8_t *key, size_t len, char *err,
			   size_t errlen)
{
	struct cmd *c;
	uint16_t port;
	int rc;

	if (len == 0 || len > WGM_OBFS_KEY_MAX) {
		snprintf(err, errlen, "%s: key of %zu bytes", name, len);
		return -EINVAL;
	}
	if (port_of(e, name, &port) < 0) {
		snprintf(err, errlen, "%s: not an obfuscated link of the engine", name);
		return -ENOENT;
	}
	if (!(c = sodium_malloc(sizeof(*c)))) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	memset(c, 0, sizeof(*c));
	c->kind = CMD_REKEY;
	c->port = port;
	memcpy(c->key, key, len);
	c->key_len = len;
	rc = send_cmd(e, c);
	if (rc < 0)
		snprintf(err, errlen, "%s: %s", name, c->err[0] ? c->err : strerror(-rc));
	sodium_free(c);
	return rc;
}

int obfs_engine_link_forget_old_key(struct obfs_engine *e, const char *name)
{
	struct cmd c = { .kind = CMD_FORGET_OLD_KEY };

	if (port_of(e, name, &c.port) < 0)
		return -ENOENT;
	return send_cmd(e, &c);
}

bool obfs_engine_counters(struct obfs_engine *e, const char *name, struct obfs_engine_counters *out)
{
	struct slot *s;

	pthread_mutex_lock(&e->lock);
	s = find_slot(e, name);
	if (s) {
		out->out_packets = atomic_load_explicit(&s->stats.out_packets, memory_order_relaxed);
		out->in_packets = atomic_load_explicit(&s->stats.in_packets, memory_order_relaxed);
		out->out_dropped = atomic_load_explicit(&s->stats.out_dropped, memory_order_relaxed);
		out->in_dropped = atomic_load_explicit(&s->stats.in_dropped, memory_order_relaxed);
		out->extra_sent = atomic_load_explicit(&s->stats.extra_sent, memory_order_relaxed);
	}
	pthread_mutex_unlock(&e->lock);
	return s != NULL;
}
