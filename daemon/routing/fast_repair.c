#include "daemon/routing/fast_repair.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bird/parse.h"
#include "common/ctl/ctlproto.h"
#include "common/util/clock.h"
#include "common/util/err.h"
#include "common/util/log.h"
#include "daemon/mesh/mesh_graph.h"
#include "daemon/quality/quality.h"
#include "daemon/routing/bird_poll.h"
#include "daemon/routing/repair_lfa.h"

/* A reply missing this long means BIRD is stuck: reconnect. */
#define STALL_MS 2000
/* While BIRD's socket refuses, try again this often, not every poll. */
#define RECONNECT_MS 1000
/* Links considered as alternates (a node has at most one per peer and
 * transport). */
#define CAND_MAX (2 * MESH_NODES_MAX)

struct repair {
	char prefix[BIRD_PREFIX_MAX];
	char dead[BIRD_IFNAME_MAX]; /* the link BFD found dead */
	char via[BIRD_IFNAME_MAX];  /* the alternate */
	struct wgm_nl_route_spec spec;
	int64_t until_ms;
};

struct fast_repair {
	struct fast_repair_deps d;
	struct bird_poll *poll;
	struct bird_bfd_sessions last; /* the previous answer */
	/* Links with a session that left Up and none Up again since. */
	char (*dead)[BIRD_IFNAME_MAX];
	size_t n_dead;
	struct repair *repairs;
	size_t n_repairs;
	char last_err[256];
};

size_t fast_repair_count(const struct fast_repair *fr)
{
	return fr->n_repairs;
}

static bool is_dead(const struct fast_repair *fr, const char *ifname)
{
	for (size_t i = 0; i < fr->n_dead; i++)
		if (strcmp(fr->dead[i], ifname) == 0)
			return true;
	return false;
}

static int mark_dead(struct fast_repair *fr, const char *ifname)
{
	char(*more)[BIRD_IFNAME_MAX];

	if (is_dead(fr, ifname))
		return 0;
	if (!(more = realloc(fr->dead, (fr->n_dead + 1) * sizeof(*fr->dead))))
		return -ENOMEM;
	fr->dead = more;
	snprintf(fr->dead[fr->n_dead++], BIRD_IFNAME_MAX, "%s", ifname);
	return 0;
}

static void unmark_dead(struct fast_repair *fr, const char *ifname)
{
	for (size_t i = 0; i < fr->n_dead; i++)
		if (strcmp(fr->dead[i], ifname) == 0) {
			memmove(&fr->dead[i], &fr->dead[i + 1], (fr->n_dead - i - 1) * sizeof(*fr->dead));
			fr->n_dead--;
			return;
		}
}

static void publish(struct fast_repair *fr, const char *action, const char *dead, const char *via, int node,
		    const char *reason, json_t *prefixes)
{
	json_t *ev;

	if (!fr->d.ctl || !(ev = wgm_ctl_event_new(WGM_CTL_EVENT_FAST_REPAIR))) {
		json_decref(prefixes);
		return;
	}
	json_object_set_new(ev, "action", json_string(action));
	json_object_set_new(ev, "link", json_string(dead));
	if (via)
		json_object_set_new(ev, "via", json_string(via));
	if (node >= 0)
		json_object_set_new(ev, "node", json_integer(node));
	if (reason)
		json_object_set_new(ev, "reason", json_string(reason));
	json_object_set_new(ev, "prefixes", prefixes ? prefixes : json_array());
	ctl_server_publish(fr->d.ctl, ev);
}

/* ---- removal ---- */

static const struct bird_route *bird_route_of(const struct bird_routes *routes, const char *prefix)
{
	for (size_t i = 0; routes && i < routes->n; i++)
		if (routes->items[i].primary && strcmp(routes->items[i].prefix, prefix) == 0)
			return &routes->items[i];
	return NULL;
}

static bool leaves_on(const struct bird_route *r, const char *ifname)
{
	for (size_t i = 0; r && i < r->n_nexthops; i++)
		if (strcmp(r->nexthops[i].ifname, ifname) == 0)
			return true;
	return false;
}

