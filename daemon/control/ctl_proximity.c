#include "daemon/control/ctl_proximity.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include "bird/client.h"
#include "bird/parse.h"
#include "common/api/api_auth.h"
#include "common/api/api_msg.h"
#include "common/config/statefile.h"
#include "common/ctl/ctlproto.h"
#include "common/util/log.h"
#include "daemon/api/api_call.h"
#include "daemon/core/state_write.h"
#include "daemon/mesh/proximity_plan.h"
#include "daemon/mesh/proximity_state.h"
#include "daemon/quality/quality.h"
#include "daemon/quality/underlay_probe.h"

#define BIRD_TIMEOUT_MS 3000

/* One node (proximity) or one dead link (clean) and what became of it. */
struct row {
	unsigned id;
	char link[LINK_NAME_MAX + 1]; /* clean: the link */
	char host[UNDERLAY_HOST_MAX]; /* "" = public address not known */
	char why[256];                /* why host is "" */
	int target;                   /* index into targets, -1 = not probed */
	uint8_t challenge[WGM_API_NONCE_LEN];
	struct job *job; /* for the /connectivity callback */
	enum proximity_action action;
	char result[600]; /* what the change did ("" = none made) */
};

/* One `proximity` or `clean` request, from the first step to the reply. */
struct job {
	struct ctl_proximity *cp;
	struct ctl_request *req; /* NULL when screening */
	bool clean;
	bool screen; /* one node for mesh buildup, against the cutoff in force */
	bool dry_run;
	double cutoff_ms; /* < 0: none */
	struct row rows[MESH_NODES_MAX];
	size_t n_rows;
	unsigned pending; /* /connectivity calls, then changes */
	struct underlay_target targets[MESH_NODES_MAX];
	size_t n_targets;
	struct mesh_graph graph; /* filled on the worker */
	char graph_err[256];     /* "" = graph known */
	char state_err[300];     /* the decision could not be kept ("" = kept or none) */
};

/* One `proximity off`, until its state is on disk. */
struct lift {
	struct ctl_request *req;
	json_t *released; /* the nodes no longer cut */
};

void ctl_proximity_stop(struct ctl_proximity *cp)
{
	cp->stopping = true;
}

static void screen_finish(struct job *j, const char *why);

static void job_fail(struct job *j, const char *why)
{
	if (j->screen) {
		screen_finish(j, why);
		return;
	}
	ctl_request_reply(j->req, wgm_ctl_reply_error("%s", why));
	free(j);
}

/* A link of this mesh (not a peering one) to node ID, in any phase. */
static bool links_to_node(struct links *ls, unsigned id)
{
	for (struct link *l = links_first(ls); l; l = l->next)
		if (!l->rec.peer && l->rec.remote_id == id)
			return true;
	return false;
}

/* ---- the reply ---- */

static json_t *link_states_of(struct job *j, unsigned id)
{
	json_t *arr = json_array();

	for (struct link *l = links_first(j->cp->links); l; l = l->next) {
		/* A peering link's node is another network's, not this mesh's. */
		if (l->rec.peer || l->rec.remote_id != id)
			continue;
		json_t *lj = links_link_json(j->cp->links, l), *o = json_object();
		json_object_set_new(o, "name", json_string(l->rec.name));
		json_object_set(o, "state", json_object_get(lj, "state"));
		json_array_append_new(arr, o);
		json_decref(lj);
	}
	return arr;
}

static void row_json_common(struct job *j, const struct row *r, json_t *o)
{
	const struct underlay_target *t = r->target >= 0 ? &j->targets[r->target] : NULL;

	json_object_set_new(o, "node", json_integer(r->id));
	json_object_set_new(o, "address", r->host[0] ? json_string(r->host) : json_null());
	json_object_set_new(o, "rtt_ms", t && t->answered ? json_real(t->rtt_ms) : json_null());
	if (!r->host[0])
		json_object_set_new(o, "note", json_string(r->why));
	else if (t && !t->answered)
		json_object_set_new(o, "note", json_string(t->why));
	if (r->result[0])
		json_object_set_new(o, "result", json_string(r->result));
}

