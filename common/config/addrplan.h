/* The address plan: which addresses, names and ports a node and its links
 * use. Pure functions over a parsed plan; nothing here touches the system.
 *
 * The rule, fixed by the subnet alone:
 *   - the mesh subnet is an IPv4 /16; a node's ID is the third octet of its
 *     addresses (loopback SUBNET.n.1/30, e.g. 10.0.n.1);
 *   - in a subnet inside 10.0.0.0/8 (the original's layout) a node owns a /23
 *     (SUBNET.n.0/23), so IDs are even, 0..254;
 *   - in any other subnet (e.g. 172.16.0.0/16) a node owns a /24 and every ID
 *     0..255 is usable;
 *   - a node's block must not overlap subnetVXLAN, and n + vxlanOffset must be
 *     a host of subnetVXLAN.
 * IPv6 text is built as the original did: the decimal ID (and link offset) is
 * written into the address as a hex group, so ID 12 is fd10:0:12::1. */
#ifndef WGM_COMMON_ADDRPLAN_H
#define WGM_COMMON_ADDRPLAN_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WGM_ADDRPLAN_CLIENT_ID_MIN 200 /* IDs from here are clients: never meshed, +10000 cost */
#define WGM_ADDRPLAN_MAX_ID 255
#define WGM_ADDRPLAN_IFNAME_MAX 15 /* IFNAMSIZ - 1 */
#define WGM_ADDRPLAN_PREFIX_MAX 6  /* so prefix+"Peer"+"255"+"v6" fits */
#define WGM_ADDRPLAN_LINK_SKIP 2   /* /31s at the start of a block never used for links */
#define WGM_ADDRPLAN_RANDOM_PORT_MIN 1024

struct wgm_nl_ip;

struct wgm_addrplan {
	uint32_t subnet;    /* host byte order */
	unsigned block_len; /* 23 or 24 */
	unsigned id_step;   /* 2 for /23 blocks, 1 for /24 */
	char link_local[8]; /* "fe82:" : one hex group and a colon */
	uint32_t vxlan;     /* host byte order */
	unsigned vxlan_len;
	unsigned vxlan_offset;
	uint32_t peer; /* subnetPeer, host byte order */
	unsigned peer_len;
	char prefix[WGM_ADDRPLAN_PREFIX_MAX + 1];
};

/* An address with its prefix length, binary and as text. */
struct wgm_addrplan_v4 {
	struct in_addr addr;
	unsigned len;
	char text[INET_ADDRSTRLEN];
};

struct wgm_addrplan_v6 {
	struct in6_addr addr;
	unsigned len;
	char text[INET6_ADDRSTRLEN];
};

/* Both ends of a point-to-point link: the accepting node (server) holds the
 * even address, the connecting node (client) the odd one. */
struct wgm_addrplan_link_v4 {
	struct wgm_addrplan_v4 server, client;
};

struct wgm_addrplan_link_v6 {
	struct wgm_addrplan_v6 server, client;
};

/* Parses the plan's inputs (config keys subnet, subnetLinkLocal, subnetVXLAN,
 * subnetPeer, prefix, vxlanOffset). Returns 0 or -EINVAL; ERR names the key. */
int wgm_addrplan_init(struct wgm_addrplan *plan, const char *subnet, const char *subnet_link_local,
		      const char *subnet_vxlan, const char *subnet_peer, const char *prefix, unsigned vxlan_offset,
		      char *err, size_t errlen);

/* Whether ID can be a node of this plan. Returns 0 or -EINVAL ("id: 3 is odd;
 * 10.0.0.0/16 gives each node a /23, so IDs are even"). */
int wgm_addrplan_check_id(const struct wgm_addrplan *plan, unsigned id, char *err, size_t errlen);

static inline bool addrplan_is_client(unsigned id)
{
	return id >= WGM_ADDRPLAN_CLIENT_ID_MIN;
}

