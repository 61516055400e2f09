#include "common/netlink/nl_route.h"

#include "common/netlink/nl_attr.h"

#include "common/util/ifname.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t ip_len(const struct wgm_nl_ip *ip)
{
	return ip->family == AF_INET ? sizeof(struct in_addr) : ip->family == AF_INET6 ? sizeof(struct in6_addr) : 0;
}

int wgm_nl_ip_parse(const char *text, struct wgm_nl_ip *out)
{
	memset(out, 0, sizeof(*out));
	if (!text)
		return -EINVAL;
	if (inet_pton(AF_INET, text, &out->u.v4) == 1) {
		out->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, text, &out->u.v6) == 1) {
		out->family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

const char *wgm_nl_ip_format(const struct wgm_nl_ip *ip, char *buf, size_t len)
{
	if (!len)
		return buf;
	buf[0] = '\0';
	if (ip->family == AF_INET || ip->family == AF_INET6)
		inet_ntop(ip->family, &ip->u, buf, (socklen_t)len);
	return buf;
}

int wgm_nl_ip_prefix_parse(const char *text, struct wgm_nl_ip *out, unsigned int *prefixlen)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = text ? strchr(text, '/') : NULL;
	char *end;
	unsigned long len;

	if (!slash || (size_t)(slash - text) >= sizeof(addr) || !slash[1])
		return -EINVAL;
	memcpy(addr, text, (size_t)(slash - text));
	addr[slash - text] = '\0';
	if (wgm_nl_ip_parse(addr, out) < 0)
		return -EINVAL;
	errno = 0;
	len = strtoul(slash + 1, &end, 10);
	if (errno || *end || slash[1] < '0' || slash[1] > '9' || len > (out->family == AF_INET ? 32u : 128u))
		return -EINVAL;
	*prefixlen = (unsigned int)len;
	return 0;
}

uint32_t wgm_nl_route_info_mtu(const struct wgm_nl_route_info *ri)
{
	return ri->route_mtu ? ri->route_mtu : ri->dev_mtu;
}

/* ---------------- builders ---------------- */

static struct nlmsghdr *put_link_header(char *buf, uint16_t type, uint16_t flags, struct ifinfomsg **ifm_out)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	if (ifm_out)
		*ifm_out = ifm;
	return nlh;
}

struct nlmsghdr *wgm_nl_route_build_link_create(char *buf, const char *ifname, const char *kind)
{
	struct nlmsghdr *nlh;
	struct nlattr *linkinfo;

	if (!wgm_ifname_valid(ifname) || !kind || !kind[0])
		return NULL;
	nlh = put_link_header(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, NULL);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_str(nlh, IFLA_INFO_KIND, kind);
	mnl_attr_nest_end(nlh, linkinfo);
	return nlh;
}

struct nlmsghdr *wgm_nl_route_build_vxlan_create(char *buf, const struct wgm_nl_vxlan_spec *spec, int link_ifindex)
{
	struct nlmsghdr *nlh;
	struct nlattr *linkinfo, *data;

	if (!wgm_ifname_valid(spec->ifname) || spec->vni >= (1u << 24) || spec->dstport == 0 ||
	    (spec->local.family != AF_INET && spec->local.family != AF_INET6) || link_ifindex < 0)
		return NULL;
	nlh = put_link_header(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, NULL);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, spec->ifname);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_str(nlh, IFLA_INFO_KIND, "vxlan");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u32(nlh, IFLA_VXLAN_ID, spec->vni);
	mnl_attr_put_u16(nlh, IFLA_VXLAN_PORT, htons(spec->dstport));
	if (spec->local.family == AF_INET)
		mnl_attr_put(nlh, IFLA_VXLAN_LOCAL, sizeof(struct in_addr), &spec->local.u.v4);
	else
		mnl_attr_put(nlh, IFLA_VXLAN_LOCAL6, sizeof(struct in6_addr), &spec->local.u.v6);
	if (link_ifindex > 0)
		mnl_attr_put_u32(nlh, IFLA_VXLAN_LINK, (uint32_t)link_ifindex);
	/* Forwarding entries come from the mesh's routes; learning would keep
	 * stale ones alive. */
	mnl_attr_put_u8(nlh, IFLA_VXLAN_LEARNING, 0);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	return nlh;
}