/* The decision buildup follows now: null, or the cutoff and the cut nodes. */
static json_t *in_force_json(const struct ctl_proximity *cp)
{
	const struct proximity_state *s = buildup_proximity(cp->buildup);

	if (!proximity_state_active(s))
		return json_null();
	return json_pack("{s:f,s:o}", "cutoff_ms", s->cutoff_ms, "cut", proximity_state_cut_json(s));
}

static void reply_proximity(struct job *j)
{
	json_t *reply = wgm_ctl_reply_ok(), *nodes = json_array();

	for (size_t i = 0; i < j->n_rows; i++) {
		const struct row *r = &j->rows[i];
		json_t *o = json_object();
		row_json_common(j, r, o);
		json_object_set_new(o, "links", link_states_of(j, r->id));
		json_object_set_new(o, "action", json_string(proximity_action_name(r->action)));
		json_array_append_new(nodes, o);
	}
	json_object_set_new(reply, "nodes", nodes);
	json_object_set_new(reply, "cutoff_ms", j->cutoff_ms >= 0 ? json_real(j->cutoff_ms) : json_null());
	json_object_set_new(reply, "dry_run", json_boolean(j->dry_run));
	json_object_set_new(reply, "method", json_string("tcp_connect"));
	json_object_set_new(reply, "port", json_integer(j->cp->cfg->listen_port));
	if (j->graph_err[0])
		json_object_set_new(reply, "graph_error", json_string(j->graph_err));
	json_object_set_new(reply, "in_force", in_force_json(j->cp));
	if (j->state_err[0])
		json_object_set_new(reply, "state_error", json_string(j->state_err));
	ctl_request_reply(j->req, reply);
	free(j);
}

static void reply_clean(struct job *j)
{
	json_t *reply = wgm_ctl_reply_ok(), *links = json_array();

	for (size_t i = 0; i < j->n_rows; i++) {
		const struct row *r = &j->rows[i];
		json_t *o = json_object();
		json_object_set_new(o, "link", json_string(r->link));
		row_json_common(j, r, o);
		json_object_set_new(o, "action", json_string(r->action == PROXIMITY_DISCONNECT ? "remove" : "keep"));
		json_array_append_new(links, o);
	}
	json_object_set_new(reply, "links", links);
	json_object_set_new(reply, "clean_after", json_integer(j->cp->cfg->clean_after_s));
	json_object_set_new(reply, "dry_run", json_boolean(j->dry_run));
	ctl_request_reply(j->req, reply);
	free(j);
}

static void reply_job(struct job *j)
{
	if (j->clean)
		reply_clean(j);
	else
		reply_proximity(j);
}

/* ---- step 5: the decision kept ---- */

/* Buildup follows S at once; the file follows on the worker and DONE runs
 * once it is on disk. -ENOMEM (DONE not called) when nothing was queued. */
static int keep_state(struct ctl_proximity *cp, const struct proximity_state *s, state_write_done_fn done, void *ctx)
{
	char path[4096];
	json_t *json;

	if (proximity_state_path(cp->cfg->state_dir, path, sizeof(path)) < 0 || !(json = proximity_state_to_json(s)))
		return -ENOMEM;
	buildup_set_proximity(cp->buildup, s);
	return state_write_async_then(cp->worker, path, json, WGM_STATEFILE_MODE_PUBLIC, done, ctx);
}

static void job_kept(int rc, const char *err, void *ctx)
{
	struct job *j = ctx;

	/* Buildup, which the reply reads, may be gone. */
	if (j->cp->stopping) {
		job_fail(j, "the daemon is stopping");
		return;
	}
	if (rc < 0)
		snprintf(j->state_err, sizeof(j->state_err), "not kept for a restart: %.250s", err);
	reply_job(j);
}

/* The cutoff applied, and the nodes cut by it: those cut now, the far ones
 * without a link (buildup would link them), and those cut before that this
 * run did not link again (far, or no answer). */
