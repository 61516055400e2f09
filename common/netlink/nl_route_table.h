/* Routes wgmeshd writes into the kernel's main table itself, next to the
 * ones BIRD exports: each carries WGM_NL_RTPROT_WGMESH, so the daemon finds
 * and removes its own (also those a crashed daemon left behind) and never
 * touches BIRD's or the host's. Which of two routes for one prefix the
 * kernel uses is decided by the metric: BIRD writes WGM_KERNEL_METRIC_BIRD
 * (bird/conf_gen.c); lower wins. Pure builders plus thin requests, as in
 * nl_route.h. */
#ifndef WGM_COMMON_NL_ROUTE_TABLE_H
#define WGM_COMMON_NL_ROUTE_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/netlink/nl_route.h"

/* rtm_protocol of wgmeshd's routes (`ip route show proto 247`); the
 * unassigned range of /etc/iproute2/rt_protos. */
#define WGM_NL_RTPROT_WGMESH 247
/* The metric BIRD's kernel protocols give every route they export, and
 * those of wgmeshd's own routes around it (routing.md), all in one place
 * because only their order matters. */
#define WGM_KERNEL_METRIC_BIRD 32
/* A joiner's mesh aggregate through its sponsor: beats BIRD's unreachable
 * aggregate of the same prefix (daemon/routing/interim_plan.h). */
#define WGM_KERNEL_METRIC_SPONSOR 16
/* A fast repair: beats BIRD's route until BIRD follows (fast_repair.h). */
#define WGM_KERNEL_METRIC_REPAIR 24
/* A direct interim route to a new neighbour: OSPF's route wins at once. */
#define WGM_KERNEL_METRIC_DIRECT 64
_Static_assert(WGM_KERNEL_METRIC_SPONSOR < WGM_KERNEL_METRIC_BIRD &&
		       WGM_KERNEL_METRIC_REPAIR < WGM_KERNEL_METRIC_BIRD &&
		       WGM_KERNEL_METRIC_DIRECT > WGM_KERNEL_METRIC_BIRD &&
		       WGM_KERNEL_METRIC_SPONSOR != WGM_KERNEL_METRIC_REPAIR,
	       "the order of the kernel metrics");

struct wgm_nl_route_spec {
	struct wgm_nl_ip dst; /* network address: host bits must be zero */
	unsigned int prefixlen;
	struct wgm_nl_ip gateway; /* AF_UNSPEC: on-link; same family as dst */
	int ifindex;              /* output device, > 0 */
	uint32_t metric;
	/* The source address of packets this host sends along the route
	 * (RTA_PREFSRC, as BIRD's krt_prefsrc); AF_UNSPEC: the kernel picks,
	 * which on a link is the link's own address. Same family as dst. */
	struct wgm_nl_ip prefsrc;
};

/* RTM_NEWROUTE (create or replace the route of the same prefix and metric)
 * or RTM_DELROUTE of a wgmesh route, main table. NULL for bad input (a
 * family mismatch, a prefix length past the family, host bits set, no
 * device). */
struct nlmsghdr *wgm_nl_route_build_table_route(char *buf, bool add, const struct wgm_nl_route_spec *r);
/* A dump request of FAMILY's routes (AF_INET, AF_INET6). */
struct nlmsghdr *wgm_nl_route_build_table_dump(char *buf, int family);
/* Pure: reads an RTM_NEWROUTE of a dump into OUT (gateway and prefsrc
 * AF_UNSPEC and ifindex 0 when the message has none; multipath routes are
 * read without a gateway). *PROTOCOL and *TABLE get the route's. 0, -ENOMSG
 * for another message type, -EBADMSG when malformed. */
int wgm_nl_route_parse_table_route(const struct nlmsghdr *nlh, struct wgm_nl_route_spec *out, uint8_t *protocol,
				   uint32_t *table);

/* 0 or -errno, ERR one line naming the route. Deleting a route that is not
 * there returns -ESRCH. */
int wgm_nl_route_table_add(struct wgm_nl_sock *s, const struct wgm_nl_route_spec *r, char *err, size_t errlen);
int wgm_nl_route_table_del(struct wgm_nl_sock *s, const struct wgm_nl_route_spec *r, char *err, size_t errlen);
/* Deletes every wgmesh route of FAMILY (AF_UNSPEC: both) in the main table.
 * Returns how many, or -errno. */
int wgm_nl_route_table_flush(struct wgm_nl_sock *s, int family, char *err, size_t errlen);

#endif