/* Why repair R must go now, or NULL. */
static const char *reason_to_remove(const struct fast_repair *fr, const struct repair *r, int64_t now)
{
	const struct bird_routes *routes = bird_watch_routes(fr->d.bird);

	if (!fr->d.cfg->bird.fast_repair)
		return "off";
	if (!is_dead(fr, r->dead))
		return "bfd_up";
	if (now >= r->until_ms)
		return "expired";
	/* BIRD's routes unknown (BIRD down): only the cap ends it. */
	if (routes && !leaves_on(bird_route_of(routes, r->prefix), r->dead))
		return "bird";
	return NULL;
}

static void route_del(struct fast_repair *fr, const struct repair *r)
{
	char err[256];
	int rc = wgm_nl_route_table_del(fr->d.route, &r->spec, err, sizeof(err));

	/* Gone already: its device went, taking the route with it. */
	if (rc < 0 && rc != -ESRCH && rc != -ENODEV)
		log_warn("fast repair: %s", err);
}

/* Removes the repairs of dead link DEAD that have REASON, with one log line
 * and one event for all of them. */
static void remove_group(struct fast_repair *fr, const char *dead, const char *reason, int64_t now)
{
	json_t *prefixes = json_array();
	size_t n = 0, k = 0;
	char via[BIRD_IFNAME_MAX] = "";

	for (size_t i = 0; i < fr->n_repairs; i++) {
		struct repair *r = &fr->repairs[i];
		const char *why = reason_to_remove(fr, r, now);
		if (strcmp(r->dead, dead) != 0 || !why || strcmp(why, reason) != 0) {
			fr->repairs[k++] = *r;
			continue;
		}
		route_del(fr, r);
		snprintf(via, sizeof(via), "%s", r->via);
		if (prefixes)
			json_array_append_new(prefixes, json_string(r->prefix));
		n++;
	}
	fr->n_repairs = k;
	if (!n) {
		json_decref(prefixes);
		return;
	}
	log_info("fast repair: %zu route%s off %s removed (%s)", n, n == 1 ? "" : "s", dead,
		 strcmp(reason, "bird") == 0      ? "BIRD's OSPF has moved them"
		 : strcmp(reason, "bfd_up") == 0  ? "BFD is up again"
		 : strcmp(reason, "expired") == 0 ? "time limit"
						  : "fastRepair turned off");
	publish(fr, "removed", dead, via[0] ? via : NULL, -1, reason, prefixes);
}

static void check_removals(struct fast_repair *fr)
{
	int64_t now = wgm_mono_ms();

	for (size_t i = 0; i < fr->n_repairs;) {
		const char *why = reason_to_remove(fr, &fr->repairs[i], now);
		if (!why) {
			i++;
			continue;
		}
		char dead[BIRD_IFNAME_MAX];
		snprintf(dead, sizeof(dead), "%s", fr->repairs[i].dead);
		remove_group(fr, dead, why, now); /* removes repairs[i] too: start over */
		i = 0;
	}
}

/* ---- repair ---- */

/* The links that can take traffic now: OSPF adjacency Full, BFD not down. */
static size_t live_links(struct fast_repair *fr, const struct bird_ospf_neighbors *nbrs, struct repair_lfa_link *out,
			 const struct link **lk, size_t max)
{
	size_t n = 0;

	for (struct link *l = links_first(fr->d.links); l && n < max; l = l->next) {
		const char *st = bird_ospf_neighbor_state(nbrs, l->rec.name);
		unsigned cost = quality_bird_cost(l);
		if (!st || strcmp(st, "Full") != 0 || is_dead(fr, l->rec.name) || l->rec.remote_id >= MESH_NODES_MAX)
			continue;
		out[n] = (struct repair_lfa_link){ .node = l->rec.remote_id, .cost = cost ? cost : 1 };
		lk[n++] = l;
	}
	return n;
}

/* Routes the kernel has from BIRD (bird/conf_gen.c's kernel_export): OSPF's
 * unicast ones, not the link /31s and link-local /64s nor those on lo. */