static void keep_decision(struct job *j)
{
	struct proximity_state s = *buildup_proximity(j->cp->buildup);

	s.cutoff_ms = j->cutoff_ms;
	for (size_t i = 0; i < j->n_rows; i++) {
		const struct row *r = &j->rows[i];
		const struct underlay_target *t = r->target >= 0 ? &j->targets[r->target] : NULL;
		/* Clients are never linked by buildup: nothing to cut. */
		bool far_unlinked = r->action == PROXIMITY_NONE && t && t->answered && t->rtt_ms > j->cutoff_ms &&
				    !addrplan_is_client(r->id) && !links_to_node(j->cp->links, r->id);
		if (r->action == PROXIMITY_DISCONNECT || far_unlinked)
			s.cut[r->id] = true;
		else if (r->action == PROXIMITY_KEEP_LAST ||
			 (r->action == PROXIMITY_CONNECT && strcmp(r->result, "connected") == 0))
			s.cut[r->id] = false;
	}
	if (keep_state(j->cp, &s, job_kept, j) < 0) {
		snprintf(j->state_err, sizeof(j->state_err), "not kept for a restart: out of memory");
		reply_job(j);
	}
}

/* A cutoff applied (not a dry run, the graph known) is kept; the rest is
 * answered as it is. */
static void finish_job(struct job *j)
{
	if (j->cp->stopping)
		job_fail(j, "the daemon is stopping");
	else if (!j->clean && !j->dry_run && j->cutoff_ms >= 0 && !j->graph_err[0])
		keep_decision(j);
	else
		reply_job(j);
}

/* ---- step 4: the changes ---- */

struct change {
	struct job *job;
	struct row *row;
};

static void change_finished(struct job *j)
{
	if (--j->pending == 0)
		finish_job(j);
}

static void connected(int rc, const json_t *result, const char *err, void *ctx)
{
	struct change *c = ctx;

	(void)result;
	snprintf(c->row->result, sizeof(c->row->result), "%.500s",
		 rc < 0 ? (err ? err : "connect failed") : "connected");
	change_finished(c->job);
	free(c);
}

static void disconnected(int rc, const char *err, void *ctx)
{
	struct change *c = ctx;
	size_t used = strlen(c->row->result);

	/* Several links to one node: one line for all of them. */
	snprintf(c->row->result + used, sizeof(c->row->result) - used, "%s%.250s", used ? "; " : "",
		 rc < 0 ? (err ? err : "disconnect failed") : "removed");
	change_finished(c->job);
	free(c);
}

static struct change *change_new(struct job *j, struct row *r)
{
	struct change *c = calloc(1, sizeof(*c));

	if (c) {
		c->job = j;
		c->row = r;
		j->pending++;
	}
	return c;
}

static void start_disconnect(struct job *j, struct row *r, const char *name, bool force)
{
	struct change *c = change_new(j, r);
	char err[512];

	if (!c) {
		snprintf(r->result, sizeof(r->result), "out of memory");
		return;
	}
	log_info("%s: removing link %s to node %u", j->clean ? "clean" : "proximity", name, r->id);
	if (disconnect_link(j->cp->disconnect, name, force, disconnected, c, err, sizeof(err)) < 0) {
		snprintf(r->result, sizeof(r->result), "%.500s", err);
		j->pending--;
		free(c);
	}
}

static void start_changes(struct job *j)
{
	char err[512];

	j->pending = 1; /* held while starting */
	for (size_t i = 0; i < j->n_rows; i++) {
		struct row *r = &j->rows[i];
		if (r->action == PROXIMITY_CONNECT) {
			struct change *c = change_new(j, r);
			if (!c) {
				snprintf(r->result, sizeof(r->result), "out of memory");
				continue;
			}
			log_info("proximity: connecting to node %u", r->id);
			if (join_connect_member(j->cp->join, r->id, connected, c, err, sizeof(err)) < 0) {
				snprintf(r->result, sizeof(r->result), "%.500s", err);
				j->pending--;
				free(c);
			}
		} else if (r->action == PROXIMITY_DISCONNECT && j->clean) {
			/* The other end does not answer: remove this end anyway. */
			start_disconnect(j, r, r->link, true);
		} else if (r->action == PROXIMITY_DISCONNECT) {
			for (struct link *l = links_first(j->cp->links); l; l = l->next)
				/* disconnect_link queues the removal: l stays in the table. */
				if (!l->rec.peer && l->rec.remote_id == r->id && l->phase != LINK_PHASE_REMOVING)
					start_disconnect(j, r, l->rec.name, false);
		}
	}
	change_finished(j);
}

