/* rtnetlink: links (wireguard, vxlan), addresses, VXLAN forwarding entries
 * and route lookups. Each operation is a pure message builder plus a pure
 * reply parser (unit-tested without sockets) and a thin call that sends one
 * request over a struct wgm_nl_sock opened on NETLINK_ROUTE. */
#ifndef WGM_COMMON_NL_ROUTE_H
#define WGM_COMMON_NL_ROUTE_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/netlink/nl_sock.h"

/* Builders write into a caller buffer of at least this many bytes. */
#define WGM_NL_ROUTE_BUF 4096

struct wgm_nl_ip {
	int family; /* AF_INET, AF_INET6; AF_UNSPEC = none */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} u;
};

/* "192.0.2.1" or "2001:db8::1" -> 0 or -EINVAL. */
int wgm_nl_ip_parse(const char *text, struct wgm_nl_ip *out);
/* Writes the text form (INET6_ADDRSTRLEN is enough); "" for AF_UNSPEC. */
const char *wgm_nl_ip_format(const struct wgm_nl_ip *ip, char *buf, size_t len);
/* "10.0.0.4/31" -> address and prefix length (checked against the family). */
int wgm_nl_ip_prefix_parse(const char *text, struct wgm_nl_ip *out, unsigned int *prefixlen);

struct wgm_nl_vxlan_spec {
	const char *ifname;
	uint32_t vni;           /* 0 .. 2^24-1 */
	uint16_t dstport;       /* host order, e.g. 1789 */
	struct wgm_nl_ip local; /* source address of the tunnel (v4 or v6) */
	const char *dev;        /* underlay device, NULL for none */
};

struct wgm_nl_link {
	char name[IFNAMSIZ];
	int ifindex;
	char kind[32]; /* "" when the link has no rtnl kind (lo, tun, physical) */
	bool up;       /* administratively up (IFF_UP) */
	bool running;  /* carrier (IFF_RUNNING) */
	uint32_t mtu;
};

struct wgm_nl_addr {
	int ifindex;
	struct wgm_nl_ip addr; /* the interface's own address (IFA_LOCAL) */
	struct wgm_nl_ip peer; /* AF_UNSPEC unless a point-to-point peer is set */
	unsigned int prefixlen;
};

struct wgm_nl_route_info {
	int oif;
	char oif_name[IFNAMSIZ];
	struct wgm_nl_ip src;     /* preferred source, AF_UNSPEC if none */
	struct wgm_nl_ip gateway; /* AF_UNSPEC when on-link */
	uint32_t route_mtu;       /* RTAX_MTU of the route (or a learnt PMTU), 0 if none */
	uint32_t dev_mtu;         /* MTU of the output device */
};

/* The MTU of the path: the route's if it has one, else the device's. */
uint32_t wgm_nl_route_info_mtu(const struct wgm_nl_route_info *ri);

/* ---- pure builders: return the message in BUF, or NULL for bad input ---- */
struct nlmsghdr *wgm_nl_route_build_link_create(char *buf, const char *ifname, const char *kind);
/* LINK_IFINDEX: underlay device of spec->dev (0 for none). Learning is off. */
struct nlmsghdr *wgm_nl_route_build_vxlan_create(char *buf, const struct wgm_nl_vxlan_spec *spec, int link_ifindex);
struct nlmsghdr *wgm_nl_route_build_link_delete(char *buf, const char *ifname);
struct nlmsghdr *wgm_nl_route_build_link_set_up(char *buf, const char *ifname, bool up);
struct nlmsghdr *wgm_nl_route_build_link_set_mtu(char *buf, const char *ifname, uint32_t mtu);
/* IFNAME NULL -> a dump of every link. */
struct nlmsghdr *wgm_nl_route_build_link_get(char *buf, const char *ifname);
/* PEER may be NULL or AF_UNSPEC. ADD replaces an existing equal address. */
struct nlmsghdr *wgm_nl_route_build_addr(char *buf, bool add, int ifindex, const struct wgm_nl_ip *addr,
					 unsigned int prefixlen, const struct wgm_nl_ip *peer);
struct nlmsghdr *wgm_nl_route_build_addr_dump(char *buf, int family);
/* "00:00:00:00:00:00 dst DST self" on a vxlan device; ADD appends. */
struct nlmsghdr *wgm_nl_route_build_fdb(char *buf, bool add, int ifindex, const struct wgm_nl_ip *dst);
struct nlmsghdr *wgm_nl_route_build_route_get(char *buf, const struct wgm_nl_ip *dst);

/* ---- pure parsers: 0, -EBADMSG (malformed), or -ENOMSG (other message type) ---- */
int wgm_nl_route_parse_link(const struct nlmsghdr *nlh, struct wgm_nl_link *out);
int wgm_nl_route_parse_addr(const struct nlmsghdr *nlh, struct wgm_nl_addr *out);
/* Fills oif, src, gateway, route_mtu (not oif_name, dev_mtu). */
int wgm_nl_route_parse_route(const struct nlmsghdr *nlh, struct wgm_nl_route_info *out);

/* ---- requests: 0 or -errno, ERR gets one line with the kernel's reason ---- */
int wgm_nl_route_link_create(struct wgm_nl_sock *s, const char *ifname, const char *kind, char *err, size_t errlen);
int wgm_nl_route_vxlan_create(struct wgm_nl_sock *s, const struct wgm_nl_vxlan_spec *spec, char *err, size_t errlen);
int wgm_nl_route_link_delete(struct wgm_nl_sock *s, const char *ifname, char *err, size_t errlen);
int wgm_nl_route_link_set_up(struct wgm_nl_sock *s, const char *ifname, bool up, char *err, size_t errlen);
int wgm_nl_route_link_set_mtu(struct wgm_nl_sock *s, const char *ifname, uint32_t mtu, char *err, size_t errlen);
/* -ENODEV when there is no such link. */
int wgm_nl_route_link_get(struct wgm_nl_sock *s, const char *ifname, struct wgm_nl_link *out, char *err, size_t errlen);
int wgm_nl_route_ifindex(struct wgm_nl_sock *s, const char *ifname, char *err, size_t errlen); /* >0 or -errno */
int wgm_nl_route_addr_add(struct wgm_nl_sock *s, const char *ifname, const struct wgm_nl_ip *addr,
			  unsigned int prefixlen, const struct wgm_nl_ip *peer, char *err, size_t errlen);
int wgm_nl_route_addr_del(struct wgm_nl_sock *s, const char *ifname, const struct wgm_nl_ip *addr,
			  unsigned int prefixlen, char *err, size_t errlen);
int wgm_nl_route_fdb_append(struct wgm_nl_sock *s, const char *vxlan_ifname, const struct wgm_nl_ip *dst, char *err,
			    size_t errlen);
int wgm_nl_route_fdb_delete(struct wgm_nl_sock *s, const char *vxlan_ifname, const struct wgm_nl_ip *dst, char *err,
			    size_t errlen);
/* Arrays owned by the caller: free(). */
int wgm_nl_route_list_links(struct wgm_nl_sock *s, struct wgm_nl_link **out, size_t *count, char *err, size_t errlen);
/* FAMILY AF_UNSPEC for both. */
int wgm_nl_route_list_addrs(struct wgm_nl_sock *s, int family, struct wgm_nl_addr **out, size_t *count, char *err,
			    size_t errlen);
/* The route the kernel would use to reach DST, with the output device's MTU. */
int wgm_nl_route_get(struct wgm_nl_sock *s, const struct wgm_nl_ip *dst, struct wgm_nl_route_info *out, char *err,
		     size_t errlen);

#endif