static bool repairable(const struct bird_route *r, const char *dead)
{
	if (!r->primary || r->type != BIRD_ROUTE_UNICAST || strncmp(r->proto, "ospf", 4) != 0 || !leaves_on(r, dead) ||
	    leaves_on(r, "lo"))
		return false;
	if (strchr(r->prefix, ':'))
		return strncmp(r->prefix, "fe8", 3) != 0 && strncmp(r->prefix, "fe9", 3) != 0 &&
		       strncmp(r->prefix, "fea", 3) != 0 && strncmp(r->prefix, "feb", 3) != 0;
	return !strstr(r->prefix, "/31");
}

static const char *neighbor_address(const struct bird_ospf_neighbors *nbrs, const char *proto, const char *ifname)
{
	for (size_t i = 0; i < nbrs->n; i++)
		if (strcmp(nbrs->items[i].proto, proto) == 0 && strcmp(nbrs->items[i].ifname, ifname) == 0)
			return nbrs->items[i].address;
	return NULL;
}

static int build_spec(const struct fast_repair *fr, const struct bird_route *br, const char *gateway,
		      const char *ifname, struct wgm_nl_route_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	if (wgm_nl_ip_prefix_parse(br->prefix, &spec->dst, &spec->prefixlen) < 0 ||
	    wgm_nl_ip_parse(gateway, &spec->gateway) < 0 || spec->gateway.family != spec->dst.family)
		return -EINVAL;
	if (!(spec->ifindex = (int)if_nametoindex(ifname)))
		return -ENODEV;
	spec->metric = WGM_KERNEL_METRIC_REPAIR;
	/* As BIRD's kernel protocol does (krt_prefsrc): what this node starts
	 * keeps its loopback as source, which every node routes. */
	if (wgm_addrplan_loopback_ip(fr->d.plan, fr->d.cfg->id, spec->dst.family, &spec->prefsrc, NULL) < 0)
		return -EINVAL;
	return 0;
}

static struct repair *repair_slot(struct fast_repair *fr, const char *prefix)
{
	struct repair *more;

	for (size_t i = 0; i < fr->n_repairs; i++)
		if (strcmp(fr->repairs[i].prefix, prefix) == 0)
			return &fr->repairs[i];
	if (!(more = realloc(fr->repairs, (fr->n_repairs + 1) * sizeof(*fr->repairs))))
		return NULL;
	fr->repairs = more;
	memset(&fr->repairs[fr->n_repairs], 0, sizeof(*fr->repairs));
	return &fr->repairs[fr->n_repairs++];
}

/* Moves every route BIRD has on DEAD to its best loop-free alternate; one
 * log line and event per alternate link used. */
