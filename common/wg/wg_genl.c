#include "common/wg/wg_genl.h"

#include "common/netlink/nl_attr.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/wireguard.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

struct nlmsghdr *wgm_wg_genl_build_get_family(char *buf)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, WG_GENL_NAME);
	return nlh;
}

int wgm_wg_genl_parse_family(const struct nlmsghdr *nlh, uint16_t *family_id)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1] = { 0 };

	if (nlh->nlmsg_type != GENL_ID_CTRL)
		return -ENOMSG;
	if (wgm_nl_attr_table(nlh, sizeof(struct genlmsghdr), tb, sizeof(tb) / sizeof(tb[0]) - 1) < 0)
		return -EBADMSG;
	if (!tb[CTRL_ATTR_FAMILY_ID] || mnl_attr_validate(tb[CTRL_ATTR_FAMILY_ID], MNL_TYPE_U16) < 0)
		return -EBADMSG;
	*family_id = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	return 0;
}

static struct nlmsghdr *put_genl_header(char *buf, uint16_t family_id, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = family_id;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = WG_GENL_VERSION;
	return nlh;
}

struct nlmsghdr *wgm_wg_genl_build_get(char *buf, uint16_t family_id, const char *ifname)
{
	struct nlmsghdr *nlh;

	if (!ifname || !ifname[0] || strlen(ifname) >= IFNAMSIZ)
		return NULL;
	nlh = put_genl_header(buf, family_id, WG_CMD_GET_DEVICE, NLM_F_DUMP);
	mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, ifname);
	return nlh;
}

static bool device_valid(const struct wgm_wg_device *dev)
{
	if (!dev->ifname[0] || strnlen(dev->ifname, IFNAMSIZ) >= IFNAMSIZ)
		return false;
	for (size_t i = 0; i < dev->n_peers; i++) {
		const struct wgm_wg_peer *p = &dev->peers[i];
		int f = p->endpoint.addr.sa_family;
		if (f != AF_UNSPEC && f != AF_INET && f != AF_INET6)
			return false;
		for (size_t j = 0; j < p->n_allowed_ips; j++) {
			const struct wgm_wg_allowed_ip *a = &p->allowed_ips[j];
			if ((a->family != AF_INET && a->family != AF_INET6) ||
			    a->cidr > (a->family == AF_INET ? 32 : 128))
				return false;
		}
	}
	return true;
}

/* Puts the first part of a peer (keys, endpoint, keepalive, replace flag).
 * False when it does not fit. */
static bool put_peer_head(struct nlmsghdr *nlh, size_t buflen, const struct wgm_wg_device *dev,
			  const struct wgm_wg_peer *p)
{
	if (dev->allowed_ips_only)
		return mnl_attr_put_u32_check(nlh, buflen, WGPEER_A_FLAGS,
					      WGPEER_F_REPLACE_ALLOWEDIPS | WGPEER_F_UPDATE_ONLY);
	if (!mnl_attr_put_u32_check(nlh, buflen, WGPEER_A_FLAGS, WGPEER_F_REPLACE_ALLOWEDIPS))
		return false;
	if (p->has_preshared_key &&
	    !mnl_attr_put_check(nlh, buflen, WGPEER_A_PRESHARED_KEY, WGM_WG_KEY_LEN, p->preshared_key))
		return false;
	if (p->endpoint.addr.sa_family == AF_INET &&
	    !mnl_attr_put_check(nlh, buflen, WGPEER_A_ENDPOINT, sizeof(p->endpoint.v4), &p->endpoint.v4))
		return false;
	if (p->endpoint.addr.sa_family == AF_INET6 &&
	    !mnl_attr_put_check(nlh, buflen, WGPEER_A_ENDPOINT, sizeof(p->endpoint.v6), &p->endpoint.v6))
		return false;
	return mnl_attr_put_u16_check(nlh, buflen, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, p->persistent_keepalive);
}