/* The node's block: SUBNET.n.0/23 or /24. */
void wgm_addrplan_node_block(const struct wgm_addrplan *plan, unsigned id, struct wgm_addrplan_v4 *out);
/* SUBNET.n.1/30 and fd10:0:n::1/48. */
void wgm_addrplan_loopback_v4(const struct wgm_addrplan *plan, unsigned id, struct wgm_addrplan_v4 *out);
void wgm_addrplan_loopback_v6(unsigned id, struct wgm_addrplan_v6 *out);
/* The same address in FAMILY (AF_INET or AF_INET6) as a route's address, with
 * its network's length (30 or 48) in *LEN when LEN is not NULL: the source of
 * the routes this node installs, or masked to LEN, the route towards node ID.
 * 0, or -EAFNOSUPPORT for another family. */
int wgm_addrplan_loopback_ip(const struct wgm_addrplan *plan, unsigned id, int family, struct wgm_nl_ip *out,
			     unsigned *len);

/* The ID whose block holds ADDR, or -ENOENT (outside the subnet or not at an
 * ID boundary of the plan). */
int wgm_addrplan_id_of_v4(const struct wgm_addrplan *plan, struct in_addr addr);

/* Number of link slots in a block: 254 for a /23, 126 for a /24. */
unsigned wgm_addrplan_link_slots(const struct wgm_addrplan *plan);

/* Link slot SLOT of the accepting node SERVER_ID: slot 0 of node 0 in
 * 10.0.0.0/16 is 10.0.0.4 (server) / 10.0.0.5 (client), /31. Returns 0 or
 * -ERANGE when SLOT is past the block. */
int wgm_addrplan_link_v4(const struct wgm_addrplan *plan, unsigned server_id, unsigned slot,
			 struct wgm_addrplan_link_v4 *out);
/* Same slot in IPv6: SUBNETLINKLOCAL n::OFFSET /127 (fe82:0::4 / fe82:0::5). */
int wgm_addrplan_link_v6(const struct wgm_addrplan *plan, unsigned server_id, unsigned slot,
			 struct wgm_addrplan_link_v6 *out);
/* The slot an address (either end) of SERVER_ID's block belongs to, or
 * -ENOENT when it is not a link address of that block. */
int wgm_addrplan_link_slot_of_v4(const struct wgm_addrplan *plan, unsigned server_id, struct in_addr addr);

/* The lowest slot not in USED (N entries, any order, duplicates allowed), or
 * -ENOSPC when the block is full. */
int wgm_addrplan_free_link_slot(const struct wgm_addrplan *plan, const unsigned *used, size_t n);

/* Peering links (`wgmesh peer`): /31s from subnetPeer, a /24 per accepting
 * node (SUBNETPEER.n.0/24), with the same skip rule and slots. */
int wgm_addrplan_peer_link_v4(const struct wgm_addrplan *plan, unsigned server_id, unsigned slot,
			      struct wgm_addrplan_link_v4 *out);
/* The lowest peering slot of SERVER_ID whose /31 holds none of USED (N
 * addresses: this node's peering links and those the caller reports, so the
 * /31 is free on both ends), or -ENOSPC. */
int wgm_addrplan_free_peer_slot(const struct wgm_addrplan *plan, unsigned server_id, const struct in_addr *used,
				size_t n);
/* A peering link's /127, made from its /31 so that it is as free as that:
 * SUBNETLINKLOCAL ffff::A.B.C.D in hex (fe82:ffff::ac1f:4 for 172.31.0.4),
 * apart from every member link's (fe82:ID::, ID <= 255). */
void wgm_addrplan_peer_link_v6(const struct wgm_addrplan *plan, const struct wgm_addrplan_link_v4 *l4,
			       struct wgm_addrplan_link_v6 *out);

/* VXLAN: subnetVXLAN host n + vxlanOffset (10.0.251.n/24) and
 * fd10:X::(n + vxlanOffset)/64, X the third octet of subnetVXLAN (251). Node 0
 * without offset gets 10.0.251.0 and fd10:251::, which Linux uses as plain
 * unicast addresses. -ERANGE when past the VXLAN subnet. */
