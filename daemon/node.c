#include "daemon/node.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util/log.h"
#include "common/netlink/nl_route.h"
#include "common/netlink/nl_route_table.h"
#include "common/config/node_identity.h"
#include "common/config/statefile.h"
#include "common/wg/wg.h"
#include "daemon/control/ctl_links.h"
#include "daemon/control/metrics.h"
#include "daemon/core/counters.h"
#include "daemon/control/ctl_proximity.h"
#include "daemon/control/self_repair.h"
#include "daemon/api/http_client.h"
#include "daemon/mesh/join.h"
#include "daemon/links/link_apply.h"
#include "daemon/links/link_expiry.h"
#include "daemon/links/links.h"
#include "daemon/api/node_api.h"
#include "daemon/quality/cost.h"
#include "daemon/quality/notify.h"
#include "daemon/quality/quality.h"
#include "daemon/routing/bird_watch.h"
#include "daemon/routing/interim_routes.h"
#include "daemon/routing/fast_repair.h"
#include "daemon/routing/route_truth.h"
#include "daemon/routing/routing.h"
#include "daemon/control/ctl_routing.h"
#include "daemon/mesh/buildup.h"
#include "daemon/mesh/proximity_state.h"
#include "daemon/mesh/rotation.h"
#include "daemon/routing/vxlan.h"
#include "daemon/api/tokens.h"
#include "daemon/api/trust_store.h"
#include "daemon/core/worker.h"
#include "daemon/obfs/obfs_engine.h"
#include "daemon/links/link_obfs_hooks.h"
#include "daemon/links/wg_output.h"

struct node {
	const struct wgm_config *cfg;
	const struct wgm_addrplan *plan;
	struct loop *loop;
	struct ctl_server *ctl;
	struct wgm_node_identity identity;
	struct wgm_nl_sock route;
	bool route_open;
	struct wgm_nl_sock worker_route; /* the worker's own socket: one user per socket */
	bool worker_route_open;
	struct wgm_wg_backend *wg;
	struct wg_output *wg_output;
	struct link_system sys;
	struct obfs_engine *obfs;
	struct obfs_hooks obfs_hooks;
	char obfs_err[256]; /* the worker's, read in its done */
	struct worker *worker;
	struct links *links;
	struct tokens tokens;
	bool tokens_open;
	struct trust_store trust;
	bool trust_open;
	struct http_client *http;
	struct join *join;
	struct node_api *api;
	struct ctl_links ctl_links;
	struct ctl_proximity ctl_proximity;
	struct self_repair *self_repair;
	struct disconnect_waiting disconnect_waiting;
	struct notify *notify;
	struct quality *quality;
	struct link_expiry *expiry;
	struct routing *routing;
	struct bird_watch *bird;
	struct route_truth *route_truth;
	struct interim_routes *interim;
	struct fast_repair *fast_repair;
	struct ctl_routing ctl_routing;
	struct buildup *buildup;
	struct vxlan *vxlan;
	struct rotation *rotation;
	struct counters counters;
	struct metrics *metrics;
};

/* The loopbacks other nodes reach this one at; BIRD announces them. */
static int ensure_loopbacks(struct node *n, char *err, size_t errlen)
{
	struct wgm_addrplan_v4 lo4;
	struct wgm_addrplan_v6 lo6;
	struct wgm_nl_ip a4 = { .family = AF_INET }, a6 = { .family = AF_INET6 };
	int rc;

	wgm_addrplan_loopback_v4(n->plan, n->cfg->id, &lo4);
	wgm_addrplan_loopback_v6(n->cfg->id, &lo6);
	a4.u.v4 = lo4.addr;
	a6.u.v6 = lo6.addr;
	rc = wgm_nl_route_link_set_up(&n->route, "lo", true, err, errlen);
	if (rc == 0)
		rc = wgm_nl_route_addr_add(&n->route, "lo", &a4, lo4.len, NULL, err, errlen);
	if (rc == 0)
		rc = wgm_nl_route_addr_add(&n->route, "lo", &a6, lo6.len, NULL, err, errlen);
	return rc;
}

/* Key rotation (mesh) reads path quality through these. */
static bool rotation_link_view(const struct link *link, struct rotation_link_view *out, void *ctx)
{
	struct quality_link_view v;

	(void)ctx;
	if (!quality_link_view(link, &v))
		return false;
	out->rx_bytes_per_s = v.rx_bytes_per_s;
	out->tx_bytes_per_s = v.tx_bytes_per_s;
	out->probes_answered = v.probes_answered;
	return true;
}

