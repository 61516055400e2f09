#include "daemon/links/links.h"
#include "common/util/clock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "common/ctl/ctlproto.h"
#include "common/util/log.h"
#include "common/netlink/nl_route.h"
#include "daemon/links/link_store.h"
#include "daemon/obfs/obfs_engine.h"

struct links {
	struct links_deps deps;
	struct links_hooks hooks[LINKS_HOOKS_MAX];
	size_t n_hooks;
	links_json_extra_fn json_extra;
	void *json_extra_ctx;
	links_json_extra_fn route_extra;
	void *route_extra_ctx;
	struct link *head;
	size_t count;
	struct link_sources sources; /* every peer's allowed IPs; jobs take a copy */
};

enum job_kind {
	JOB_ADD,
	JOB_REMOVE,
	JOB_SAVE,
	JOB_UPDATE, /* save, then apply */
	JOB_ADMIN,
	JOB_BRING_UP, /* a stored record at start, or a retry */
	JOB_SOURCES,  /* the peer's allowed IPs only */
};

struct link_job {
	struct links *ls;
	enum job_kind kind;
	char name[LINK_NAME_MAX + 1];
	struct link_record rec;      /* the worker's own copy */
	struct link_sources sources; /* also */
	bool admin_up;
	int rc;
	char err[256];
	links_done_fn done;
	void *ctx;
};

const char *link_phase_name(enum link_phase phase)
{
	switch (phase) {
	case LINK_PHASE_CREATING:
		return "creating";
	case LINK_PHASE_ACTIVE:
		return "active";
	case LINK_PHASE_ADMIN_DOWN:
		return "admin-down";
	case LINK_PHASE_FAILED:
		return "failed";
	case LINK_PHASE_REMOVING:
		return "removing";
	}
	return "unknown";
}

int links_new(const struct links_deps *deps, struct links **out)
{
	struct links *ls = calloc(1, sizeof(*ls));

	if (!ls)
		return -ENOMEM;
	ls->deps = *deps;
	/* Links never come up without their allowed IPs: a bad config fails here. */
	if (deps->cfg && deps->plan) {
		char err[256];
		int rc = link_sources_build(deps->plan, deps->cfg, &ls->sources, err, sizeof(err));
		if (rc < 0) {
			log_err("links: %s", err);
			free(ls);
			return rc;
		}
	}
	*out = ls;
	return 0;
}

static void call_removed(struct links *ls, struct link *link)
{
	for (size_t i = 0; i < ls->n_hooks; i++)
		if (ls->hooks[i].removed)
			ls->hooks[i].removed(link, ls->hooks[i].ctx);
}

static void link_free(struct link *link)
{
	link_record_wipe(&link->rec);
	free(link);
}

void links_free(struct links *ls)
{
	if (!ls)
		return;
	while (ls->head) {
		struct link *link = ls->head;
		ls->head = link->next;
		call_removed(ls, link);
		link_free(link);
	}
	free(ls);
}

int links_add_hooks(struct links *ls, const struct links_hooks *hooks)
{
	if (ls->n_hooks == LINKS_HOOKS_MAX)
		return -ENOSPC;
	ls->hooks[ls->n_hooks++] = *hooks;
	return 0;
}

void links_obfs_key_staged(struct links *ls, struct link *link)
{
	for (size_t i = 0; i < ls->n_hooks; i++)
		if (ls->hooks[i].obfs_key_staged)
			ls->hooks[i].obfs_key_staged(link, ls->hooks[i].ctx);
}

void links_obfs_key_changed(struct links *ls, struct link *link, const uint8_t old_key[LINK_KEY_LEN])
{
	for (size_t i = 0; i < ls->n_hooks; i++)
		if (ls->hooks[i].obfs_key_changed)
			ls->hooks[i].obfs_key_changed(link, old_key, ls->hooks[i].ctx);
}

void links_obfs_key_settled(struct links *ls, struct link *link)
{
	for (size_t i = 0; i < ls->n_hooks; i++)
		if (ls->hooks[i].obfs_key_settled)
			ls->hooks[i].obfs_key_settled(link, ls->hooks[i].ctx);
}

void links_set_json_extra(struct links *ls, links_json_extra_fn fn, void *ctx)
{
	ls->json_extra = fn;
	ls->json_extra_ctx = ctx;
}

