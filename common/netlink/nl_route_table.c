#include "common/netlink/nl_route_table.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t addr_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

/* Host bits past PREFIXLEN are all zero (the kernel refuses them for IPv4,
 * and they would name another route for IPv6). */
static bool host_bits_clear(const struct wgm_nl_ip *ip, unsigned int prefixlen)
{
	const uint8_t *b = (const uint8_t *)&ip->u;
	size_t len = addr_len(ip->family);

	for (size_t i = prefixlen / 8; i < len; i++) {
		uint8_t mask = i == prefixlen / 8 ? (uint8_t)(0xffu >> (prefixlen % 8)) : 0xffu;
		if (b[i] & mask)
			return false;
	}
	return true;
}

static bool spec_valid(const struct wgm_nl_route_spec *r)
{
	size_t len = r ? addr_len(r->dst.family) : 0;

	if (!len || r->prefixlen > len * 8 || r->ifindex <= 0 || !host_bits_clear(&r->dst, r->prefixlen))
		return false;
	return (r->gateway.family == AF_UNSPEC || r->gateway.family == r->dst.family) &&
	       (r->prefsrc.family == AF_UNSPEC || r->prefsrc.family == r->dst.family);
}

struct nlmsghdr *wgm_nl_route_build_table_route(char *buf, bool add, const struct wgm_nl_route_spec *r)
{
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	size_t len;

	if (!spec_valid(r))
		return NULL;
	len = addr_len(r->dst.family);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = add ? RTM_NEWROUTE : RTM_DELROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | (add ? NLM_F_CREATE | NLM_F_REPLACE : 0);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)r->dst.family;
	rtm->rtm_dst_len = (uint8_t)r->prefixlen;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = WGM_NL_RTPROT_WGMESH;
	rtm->rtm_scope = r->gateway.family == AF_UNSPEC ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_DST, len, &r->dst.u);
	if (r->gateway.family != AF_UNSPEC)
		mnl_attr_put(nlh, RTA_GATEWAY, len, &r->gateway.u);
	if (add && r->prefsrc.family != AF_UNSPEC)
		mnl_attr_put(nlh, RTA_PREFSRC, len, &r->prefsrc.u);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)r->ifindex);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, r->metric);
	return nlh;
}

struct nlmsghdr *wgm_nl_route_build_table_dump(char *buf, int family)
{
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	if (family != AF_INET && family != AF_INET6)
		return NULL;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)family;
	return nlh;
}

struct parse_ctx {
	struct wgm_nl_route_spec *out;
	uint32_t *table;
	int error;
};

static int attr_cb(const struct nlattr *a, void *data)
{
	struct parse_ctx *c = data;
	size_t want = addr_len(c->out->dst.family);
	uint16_t type = mnl_attr_get_type(a);

	switch (type) {
	case RTA_DST:
	case RTA_GATEWAY:
		if (mnl_attr_get_payload_len(a) != want) {
			c->error = -EBADMSG;
			return MNL_CB_ERROR;
		}
		memcpy(type == RTA_DST ? (void *)&c->out->dst.u : (void *)&c->out->gateway.u, mnl_attr_get_payload(a),
		       want);
		if (type == RTA_GATEWAY)
			c->out->gateway.family = c->out->dst.family;
		break;
	case RTA_OIF:
	case RTA_PRIORITY:
	case RTA_TABLE:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0) {
			c->error = -EBADMSG;
			return MNL_CB_ERROR;
		}
		if (type == RTA_OIF)
			c->out->ifindex = (int)mnl_attr_get_u32(a);
		else if (type == RTA_PRIORITY)
			c->out->metric = mnl_attr_get_u32(a);
		else
			*c->table = mnl_attr_get_u32(a);
		break;
	default:
		break;
	}
	return MNL_CB_OK;
}