static void rotation_notify(const char *text, void *ctx)
{
	struct node *n = ctx;

	notify_send(n->notify, NOTIFY_ERROR, "%s", text);
}

static bool outgoing_wins(unsigned remote_id, enum wgm_transport transport, void *ctx)
{
	struct node *n = ctx;

	return join_outgoing_wins(n->join, remote_id, transport);
}

static void on_bird_state(bool up, const char *err, void *ctx)
{
	struct node *n = ctx;

	if (up)
		log_notice("BIRD answers on %s", n->cfg->bird_socket);
	else
		log_warn("BIRD is down: %s", err);
	routing_bird_state(n->routing, up, err);
}

static void on_bird_routes(const struct mesh_nodes *old, const struct mesh_nodes *now, void *ctx)
{
	struct node *n = ctx;

	if (!mesh_nodes_same_ids(old, now))
		log_info("BIRD routes %zu node(s)", mesh_nodes_count(now));
	if (n->route_truth)
		route_truth_on_routes(n->route_truth, now);
	interim_routes_on_routes(n->interim, now);
	fast_repair_on_routes(n->fast_repair);
	counters_reroutes(&n->counters, mesh_nodes_reroutes(old, now));
	if (n->vxlan)
		vxlan_on_routes(n->vxlan, now);
	if (n->buildup) {
		buildup_set_sponsor_route(n->buildup, interim_routes_sponsor_live(n->interim));
		buildup_on_routes(n->buildup, now);
	}
}

static void on_token_joined(unsigned remote_id, void *ctx)
{
	struct node *n = ctx;

	interim_routes_joined(n->interim, remote_id);
}

/* Routes wgmeshd wrote into the kernel (proto 247: interim and repair
 * routes) live only as long as the daemon that watches them: a crashed
 * one's must not stay. Before any link comes up. */
static void flush_own_routes(struct node *n)
{
	char err[256];
	int rc = wgm_nl_route_table_flush(&n->route, AF_UNSPEC, err, sizeof(err));

	if (rc < 0)
		log_warn("removing the routes a previous wgmeshd left: %s", err);
	else if (rc > 0)
		log_notice("removed %d route(s) a previous wgmeshd left (proto %d)", rc, WGM_NL_RTPROT_WGMESH);
}

/* 416 on a first join: the ID is routed in the mesh already. */
static bool id_in_mesh(unsigned id, void *ctx)
{
	struct node *n = ctx;

	return n->bird && mesh_nodes_has(bird_watch_nodes(n->bird), id);
}

/* The path-quality part decides when costs change; routing renders them. */
static unsigned quality_cost(const struct link *link, void *ctx)
{
	return quality_bird_cost(link);
}

static int quality_apply(bool urgent, quality_apply_done_fn done, void *done_ctx, void *ctx)
{
	struct node *n = ctx;

	return routing_request_apply(n->routing, urgent, done, done_ctx);
}

/* The obfuscation engine's table and chains, before any link comes up (the
 * worker runs jobs in order). On the worker: it runs iptables-restore. */
static void obfs_rules_run_job(void *ctx)
{
	struct node *n = ctx;

	n->obfs_err[0] = '\0';
	if (obfs_engine_rules_init(n->obfs, n->obfs_err, sizeof(n->obfs_err)) < 0 && !n->obfs_err[0])
		snprintf(n->obfs_err, sizeof(n->obfs_err), "failed");
}

static void obfs_rules_done(void *ctx)
{
	struct node *n = ctx;

	if (n->obfs_err[0])
		log_err("obfuscation rules: %s; obfuscated links will not pass traffic", n->obfs_err);
}

/* Without the engine (no NFQUEUE, no iptables) plain links work and obfuscated
 * ones fail to come up with a message naming the cause. */
static void start_obfs(struct node *n)
{
	char err[256];

	if (obfs_engine_new(&n->obfs, err, sizeof(err)) < 0) {
		log_warn("obfuscation engine: %s; links of type wgobfs, ipt_xor and amneziawg cannot come up", err);
		n->obfs = NULL;
		return;
	}
	n->sys.obfs = n->obfs;
	if (worker_submit(n->worker, obfs_rules_run_job, obfs_rules_done, n) < 0)
		log_err("obfuscation rules: out of memory");
}