void links_set_json_route_extra(struct links *ls, links_json_extra_fn fn, void *ctx)
{
	ls->route_extra = fn;
	ls->route_extra_ctx = ctx;
}

struct link *links_first(struct links *ls)
{
	return ls->head;
}

struct link *links_find(struct links *ls, const char *name)
{
	for (struct link *l = ls->head; l; l = l->next)
		if (strcmp(l->rec.name, name) == 0)
			return l;
	return NULL;
}

struct link *links_find_remote(struct links *ls, unsigned remote_id, enum wgm_transport transport)
{
	/* A peering link's remote ID is of another mesh: never one of ours. */
	for (struct link *l = ls->head; l; l = l->next)
		if (!l->rec.peer && l->rec.remote_id == remote_id && l->rec.transport == transport)
			return l;
	return NULL;
}

size_t links_count(const struct links *ls)
{
	return ls->count;
}

size_t links_count_members(const struct links *ls)
{
	size_t n = 0;

	for (const struct link *l = ls->head; l; l = l->next)
		n += !l->rec.peer;
	return n;
}

size_t links_count_active(const struct links *ls)
{
	size_t n = 0;

	for (const struct link *l = ls->head; l; l = l->next)
		n += l->phase == LINK_PHASE_ACTIVE;
	return n;
}

size_t links_used_slots(struct links *ls, unsigned server_id, unsigned *out, size_t max)
{
	size_t n = 0;

	for (struct link *l = ls->head; l && n < max; l = l->next) {
		int slot;
		if (l->rec.role != LINK_ROLE_SERVER)
			continue;
		slot = wgm_addrplan_link_slot_of_v4(ls->deps.plan, server_id, l->rec.local4);
		if (slot >= 0)
			out[n++] = (unsigned)slot;
	}
	return n;
}

size_t links_used_peer_addrs(struct links *ls, struct in_addr *out, size_t max)
{
	size_t n = 0;

	for (struct link *l = ls->head; l && n < max; l = l->next) {
		if (!l->rec.peer)
			continue;
		out[n++] = l->rec.local4;
		if (n < max)
			out[n++] = l->rec.remote4;
	}
	return n;
}

size_t links_used_ports(struct links *ls, uint16_t *out, size_t max)
{
	size_t n = 0;

	for (struct link *l = ls->head; l && n < max; l = l->next)
		out[n++] = l->rec.listen_port;
	return n;
}

static void publish(struct links *ls, json_t *event)
{
	if (ls->deps.ctl && event)
		ctl_server_publish(ls->deps.ctl, event);
	else
		json_decref(event);
}

static void publish_link_event(struct links *ls, const char *kind, const struct link *link)
{
	json_t *event = wgm_ctl_event_new(kind);

	if (!event)
		return;
	if (strcmp(kind, WGM_CTL_EVENT_LINK_REMOVED) == 0) {
		json_object_set_new(event, "name", json_string(link->rec.name));
		json_object_set_new(event, "remote_id", json_integer(link->rec.remote_id));
	} else {
		json_t *obj = links_link_json(ls, link);

		/* link_state carries the contract's name, state and remote_id
		 * beside the whole LINK. */
		if (obj && strcmp(kind, WGM_CTL_EVENT_LINK_STATE) == 0) {
			json_object_set_new(event, "name", json_string(link->rec.name));
			json_object_set(event, "state", json_object_get(obj, "state"));
			json_object_set_new(event, "remote_id", json_integer(link->rec.remote_id));
		}
		json_object_set_new(event, "link", obj);
	}
	publish(ls, event);
}

static void link_insert(struct links *ls, struct link *link)
{
	link->next = ls->head;
	ls->head = link;
	ls->count++;
	for (size_t i = 0; i < ls->n_hooks; i++)
		if (ls->hooks[i].added)
			ls->hooks[i].added(link, ls->hooks[i].ctx);
}

static void link_unlink_and_free(struct links *ls, struct link *link)
{
	for (struct link **pp = &ls->head; *pp; pp = &(*pp)->next) {
		if (*pp == link) {
			*pp = link->next;
			ls->count--;
			break;
		}
	}
	call_removed(ls, link);
	link_free(link);
}