static bool put_allowed_ip(struct nlmsghdr *nlh, size_t buflen, const struct wgm_wg_allowed_ip *a, uint16_t index)
{
	struct nlattr *nest = mnl_attr_nest_start_check(nlh, buflen, index);

	if (!nest)
		return false;
	if (!mnl_attr_put_u16_check(nlh, buflen, WGALLOWEDIP_A_FAMILY, (uint16_t)a->family) ||
	    !mnl_attr_put_check(nlh, buflen, WGALLOWEDIP_A_IPADDR,
				a->family == AF_INET ? sizeof(struct in_addr) : sizeof(struct in6_addr), &a->addr) ||
	    !mnl_attr_put_u8_check(nlh, buflen, WGALLOWEDIP_A_CIDR_MASK, a->cidr)) {
		mnl_attr_nest_cancel(nlh, nest);
		return false;
	}
	mnl_attr_nest_end(nlh, nest);
	return true;
}

int wgm_wg_genl_build_set(char *buf, size_t buflen, uint16_t family_id, const struct wgm_wg_device *dev,
			  struct wgm_wg_set_cursor *cur, struct nlmsghdr **out)
{
	struct nlmsghdr *nlh;
	struct nlattr *peers = NULL;
	size_t peers_in_msg = 0;
	bool first_msg = !cur->started;

	if (!device_valid(dev))
		return -EINVAL;
	if (buflen < MNL_NLMSG_HDRLEN + 64)
		return -EMSGSIZE;
	nlh = put_genl_header(buf, family_id, WG_CMD_SET_DEVICE, 0);
	if (!mnl_attr_put_strz_check(nlh, buflen, WGDEVICE_A_IFNAME, dev->ifname))
		return -EMSGSIZE;
	if (!cur->started && dev->allowed_ips_only) {
		cur->started = true;
	} else if (!cur->started) {
		if (dev->has_private_key &&
		    !mnl_attr_put_check(nlh, buflen, WGDEVICE_A_PRIVATE_KEY, WGM_WG_KEY_LEN, dev->private_key))
			return -EMSGSIZE;
		if (!mnl_attr_put_u16_check(nlh, buflen, WGDEVICE_A_LISTEN_PORT, dev->listen_port) ||
		    !mnl_attr_put_u32_check(nlh, buflen, WGDEVICE_A_FWMARK, dev->fwmark) ||
		    !mnl_attr_put_u32_check(nlh, buflen, WGDEVICE_A_FLAGS, WGDEVICE_F_REPLACE_PEERS))
			return -EMSGSIZE;
		cur->started = true;
	}
	*out = nlh;
	if (cur->peer >= dev->n_peers)
		return 0;
	peers = mnl_attr_nest_start_check(nlh, buflen, WGDEVICE_A_PEERS);
	if (!peers)
		return -EMSGSIZE;
	while (cur->peer < dev->n_peers) {
		const struct wgm_wg_peer *p = &dev->peers[cur->peer];
		struct nlattr *peer_nest = mnl_attr_nest_start_check(nlh, buflen, (uint16_t)peers_in_msg);
		struct nlattr *aips;
		size_t aips_in_msg = 0;

		if (!peer_nest)
			goto full;
		if (!mnl_attr_put_check(nlh, buflen, WGPEER_A_PUBLIC_KEY, WGM_WG_KEY_LEN, p->public_key) ||
		    (cur->allowed_ip == 0 && !put_peer_head(nlh, buflen, dev, p))) {
			mnl_attr_nest_cancel(nlh, peer_nest);
			goto full;
		}
		if (cur->allowed_ip < p->n_allowed_ips) {
			aips = mnl_attr_nest_start_check(nlh, buflen, WGPEER_A_ALLOWEDIPS);
			if (!aips) {
				mnl_attr_nest_cancel(nlh, peer_nest);
				goto full;
			}
			while (cur->allowed_ip < p->n_allowed_ips) {
				if (!put_allowed_ip(nlh, buflen, &p->allowed_ips[cur->allowed_ip],
						    (uint16_t)aips_in_msg))
					break;
				cur->allowed_ip++;
				aips_in_msg++;
			}
			if (cur->allowed_ip < p->n_allowed_ips) {
				/* Send what fits; the rest follows under the same key. */
				if (aips_in_msg == 0) {
					mnl_attr_nest_cancel(nlh, peer_nest);
					goto full;
				}
				mnl_attr_nest_end(nlh, aips);
				mnl_attr_nest_end(nlh, peer_nest);
				mnl_attr_nest_end(nlh, peers);
				return 1;
			}
			mnl_attr_nest_end(nlh, aips);
		}
		mnl_attr_nest_end(nlh, peer_nest);
		peers_in_msg++;
		cur->peer++;
		cur->allowed_ip = 0;
	}
	mnl_attr_nest_end(nlh, peers);
	return 0;

full:
	if (peers_in_msg > 0) {
		mnl_attr_nest_end(nlh, peers);
		return 1;
	}
	mnl_attr_nest_cancel(nlh, peers);
	/* A first message may go with the device alone; a later one that
	 * cannot hold one peer would never make progress. */
	return first_msg ? 1 : -EMSGSIZE;
}