/* The proximity cutoff kept from before the restart. A file that cannot be
 * taken is ignored, never fatal: links are then made as without a cutoff. */
static void load_proximity(struct node *n)
{
	struct proximity_state s;
	char why[512];
	int rc = proximity_state_load(n->cfg->state_dir, n->cfg->id, &s, why, sizeof(why));

	if (rc == -ENOENT)
		return;
	if (rc < 0) {
		log_warn("proximity: ignoring %s; mesh buildup links every node", why);
		return;
	}
	if (proximity_state_active(&s))
		log_info("proximity: cutoff %.2f ms in force, nodes cut: %zu (kept from before the restart)",
			 s.cutoff_ms, proximity_state_count_cut(&s));
	buildup_set_proximity(n->buildup, &s);
}

static int start_routing(struct node *n, char *err, size_t errlen)
{
	struct routing_deps rdeps = {
		.loop = n->loop, .worker = n->worker, .cfg = n->cfg, .plan = n->plan, .links = n->links, .ctl = n->ctl
	};
	struct bird_watch_deps wdeps = { .loop = n->loop,
					 .plan = n->plan,
					 .socket_path = n->cfg->bird_socket,
					 .routes = on_bird_routes,
					 .state = on_bird_state,
					 .ctx = n };
	int rc;

	if ((rc = routing_new(&rdeps, &n->routing)) < 0 || (rc = bird_watch_new(&wdeps, &n->bird)) < 0) {
		snprintf(err, errlen, "routing: %s", strerror(-rc));
		return rc;
	}
	{
		struct interim_routes_deps ideps = {
			.loop = n->loop, .cfg = n->cfg, .plan = n->plan, .links = n->links, .route = &n->route
		};
		if ((rc = interim_routes_new(&ideps, &n->interim)) < 0) {
			snprintf(err, errlen, "interim routes: %s", strerror(-rc));
			return rc;
		}
	}
	{
		struct route_truth_deps tdeps = {
			.self = n->cfg->id, .links = n->links, .bird = n->bird, .ctl = n->ctl
		};
		if ((rc = route_truth_new(&tdeps, &n->route_truth)) < 0) {
			snprintf(err, errlen, "routing: %s", strerror(-rc));
			return rc;
		}
	}
	{
		struct fast_repair_deps fdeps = { .loop = n->loop,
						  .cfg = n->cfg,
						  .plan = n->plan,
						  .links = n->links,
						  .bird = n->bird,
						  .route = &n->route,
						  .ctl = n->ctl };
		if ((rc = fast_repair_new(&fdeps, &n->fast_repair)) < 0) {
			snprintf(err, errlen, "routing: %s", strerror(-rc));
			return rc;
		}
	}
	routing_set_cost_source(n->routing, quality_cost, NULL);
	quality_set_apply(n->quality, quality_apply, n);
	n->ctl_routing = (struct ctl_routing){ .cfg = n->cfg,
					       .plan = n->plan,
					       .links = n->links,
					       .routing = n->routing,
					       .bird = n->bird,
					       .truth = n->route_truth };
	if ((rc = ctl_routing_register(&n->ctl_routing, n->ctl)) < 0) {
		snprintf(err, errlen, "control socket: %s", strerror(-rc));
		return rc;
	}
	{
		struct buildup_deps bdeps = {
			.loop = n->loop, .cfg = n->cfg, .links = n->links, .join = n->join, .ctl = n->ctl
		};
		struct vxlan_deps vdeps = {
			.worker = n->worker, .route = &n->worker_route, .cfg = n->cfg, .plan = n->plan
		};
		if ((rc = buildup_new(&bdeps, &n->buildup)) < 0 || (rc = vxlan_new(&vdeps, &n->vxlan)) < 0) {
			snprintf(err, errlen, "out of memory");
			return rc;
		}
	}
	load_proximity(n);
	/* The config follows the links BIRD sees at start. */
	return routing_request_apply(n->routing, false, NULL, NULL);
}

static void metrics_status(struct wgm_ctl_status *st, void *ctx)
{
	node_fill_status(ctx, st);
}