/* ---- step 3: the plan ---- */

static void plan_proximity(struct job *j)
{
	struct proximity_entry e[MESH_NODES_MAX];
	struct row sorted[MESH_NODES_MAX];

	for (size_t i = 0; i < j->n_rows; i++) {
		const struct row *r = &j->rows[i];
		e[i] = (struct proximity_entry){ .id = r->id, .linked = false };
		e[i].has_rtt = r->target >= 0 && j->targets[r->target].answered;
		e[i].rtt_ms = e[i].has_rtt ? j->targets[r->target].rtt_ms : 0;
		e[i].linked = links_to_node(j->cp->links, r->id);
	}
	/* Without the mesh's graph nothing can be proven safe to cut. */
	proximity_plan(j->cp->cfg->id, j->cp->cfg->bird.client || addrplan_is_client(j->cp->cfg->id),
		       j->graph_err[0] ? -1 : j->cutoff_ms, &j->graph, e, j->n_rows);
	proximity_sort(e, j->n_rows);
	for (size_t i = 0; i < j->n_rows; i++)
		for (size_t k = 0; k < j->n_rows; k++)
			if (j->rows[k].id == e[i].id) {
				sorted[i] = j->rows[k];
				sorted[i].action = e[i].action;
			}
	memcpy(j->rows, sorted, j->n_rows * sizeof(*sorted));
}

static bool has_changes(const struct job *j)
{
	for (size_t i = 0; i < j->n_rows; i++)
		if (j->rows[i].action == PROXIMITY_CONNECT || j->rows[i].action == PROXIMITY_DISCONNECT)
			return true;
	return false;
}

static void measured(void *ctx)
{
	struct job *j = ctx;

	if (j->screen) {
		screen_finish(j, NULL);
		return;
	}
	if (j->cp->stopping) {
		job_fail(j, "the daemon is stopping");
		return;
	}
	if (j->clean) {
		for (size_t i = 0; i < j->n_rows; i++) {
			struct row *r = &j->rows[i];
			bool answers = r->target >= 0 && j->targets[r->target].answered;
			/* Only a probed endpoint that stays silent proves it gone. */
			r->action = r->target >= 0 && !answers ? PROXIMITY_DISCONNECT : PROXIMITY_NONE;
		}
	} else {
		if (j->cutoff_ms >= 0 && j->graph_err[0])
			log_warn("proximity: no changes: %s", j->graph_err);
		plan_proximity(j);
	}
	if (j->dry_run || !has_changes(j)) {
		finish_job(j);
		return;
	}
	start_changes(j);
}

/* ---- step 2 (worker): probes and the mesh's graph ---- */

static void read_graph(struct job *j)
{
	const struct wgm_config *cfg = j->cp->cfg;
	struct bird_client c;
	struct bird_reply *reply = NULL;
	struct bird_ospf_topology topo = { 0 };
	char cmd[64], err[256] = "";
	int rc;

	if (!cfg->bird.ospfv2 && !cfg->bird.ospfv3) {
		snprintf(j->graph_err, sizeof(j->graph_err), "OSPF is off: the mesh's graph is unknown");
		return;
	}
	snprintf(cmd, sizeof(cmd), "show ospf topology %s", cfg->bird.ospfv2 ? "ospf4" : "ospf6");
	bird_client_init(&c);
	rc = bird_client_connect(&c, cfg->bird_socket, BIRD_TIMEOUT_MS, err, sizeof(err));
	if (rc == 0)
		rc = bird_client_command(&c, cmd, BIRD_TIMEOUT_MS, &reply, err, sizeof(err));
	if (rc == 0)
		rc = bird_parse_ospf_topology(reply, &topo, err, sizeof(err));
	if (rc < 0) {
		snprintf(j->graph_err, sizeof(j->graph_err), "the mesh's graph from BIRD: %s", err);
		goto out;
	}
	mesh_graph_from_topology(j->cp->plan, &topo, &j->graph);
out:
	bird_ospf_topology_free(&topo);
	if (reply)
		bird_reply_free(reply);
	bird_client_close(&c);
}

