#include "daemon/routing/routing.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bird/client.h"
#include "bird/conf_gen.h"
#include "common/ctl/ctlproto.h"
#include "common/util/log.h"
#include "daemon/routing/routing_model.h"

/* Each step of an apply (connect, check, configure) waits at most this. */
#define APPLY_TIMEOUT_MS 10000

struct waiter {
	routing_done_fn done;
	void *ctx;
	struct waiter *next;
};

struct apply_job {
	struct routing *r; /* NULL once routing is gone */
	char *text;
	char config_path[WGM_CONFIG_PATH_MAX];
	char socket_path[WGM_CONFIG_SOCKET_PATH_MAX];
	char static_conf[WGM_CONFIG_PATH_MAX + 16];
	char bgp_conf[WGM_CONFIG_PATH_MAX + 16];
	struct waiter *waiters; /* the requests this apply answers */
	int rc;
	char err[512];
};

struct routing {
	struct routing_deps deps;
	routing_cost_fn cost_fn;
	void *cost_ctx;
	struct loop_timer *timer;
	struct apply_job *running;
	struct waiter *pending; /* answered by the next apply */
	bool requested;         /* an apply is due (timer armed or after the running one) */
	bool urgent;
	bool force;
	bool bird_down; /* BIRD's socket does not answer (bird_watch says) */
	char bird_down_err[256];
	char *applied; /* the text BIRD runs, as far as we know */
	char last_error[512];
};

static void start_apply(struct routing *r);

static void publish(struct routing *r, const char *state, const char *detail)
{
	json_t *ev;

	if (!r->deps.ctl || !(ev = wgm_ctl_event_new(WGM_CTL_EVENT_BIRD)))
		return;
	json_object_set_new(ev, "state", json_string(state));
	if (detail)
		json_object_set_new(ev, "detail", json_string(detail));
	ctl_server_publish(r->deps.ctl, ev);
}

static void answer(struct waiter *w, int rc, const char *err)
{
	while (w) {
		struct waiter *next = w->next;
		if (w->done)
			w->done(rc, err, w->ctx);
		free(w);
		w = next;
	}
}

static unsigned link_cost(struct routing *r, const struct link *link)
{
	return cost_clamp(r->cost_fn ? r->cost_fn(link, r->cost_ctx) : routing_default_cost(&link->rec));
}

/* Links whose interface exists: active ones and those taken down by the
 * operator (BIRD sees those as down interfaces and comes back with them). */
static bool link_routed(const struct link *link)
{
	return link->phase == LINK_PHASE_ACTIVE || link->phase == LINK_PHASE_ADMIN_DOWN;
}

static int render(struct routing *r, struct apply_job *job, char *err, size_t errlen)
{
	struct routing_iface *ifs = NULL;
	struct routing_model rm;
	size_t n = 0, cap = links_count(r->deps.links);
	int rc;

	if (cap && !(ifs = calloc(cap, sizeof(*ifs)))) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (struct link *l = links_first(r->deps.links); l && n < cap; l = l->next) {
		if (!link_routed(l))
			continue;
		snprintf(ifs[n].ifname, sizeof(ifs[n].ifname), "%s", l->rec.name);
		ifs[n].cost = link_cost(r, l);
		ifs[n].v6_transport = l->rec.transport == WGM_TRANSPORT_V6;
		ifs[n].peer = l->rec.peer;
		ifs[n].remote_as = l->rec.remote_as;
		inet_ntop(AF_INET, &l->rec.remote4, ifs[n].neighbor, sizeof(ifs[n].neighbor));
		n++;
	}
	rc = routing_model_build(r->deps.cfg, r->deps.plan, ifs, n, &rm, err, errlen);
	if (rc == 0) {
		rc = bird_conf_render(&rm.m, &job->text, err, errlen);
		snprintf(job->static_conf, sizeof(job->static_conf), "%s", rm.static_conf);
		snprintf(job->bgp_conf, sizeof(job->bgp_conf), "%s", rm.bgp_conf);
		routing_model_free(&rm);
	}
	free(ifs);
	return rc;
}

/* The includes must exist for BIRD to read the config; an operator's own
 * files are never touched. */
static int ensure_empty_file(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno == EEXIST)
		return 0;
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
	return -errno;
}

static void apply_run(void *ctx)
{
	struct apply_job *job = ctx;
	struct bird_client c;

	bird_client_init(&c);
	job->rc = ensure_empty_file(job->static_conf, job->err, sizeof(job->err));
	if (job->rc == 0)
		job->rc = ensure_empty_file(job->bgp_conf, job->err, sizeof(job->err));
	if (job->rc == 0)
		job->rc = bird_client_connect(&c, job->socket_path, APPLY_TIMEOUT_MS, job->err, sizeof(job->err));
	if (job->rc == 0)
		job->rc = bird_apply_config(&c, job->config_path, job->text, APPLY_TIMEOUT_MS, job->err,
					    sizeof(job->err));
	bird_client_close(&c);
}

static void job_free(struct apply_job *job)
{
	free(job->text);
	free(job);
}