int wgm_addrplan_vxlan_v4(const struct wgm_addrplan *plan, unsigned id, struct wgm_addrplan_v4 *out);
int wgm_addrplan_vxlan_v6(const struct wgm_addrplan *plan, unsigned id, struct wgm_addrplan_v6 *out);

/* The prefixes the mesh itself announces, as ranges of lengths: loopbacks and
 * link /31s (SUBNET/16, /30-/32), the IPv4 VXLAN net (subnetVXLAN, its length
 * to /32), the IPv6 loopbacks (fd10:0::/32, /48-/128), the IPv6 link /127s
 * (SUBNETLINKLOCAL:/16, /127-/128) and the IPv6 VXLAN net (/64-/128). Route
 * filters accept these from any member; anything else must be allowed by the
 * operator. */
#define WGM_ADDRPLAN_RANGES_MAX 5
struct wgm_addrplan_range {
	int family;                        /* AF_INET or AF_INET6 */
	char prefix[INET6_ADDRSTRLEN + 4]; /* "10.0.0.0/16" */
	unsigned min_len, max_len;
};
/* Fills OUT and returns how many (always WGM_ADDRPLAN_RANGES_MAX). */
size_t wgm_addrplan_mesh_ranges(const struct wgm_addrplan *plan,
				struct wgm_addrplan_range out[WGM_ADDRPLAN_RANGES_MAX]);

/* Who may announce what inside those ranges (route filters): a node's
 * loopbacks as networks, SUBNET.n.0/30 (/30-/32) and fd10:0:n::/48
 * (/48-/128), only node n; and the owned ranges, where every route must lie
 * in some node's loopback: the /30s of SUBNET (a /30 that is no loopback
 * spans two links) and the IPv6 loopbacks' fd10:0::/32 at /48-/128. Link
 * /31s and /127s are owned by nobody: the plan names only their accepting
 * end. */
void wgm_addrplan_loopback_nets(const struct wgm_addrplan *plan, unsigned id, struct wgm_addrplan_range *v4,
				struct wgm_addrplan_range *v6);
#define WGM_ADDRPLAN_OWNED_RANGES 2
size_t wgm_addrplan_owned_ranges(const struct wgm_addrplan *plan,
				 struct wgm_addrplan_range out[WGM_ADDRPLAN_OWNED_RANGES]);

/* Interface name: prefix + ["Peer"] + remote ID + ["v6"], e.g. pipe2, pipe2v6,
 * pipePeer7. OUT holds WGM_ADDRPLAN_IFNAME_MAX + 1 bytes. Returns 0 or
 * -ENAMETOOLONG. */
int wgm_addrplan_ifname(const struct wgm_addrplan *plan, unsigned remote_id, bool peer, bool v6,
			char out[WGM_ADDRPLAN_IFNAME_MAX + 1]);
/* The reverse: whether NAME is one of ours, and what it says. Returns 0 or
 * -EINVAL when NAME is not an interface name of this plan. */
int wgm_addrplan_ifname_parse(const struct wgm_addrplan *plan, const char *name, unsigned *remote_id, bool *peer,
			      bool *v6);

/* How many WireGuard listen ports a node uses from basePort up (far more
 * than the links one /23 holds). The one place this size is defined. */
#define WGM_ADDRPLAN_PORT_RANGE 1024

/* The node's link port range: BASE_PORT .. BASE_PORT + WGM_ADDRPLAN_PORT_RANGE - 1
 * (cut at 65535); with BASE_PORT 0 (random ports) 1024..65535. */
void wgm_addrplan_port_range(uint16_t base_port, uint16_t *first, uint16_t *last);
/* Whether PORT, asked for by another node (/connect, /update), is in this
 * node's range: 0, or -EINVAL with a one-line reason. */
int wgm_addrplan_check_port(uint16_t base_port, unsigned port, char *err, size_t errlen);

/* A WireGuard listen port: the lowest port of the range above not in USED;
 * with BASE_PORT 0 a random one from 1024..65535 (RANDOM picks where the
 * search starts; pass randombytes_random()). Returns the port or -ENOSPC. */
int wgm_addrplan_choose_port(uint16_t base_port, const uint16_t *used, size_t n, uint32_t random);

#endif