static void measure(void *ctx)
{
	struct job *j = ctx;

	underlay_probe_run(j->targets, j->n_targets, PROXIMITY_TRIES, PROXIMITY_TIMEOUT_MS);
	if (!j->clean && !j->screen)
		read_graph(j);
}

static void start_measuring(struct job *j)
{
	for (size_t i = 0; i < j->n_rows; i++) {
		struct row *r = &j->rows[i];
		r->target = -1;
		if (!r->host[0])
			continue;
		r->target = (int)j->n_targets;
		snprintf(j->targets[j->n_targets].host, UNDERLAY_HOST_MAX, "%s", r->host);
		j->targets[j->n_targets].port = j->cp->cfg->listen_port;
		j->n_targets++;
	}
	if (worker_submit(j->cp->worker, measure, measured, j) < 0)
		job_fail(j, "out of memory");
}

/* ---- step 1: public addresses ---- */

/* The public address links know: the configured endpoint of a link this
 * node made, else the one WireGuard sees. */
static bool host_from_links(struct links *ls, unsigned id, const struct link *only, char *host, size_t len)
{
	for (struct link *l = links_first(ls); l; l = l->next) {
		if (l->rec.peer || l->rec.remote_id != id || (only && l != only))
			continue;
		const char *ep = l->rec.endpoint[0] ? l->rec.endpoint : links_endpoint(l);
		if (ep[0] && underlay_endpoint_host(ep, host, len) == 0)
			return true;
	}
	return false;
}

static void connectivity_done(long status, const json_t *payload, const char *err, void *ctx)
{
	struct row *r = ctx;
	struct job *j = r->job;
	struct wgm_msg_connectivity_reply m;
	char why[256];
	bool v4 = j->cp->cfg->connectivity_ipv4[0] != '\0';

	(void)status;
	if (!payload) {
		snprintf(r->why, sizeof(r->why), "public address not known: %.200s", err ? err : "no answer");
	} else if (wgm_msg_connectivity_reply_decode(payload, &m, why, sizeof(why)) < 0) {
		snprintf(r->why, sizeof(r->why), "public address not known: bad /connectivity reply: %.150s", why);
	} else if ((unsigned)m.node_id != r->id ||
		   wgm_node_identity_connectivity_check(j->cp->identity, payload, r->challenge, r->id, m.api_pk,
							(int64_t)time(NULL)) < 0) {
		snprintf(r->why, sizeof(r->why), "public address not known: the answer is not node %u's", r->id);
	} else if (m.has_ipv4 && (v4 || !m.has_ipv6)) {
		inet_ntop(AF_INET, &m.ipv4, r->host, sizeof(r->host));
	} else if (m.has_ipv6) {
		inet_ntop(AF_INET6, &m.ipv6, r->host, sizeof(r->host));
	} else {
		snprintf(r->why, sizeof(r->why), "node %u has no public address", r->id);
	}
	if (--j->pending > 0)
		return;
	if (j->cp->stopping)
		job_fail(j, "the daemon is stopping");
	else
		start_measuring(j);
}

static void ask_connectivity(struct job *j, struct row *r)
{
	char url[LINK_URL_MAX], err[512];

	join_member_url(j->cp->plan, j->cp->cfg, r->id, url, sizeof(url));
	randombytes_buf(r->challenge, sizeof(r->challenge));
	r->job = j;
	j->pending++;
	if (api_call_connectivity(j->cp->http, url, r->challenge, connectivity_done, r, err, sizeof(err)) < 0) {
		j->pending--;
		snprintf(r->why, sizeof(r->why), "public address not known: %.200s", err);
	}
}