/* ---------------- GET replies ---------------- */

static int parse_allowed_ip(const struct nlattr *nest, struct wgm_wg_peer *peer)
{
	const struct nlattr *tb[WGALLOWEDIP_A_MAX + 1] = { 0 };
	struct wgm_wg_allowed_ip a = { 0 };
	struct wgm_wg_allowed_ip *slot;
	size_t len;

	if (wgm_nl_attr_table_nested(nest, tb, sizeof(tb) / sizeof(tb[0]) - 1) < 0)
		return -EBADMSG;
	if (!tb[WGALLOWEDIP_A_FAMILY] || !tb[WGALLOWEDIP_A_IPADDR] || !tb[WGALLOWEDIP_A_CIDR_MASK] ||
	    mnl_attr_validate(tb[WGALLOWEDIP_A_FAMILY], MNL_TYPE_U16) < 0 ||
	    mnl_attr_validate(tb[WGALLOWEDIP_A_CIDR_MASK], MNL_TYPE_U8) < 0)
		return -EBADMSG;
	a.family = mnl_attr_get_u16(tb[WGALLOWEDIP_A_FAMILY]);
	a.cidr = mnl_attr_get_u8(tb[WGALLOWEDIP_A_CIDR_MASK]);
	len = a.family == AF_INET ? sizeof(struct in_addr) : a.family == AF_INET6 ? sizeof(struct in6_addr) : 0;
	if (!len || mnl_attr_get_payload_len(tb[WGALLOWEDIP_A_IPADDR]) != len ||
	    a.cidr > (a.family == AF_INET ? 32 : 128))
		return -EBADMSG;
	memcpy(&a.addr, mnl_attr_get_payload(tb[WGALLOWEDIP_A_IPADDR]), len);
	slot = wgm_wg_peer_add_allowed_ip(peer);
	if (!slot)
		return -ENOMEM;
	*slot = a;
	return 0;
}