static void repair_link(struct fast_repair *fr, const char *dead)
{
	const struct mesh_graph *g = bird_watch_graph(fr->d.bird);
	const struct bird_routes *routes = bird_watch_routes(fr->d.bird);
	const struct bird_ospf_neighbors *nbrs = bird_watch_ospf_neighbors(fr->d.bird);
	struct repair_lfa_link cand[CAND_MAX];
	const struct link *cand_link[CAND_MAX];
	size_t n_cand, moved = 0, no_lfa = 0;
	json_t *groups[CAND_MAX] = { 0 };
	size_t group_n[CAND_MAX] = { 0 };
	int64_t now = wgm_mono_ms();
	struct repair_lfa_dists *dists;

	if (!g || !routes || !nbrs) {
		log_info("fast repair: %s is down (BFD); BIRD's routes or OSPF graph not known yet, OSPF moves them",
			 dead);
		return;
	}
	/* 512 KiB, only while a link dies. */
	if (!(dists = malloc(sizeof(*dists)))) {
		log_err("fast repair: out of memory");
		return;
	}
	n_cand = live_links(fr, nbrs, cand, cand_link, WGM_ARRAY_LEN(cand));
	repair_lfa_dists_init(dists, g);
	for (size_t i = 0; i < routes->n; i++) {
		const struct bird_route *br = &routes->items[i];
		int dst, pick;
		const char *gw;
		struct wgm_nl_route_spec spec;
		struct repair *slot;
		char err[256];

		if (!repairable(br, dead))
			continue;
		dst = mesh_graph_node_of_router(fr->d.plan, br->attrs);
		if (dst < 0 || (unsigned)dst == fr->d.cfg->id)
			continue;
		pick = repair_lfa_choose(dists, fr->d.cfg->id, (unsigned)dst, cand, n_cand);
		if (pick < 0 || !(gw = neighbor_address(nbrs, br->proto, cand_link[pick]->rec.name)) ||
		    build_spec(fr, br, gw, cand_link[pick]->rec.name, &spec) < 0) {
			no_lfa++;
			continue;
		}
		if (wgm_nl_route_table_add(fr->d.route, &spec, err, sizeof(err)) < 0) {
			log_warn("fast repair: %s", err);
			continue;
		}
		if (!(slot = repair_slot(fr, br->prefix))) {
			/* Untracked, it would outlive its reason: take it back. */
			wgm_nl_route_table_del(fr->d.route, &spec, err, sizeof(err));
			log_err("fast repair: out of memory");
			break;
		}
		snprintf(slot->prefix, sizeof(slot->prefix), "%s", br->prefix);
		snprintf(slot->dead, sizeof(slot->dead), "%s", dead);
		snprintf(slot->via, sizeof(slot->via), "%s", cand_link[pick]->rec.name);
		slot->spec = spec;
		slot->until_ms = now + FAST_REPAIR_MAX_MS;
		moved++;
		if (!groups[pick])
			groups[pick] = json_array();
		if (groups[pick])
			json_array_append_new(groups[pick], json_string(br->prefix));
		group_n[pick]++;
	}
	free(dists);
	for (size_t c = 0; c < n_cand; c++) {
		if (!group_n[c])
			continue;
		log_notice("fast repair: %s is down (BFD): %zu route%s moved to node %u over %s until OSPF catches up",
			   dead, group_n[c], group_n[c] == 1 ? "" : "s", cand[c].node, cand_link[c]->rec.name);
		publish(fr, "installed", dead, cand_link[c]->rec.name, (int)cand[c].node, NULL, groups[c]);
	}
	if (no_lfa)
		log_info("fast repair: %s is down (BFD): %zu route%s without a loop-free alternate, left to OSPF", dead,
			 no_lfa, no_lfa == 1 ? "" : "s");
	else if (!moved)
		log_info("fast repair: %s is down (BFD); no route of BIRD's leaves on it", dead);
}

/* ---- BFD sessions ---- */

static const struct bird_bfd_session *session_in(const struct bird_bfd_sessions *ss,
						 const struct bird_bfd_session *want)
{
	for (size_t i = 0; i < ss->n; i++)
		if (strcmp(ss->items[i].proto, want->proto) == 0 && strcmp(ss->items[i].address, want->address) == 0 &&
		    strcmp(ss->items[i].ifname, want->ifname) == 0)
			return &ss->items[i];
	return NULL;
}

/* A dead link is back when one of its sessions comes Up (was absent or
 * not Up in the previous answer): its other session (OSPFv3's beside
 * OSPFv2's) may still show Up for a moment after the first went. */
static bool link_came_up(const struct bird_bfd_sessions *last, const struct bird_bfd_sessions *now, const char *ifname)
{
	for (size_t i = 0; i < now->n; i++) {
		const struct bird_bfd_session *was;
		if (strcmp(now->items[i].ifname, ifname) != 0 || strcmp(now->items[i].state, "Up") != 0)
			continue;
		if (!(was = session_in(last, &now->items[i])) || strcmp(was->state, "Up") != 0)
			return true;
	}
	return false;
}

static bool proto_listed(const struct bird_bfd_sessions *ss, const char *proto)
{
	for (size_t i = 0; i < ss->n; i++)
		if (strcmp(ss->items[i].proto, proto) == 0)
			return true;
	return false;
}