int node_start(struct loop *loop, struct ctl_server *ctl, const struct wgm_config *cfg, const struct wgm_addrplan *plan,
	       struct node **out, char *err, size_t errlen)
{
	struct node *n = calloc(1, sizeof(*n));
	struct wgm_wg_backend_options wg_opts = { 0 };
	int rc;

	if (!n) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	n->cfg = cfg;
	n->plan = plan;
	n->loop = loop;
	n->ctl = ctl;
	rc = wgm_statefile_ensure_dir(cfg->state_dir, WGM_STATEFILE_DIR_MODE, err, errlen);
	if (rc < 0)
		goto fail;
	rc = wgm_node_identity_load(cfg->state_dir, &n->identity, err, errlen);
	if (rc == -ENOENT) {
		snprintf(err, errlen, "node %u has no keys in %s: run `wgmesh init %u` first", cfg->id, cfg->state_dir,
			 cfg->id);
		goto fail;
	}
	if (rc < 0)
		goto fail;
	if ((rc = wgm_nl_sock_open(&n->route, NETLINK_ROUTE, err, errlen)) < 0)
		goto fail;
	n->route_open = true;
	if ((rc = wgm_nl_sock_open(&n->worker_route, NETLINK_ROUTE, err, errlen)) < 0)
		goto fail;
	n->worker_route_open = true;
	if ((rc = ensure_loopbacks(n, err, errlen)) < 0)
		goto fail;
	flush_own_routes(n);
	wg_opts.kind = cfg->backend == WGM_BACKEND_KERNEL      ? WGM_WG_BACKEND_KERNEL
		       : cfg->backend == WGM_BACKEND_USERSPACE ? WGM_WG_BACKEND_USERSPACE
							       : WGM_WG_BACKEND_AUTO;
	wg_opts.userspace_binary = cfg->wireguard_go;
	if ((rc = wg_output_new(loop, &n->wg_output)) < 0) {
		snprintf(err, errlen, "wireguard-go output: %s", strerror(-rc));
		goto fail;
	}
	wg_opts.output = wg_output_take;
	wg_opts.output_ctx = n->wg_output;
	if ((rc = wgm_wg_backend_open(&wg_opts, &n->worker_route, &n->wg, err, errlen)) < 0)
		goto fail;
	log_info("WireGuard backend: %s", n->wg->ops->name);
	n->sys.wg = n->wg;
	n->sys.route = &n->worker_route;
	if ((rc = worker_new(loop, &n->worker)) < 0) {
		snprintf(err, errlen, "worker thread: %s", strerror(-rc));
		goto fail;
	}
	start_obfs(n);
	{
		struct links_deps deps = { .loop = loop,
					   .worker = n->worker,
					   .sys = &n->sys,
					   .plan = plan,
					   .cfg = cfg,
					   .state_dir = cfg->state_dir,
					   .ctl = ctl };
		if ((rc = links_new(&deps, &n->links)) < 0) {
			snprintf(err, errlen, "%s",
				 rc == -ENOMEM ? "out of memory"
					       : "links: AllowedPrefixes or AllowedPeers is not a list of IP prefixes");
			goto fail;
		}
		n->obfs_hooks = (struct obfs_hooks){ .worker = n->worker, .engine = n->obfs };
		if ((rc = obfs_hooks_register(&n->obfs_hooks, n->links)) < 0) {
			snprintf(err, errlen, "link hooks: %s", strerror(-rc));
			goto fail;
		}
	}
	if ((rc = tokens_open(&n->tokens, cfg, &n->identity, n->worker, err, errlen)) < 0)
		goto fail;
	n->tokens_open = true;
	if ((rc = http_client_new(loop, 0, &n->http)) < 0) {
		snprintf(err, errlen, "HTTP client: %s", strerror(-rc));
		goto fail;
	}
	if ((rc = trust_store_open(&n->trust, loop, cfg, plan, &n->identity, n->links, n->http, err, errlen)) < 0)
		goto fail;
	n->trust_open = true;
	if ((rc = notify_new(loop, n->http, cfg, NULL, &n->notify)) < 0) {
		snprintf(err, errlen, "notifications: %s", strerror(-rc));
		goto fail;
	}
	{
		struct quality_deps deps = { .loop = loop,
					     .worker = n->worker,
					     .links = n->links,
					     .ctl = ctl,
					     .wg = n->wg,
					     .cfg = cfg,
					     .notify = n->notify,
					     .counters = &n->counters };
		if ((rc = quality_new(&deps, &n->quality, err, errlen)) < 0)
			goto fail;
	}
	{
		struct link_expiry_deps deps = { .loop = loop, .links = n->links, .cfg = cfg, .ctl = ctl };
		if ((rc = link_expiry_new(&deps, &n->expiry)) < 0) {
			snprintf(err, errlen, "link expiry: %s", strerror(-rc));
			goto fail;
		}
	}
	{
		struct join_deps deps = { .loop = loop,
					  .cfg = cfg,
					  .plan = plan,
					  .identity = &n->identity,
					  .links = n->links,
					  .http = n->http,
					  .ctl = ctl,
					  .trust = &n->trust,
					  .token_joined = on_token_joined,
					  .token_joined_ctx = n };
		if ((rc = join_new(&deps, &n->join)) < 0) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
	}
	n->ctl_links.links = n->links;
	n->ctl_links.join = n->join;
	n->ctl_links.disconnect = (struct disconnect_deps){ .cfg = cfg,
							    .plan = plan,
							    .identity = &n->identity,
							    .links = n->links,
							    .http = n->http,
							    .loop = loop,
							    .waiting = &n->disconnect_waiting };
	{
		struct rotation_deps deps = { .loop = loop,
					      .cfg = cfg,
					      .plan = plan,
					      .identity = &n->identity,
					      .links = n->links,
					      .http = n->http,
					      .ctl = ctl,
					      .link_view = rotation_link_view,
					      .notify_failure = rotation_notify,
					      .drain_cost = COST_DRAIN_DEFAULT,
					      .ctx = n };
		if ((rc = rotation_new(&deps, &n->rotation)) < 0) {
			snprintf(err, errlen, "key rotation: %s", strerror(-rc));
			goto fail;
		}
	}
	if ((rc = tokens_register(&n->tokens, ctl)) < 0 || (rc = ctl_links_register(&n->ctl_links, ctl)) < 0 ||
	    (rc = trust_store_register(&n->trust, ctl)) < 0 || (rc = quality_register(n->quality, ctl)) < 0 ||
	    (rc = rotation_register(n->rotation, ctl)) < 0) {
		snprintf(err, errlen, "control socket: %s", strerror(-rc));
		goto fail;
	}
	if ((rc = start_routing(n, err, errlen)) < 0)
		goto fail;
	n->ctl_proximity = (struct ctl_proximity){ .cfg = cfg,
						   .plan = plan,
						   .identity = &n->identity,
						   .links = n->links,
						   .join = n->join,
						   .disconnect = &n->ctl_links.disconnect,
						   .http = n->http,
						   .worker = n->worker,
						   .bird = n->bird,
						   .buildup = n->buildup };
	if ((rc = ctl_proximity_register(&n->ctl_proximity, ctl)) < 0) {
		snprintf(err, errlen, "control socket: %s", strerror(-rc));
		goto fail;
	}
	buildup_set_screen(n->buildup, ctl_proximity_screen, &n->ctl_proximity);
	{
		struct self_repair_deps deps = { .loop = loop,
						 .cfg = cfg,
						 .plan = plan,
						 .identity = &n->identity,
						 .links = n->links,
						 .http = n->http,
						 .bird = n->bird,
						 .ctl = ctl,
						 .notify = n->notify };
		if ((rc = self_repair_new(&deps, &n->self_repair)) < 0) {
			snprintf(err, errlen, "self-repair: %s", strerror(-rc));
			goto fail;
		}
	}
	if ((rc = links_start(n->links, err, errlen)) < 0)
		goto fail;
	{
		struct node_api_deps deps = { .loop = loop,
					      .cfg = cfg,
					      .plan = plan,
					      .identity = &n->identity,
					      .links = n->links,
					      .tokens = &n->tokens,
					      .outgoing_wins = outgoing_wins,
					      .id_in_mesh = id_in_mesh,
					      .ctx = n,
					      .counters = &n->counters,
					      .trust = &n->trust,
					      .http = n->http };
		if ((rc = node_api_new(&deps, &n->api, err, errlen)) < 0)
			goto fail;
	}
	{
		struct metrics_deps deps = { .loop = loop,
					     .cfg = cfg,
					     .links = n->links,
					     .counters = &n->counters,
					     .fill_status = metrics_status,
					     .ctx = n };
		if ((rc = metrics_new(&deps, &n->metrics, err, errlen)) < 0)
			goto fail;
		if ((rc = metrics_register(n->metrics, ctl)) < 0) {
			snprintf(err, errlen, "control socket: %s", strerror(-rc));
			goto fail;
		}
	}
	*out = n;
	return 0;
fail:
	node_stop(n);
	return rc;
}