static void set_active(struct links *ls, struct link *link)
{
	link->phase = LINK_PHASE_ACTIVE;
	link->last_error[0] = '\0';
	link->active_since_ms = wgm_mono_ms();
	for (size_t i = 0; i < ls->n_hooks; i++)
		if (ls->hooks[i].active)
			ls->hooks[i].active(link, ls->hooks[i].ctx);
}

static struct link_job *job_new(struct links *ls, enum job_kind kind, const char *name, links_done_fn done, void *ctx)
{
	struct link_job *job = calloc(1, sizeof(*job));

	if (!job)
		return NULL;
	job->ls = ls;
	job->kind = kind;
	job->sources = ls->sources;
	snprintf(job->name, sizeof(job->name), "%s", name);
	job->done = done;
	job->ctx = ctx;
	return job;
}

static void job_free(struct link_job *job)
{
	link_record_wipe(&job->rec);
	free(job);
}

static void job_finish(struct link_job *job)
{
	if (job->done)
		job->done(job->rc, job->err, job->ctx);
	job_free(job);
}

/* ---- worker side: only the job's own copy and the link system ---- */

static void run_job(void *ctx)
{
	struct link_job *job = ctx;
	struct links *ls = job->ls;
	struct link_system *sys = ls->deps.sys;
	char cleanup_err[256];

	switch (job->kind) {
	case JOB_ADD:
		/* Record first: a crash after this point leaves a record that the
		 * next start brings up, never an interface nobody knows. */
		job->rc = link_store_save(ls->deps.state_dir, &job->rec, job->err, sizeof(job->err));
		if (job->rc < 0)
			break;
		job->rc = link_apply_up(sys, &job->rec, &job->sources, job->err, sizeof(job->err));
		if (job->rc < 0) {
			link_apply_delete(sys, job->rec.name, cleanup_err, sizeof(cleanup_err));
			link_store_remove(ls->deps.state_dir, job->rec.name, cleanup_err, sizeof(cleanup_err));
		}
		break;
	case JOB_BRING_UP:
		job->rc = link_apply_up(sys, &job->rec, &job->sources, job->err, sizeof(job->err));
		break;
	case JOB_REMOVE:
		job->rc = link_apply_delete(sys, job->name, job->err, sizeof(job->err));
		if (job->rc == 0)
			job->rc = link_store_remove(ls->deps.state_dir, job->name, job->err, sizeof(job->err));
		break;
	case JOB_SAVE:
		job->rc = link_store_save(ls->deps.state_dir, &job->rec, job->err, sizeof(job->err));
		break;
	case JOB_UPDATE:
		job->rc = link_store_save(ls->deps.state_dir, &job->rec, job->err, sizeof(job->err));
		if (job->rc == 0)
			job->rc = link_apply_up(sys, &job->rec, &job->sources, job->err, sizeof(job->err));
		break;
	case JOB_SOURCES:
		job->rc = link_apply_sources(sys, &job->rec, &job->sources, job->err, sizeof(job->err));
		break;
	case JOB_ADMIN:
		job->rc = job->admin_up ? link_apply_up(sys, &job->rec, &job->sources, job->err, sizeof(job->err))
					: link_apply_set_admin(sys, job->name, false, job->err, sizeof(job->err));
		break;
	}
}

/* ---- loop side ---- */

static void add_done(void *ctx)
{
	struct link_job *job = ctx;
	struct links *ls = job->ls;
	struct link *link = links_find(ls, job->name);

	if (link && job->rc == 0) {
		set_active(ls, link);
		log_notice("link %s to node %u is up (%s, %s)", link->rec.name, link->rec.remote_id,
			   wgm_transport_name(link->rec.transport), link_role_name(link->rec.role));
		publish_link_event(ls, WGM_CTL_EVENT_LINK_ADDED, link);
	} else if (link) {
		log_warn("link %s to node %u could not be created: %s", job->name, link->rec.remote_id, job->err);
		link_unlink_and_free(ls, link);
	}
	job_finish(job);
}

static void bring_up_done(void *ctx)
{
	struct link_job *job = ctx;
	struct links *ls = job->ls;
	struct link *link = links_find(ls, job->name);

	if (link && link->phase == LINK_PHASE_CREATING) {
		if (job->rc == 0) {
			set_active(ls, link);
			log_info("link %s is up", link->rec.name);
		} else {
			link->phase = LINK_PHASE_FAILED;
			snprintf(link->last_error, sizeof(link->last_error), "%s", job->err);
			log_err("link %s could not be brought up: %s", link->rec.name, job->err);
		}
		publish_link_event(ls, WGM_CTL_EVENT_LINK_STATE, link);
	}
	job_finish(job);
}

