/* What the daemon wants BIRD to do, as plain values: the input of
 * bird_conf_render(). The caller owns every array and string. */
#ifndef WGM_BIRD_CONF_MODEL_H
#define WGM_BIRD_CONF_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Same order and names as the daemon's own levels (common/util/log.h). */
enum bird_conf_loglevel {
	BIRD_CONF_LOG_ERR,
	BIRD_CONF_LOG_WARNING,
	BIRD_CONF_LOG_INFO,
	BIRD_CONF_LOG_DEBUG,
};

/* syslog on real servers; stderr in the lab and tests, where BIRD runs in
 * the foreground and no syslog daemon listens. */
enum bird_conf_log_target {
	BIRD_CONF_LOG_SYSLOG,
	BIRD_CONF_LOG_STDERR,
};

/* OSPF's interface cost range (RFC 2328 16 bits; 0 is not a cost). Every
 * layer that holds a cost (links, path quality, routing) checks against it. */
#define BIRD_OSPF_COST_MIN 1
#define BIRD_OSPF_COST_MAX 65535

enum bird_conf_iface_type {
	BIRD_CONF_PTP,
	BIRD_CONF_PTMP,
};

/* One link interface (a WireGuard link) inside one OSPF area. It runs both
 * OSPFv2 and OSPFv3 whatever its transport: the tunnel carries both families. */
struct bird_conf_iface {
	const char *ifname; /* "pipe2", "pipe2v6" */
	uint32_t cost;      /* 1..65535 */
	enum bird_conf_iface_type type;
	bool v6_transport; /* the WireGuard endpoint is IPv6 (shown as a comment) */
	/* ptmp only: the remote end's link addresses. PtMP in BIRD is
	 * non-broadcast, so it needs its neighbours listed. NULL = none. */
	const char *neighbor4; /* "10.0.0.5" */
	const char *neighbor6; /* "fe82:0:0:0:0:0:0:5" (link-local scope) */
	/* OSPFv2: the link's own IPv4 prefix ("10.0.0.4/31"), kept out of the
	 * router-LSA (a hidden stubnet). NULL = announced as BIRD does by default. */
	const char *link_prefix4;
};

struct bird_conf_area {
	uint32_t id; /* 0 = backbone */
	const struct bird_conf_iface *ifaces;
	size_t n_ifaces;
};

/* A BGP peering link (`wgmesh peer`) to another network. */
struct bird_conf_bgp_peer {
	const char *ifname;   /* "pipePeer7" */
	const char *neighbor; /* remote link address, IPv4 or IPv6 */
	uint32_t remote_as;
};

/* A prefix and the lengths of routes inside it that match ("10.0.0.0/16",
 * 30, 32 is BIRD's 10.0.0.0/16{30,32}). */
struct bird_conf_range {
	const char *prefix;
	unsigned min_len, max_len;
};

/* A node's loopbacks and the one router that may announce them: its router
 * id (its IPv4 loopback, 10.0.N.1). */
struct bird_conf_owner {
	const char *router_id; /* "10.0.2.1" */
	const char *loopback4; /* "10.0.2.0/30" */
	const char *loopback6; /* "fd10:0:2::/48"; NULL = none */
};

struct bird_conf_model {
	uint32_t node_id;         /* router id is 10.0.ID.1 (loopback4) */
	const char *loopback4;    /* "10.0.2.1": router id and kernel source address */
	const char *loopback6;    /* "fd10:0:2::1"; NULL = no IPv6 source address */
	const char *mesh_subnet4; /* "10.0.0.0/16" */
	const char *mesh_subnet6; /* "fd10::/16"; NULL = no IPv6 aggregate */
	bool ospfv2;
	bool ospfv3;
	bool client;   /* stub router: never a transit hop (IDs >= 200) */
	uint32_t tick; /* OSPF SPF period, seconds, 1..255 */
	enum bird_conf_loglevel loglevel;
	enum bird_conf_log_target log_target;
	const struct bird_conf_area *areas; /* the first one holds the loopback */
	size_t n_areas;
	uint32_t local_as; /* for BGP peers; required when n_bgp_peers > 0 */
	const struct bird_conf_bgp_peer *bgp_peers;
	size_t n_bgp_peers;
	const char *const *allowed_peers; /* prefixes accepted from BGP peers */
	size_t n_allowed_peers;
	/* What OSPF may bring in and the kernel may get from it: the mesh's own
	 * ranges (at least one per family) and the operator's AllowedPrefixes
	 * (each with its subnets). A member announcing anything else is ignored. */
	const struct bird_conf_range *mesh_ranges;
	size_t n_mesh_ranges;
	const char *const *allowed_prefixes;
	size_t n_allowed_prefixes;
	/* Prefix ownership inside the mesh ranges: a route inside an owner's
	 * loopback (any length) is taken only from that owner; any other route
	 * inside owned_ranges (a /30 that is no loopback, an IPv6 loopback /48
	 * of no node) from nobody. No owners = no ownership check. */
	const struct bird_conf_owner *owners;
	size_t n_owners;
	const struct bird_conf_range *owned_ranges;
	size_t n_owned_ranges;
	const char *static_conf_path; /* included as-is; must exist (may be empty) */
	const char *bgp_conf_path;
};

#endif