static void add_node_row(struct job *j, unsigned id, bool routed)
{
	struct row *r = &j->rows[j->n_rows++];

	memset(r, 0, sizeof(*r));
	r->id = id;
	if (host_from_links(j->cp->links, id, NULL, r->host, sizeof(r->host)))
		return;
	if (routed)
		ask_connectivity(j, r);
	else
		snprintf(r->why, sizeof(r->why), "public address not known (not routed, no endpoint)");
}

static void gather_proximity(struct job *j)
{
	const struct mesh_nodes *routed = bird_watch_nodes(j->cp->bird);
	bool seen[MESH_NODES_MAX] = { false };

	j->pending = 1; /* held while asking */
	for (unsigned id = 0; id < MESH_NODES_MAX; id++)
		seen[id] = mesh_nodes_has(routed, id);
	for (struct link *l = links_first(j->cp->links); l; l = l->next)
		if (!l->rec.peer && l->rec.remote_id < MESH_NODES_MAX)
			seen[l->rec.remote_id] = true;
	for (unsigned id = 0; id < MESH_NODES_MAX; id++)
		if (seen[id] && id != j->cp->cfg->id)
			add_node_row(j, id, mesh_nodes_has(routed, id));
	if (--j->pending == 0)
		start_measuring(j);
}

static void gather_clean(struct job *j)
{
	int64_t after_ms = (int64_t)j->cp->cfg->clean_after_s * 1000;

	for (struct link *l = links_first(j->cp->links); l && j->n_rows < MESH_NODES_MAX; l = l->next) {
		int64_t dead = quality_link_dead_ms(l);
		if (dead < 0 || dead < after_ms || l->phase != LINK_PHASE_ACTIVE)
			continue;
		struct row *r = &j->rows[j->n_rows++];
		memset(r, 0, sizeof(*r));
		r->id = l->rec.remote_id;
		snprintf(r->link, sizeof(r->link), "%s", l->rec.name);
		if (!host_from_links(j->cp->links, r->id, l, r->host, sizeof(r->host)))
			snprintf(r->why, sizeof(r->why), "not known");
	}
	start_measuring(j);
}

static struct job *job_new(struct ctl_proximity *cp, struct ctl_request *req, const json_t *args, bool clean)
{
	const json_t *cutoff = json_object_get(args, "cutoff_ms");
	struct job *j;

	if (cutoff && !json_is_null(cutoff) &&
	    (!json_is_number(cutoff) || json_number_value(cutoff) < 0 ||
	     json_number_value(cutoff) > PROXIMITY_CUTOFF_MAX_MS)) {
		ctl_request_reply(req, wgm_ctl_reply_error("cutoff_ms: must be a number of milliseconds, 0-%d",
							   PROXIMITY_CUTOFF_MAX_MS));
		return NULL;
	}
	if (!(j = calloc(1, sizeof(*j)))) {
		ctl_request_reply(req, wgm_ctl_reply_error("out of memory"));
		return NULL;
	}
	j->cp = cp;
	j->req = req;
	j->clean = clean;
	j->dry_run = json_is_true(json_object_get(args, "dry_run"));
	j->cutoff_ms = cutoff && json_is_number(cutoff) ? json_number_value(cutoff) : -1;
	return j;
}

static void lift_kept(int rc, const char *err, void *ctx)
{
	struct lift *l = ctx;
	json_t *reply = wgm_ctl_reply_ok();

	json_object_set_new(reply, "off", json_true());
	json_object_set_new(reply, "released", l->released);
	json_object_set_new(reply, "in_force", json_null());
	if (rc < 0)
		json_object_set_new(reply, "state_error", json_sprintf("not kept for a restart: %.250s", err));
	ctl_request_reply(l->req, reply);
	free(l);
}

/* `proximity off`: no cutoff, nothing cut; buildup links the nodes cut
 * before again (with mesh on). */