static void remove_done(void *ctx)
{
	struct link_job *job = ctx;
	struct links *ls = job->ls;
	struct link *link = links_find(ls, job->name);

	if (link && job->rc == 0) {
		log_notice("link %s to node %u removed", link->rec.name, link->rec.remote_id);
		publish_link_event(ls, WGM_CTL_EVENT_LINK_REMOVED, link);
		link_unlink_and_free(ls, link);
	} else if (link) {
		/* The interface may still be there: keep the record so the operator can retry. */
		link->phase = LINK_PHASE_FAILED;
		snprintf(link->last_error, sizeof(link->last_error), "%s", job->err);
		log_err("link %s could not be removed: %s", job->name, job->err);
	}
	job_finish(job);
}

static void save_done(void *ctx)
{
	struct link_job *job = ctx;

	if (job->rc < 0)
		log_err("link %s: cannot save its record: %s", job->name, job->err);
	job_finish(job);
}

static void admin_done(void *ctx)
{
	struct link_job *job = ctx;
	struct links *ls = job->ls;
	struct link *link = links_find(ls, job->name);

	if (link) {
		if (job->rc == 0 && job->admin_up) {
			set_active(ls, link);
		} else if (job->rc == 0) {
			link->phase = LINK_PHASE_ADMIN_DOWN;
		} else {
			link->phase = LINK_PHASE_FAILED;
			snprintf(link->last_error, sizeof(link->last_error), "%s", job->err);
		}
		publish_link_event(ls, WGM_CTL_EVENT_LINK_STATE, link);
	}
	job_finish(job);
}

static int submit(struct links *ls, struct link_job *job, worker_done_fn done)
{
	int rc = worker_submit(ls->deps.worker, run_job, done, job);

	if (rc < 0)
		job_free(job);
	return rc;
}

int links_add(struct links *ls, const struct link_record *rec, links_done_fn done, void *ctx)
{
	struct link_job *job;
	struct link *link;
	int rc;

	if (links_find(ls, rec->name))
		return -EEXIST;
	link = calloc(1, sizeof(*link));
	job = job_new(ls, JOB_ADD, rec->name, done, ctx);
	if (!link || !job) {
		free(link);
		free(job);
		return -ENOMEM;
	}
	link->rec = *rec;
	link->phase = LINK_PHASE_CREATING;
	job->rec = *rec;
	rc = submit(ls, job, add_done);
	if (rc < 0) {
		link_free(link);
		return rc;
	}
	link_insert(ls, link);
	return 0;
}

int links_remove(struct links *ls, const char *name, links_done_fn done, void *ctx)
{
	struct link *link = links_find(ls, name);
	struct link_job *job;
	int rc;

	if (!link)
		return -ENOENT;
	if (link->phase == LINK_PHASE_CREATING || link->phase == LINK_PHASE_REMOVING)
		return -EBUSY;
	job = job_new(ls, JOB_REMOVE, name, done, ctx);
	if (!job)
		return -ENOMEM;
	rc = submit(ls, job, remove_done);
	if (rc == 0)
		link->phase = LINK_PHASE_REMOVING;
	return rc;
}

int links_save(struct links *ls, struct link *link, links_done_fn done, void *ctx)
{
	struct link_job *job = job_new(ls, JOB_SAVE, link->rec.name, done, ctx);

	if (!job)
		return -ENOMEM;
	job->rec = link->rec;
	return submit(ls, job, save_done);
}

int links_update(struct links *ls, struct link *link, links_done_fn done, void *ctx)
{
	struct link_job *job;

	if (link->phase == LINK_PHASE_CREATING || link->phase == LINK_PHASE_REMOVING)
		return -EBUSY;
	job = job_new(ls, JOB_UPDATE, link->rec.name, done, ctx);
	if (!job)
		return -ENOMEM;
	job->rec = link->rec;
	return submit(ls, job, save_done);
}

static void repair_done(void *ctx)
{
	struct link_job *job = ctx;

	if (job->rc == 0)
		log_notice("link %s: interface repaired", job->name);
	else
		log_err("link %s: cannot repair its interface: %s", job->name, job->err);
	job_finish(job);
}