int wgm_nl_route_parse_table_route(const struct nlmsghdr *nlh, struct wgm_nl_route_spec *out, uint8_t *protocol,
				   uint32_t *table)
{
	const struct rtmsg *rtm;
	struct parse_ctx c = { out, table, 0 };

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return -ENOMSG;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm))
		return -EBADMSG;
	rtm = mnl_nlmsg_get_payload(nlh);
	memset(out, 0, sizeof(*out));
	if (!addr_len(rtm->rtm_family) || rtm->rtm_dst_len > addr_len(rtm->rtm_family) * 8)
		return -EBADMSG;
	out->dst.family = rtm->rtm_family;
	out->prefixlen = rtm->rtm_dst_len;
	*protocol = rtm->rtm_protocol;
	*table = rtm->rtm_table;
	if (mnl_attr_parse(nlh, sizeof(*rtm), attr_cb, &c) < 0)
		return c.error ? c.error : -EBADMSG;
	return 0;
}

static void describe(char *what, size_t len, const char *verb, const struct wgm_nl_route_spec *r)
{
	char dst[INET6_ADDRSTRLEN];

	if (!r || !addr_len(r->dst.family)) {
		snprintf(what, len, "%s route", verb);
		return;
	}
	snprintf(what, len, "%s route %s/%u metric %u", verb, wgm_nl_ip_format(&r->dst, dst, sizeof(dst)), r->prefixlen,
		 r->metric);
}

static int table_write(struct wgm_nl_sock *s, bool add, const struct wgm_nl_route_spec *r, char *err, size_t errlen)
{
	char buf[WGM_NL_ROUTE_BUF] __attribute__((aligned(4)));
	struct nlmsghdr *nlh = wgm_nl_route_build_table_route(buf, add, r);
	char what[96];

	describe(what, sizeof(what), add ? "add" : "delete", r);
	if (!nlh) {
		snprintf(err, errlen, "%s: invalid argument", what);
		return -EINVAL;
	}
	return wgm_nl_sock_request(s, nlh, NULL, NULL, what, err, errlen);
}

int wgm_nl_route_table_add(struct wgm_nl_sock *s, const struct wgm_nl_route_spec *r, char *err, size_t errlen)
{
	return table_write(s, true, r, err, errlen);
}

int wgm_nl_route_table_del(struct wgm_nl_sock *s, const struct wgm_nl_route_spec *r, char *err, size_t errlen)
{
	return table_write(s, false, r, err, errlen);
}

struct own_routes {
	struct wgm_nl_route_spec *v;
	size_t n, cap;
};

static int collect_cb(const struct nlmsghdr *nlh, void *ctx)
{
	struct own_routes *own = ctx;
	struct wgm_nl_route_spec r;
	uint8_t protocol;
	uint32_t table;
	int e = wgm_nl_route_parse_table_route(nlh, &r, &protocol, &table);

	if (e == -ENOMSG)
		return 0;
	if (e < 0)
		return e;
	if (protocol != WGM_NL_RTPROT_WGMESH || table != RT_TABLE_MAIN || r.ifindex <= 0)
		return 0;
	if (own->n == own->cap) {
		size_t cap = own->cap ? own->cap * 2 : 16;
		struct wgm_nl_route_spec *v = realloc(own->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		own->v = v;
		own->cap = cap;
	}
	own->v[own->n++] = r;
	return 0;
}

static int flush_family(struct wgm_nl_sock *s, int family, char *err, size_t errlen)
{
	char buf[WGM_NL_ROUTE_BUF] __attribute__((aligned(4)));
	struct own_routes own = { 0 };
	int e = wgm_nl_sock_request(s, wgm_nl_route_build_table_dump(buf, family), collect_cb, &own,
				    family == AF_INET ? "list IPv4 routes" : "list IPv6 routes", err, errlen);

	/* Collected first, deleted after: a request must not run inside a dump. */
	for (size_t i = 0; e >= 0 && i < own.n; i++) {
		int d = wgm_nl_route_table_del(s, &own.v[i], err, errlen);
		if (d < 0 && d != -ESRCH)
			e = d;
	}
	if (e >= 0)
		e = (int)own.n;
	free(own.v);
	return e;
}

int wgm_nl_route_table_flush(struct wgm_nl_sock *s, int family, char *err, size_t errlen)
{
	int v4 = 0, v6 = 0;

	if (family == AF_INET || family == AF_UNSPEC) {
		v4 = flush_family(s, AF_INET, err, errlen);
		if (v4 < 0)
			return v4;
	}
	if (family == AF_INET6 || family == AF_UNSPEC) {
		v6 = flush_family(s, AF_INET6, err, errlen);
		if (v6 < 0)
			return v6;
	}
	return v4 + v6;
}