static void take_sessions(struct fast_repair *fr, struct bird_bfd_sessions *now)
{
	size_t first_new = fr->n_dead;

	/* A session that was Up and is not, or is gone (OSPF drops its BFD
	 * request when the neighbour goes): its link is dead now. Not when
	 * its protocol lists no session at all any more: BIRD restarted it.
	 * All links found dead in one answer are marked before any repair, so
	 * none is chosen as another's alternate. */
	for (size_t i = 0; i < fr->last.n; i++) {
		const struct bird_bfd_session *was = &fr->last.items[i];
		const struct bird_bfd_session *is = session_in(now, was);
		if (strcmp(was->state, "Up") != 0 || (is && strcmp(is->state, "Up") == 0) ||
		    (!is && !proto_listed(now, was->proto)) || strcmp(was->ifname, "---") == 0 ||
		    is_dead(fr, was->ifname))
			continue;
		if (mark_dead(fr, was->ifname) < 0)
			log_err("fast repair: out of memory");
	}
	for (size_t i = first_new; i < fr->n_dead && fr->d.cfg->bird.fast_repair; i++)
		repair_link(fr, fr->dead[i]);
	for (size_t i = 0; i < fr->n_dead;) {
		if (link_came_up(&fr->last, now, fr->dead[i])) {
			char name[BIRD_IFNAME_MAX];
			snprintf(name, sizeof(name), "%s", fr->dead[i]);
			unmark_dead(fr, name);
			continue;
		}
		i++;
	}
	bird_bfd_sessions_free(&fr->last);
	fr->last = *now;
}

/* ---- BIRD's socket ---- */

static void on_down(const char *err, void *ctx)
{
	struct fast_repair *fr = ctx;

	(void)err;
	/* Sessions seen again after a reconnect are not changes. */
	bird_bfd_sessions_free(&fr->last);
}

static void on_reply(struct bird_reply *reply, void *ctx)
{
	struct fast_repair *fr = ctx;
	struct bird_bfd_sessions now;
	char err[256];
	int rc = bird_parse_bfd_sessions(reply, &now, err, sizeof(err));

	if (rc < 0) {
		/* No BFD protocol (no links yet) is normal; anything else is said once. */
		if (rc == -EPROTO && strcmp(err, fr->last_err) != 0)
			log_warn("fast repair: BIRD's BFD sessions: %s", err);
		snprintf(fr->last_err, sizeof(fr->last_err), "%s", err);
		bird_bfd_sessions_free(&fr->last);
		return;
	}
	fr->last_err[0] = '\0';
	take_sessions(fr, &now);
}

static void on_read(void *ctx)
{
	check_removals(ctx);
}

/* Repairs end on time even while BIRD is away; with fastRepair off BIRD is
 * not asked and nothing is dead. */
static bool on_tick(void *ctx)
{
	struct fast_repair *fr = ctx;

	check_removals(fr);
	if (!fr->d.cfg->bird.fast_repair) {
		fr->n_dead = 0;
		return false;
	}
	return true;
}

static void on_ask(void *ctx)
{
	struct fast_repair *fr = ctx;

	bird_poll_ask(fr->poll, "show bfd sessions");
}

int fast_repair_new(const struct fast_repair_deps *deps, struct fast_repair **out)
{
	struct fast_repair *fr = calloc(1, sizeof(*fr));
	int rc;

	if (!fr)
		return -ENOMEM;
	fr->d = *deps;
	rc = bird_poll_new(&(struct bird_poll_deps){ .loop = deps->loop,
						     .socket_path = deps->cfg->bird_socket,
						     .first_ms = FAST_REPAIR_POLL_MS,
						     .period_ms = FAST_REPAIR_POLL_MS,
						     .stall_ms = STALL_MS,
						     .reconnect_ms = RECONNECT_MS,
						     .tick = on_tick,
						     .ask = on_ask,
						     .reply = on_reply,
						     .read = on_read,
						     .down = on_down,
						     .ctx = fr },
			   &fr->poll);
	if (rc < 0) {
		fast_repair_free(fr);
		return rc;
	}
	*out = fr;
	return 0;
}

void fast_repair_free(struct fast_repair *fr)
{
	if (!fr)
		return;
	bird_poll_free(fr->poll);
	bird_bfd_sessions_free(&fr->last);
	for (size_t i = 0; i < fr->n_repairs; i++)
		route_del(fr, &fr->repairs[i]);
	free(fr->repairs);
	free(fr->dead);
	free(fr);
}

void fast_repair_on_routes(struct fast_repair *fr)
{
	if (fr)
		check_removals(fr);
}