static int parse_peer(const struct nlattr *nest, struct wgm_wg_device *dev)
{
	const struct nlattr *tb[WGPEER_A_MAX + 1] = { 0 };
	const struct nlattr *a;
	struct wgm_wg_peer *peer;
	const uint8_t *key;

	if (wgm_nl_attr_table_nested(nest, tb, sizeof(tb) / sizeof(tb[0]) - 1) < 0)
		return -EBADMSG;
	if (!tb[WGPEER_A_PUBLIC_KEY] || mnl_attr_get_payload_len(tb[WGPEER_A_PUBLIC_KEY]) != WGM_WG_KEY_LEN)
		return -EBADMSG;
	key = mnl_attr_get_payload(tb[WGPEER_A_PUBLIC_KEY]);
	/* The kernel splits a peer with many allowed IPs over messages; its
	 * next part repeats the public key. */
	if (dev->n_peers && memcmp(dev->peers[dev->n_peers - 1].public_key, key, WGM_WG_KEY_LEN) == 0) {
		peer = &dev->peers[dev->n_peers - 1];
	} else {
		peer = wgm_wg_device_add_peer(dev);
		if (!peer)
			return -ENOMEM;
		memcpy(peer->public_key, key, WGM_WG_KEY_LEN);
	}
	if ((a = tb[WGPEER_A_PRESHARED_KEY])) {
		if (mnl_attr_get_payload_len(a) != WGM_WG_KEY_LEN)
			return -EBADMSG;
		memcpy(peer->preshared_key, mnl_attr_get_payload(a), WGM_WG_KEY_LEN);
		peer->has_preshared_key = !sodium_is_zero(peer->preshared_key, WGM_WG_KEY_LEN);
	}
	if ((a = tb[WGPEER_A_ENDPOINT])) {
		size_t len = mnl_attr_get_payload_len(a);
		const struct sockaddr *sa = mnl_attr_get_payload(a);
		if (len < sizeof(sa_family_t))
			return -EBADMSG;
		if (sa->sa_family == AF_INET && len == sizeof(struct sockaddr_in))
			memcpy(&peer->endpoint.v4, sa, len);
		else if (sa->sa_family == AF_INET6 && len == sizeof(struct sockaddr_in6))
			memcpy(&peer->endpoint.v6, sa, len);
		else
			return -EBADMSG;
	}
	if ((a = tb[WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL])) {
		if (mnl_attr_validate(a, MNL_TYPE_U16) < 0)
			return -EBADMSG;
		peer->persistent_keepalive = mnl_attr_get_u16(a);
	}
	if ((a = tb[WGPEER_A_LAST_HANDSHAKE_TIME])) {
		int64_t ts[2];
		if (mnl_attr_get_payload_len(a) != sizeof(ts))
			return -EBADMSG;
		memcpy(ts, mnl_attr_get_payload(a), sizeof(ts));
		peer->last_handshake_sec = ts[0];
		peer->last_handshake_nsec = ts[1];
	}
	if ((a = tb[WGPEER_A_RX_BYTES])) {
		if (mnl_attr_validate(a, MNL_TYPE_U64) < 0)
			return -EBADMSG;
		peer->rx_bytes = mnl_attr_get_u64(a);
	}
	if ((a = tb[WGPEER_A_TX_BYTES])) {
		if (mnl_attr_validate(a, MNL_TYPE_U64) < 0)
			return -EBADMSG;
		peer->tx_bytes = mnl_attr_get_u64(a);
	}
	if ((a = tb[WGPEER_A_ALLOWEDIPS])) {
		const struct nlattr *aip;
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
			return -EBADMSG;
		mnl_attr_for_each_nested (aip, a) {
			int e = parse_allowed_ip(aip, peer);
			if (e < 0)
				return e;
		}
	}
	return 0;
}

int wgm_wg_genl_parse_get(const struct nlmsghdr *nlh, struct wgm_wg_device *dev)
{
	const struct nlattr *tb[WGDEVICE_A_MAX + 1] = { 0 };
	const struct nlattr *a;

	if (wgm_nl_attr_table(nlh, sizeof(struct genlmsghdr), tb, sizeof(tb) / sizeof(tb[0]) - 1) < 0)
		return -EBADMSG;
	if ((a = tb[WGDEVICE_A_IFNAME])) {
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0 || strlen(mnl_attr_get_str(a)) >= IFNAMSIZ)
			return -EBADMSG;
		snprintf(dev->ifname, sizeof(dev->ifname), "%s", mnl_attr_get_str(a));
	}
	if ((a = tb[WGDEVICE_A_PRIVATE_KEY])) {
		if (mnl_attr_get_payload_len(a) != WGM_WG_KEY_LEN)
			return -EBADMSG;
		memcpy(dev->private_key, mnl_attr_get_payload(a), WGM_WG_KEY_LEN);
		dev->has_private_key = !sodium_is_zero(dev->private_key, WGM_WG_KEY_LEN);
	}
	if ((a = tb[WGDEVICE_A_PUBLIC_KEY])) {
		if (mnl_attr_get_payload_len(a) != WGM_WG_KEY_LEN)
			return -EBADMSG;
		memcpy(dev->public_key, mnl_attr_get_payload(a), WGM_WG_KEY_LEN);
		dev->has_public_key = !sodium_is_zero(dev->public_key, WGM_WG_KEY_LEN);
	}
	if ((a = tb[WGDEVICE_A_LISTEN_PORT])) {
		if (mnl_attr_validate(a, MNL_TYPE_U16) < 0)
			return -EBADMSG;
		dev->listen_port = mnl_attr_get_u16(a);
	}
	if ((a = tb[WGDEVICE_A_FWMARK])) {
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return -EBADMSG;
		dev->fwmark = mnl_attr_get_u32(a);
	}
	if ((a = tb[WGDEVICE_A_PEERS])) {
		const struct nlattr *peer;
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
			return -EBADMSG;
		mnl_attr_for_each_nested (peer, a) {
			int e = parse_peer(peer, dev);
			if (e < 0)
				return e;
		}
	}
	return 0;
}