struct nlmsghdr *wgm_nl_route_build_link_delete(char *buf, const char *ifname)
{
	struct nlmsghdr *nlh;

	if (!wgm_ifname_valid(ifname))
		return NULL;
	nlh = put_link_header(buf, RTM_DELLINK, 0, NULL);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	return nlh;
}

struct nlmsghdr *wgm_nl_route_build_link_set_up(char *buf, const char *ifname, bool up)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;

	if (!wgm_ifname_valid(ifname))
		return NULL;
	nlh = put_link_header(buf, RTM_NEWLINK, 0, &ifm);
	ifm->ifi_change = IFF_UP;
	ifm->ifi_flags = up ? IFF_UP : 0;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	return nlh;
}

struct nlmsghdr *wgm_nl_route_build_link_set_mtu(char *buf, const char *ifname, uint32_t mtu)
{
	struct nlmsghdr *nlh;

	/* 68 is IPv4's minimum; the kernel checks the device's own range. */
	if (!wgm_ifname_valid(ifname) || mtu < 68 || mtu > 65535)
		return NULL;
	nlh = put_link_header(buf, RTM_NEWLINK, 0, NULL);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	return nlh;
}

struct nlmsghdr *wgm_nl_route_build_link_get(char *buf, const char *ifname)
{
	struct nlmsghdr *nlh;

	if (ifname && !wgm_ifname_valid(ifname))
		return NULL;
	nlh = put_link_header(buf, RTM_GETLINK, ifname ? 0 : NLM_F_DUMP, NULL);
	if (ifname)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	return nlh;
}

struct nlmsghdr *wgm_nl_route_build_addr(char *buf, bool add, int ifindex, const struct wgm_nl_ip *addr,
					 unsigned int prefixlen, const struct wgm_nl_ip *peer)
{
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	size_t len = ip_len(addr);
	bool has_peer = peer && peer->family != AF_UNSPEC;

	if (ifindex <= 0 || !len || prefixlen > len * 8 || (has_peer && peer->family != addr->family))
		return NULL;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = add ? RTM_NEWADDR : RTM_DELADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | (add ? NLM_F_CREATE | NLM_F_REPLACE : 0);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)addr->family;
	ifa->ifa_prefixlen = (uint8_t)prefixlen;
	ifa->ifa_index = (uint32_t)ifindex;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	/* As iproute2 does: IFA_LOCAL is ours, IFA_ADDRESS the peer (or ours). */
	mnl_attr_put(nlh, IFA_LOCAL, len, &addr->u);
	mnl_attr_put(nlh, IFA_ADDRESS, len, has_peer ? &peer->u : &addr->u);
	return nlh;
}

struct nlmsghdr *wgm_nl_route_build_addr_dump(char *buf, int family)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)family;
	return nlh;
}

struct nlmsghdr *wgm_nl_route_build_fdb(char *buf, bool add, int ifindex, const struct wgm_nl_ip *dst)
{
	static const uint8_t all_zero_mac[6];
	struct nlmsghdr *nlh;
	struct ndmsg *ndm;
	size_t len = ip_len(dst);

	if (ifindex <= 0 || !len)
		return NULL;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = add ? RTM_NEWNEIGH : RTM_DELNEIGH;
	/* Append: the all-zero MAC holds one entry per remote node. */
	nlh->nlmsg_flags = NLM_F_REQUEST | (add ? NLM_F_CREATE | NLM_F_APPEND : 0);
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = AF_BRIDGE;
	ndm->ndm_ifindex = ifindex;
	ndm->ndm_state = NUD_NOARP | NUD_PERMANENT;
	ndm->ndm_flags = NTF_SELF;
	mnl_attr_put(nlh, NDA_LLADDR, sizeof(all_zero_mac), all_zero_mac);
	mnl_attr_put(nlh, NDA_DST, len, &dst->u);
	return nlh;
}

struct nlmsghdr *wgm_nl_route_build_route_get(char *buf, const struct wgm_nl_ip *dst)
{
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	size_t len = ip_len(dst);

	if (!len)
		return NULL;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)dst->family;
	rtm->rtm_dst_len = (uint8_t)(len * 8);
	mnl_attr_put(nlh, RTA_DST, len, &dst->u);
	return nlh;
}

/* ---------------- parsers ---------------- */