int links_repair(struct links *ls, struct link *link, links_done_fn done, void *ctx)
{
	struct link_job *job;

	if (link->phase != LINK_PHASE_ACTIVE)
		return -EBUSY;
	job = job_new(ls, JOB_BRING_UP, link->rec.name, done, ctx);
	if (!job)
		return -ENOMEM;
	job->rec = link->rec;
	return submit(ls, job, repair_done);
}

static void sources_done(void *ctx)
{
	struct link_job *job = ctx;

	if (job->rc < 0)
		log_err("link %s: cannot set its peer's allowed IPs: %s", job->name, job->err);
	job_finish(job);
}

int links_sources_changed(struct links *ls)
{
	struct link_sources next;
	char err[256];
	int rc = link_sources_build(ls->deps.plan, ls->deps.cfg, &next, err, sizeof(err));

	if (rc < 0) {
		log_err("links: %s", err);
		return rc;
	}
	ls->sources = next;
	/* Links being made or brought up take the new set with their job;
	 * admin-down ones get it when they come up again. */
	for (struct link *l = ls->head; l; l = l->next) {
		struct link_job *job;
		if (l->phase != LINK_PHASE_ACTIVE)
			continue;
		job = job_new(ls, JOB_SOURCES, l->rec.name, NULL, NULL);
		if (!job)
			return -ENOMEM;
		job->rec = l->rec;
		if ((rc = submit(ls, job, sources_done)) < 0)
			return rc;
	}
	return 0;
}

/* Counts the per-link jobs of an "all links" action and reports once. */
struct admin_all {
	unsigned pending;
	int rc;
	char err[256];
	links_done_fn done;
	void *ctx;
};

static void admin_one_done(int rc, const char *err, void *ctx)
{
	struct admin_all *all = ctx;

	if (rc < 0 && all->rc == 0) {
		all->rc = rc;
		snprintf(all->err, sizeof(all->err), "%s", err);
	}
	if (--all->pending == 0) {
		if (all->done)
			all->done(all->rc, all->err, all->ctx);
		free(all);
	}
}

int links_set_admin_all(struct links *ls, bool up, links_done_fn done, void *ctx)
{
	struct admin_all *all = calloc(1, sizeof(*all));

	if (!all)
		return -ENOMEM;
	all->done = done;
	all->ctx = ctx;
	all->pending = 1; /* held until every job is queued */
	for (struct link *l = ls->head; l; l = l->next) {
		struct link_job *job;
		if (l->phase == LINK_PHASE_CREATING || l->phase == LINK_PHASE_REMOVING)
			continue;
		job = job_new(ls, JOB_ADMIN, l->rec.name, admin_one_done, all);
		if (!job)
			continue;
		job->rec = l->rec;
		job->admin_up = up;
		if (submit(ls, job, admin_done) == 0)
			all->pending++;
	}
	admin_one_done(0, "", all);
	return 0;
}

/* ---- start-up reconciliation ---- */

struct start_job {
	struct links *ls;
	char (*names)[LINK_NAME_MAX + 1];
	size_t n_names;
	char removed[16][IFNAMSIZ];
	size_t n_removed;
	char err[256];
	char obfs_err[256];
};

/* Deletes interfaces that look like ours but have no record: what a crash
 * between "interface made" and "record written" could leave (it cannot with
 * the order we keep, but an older version or a hand-made one can). */
static void run_stray_sweep(void *ctx)
{
	struct start_job *sj = ctx;
	struct wgm_nl_link *all = NULL;
	size_t n = 0;

	if (wgm_nl_route_list_links(sj->ls->deps.sys->route, &all, &n, sj->err, sizeof(sj->err)) < 0)
		n = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned remote;
		bool peer, v6, known = false;
		char why[256];

		if (wgm_addrplan_ifname_parse(sj->ls->deps.plan, all[i].name, &remote, &peer, &v6) != 0)
			continue;
		if (strcmp(all[i].kind, "wireguard") != 0 && strcmp(all[i].kind, "tun") != 0 && all[i].kind[0])
			continue;
		for (size_t k = 0; k < sj->n_names && !known; k++)
			known = strcmp(sj->names[k], all[i].name) == 0;
		if (known)
			continue;
		if (link_apply_delete(sj->ls->deps.sys, all[i].name, why, sizeof(why)) == 0 && sj->n_removed < 16)
			snprintf(sj->removed[sj->n_removed++], IFNAMSIZ, "%s", all[i].name);
	}
	free(all);
	/* Every stored link has been brought up by now (the worker runs jobs
	 * in order): the queued ports become exactly theirs, so the ports of
	 * links removed while the daemon was down stop being queued. */
	if (sj->ls->deps.sys->obfs &&
	    obfs_engine_rules_sync(sj->ls->deps.sys->obfs, sj->obfs_err, sizeof(sj->obfs_err)) < 0 && !sj->obfs_err[0])
		snprintf(sj->obfs_err, sizeof(sj->obfs_err), "failed");
}

