/* Pure parsers for the replies of `show route`, `show ospf neighbors` and
 * `show protocols` (BIRD 2.0), from a reply the parser in bird/reply.h
 * completed. Each returns 0, the reply's own error (bird_reply_status) with
 * BIRD's message in err, or -EPROTO for a row it does not understand (err
 * quotes it) or -ENOMEM. On error the output is empty. */
#ifndef WGM_BIRD_PARSE_H
#define WGM_BIRD_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bird/reply.h"

#define BIRD_NAME_MAX 64 /* protocol, table names */
#define BIRD_IFNAME_MAX 16
#define BIRD_ADDR_MAX 46   /* INET6_ADDRSTRLEN */
#define BIRD_PREFIX_MAX 50 /* address + "/128" */
#define BIRD_ROUTE_MAX_NEXTHOPS 16

enum bird_route_type {
	BIRD_ROUTE_UNICAST,
	BIRD_ROUTE_UNREACHABLE,
	BIRD_ROUTE_BLACKHOLE,
	BIRD_ROUTE_PROHIBIT,
};

struct bird_nexthop {
	char gateway[BIRD_ADDR_MAX]; /* "" for a device route ("dev lo") */
	char ifname[BIRD_IFNAME_MAX];
};

struct bird_route {
	char table[BIRD_NAME_MAX];    /* "master4" */
	char prefix[BIRD_PREFIX_MAX]; /* "10.0.2.1/32" */
	enum bird_route_type type;
	char proto[BIRD_NAME_MAX]; /* "ospf4" */
	bool primary;              /* '*': the route in use */
	char origin[4];            /* OSPF: "I", "IA", "E1", "E2"; else "" */
	uint32_t preference;
	bool has_metric; /* "(150/120)": metric 120 */
	uint32_t metric;
	bool has_metric2; /* "(150/20/10000)": OSPF type-2 external */
	uint32_t metric2;
	char attrs[BIRD_NAME_MAX]; /* the trailing "[...]": OSPF router id, BGP "AS64512i" */
	struct bird_nexthop nexthops[BIRD_ROUTE_MAX_NEXTHOPS];
	size_t n_nexthops;
};

struct bird_routes {
	struct bird_route *items;
	size_t n;
};

int bird_parse_routes(const struct bird_reply *reply, struct bird_routes *out, char *err, size_t errlen);
void bird_routes_free(struct bird_routes *routes);

struct bird_ospf_neighbor {
	char proto[BIRD_NAME_MAX]; /* "ospf4" */
	char router_id[BIRD_ADDR_MAX];
	unsigned priority;
	char state[16]; /* "Full", "2-Way", "ExStart", "Init", ... */
	char role[16];  /* "PtP", "DR", "BDR", "Other", ... */
	char ifname[BIRD_IFNAME_MAX];
	char address[BIRD_ADDR_MAX]; /* the neighbour's address on the link */
};

struct bird_ospf_neighbors {
	struct bird_ospf_neighbor *items;
	size_t n;
};

int bird_parse_ospf_neighbors(const struct bird_reply *reply, struct bird_ospf_neighbors *out, char *err,
			      size_t errlen);
void bird_ospf_neighbors_free(struct bird_ospf_neighbors *neighbors);
/* The state of the neighbour on ifname ("Full", "2-Way", ...), NULL when
 * none is there. With one per protocol (OSPFv2 and OSPFv3 on one link) the
 * least advanced one: the link is only as good as its worse adjacency. */
const char *bird_ospf_neighbor_state(const struct bird_ospf_neighbors *neighbors, const char *ifname);

/* `show ospf topology PROTO`: the router-to-router edges of the area as each
 * router's LSA lists them ("router A" then "router B metric M" under it).
 * Stub networks and transit networks are left out: links here are ptp. */
struct bird_ospf_edge {
	char from[BIRD_ADDR_MAX]; /* router ID */
	char to[BIRD_ADDR_MAX];
	unsigned metric;
};

struct bird_ospf_topology {
	struct bird_ospf_edge *items;
	size_t n;
};

int bird_parse_ospf_topology(const struct bird_reply *reply, struct bird_ospf_topology *out, char *err, size_t errlen);
void bird_ospf_topology_free(struct bird_ospf_topology *topology);

/* `show bfd sessions`: every session of every BFD protocol (a protocol
 * that is not up lists none). The columns past the state (since, interval,
 * timeout) are not read: their format follows BIRD's timeformat. */
struct bird_bfd_session {
	char proto[BIRD_NAME_MAX];    /* "mesh_bfd" */
	char address[BIRD_ADDR_MAX];  /* the neighbour's address */
	char ifname[BIRD_IFNAME_MAX]; /* "---" when BIRD names none */
	char state[16];               /* "Up", "Down", "Init", "AdminDown" */
};

struct bird_bfd_sessions {
	struct bird_bfd_session *items;
	size_t n;
};

int bird_parse_bfd_sessions(const struct bird_reply *reply, struct bird_bfd_sessions *out, char *err, size_t errlen);
void bird_bfd_sessions_free(struct bird_bfd_sessions *sessions);

struct bird_protocol {
	char name[BIRD_NAME_MAX];
	char proto[BIRD_NAME_MAX]; /* "OSPF", "Kernel", "BGP" */
	char table[BIRD_NAME_MAX]; /* "---" when it has none */
	char state[16];            /* "up", "down", "start", "stop" */
	char since[32];
	char info[128]; /* "Running", "Established", "" */
};

struct bird_protocols {
	struct bird_protocol *items;
	size_t n;
};

int bird_parse_protocols(const struct bird_reply *reply, struct bird_protocols *out, char *err, size_t errlen);
void bird_protocols_free(struct bird_protocols *protocols);

#endif