static void apply_done(void *ctx)
{
	struct apply_job *job = ctx;
	struct routing *r = job->r;

	if (!r) {
		answer(job->waiters, -ECANCELED, "wgmeshd is stopping");
		job_free(job);
		return;
	}
	r->running = NULL;
	if (job->rc == 0) {
		free(r->applied);
		r->applied = job->text;
		job->text = NULL;
		if (r->last_error[0])
			log_notice("BIRD runs the new config again");
		r->last_error[0] = '\0';
		log_info("BIRD config applied (%s)", job->config_path);
		publish(r, "applied", NULL);
	} else {
		/* Retried by every request (path quality asks each round): said
		 * again only when the reason changes. */
		if (strcmp(r->last_error, job->err) != 0)
			log_err("BIRD config not applied%s: %s",
				job->rc == -EINVAL ? " (BIRD refused it; the last good one stays)" : "", job->err);
		snprintf(r->last_error, sizeof(r->last_error), "%s", job->err);
		publish(r, job->rc == -EINVAL ? "refused" : "failed", job->err);
	}
	answer(job->waiters, job->rc, job->rc ? job->err : NULL);
	job_free(job);
	if (r->requested && !loop_timer_armed(r->timer))
		loop_timer_arm(r->timer, r->urgent ? 0 : ROUTING_COALESCE_MS, 0);
}

static void start_apply(struct routing *r)
{
	struct apply_job *job;
	char err[512];
	int rc;

	if (r->running)
		return; /* apply_done starts the next one */
	r->requested = false;
	r->urgent = false;
	job = calloc(1, sizeof(*job));
	if (!job) {
		answer(r->pending, -ENOMEM, "out of memory");
		r->pending = NULL;
		return;
	}
	job->r = r;
	job->waiters = r->pending;
	r->pending = NULL;
	if (r->bird_down && !r->force) {
		/* Nothing to talk to: no config is rendered and no connection
		 * tried until BIRD answers again (routing_bird_state applies
		 * then). `wgmesh recover` still tries. */
		snprintf(err, sizeof(err), "BIRD is down: %s", r->bird_down_err);
		answer(job->waiters, -ENOTCONN, err);
		job_free(job);
		return;
	}
	snprintf(job->config_path, sizeof(job->config_path), "%s", r->deps.cfg->bird_config);
	snprintf(job->socket_path, sizeof(job->socket_path), "%s", r->deps.cfg->bird_socket);
	rc = render(r, job, err, sizeof(err));
	if (rc < 0) {
		snprintf(r->last_error, sizeof(r->last_error), "%s", err);
		log_err("BIRD config not generated: %s", err);
		publish(r, "failed", err);
		answer(job->waiters, rc, err);
		job_free(job);
		return;
	}
	if (!r->force && r->applied && strcmp(r->applied, job->text) == 0) {
		answer(job->waiters, 0, NULL);
		job_free(job);
		return;
	}
	r->force = false;
	rc = worker_submit(r->deps.worker, apply_run, apply_done, job);
	if (rc < 0) {
		answer(job->waiters, rc, "out of memory");
		job_free(job);
		return;
	}
	r->running = job;
}

static void on_timer(struct loop *loop, struct loop_timer *timer, void *ctx)
{
	start_apply(ctx);
}

int routing_request_apply(struct routing *r, bool urgent, routing_done_fn done, void *ctx)
{
	if (done) {
		struct waiter *w = calloc(1, sizeof(*w));
		if (!w)
			return -ENOMEM;
		w->done = done;
		w->ctx = ctx;
		w->next = r->pending;
		r->pending = w;
	}
	r->requested = true;
	r->urgent = r->urgent || urgent;
	if (r->running)
		return 0; /* apply_done arms the timer */
	if (urgent)
		return loop_timer_arm(r->timer, 0, 0);
	if (!loop_timer_armed(r->timer))
		return loop_timer_arm(r->timer, ROUTING_COALESCE_MS, 0);
	return 0;
}

int routing_recover(struct routing *r, routing_done_fn done, void *ctx)
{
	r->force = true;
	return routing_request_apply(r, true, done, ctx);
}

void routing_bird_state(struct routing *r, bool up, const char *err)
{
	publish(r, up ? "up" : "down", up ? NULL : err);
	r->bird_down = !up;
	snprintf(r->bird_down_err, sizeof(r->bird_down_err), "%s", up ? "" : err);
	if (!up) {
		/* Whatever BIRD runs when it comes back, it gets ours again. */
		free(r->applied);
		r->applied = NULL;
		return;
	}
	routing_request_apply(r, true, NULL, NULL);
}

const char *routing_last_error(const struct routing *r)
{
	return r->last_error;
}

void routing_set_cost_source(struct routing *r, routing_cost_fn fn, void *ctx)
{
	r->cost_fn = fn;
	r->cost_ctx = ctx;
}

static void on_link_changed(struct link *link, void *ctx)
{
	routing_request_apply(ctx, false, NULL, NULL);
}

int routing_new(const struct routing_deps *deps, struct routing **out)
{
	struct routing *r = calloc(1, sizeof(*r));
	struct links_hooks hooks = { .active = on_link_changed, .removed = on_link_changed };
	int rc;

	if (!r)
		return -ENOMEM;
	r->deps = *deps;
	rc = loop_timer_new(deps->loop, on_timer, r, &r->timer);
	if (rc == 0) {
		hooks.ctx = r;
		rc = links_add_hooks(deps->links, &hooks);
	}
	if (rc < 0) {
		loop_timer_free(r->timer);
		free(r);
		return rc;
	}
	*out = r;
	return 0;
}

void routing_free(struct routing *r)
{
	if (!r)
		return;
	if (r->running)
		r->running->r = NULL;
	answer(r->pending, -ECANCELED, "wgmeshd is stopping");
	loop_timer_free(r->timer);
	free(r->applied);
	free(r);
}