static void stray_sweep_done(void *ctx)
{
	struct start_job *sj = ctx;

	if (sj->err[0])
		log_warn("cannot list interfaces to look for stray links: %s", sj->err);
	if (sj->obfs_err[0])
		log_warn("cannot reconcile the obfuscation rules: %s", sj->obfs_err);
	for (size_t i = 0; i < sj->n_removed; i++)
		log_warn("removed interface %s: it looked like a link of ours but had no state file", sj->removed[i]);
	free(sj->names);
	free(sj);
}

static void report_bad_record(const char *path, const char *reason, void *ctx)
{
	log_err("ignoring link state file %s: %s (fix or remove it)", path, reason);
}

int links_start(struct links *ls, char *err, size_t errlen)
{
	struct link_record *recs = NULL;
	struct start_job *sj;
	size_t n = 0;
	int rc;

	rc = link_store_load_all(ls->deps.state_dir, &recs, &n, report_bad_record, NULL, err, errlen);
	if (rc < 0)
		return rc;
	sj = calloc(1, sizeof(*sj));
	if (!sj || (n && !(sj->names = calloc(n, sizeof(*sj->names))))) {
		free(sj);
		link_store_free_all(recs, n);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	sj->ls = ls;
	for (size_t i = 0; i < n; i++) {
		struct link *link = calloc(1, sizeof(*link));
		struct link_job *job = job_new(ls, JOB_BRING_UP, recs[i].name, NULL, NULL);

		snprintf(sj->names[sj->n_names++], LINK_NAME_MAX + 1, "%s", recs[i].name);
		if (!link || !job || links_find(ls, recs[i].name)) {
			free(link);
			free(job);
			continue;
		}
		link->rec = recs[i];
		link->phase = LINK_PHASE_CREATING;
		job->rec = recs[i];
		link_insert(ls, link);
		if (submit(ls, job, bring_up_done) < 0) {
			link->phase = LINK_PHASE_FAILED;
			snprintf(link->last_error, sizeof(link->last_error), "out of memory");
		}
	}
	link_store_free_all(recs, n);
	if (worker_submit(ls->deps.worker, run_stray_sweep, stray_sweep_done, sj) < 0) {
		free(sj->names);
		free(sj);
	}
	log_info("bringing up %zu stored link%s", n, n == 1 ? "" : "s");
	return 0;
}

/* ---- WireGuard's view of the peer ---- */

const char *links_endpoint(const struct link *link)
{
	return link->seen_endpoint[0] ? link->seen_endpoint : link->rec.endpoint;
}

static void publish_endpoint(struct links *ls, const struct link *link, const char *previous)
{
	json_t *event = wgm_ctl_event_new(WGM_CTL_EVENT_LINK_ENDPOINT);

	if (!event)
		return;
	json_object_set_new(event, "name", json_string(link->rec.name));
	json_object_set_new(event, "remote_id", json_integer(link->rec.remote_id));
	json_object_set_new(event, "endpoint", json_string(link->seen_endpoint));
	json_object_set_new(event, "previous", previous[0] ? json_string(previous) : json_null());
	publish(ls, event);
}

void links_peer_seen(struct links *ls, struct link *link, const char *endpoint, int64_t last_handshake)
{
	char previous[LINK_ENDPOINT_MAX];

	if (link->phase != LINK_PHASE_ACTIVE)
		return;
	snprintf(previous, sizeof(previous), "%s", links_endpoint(link));
	snprintf(link->seen_endpoint, sizeof(link->seen_endpoint), "%s", endpoint);
	link->seen_ms = wgm_mono_ms();
	/* A device that lost its endpoint (recreated) falls back to the
	 * configured one; only a real new address is news. */
	if (endpoint[0] && strcmp(endpoint, previous) != 0) {
		if (previous[0])
			log_notice("link %s: node %u moved from %s to %s", link->rec.name, link->rec.remote_id,
				   previous, endpoint);
		else
			log_info("link %s: node %u is at %s", link->rec.name, link->rec.remote_id, endpoint);
		publish_endpoint(ls, link, previous);
	}
	if (last_handshake > 0 && !link->rec.handshaked) {
		link->rec.handshaked = true;
		log_info("link %s: first WireGuard handshake with node %u", link->rec.name, link->rec.remote_id);
		if (links_save(ls, link, NULL, NULL) < 0)
			log_warn("link %s: cannot queue saving its first handshake (out of memory)", link->rec.name);
	}
}

/* ---- JSON ---- */

json_t *links_link_json(struct links *ls, const struct link *link)
{
	char local[INET_ADDRSTRLEN + 4], remote[INET_ADDRSTRLEN];
	const struct link_record *r = &link->rec;
	const char *state;
	json_t *obj;

	inet_ntop(AF_INET, &r->local4, local, sizeof(local));
	strcat(local, "/31");
	inet_ntop(AF_INET, &r->remote4, remote, sizeof(remote));
	switch (link->phase) {
	case LINK_PHASE_ACTIVE:
		state = wgm_ctl_link_state_name(WGM_CTL_LINK_UP);
		break;
	case LINK_PHASE_CREATING:
		state = wgm_ctl_link_state_name(WGM_CTL_LINK_CREATING);
		break;
	case LINK_PHASE_REMOVING:
		state = wgm_ctl_link_state_name(WGM_CTL_LINK_REMOVING);
		break;
	case LINK_PHASE_FAILED:
		state = wgm_ctl_link_state_name(WGM_CTL_LINK_FAILED);
		break;
	default:
		state = wgm_ctl_link_state_name(WGM_CTL_LINK_DOWN);
		break;
	}
	obj = json_pack("{s:s, s:i, s:s, s:s, s:b, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:b}", "name", r->name,
			"remote_id", (int)r->remote_id, "endpoint", links_endpoint(link), "configured_endpoint",
			r->endpoint, "handshaked", r->handshaked, "transport", wgm_transport_name(r->transport),
			"link_type", wgm_link_type_name(r->link_type), "role", link_role_name(r->role), "state", state,
			"local_addr", local, "remote_addr", remote, "port", (int)r->listen_port, "drained", r->drained);
	if (!obj)
		return NULL;
	json_object_set_new(obj, "peer", json_boolean(r->peer));
	if (r->peer)
		json_object_set_new(obj, "remote_as", json_integer((json_int_t)r->remote_as));
	json_object_set_new(obj, "override",
			    r->cost_override == LINK_COST_NONE ? json_null() : json_integer(r->cost_override));
	if (link->last_error[0])
		json_object_set_new(obj, "error", json_string(link->last_error));
	{
		/* The engine's counters of an obfuscated link (any thread may read them). */
		struct obfs_engine_counters c;
		if (ls->deps.sys && ls->deps.sys->obfs && r->link_type != WGM_LINK_DEFAULT &&
		    obfs_engine_counters(ls->deps.sys->obfs, r->name, &c))
			json_object_set_new(obj, "obfs",
					    json_pack("{s:I, s:I, s:I, s:I, s:I}", "out_packets",
						      (json_int_t)c.out_packets, "in_packets", (json_int_t)c.in_packets,
						      "out_dropped", (json_int_t)c.out_dropped, "in_dropped",
						      (json_int_t)c.in_dropped, "extra_sent",
						      (json_int_t)c.extra_sent));
	}
	if (ls->json_extra)
		ls->json_extra(link, obj, ls->json_extra_ctx);
	if (ls->route_extra)
		ls->route_extra(link, obj, ls->route_extra_ctx);
	return obj;
}

json_t *links_to_json(struct links *ls)
{
	json_t *array = json_array();

	if (!array)
		return NULL;
	for (struct link *l = ls->head; l; l = l->next)
		json_array_append_new(array, links_link_json(ls, l));
	return array;
}