static void lift_proximity(struct ctl_proximity *cp, struct ctl_request *req)
{
	struct lift *l = calloc(1, sizeof(*l));
	struct proximity_state none;

	proximity_state_init(&none);
	if (!l || !(l->released = proximity_state_cut_json(buildup_proximity(cp->buildup)))) {
		free(l);
		ctl_request_reply(req, wgm_ctl_reply_error("out of memory"));
		return;
	}
	l->req = req;
	if (proximity_state_active(buildup_proximity(cp->buildup)))
		log_info("proximity: cutoff lifted; %zu cut nodes may be linked again", json_array_size(l->released));
	if (keep_state(cp, &none, lift_kept, l) < 0)
		lift_kept(-ENOMEM, "out of memory", l);
}

static void handle_proximity(struct ctl_request *req, const json_t *args, void *ctx)
{
	const json_t *off = json_object_get(args, "off");
	struct job *j;

	if (off && !json_is_boolean(off)) {
		ctl_request_reply(req, wgm_ctl_reply_error("off: must be true or false"));
		return;
	}
	if (json_is_true(off)) {
		if (json_object_get(args, "cutoff_ms") || json_is_true(json_object_get(args, "dry_run")))
			ctl_request_reply(req, wgm_ctl_reply_error("off: takes no cutoff_ms and no dry_run"));
		else
			lift_proximity(ctx, req);
		return;
	}
	j = job_new(ctx, req, args, false);

	if (j)
		gather_proximity(j);
}

static void handle_clean(struct ctl_request *req, const json_t *args, void *ctx)
{
	struct job *j = job_new(ctx, req, args, true);

	if (j)
		gather_clean(j);
}

/* ---- screening for mesh buildup ---- */

/* WHY: the measurement could not be made (NULL: it was). A node beyond the
 * cutoff is cut (and kept so); any other is left to buildup to link. */
static void screen_finish(struct job *j, const char *why)
{
	struct ctl_proximity *cp = j->cp;
	const struct row *r = &j->rows[0];
	const struct underlay_target *t = !why && r->target >= 0 ? &j->targets[r->target] : NULL;
	struct proximity_state s;

	if (cp->stopping) {
		free(j);
		return;
	}
	s = *buildup_proximity(cp->buildup);
	if (t && t->answered && proximity_state_active(&s) && t->rtt_ms > s.cutoff_ms) {
		log_info("proximity: node %u is %.2f ms away, beyond the %g ms cutoff: mesh buildup does not link it",
			 r->id, t->rtt_ms, s.cutoff_ms);
		s.cut[r->id] = true;
		if (keep_state(cp, &s, NULL, NULL) < 0)
			log_err("proximity: node %u cut, but not kept for a restart: out of memory", r->id);
	} else if (t && t->answered) {
		log_info("proximity: node %u is %.2f ms away, within the cutoff: mesh buildup links it", r->id,
			 t->rtt_ms);
	} else {
		log_info("proximity: node %u not measured (%.300s): mesh buildup links it", r->id,
			 why           ? why
			 : !r->host[0] ? r->why
			 : t           ? t->why
				       : "no address");
	}
	buildup_screened(cp->buildup, r->id);
	free(j);
}

int ctl_proximity_screen(unsigned id, void *ctx)
{
	struct ctl_proximity *cp = ctx;
	struct job *j;

	if (cp->stopping || id >= MESH_NODES_MAX || !(j = calloc(1, sizeof(*j))))
		return -ENOMEM;
	j->cp = cp;
	j->screen = true;
	j->pending = 1; /* held while asking */
	add_node_row(j, id, true);
	if (--j->pending == 0)
		start_measuring(j);
	return 0;
}

int ctl_proximity_register(struct ctl_proximity *cp, struct ctl_server *ctl)
{
	int rc = ctl_server_register(ctl, WGM_CTL_CMD_PROXIMITY, handle_proximity, cp);

	return rc < 0 ? rc : ctl_server_register(ctl, WGM_CTL_CMD_CLEAN, handle_clean, cp);
}