void node_stop(struct node *n)
{
	if (!n)
		return;
	/* Outside callers first, so nothing new starts; then the HTTP client,
	 * whose cancelled calls release their owners; then the worker, whose
	 * last jobs still report into the link table and the quality part;
	 * then the quality part, which lets go of the link table. */
	metrics_free(n->metrics);
	node_api_free(n->api);
	/* Before the watcher it reads (link JSON may still be built later). */
	route_truth_free(n->route_truth);
	n->route_truth = NULL;
	/* Its routes go while the link table still names their links. */
	interim_routes_stop(n->interim);
	/* Its routes go with it; before the watcher it reads. */
	fast_repair_free(n->fast_repair);
	n->fast_repair = NULL;
	bird_watch_free(n->bird);
	disconnect_stop(&n->disconnect_waiting);
	ctl_proximity_stop(&n->ctl_proximity);
	self_repair_stop(n->self_repair);
	rotation_stop(n->rotation);
	http_client_free(n->http);
	join_free(n->join);
	buildup_free(n->buildup);
	vxlan_free(n->vxlan);
	worker_free(n->worker);
	/* After the worker, whose last saves report to it. */
	rotation_free(n->rotation);
	self_repair_free(n->self_repair);
	/* After the worker, whose jobs use it. Its rules stay: obfuscated
	 * flows are dropped until the next start, never sent plain. */
	obfs_engine_free(n->obfs);
	quality_free(n->quality);
	link_expiry_free(n->expiry);
	notify_free(n->notify);
	links_free(n->links);
	/* After the link table: its last hooks still reach routing. */
	routing_free(n->routing);
	interim_routes_free(n->interim);
	/* After the HTTP client, whose cancelled /trust calls report to it. */
	if (n->trust_open)
		trust_store_close(&n->trust);
	if (n->tokens_open)
		tokens_close(&n->tokens);
	wg_backend_close(n->wg);
	/* After the worker, which hands it the pipes of processes it starts. */
	wg_output_free(n->wg_output);
	if (n->worker_route_open)
		wgm_nl_sock_close(&n->worker_route);
	if (n->route_open)
		wgm_nl_sock_close(&n->route);
	wgm_node_identity_wipe(&n->identity);
	free(n);
}

