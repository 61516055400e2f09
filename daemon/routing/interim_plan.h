/* Interim routes, the decisions (pure): kernel routes wgmeshd writes itself
 * so that a node that just joined is reachable before OSPF routes it. BIRD
 * 2.0.12's fixed timers hold a router-LSA back for up to 5 s (MinLSInterval)
 * and a dropped one 2 s more (MinLSArrival, retransmit), while a new link
 * carries packets about a second after it is made (docs/routing.md, "Interim
 * routes"). Two kinds, each a start-up aid with a fixed end:
 *  - direct: a linked node's loopbacks (its IPv4 /30, its IPv6 /48) over the
 *    link, at WGM_KERNEL_METRIC_DIRECT, worse than BIRD's: OSPF's route of the
 *    same prefix wins as soon as there is one. Made when a link comes up and
 *    BIRD does not route that node (in that family); gone once it does, when
 *    the link goes, or after INTERIM_CAP_MS.
 *  - sponsor: after a token join, the mesh's aggregates (the prefixes of
 *    BIRD's mesh_unreachable) over the link to the node joined through, at
 *    WGM_KERNEL_METRIC_SPONSOR, better than BIRD's unreachable aggregate of the
 *    same prefix; every more specific route (OSPF's) still wins. The sponsor
 *    has a direct route back. Gone once BIRD routes the sponsor and the
 *    routed set has held still for INTERIM_SETTLE_MS, when the link goes, or
 *    after INTERIM_CAP_MS.
 * The plan says what to add and delete through a callback; interim_routes.c
 * writes that to the kernel. */
#ifndef WGM_DAEMON_INTERIM_PLAN_H
#define WGM_DAEMON_INTERIM_PLAN_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/config/addrplan.h"
#include "common/netlink/nl_route_table.h"
#include "daemon/links/link_record.h"
#include "daemon/mesh/mesh_nodes.h"

/* No interim route lives longer, whatever OSPF does. */
#define INTERIM_CAP_MS 60000
/* How long the routed set must hold still (with the sponsor routed) before
 * the sponsor route goes: longer than one router-LSA round of BIRD's (5 s
 * MinLSInterval, 2 s retransmit, the 1 s tick), so a node the sponsor
 * reaches but OSPF does not yet show keeps its path. */
#define INTERIM_SETTLE_MS 10000

enum interim_kind {
	INTERIM_DIRECT,
	INTERIM_SPONSOR,
};

enum interim_family {
	INTERIM_V4,
	INTERIM_V6,
	INTERIM_FAMILIES,
};

/* Why a route was added or goes (for the log). */
enum interim_reason {
	INTERIM_NOT_ROUTED, /* add: BIRD does not route the node yet */
	INTERIM_JOINED,     /* add: a token join through the sponsor */
	INTERIM_ROUTED,     /* BIRD routes the node */
	INTERIM_SETTLED,    /* BIRD routes the sponsor, the routed set held still */
	INTERIM_LINK_GONE,  /* the link left or is no longer active */
	INTERIM_REPLACED,   /* a later token join went through another link */
	INTERIM_CAPPED,     /* INTERIM_CAP_MS passed */
	INTERIM_STOPPING,   /* the daemon stops */
};

const char *interim_reason_text(enum interim_reason why);

/* A member link as the plan needs it. */
struct interim_link {
	const char *name;
	unsigned remote_id;
	int ifindex;
	struct in_addr remote4; /* the other end's link addresses: the gateways */
	struct in6_addr remote6;
};

struct interim_route {
	enum interim_kind kind;
	unsigned remote_id; /* direct: the node reached; sponsor: the sponsor */
	char link[LINK_NAME_MAX + 1];
	struct wgm_nl_route_spec spec;
	int64_t since_ms; /* when it was planned (the cap counts from here) */
};

/* ADD: write R into the kernel; else delete it. */
typedef void (*interim_apply_fn)(bool add, const struct interim_route *r, enum interim_reason why, void *ctx);

struct interim_params {
	const struct wgm_addrplan *plan;
	unsigned self_id;
	/* Families OSPF runs in (bird.ospfv2, bird.ospfv3): in another, BIRD
	 * would never take over and the route would live until the cap. */
	bool family_on[INTERIM_FAMILIES];
	/* BIRD's mesh_unreachable aggregates (the mesh subnet, fd10::/16). */
	struct wgm_nl_ip aggregate[INTERIM_FAMILIES];
	unsigned aggregate_len[INTERIM_FAMILIES];
};

struct interim_slot {
	bool live;    /* in the kernel (as far as the plan knows) */
	bool pending; /* waiting for BIRD's first answer before it is decided */
	struct interim_route r;
};

struct interim_plan {
	struct interim_params p;
	interim_apply_fn apply;
	void *ctx;
	struct interim_slot direct[MESH_NODES_MAX][INTERIM_FAMILIES];
	struct interim_slot sponsor[INTERIM_FAMILIES];
	bool have_routes; /* BIRD's routes were read at least once */
	bool routed[MESH_NODES_MAX][INTERIM_FAMILIES];
	int64_t routes_changed_ms; /* when the routed set last changed */
};

/* PLAN is large: allocate it. Nothing is live after init. */
void interim_plan_init(struct interim_plan *plan, const struct interim_params *p, interim_apply_fn apply, void *ctx);

/* LINK became active. A direct route per family BIRD does not route the
 * other node in (decided at BIRD's first answer when there was none yet). */
void interim_plan_link_up(struct interim_plan *plan, const struct interim_link *link, int64_t now_ms);
/* This node joined the mesh with a token through LINK's other end. */
void interim_plan_joined(struct interim_plan *plan, const struct interim_link *link, int64_t now_ms);
/* Every route over the link NAME goes. */
void interim_plan_link_gone(struct interim_plan *plan, const char *name);
/* BIRD's routes, every second: takes what it routes, then ends what is no
 * longer needed (interim_plan_tick). */
void interim_plan_routes(struct interim_plan *plan, const struct mesh_nodes *nodes, int64_t now_ms);
/* Ends routes past the cap or whose reason to be is gone. LINK_ACTIVE (may
 * be NULL) says whether a link of that name is still active. */
void interim_plan_tick(struct interim_plan *plan, int64_t now_ms, bool (*link_active)(const char *name, void *ctx),
		       void *ctx);
/* Every live route goes (the daemon stops). */
void interim_plan_clear(struct interim_plan *plan);
/* Anything live or pending (worth a tick). */
bool interim_plan_busy(const struct interim_plan *plan);

#endif