static int ip_from_attr(const struct nlattr *a, int family, struct wgm_nl_ip *out)
{
	size_t want = family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;

	if (!want || mnl_attr_get_payload_len(a) != want)
		return -EBADMSG;
	out->family = family;
	memcpy(&out->u, mnl_attr_get_payload(a), want);
	return 0;
}

int wgm_nl_route_parse_link(const struct nlmsghdr *nlh, struct wgm_nl_link *out)
{
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	const struct ifinfomsg *ifm;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return -ENOMSG;
	if (wgm_nl_attr_table(nlh, sizeof(*ifm), tb, IFLA_MAX) < 0)
		return -EBADMSG;
	ifm = mnl_nlmsg_get_payload(nlh);
	memset(out, 0, sizeof(*out));
	out->ifindex = ifm->ifi_index;
	out->up = (ifm->ifi_flags & IFF_UP) != 0;
	out->running = (ifm->ifi_flags & IFF_RUNNING) != 0;
	if (!tb[IFLA_IFNAME] || mnl_attr_validate(tb[IFLA_IFNAME], MNL_TYPE_NUL_STRING) < 0 ||
	    strlen(mnl_attr_get_str(tb[IFLA_IFNAME])) >= IFNAMSIZ)
		return -EBADMSG;
	snprintf(out->name, sizeof(out->name), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	if (tb[IFLA_MTU]) {
		if (mnl_attr_validate(tb[IFLA_MTU], MNL_TYPE_U32) < 0)
			return -EBADMSG;
		out->mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
	}
	if (tb[IFLA_LINKINFO]) {
		const struct nlattr *info[IFLA_INFO_MAX + 1] = { 0 };
		if (wgm_nl_attr_table_nested(tb[IFLA_LINKINFO], info, IFLA_INFO_MAX) < 0)
			return -EBADMSG;
		if (info[IFLA_INFO_KIND]) {
			size_t n = mnl_attr_get_payload_len(info[IFLA_INFO_KIND]);
			const char *kind = mnl_attr_get_payload(info[IFLA_INFO_KIND]);
			n = strnlen(kind, n);
			if (n >= sizeof(out->kind))
				return -EBADMSG;
			memcpy(out->kind, kind, n);
			out->kind[n] = '\0';
		}
	}
	return 0;
}

int wgm_nl_route_parse_addr(const struct nlmsghdr *nlh, struct wgm_nl_addr *out)
{
	const struct nlattr *tb[IFA_MAX + 1] = { 0 };
	const struct ifaddrmsg *ifa;
	struct wgm_nl_ip local = { 0 }, address = { 0 };

	if (nlh->nlmsg_type != RTM_NEWADDR)
		return -ENOMSG;
	if (wgm_nl_attr_table(nlh, sizeof(*ifa), tb, IFA_MAX) < 0)
		return -EBADMSG;
	ifa = mnl_nlmsg_get_payload(nlh);
	memset(out, 0, sizeof(*out));
	if ((ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6) ||
	    ifa->ifa_prefixlen > (ifa->ifa_family == AF_INET ? 32 : 128))
		return -EBADMSG;
	out->ifindex = (int)ifa->ifa_index;
	out->prefixlen = ifa->ifa_prefixlen;
	if (tb[IFA_LOCAL] && ip_from_attr(tb[IFA_LOCAL], ifa->ifa_family, &local) < 0)
		return -EBADMSG;
	if (tb[IFA_ADDRESS] && ip_from_attr(tb[IFA_ADDRESS], ifa->ifa_family, &address) < 0)
		return -EBADMSG;
	if (local.family == AF_UNSPEC && address.family == AF_UNSPEC)
		return -EBADMSG;
	/* IPv6 sends only IFA_ADDRESS (plus IFA_LOCAL with a peer); IPv4 both. */
	if (local.family != AF_UNSPEC) {
		out->addr = local;
		if (address.family != AF_UNSPEC && memcmp(&address.u, &local.u, ip_len(&local)) != 0)
			out->peer = address;
	} else {
		out->addr = address;
	}
	return 0;
}

int wgm_nl_route_parse_route(const struct nlmsghdr *nlh, struct wgm_nl_route_info *out)
{
	const struct nlattr *tb[RTA_MAX + 1] = { 0 };
	const struct rtmsg *rtm;

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return -ENOMSG;
	if (wgm_nl_attr_table(nlh, sizeof(*rtm), tb, RTA_MAX) < 0)
		return -EBADMSG;
	rtm = mnl_nlmsg_get_payload(nlh);
	memset(out, 0, sizeof(*out));
	if (!tb[RTA_OIF] || mnl_attr_validate(tb[RTA_OIF], MNL_TYPE_U32) < 0)
		return -EBADMSG;
	out->oif = (int)mnl_attr_get_u32(tb[RTA_OIF]);
	if (tb[RTA_PREFSRC] && ip_from_attr(tb[RTA_PREFSRC], rtm->rtm_family, &out->src) < 0)
		return -EBADMSG;
	if (tb[RTA_GATEWAY] && ip_from_attr(tb[RTA_GATEWAY], rtm->rtm_family, &out->gateway) < 0)
		return -EBADMSG;
	if (tb[RTA_METRICS]) {
		const struct nlattr *mx[RTAX_MAX + 1] = { 0 };
		if (wgm_nl_attr_table_nested(tb[RTA_METRICS], mx, RTAX_MAX) < 0)
			return -EBADMSG;
		if (mx[RTAX_MTU]) {
			if (mnl_attr_validate(mx[RTAX_MTU], MNL_TYPE_U32) < 0)
				return -EBADMSG;
			out->route_mtu = mnl_attr_get_u32(mx[RTAX_MTU]);
		}
	}
	return 0;
}

/* ---------------- requests ---------------- */

static int request(struct wgm_nl_sock *s, struct nlmsghdr *nlh, wgm_nl_reply_fn fn, void *ctx, const char *what,
		   char *err, size_t errlen)
{
	if (!nlh) {
		snprintf(err, errlen, "%s: invalid argument", what);
		return -EINVAL;
	}
	return wgm_nl_sock_request(s, nlh, fn, ctx, what, err, errlen);
}

int wgm_nl_route_link_create(struct wgm_nl_sock *s, const char *ifname, const char *kind, char *err, size_t errlen)
{
	char buf[WGM_NL_ROUTE_BUF] __attribute__((aligned(4)));
	char what[96];

	snprintf(what, sizeof(what), "create link %s (%s)", ifname ? ifname : "", kind ? kind : "");
	return request(s, wgm_nl_route_build_link_create(buf, ifname, kind), NULL, NULL, what, err, errlen);
}

int wgm_nl_route_vxlan_create(struct wgm_nl_sock *s, const struct wgm_nl_vxlan_spec *spec, char *err, size_t errlen)
{
	char buf[WGM_NL_ROUTE_BUF] __attribute__((aligned(4)));
	char what[96];
	int link = 0;

	snprintf(what, sizeof(what), "create link %s (vxlan)", spec->ifname ? spec->ifname : "");
	if (spec->dev) {
		link = wgm_nl_route_ifindex(s, spec->dev, err, errlen);
		if (link < 0)
			return link;
	}
	return request(s, wgm_nl_route_build_vxlan_create(buf, spec, link), NULL, NULL, what, err, errlen);
}

int wgm_nl_route_link_delete(struct wgm_nl_sock *s, const char *ifname, char *err, size_t errlen)
{
	char buf[WGM_NL_ROUTE_BUF] __attribute__((aligned(4)));
	char what[64];

	snprintf(what, sizeof(what), "delete link %s", ifname ? ifname : "");
	return request(s, wgm_nl_route_build_link_delete(buf, ifname), NULL, NULL, what, err, errlen);
}

int wgm_nl_route_link_set_up(struct wgm_nl_sock *s, const char *ifname, bool up, char *err, size_t errlen)
{
	char buf[WGM_NL_ROUTE_BUF] __attribute__((aligned(4)));
	char what[64];

	snprintf(what, sizeof(what), "set link %s %s", ifname ? ifname : "", up ? "up" : "down");
	return request(s, wgm_nl_route_build_link_set_up(buf, ifname, up), NULL, NULL, what, err, errlen);
}

int wgm_nl_route_link_set_mtu(struct wgm_nl_sock *s, const char *ifname, uint32_t mtu, char *err, size_t errlen)
{
	char buf[WGM_NL_ROUTE_BUF] __attribute__((aligned(4)));
	char what[64];

	snprintf(what, sizeof(what), "set link %s mtu %u", ifname ? ifname : "", mtu);
	return request(s, wgm_nl_route_build_link_set_mtu(buf, ifname, mtu), NULL, NULL, what, err, errlen);
}

struct link_one {
	struct wgm_nl_link *out;
	bool found;
};

static int link_one_cb(const struct nlmsghdr *nlh, void *ctx)
{
	struct link_one *l = ctx;
	int e = wgm_nl_route_parse_link(nlh, l->out);

	if (e == -ENOMSG)
		return 0;
	if (e == 0)
		l->found = true;
	return e;
}

int wgm_nl_route_link_get(struct wgm_nl_sock *s, const char *ifname, struct wgm_nl_link *out, char *err, size_t errlen)
{
	char buf[WGM_NL_ROUTE_BUF] __attribute__((aligned(4)));
	char what[64];
	struct link_one l = { out, false };
	int e;

	snprintf(what, sizeof(what), "get link %s", ifname ? ifname : "");
	if (!ifname) {
		snprintf(err, errlen, "%s: invalid argument", what);
		return -EINVAL;
	}
	e = request(s, wgm_nl_route_build_link_get(buf, ifname), link_one_cb, &l, what, err, errlen);
	if (e == 0 && !l.found) {
		snprintf(err, errlen, "%s: no reply", what);
		return -ENODEV;
	}
	return e;
}

int wgm_nl_route_ifindex(struct wgm_nl_sock *s, const char *ifname, char *err, size_t errlen)
{
	struct wgm_nl_link link;
	int e = wgm_nl_route_link_get(s, ifname, &link, err, errlen);

	return e < 0 ? e : link.ifindex;
}

static int addr_request(struct wgm_nl_sock *s, bool add, const char *ifname, const struct wgm_nl_ip *addr,
			unsigned int prefixlen, const struct wgm_nl_ip *peer, char *err, size_t errlen)
{
	char buf[WGM_NL_ROUTE_BUF] __attribute__((aligned(4)));
	char what[128], text[INET6_ADDRSTRLEN];
	int ifindex;

	snprintf(what, sizeof(what), "%s address %s/%u %s %s", add ? "add" : "delete",
		 wgm_nl_ip_format(addr, text, sizeof(text)), prefixlen, add ? "to" : "from", ifname ? ifname : "");
	ifindex = wgm_nl_route_ifindex(s, ifname, err, errlen);
	if (ifindex < 0)
		return ifindex;
	return request(s, wgm_nl_route_build_addr(buf, add, ifindex, addr, prefixlen, peer), NULL, NULL, what, err,
		       errlen);
}

int wgm_nl_route_addr_add(struct wgm_nl_sock *s, const char *ifname, const struct wgm_nl_ip *addr,
			  unsigned int prefixlen, const struct wgm_nl_ip *peer, char *err, size_t errlen)
{
	return addr_request(s, true, ifname, addr, prefixlen, peer, err, errlen);
}

int wgm_nl_route_addr_del(struct wgm_nl_sock *s, const char *ifname, const struct wgm_nl_ip *addr,
			  unsigned int prefixlen, char *err, size_t errlen)
{
	return addr_request(s, false, ifname, addr, prefixlen, NULL, err, errlen);
}

static int fdb_request(struct wgm_nl_sock *s, bool add, const char *ifname, const struct wgm_nl_ip *dst, char *err,
		       size_t errlen)
{
	char buf[WGM_NL_ROUTE_BUF] __attribute__((aligned(4)));
	char what[128], text[INET6_ADDRSTRLEN];
	int ifindex;

	snprintf(what, sizeof(what), "%s forwarding entry 00:00:00:00:00:00 dst %s on %s", add ? "append" : "delete",
		 wgm_nl_ip_format(dst, text, sizeof(text)), ifname ? ifname : "");
	ifindex = wgm_nl_route_ifindex(s, ifname, err, errlen);
	if (ifindex < 0)
		return ifindex;
	return request(s, wgm_nl_route_build_fdb(buf, add, ifindex, dst), NULL, NULL, what, err, errlen);
}

int wgm_nl_route_fdb_append(struct wgm_nl_sock *s, const char *vxlan_ifname, const struct wgm_nl_ip *dst, char *err,
			    size_t errlen)
{
	return fdb_request(s, true, vxlan_ifname, dst, err, errlen);
}

int wgm_nl_route_fdb_delete(struct wgm_nl_sock *s, const char *vxlan_ifname, const struct wgm_nl_ip *dst, char *err,
			    size_t errlen)
{
	return fdb_request(s, false, vxlan_ifname, dst, err, errlen);
}

/* A growing array filled by a dump; ELEM bytes per entry. */
struct dump_array {
	void *items;
	size_t count, cap, elem;
	int (*parse)(const struct nlmsghdr *, void *);
};

static int dump_array_cb(const struct nlmsghdr *nlh, void *ctx)
{
	struct dump_array *d = ctx;
	int e;

	if (d->count == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		void *grown = realloc(d->items, cap * d->elem);
		if (!grown)
			return -ENOMEM;
		d->items = grown;
		d->cap = cap;
	}
	e = d->parse(nlh, (char *)d->items + d->count * d->elem);
	if (e == -ENOMSG)
		return 0;
	if (e == 0)
		d->count++;
	return e;
}

static int parse_link_any(const struct nlmsghdr *nlh, void *out)
{
	return wgm_nl_route_parse_link(nlh, out);
}

static int parse_addr_any(const struct nlmsghdr *nlh, void *out)
{
	return wgm_nl_route_parse_addr(nlh, out);
}

int wgm_nl_route_list_links(struct wgm_nl_sock *s, struct wgm_nl_link **out, size_t *count, char *err, size_t errlen)
{
	char buf[WGM_NL_ROUTE_BUF] __attribute__((aligned(4)));
	struct dump_array d = { .elem = sizeof(struct wgm_nl_link), .parse = parse_link_any };
	int e = request(s, wgm_nl_route_build_link_get(buf, NULL), dump_array_cb, &d, "list links", err, errlen);

	if (e < 0) {
		free(d.items);
		return e;
	}
	*out = d.items;
	*count = d.count;
	return 0;
}

int wgm_nl_route_list_addrs(struct wgm_nl_sock *s, int family, struct wgm_nl_addr **out, size_t *count, char *err,
			    size_t errlen)
{
	char buf[WGM_NL_ROUTE_BUF] __attribute__((aligned(4)));
	struct dump_array d = { .elem = sizeof(struct wgm_nl_addr), .parse = parse_addr_any };
	int e = request(s, wgm_nl_route_build_addr_dump(buf, family), dump_array_cb, &d, "list addresses", err, errlen);

	if (e < 0) {
		free(d.items);
		return e;
	}
	*out = d.items;
	*count = d.count;
	return 0;
}

struct route_one {
	struct wgm_nl_route_info *out;
	bool found;
};

static int route_one_cb(const struct nlmsghdr *nlh, void *ctx)
{
	struct route_one *r = ctx;
	int e = wgm_nl_route_parse_route(nlh, r->out);

	if (e == -ENOMSG)
		return 0;
	if (e == 0)
		r->found = true;
	return e;
}

int wgm_nl_route_get(struct wgm_nl_sock *s, const struct wgm_nl_ip *dst, struct wgm_nl_route_info *out, char *err,
		     size_t errlen)
{
	char buf[WGM_NL_ROUTE_BUF] __attribute__((aligned(4)));
	char what[96], text[INET6_ADDRSTRLEN];
	struct route_one r = { out, false };
	struct wgm_nl_link links[1];
	int e;

	snprintf(what, sizeof(what), "route to %s", wgm_nl_ip_format(dst, text, sizeof(text)));
	e = request(s, wgm_nl_route_build_route_get(buf, dst), route_one_cb, &r, what, err, errlen);
	if (e < 0)
		return e;
	if (!r.found) {
		snprintf(err, errlen, "%s: no reply", what);
		return -ENETUNREACH;
	}
	/* The device MTU needs its own request: the route reply has only OIF. */
	{
		char lbuf[WGM_NL_ROUTE_BUF] __attribute__((aligned(4)));
		struct nlmsghdr *nlh = put_link_header(lbuf, RTM_GETLINK, 0, NULL);
		struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
		struct link_one l = { links, false };
		ifm->ifi_index = out->oif;
		e = request(s, nlh, link_one_cb, &l, what, err, errlen);
		if (e < 0)
			return e;
		if (!l.found) {
			snprintf(err, errlen, "%s: output device %d vanished", what, out->oif);
			return -ENODEV;
		}
	}
	snprintf(out->oif_name, sizeof(out->oif_name), "%s", links[0].name);
	out->dev_mtu = links[0].mtu;
	return 0;
}