void node_config_changed(struct node *n, const char *key)
{
	if (strcmp(key, "mesh") == 0)
		buildup_config_changed(n->buildup);
	else if (strcmp(key, "vxlan") == 0)
		vxlan_config_changed(n->vxlan);
	else if (strcmp(key, "xorRotateInterval") == 0)
		rotation_config_changed(n->rotation, key);
	else if (strcmp(key, "logLevel") != 0 && strcmp(key, "handshakeTimeout") != 0 &&
		 strcmp(key, "cleanAfter") != 0 && strncmp(key, "repair", 6) != 0) {
		quality_config_changed(n->quality, key);
		if (strcmp(key, "AllowedPrefixes") == 0 || strcmp(key, "AllowedPeers") == 0)
			links_sources_changed(n->links);
		routing_request_apply(n->routing, true, NULL, NULL);
	}
}

void node_fill_status(struct node *n, struct wgm_ctl_status *st)
{
	st->links_total = (long long)links_count(n->links);
	st->links_up = (long long)links_count_active(n->links);
	st->bird = bird_watch_up(n->bird) ? "up" : "down";
	st->mesh = buildup_state_name(buildup_state(n->buildup));
	st->proximity = proximity_state_active(buildup_proximity(n->buildup));
	st->proximity_cutoff_ms = buildup_proximity(n->buildup)->cutoff_ms;
	if (bird_watch_up(n->bird)) {
		size_t nodes = mesh_nodes_count(bird_watch_nodes(n->bird));
		/* This node counts even before BIRD routes its own loopback. */
		st->nodes = (long long)(mesh_nodes_has(bird_watch_nodes(n->bird), n->cfg->id) ? nodes : nodes + 1);
	}
}
