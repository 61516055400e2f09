#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/wireguard.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "common/wg/wg.h"
#include "common/wg/wg_genl.h"

#define FAMILY 0x1d

static char buf[8192] __attribute__((aligned(4)));

struct tb {
	const struct nlattr *a[16];
};

static int collect(const struct nlattr *attr, void *data)
{
	struct tb *t = data;
	if (mnl_attr_get_type(attr) < 16)
		t->a[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

static struct tb msg_attrs(const struct nlmsghdr *nlh)
{
	struct tb t = { 0 };
	assert_true(mnl_attr_parse(nlh, sizeof(struct genlmsghdr), collect, &t) >= 0);
	return t;
}

static struct tb nested(const struct nlattr *nest)
{
	struct tb t = { 0 };
	assert_non_null(nest);
	assert_true(mnl_attr_parse_nested(nest, collect, &t) >= 0);
	return t;
}

static size_t count_nested(const struct nlattr *nest)
{
	const struct nlattr *a;
	size_t n = 0;
	mnl_attr_for_each_nested (a, nest)
		n++;
	return n;
}

static const struct nlattr *nth_nested(const struct nlattr *nest, size_t i)
{
	const struct nlattr *a;
	mnl_attr_for_each_nested (a, nest) {
		if (i-- == 0)
			return a;
	}
	fail_msg("no nested attribute %zu", i);
	return NULL;
}

static struct wgm_wg_device *device(size_t peers, size_t aips_each)
{
	struct wgm_wg_device *dev = calloc(1, sizeof(*dev));
	strcpy(dev->ifname, "pipe2");
	memset(dev->private_key, 0x11, WGM_WG_KEY_LEN);
	dev->has_private_key = true;
	dev->listen_port = 51820;
	dev->fwmark = 0x51;
	for (size_t i = 0; i < peers; i++) {
		struct wgm_wg_peer *p = wgm_wg_device_add_peer(dev);
		memset(p->public_key, (int)(0x20 + i), WGM_WG_KEY_LEN);
		memset(p->preshared_key, 0x33, WGM_WG_KEY_LEN);
		p->has_preshared_key = true;
		wgm_wg_endpoint_parse(i % 2 ? "[2001:db8::2]:51821" : "192.0.2.2:51821", p);
		p->persistent_keepalive = 25;
		for (size_t j = 0; j < aips_each; j++) {
			struct wgm_wg_allowed_ip *a = wgm_wg_peer_add_allowed_ip(p);
			a->family = j % 2 ? AF_INET6 : AF_INET;
			if (a->family == AF_INET)
				a->addr.v4.s_addr = htonl(0x0a000000u + (uint32_t)j);
			else
				a->addr.v6.s6_addr[15] = (uint8_t)j;
			a->cidr = a->family == AF_INET ? 32 : 128;
		}
	}
	return dev;
}

static void test_get_family_request_and_reply(void **state)
{
	struct nlmsghdr *nlh = wgm_wg_genl_build_get_family(buf);
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	uint16_t id = 0;
	assert_int_equal(nlh->nlmsg_type, GENL_ID_CTRL);
	assert_int_equal(g->cmd, CTRL_CMD_GETFAMILY);
	assert_string_equal(mnl_attr_get_str(msg_attrs(nlh).a[CTRL_ATTR_FAMILY_NAME]), "wireguard");

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct genlmsghdr));
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "wireguard");
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, FAMILY);
	assert_int_equal(wgm_wg_genl_parse_family(nlh, &id), 0);
	assert_int_equal(id, FAMILY);
}

static void test_set_single_message_attribute_by_attribute(void **state)
{
	struct wgm_wg_device *dev = device(1, 2);
	struct wgm_wg_set_cursor cur = { 0 };
	struct nlmsghdr *nlh;
	assert_int_equal(wgm_wg_genl_build_set(buf, sizeof(buf), FAMILY, dev, &cur, &nlh), 0);
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(nlh->nlmsg_type, FAMILY);
	assert_int_equal(g->cmd, WG_CMD_SET_DEVICE);
	assert_int_equal(g->version, WG_GENL_VERSION);

	struct tb d = msg_attrs(nlh);
	assert_string_equal(mnl_attr_get_str(d.a[WGDEVICE_A_IFNAME]), "pipe2");
	assert_int_equal(mnl_attr_get_payload_len(d.a[WGDEVICE_A_PRIVATE_KEY]), WGM_WG_KEY_LEN);
	assert_memory_equal(mnl_attr_get_payload(d.a[WGDEVICE_A_PRIVATE_KEY]), dev->private_key, WGM_WG_KEY_LEN);
	assert_int_equal(mnl_attr_get_u16(d.a[WGDEVICE_A_LISTEN_PORT]), 51820);
	assert_int_equal(mnl_attr_get_u32(d.a[WGDEVICE_A_FWMARK]), 0x51);
	assert_int_equal(mnl_attr_get_u32(d.a[WGDEVICE_A_FLAGS]), WGDEVICE_F_REPLACE_PEERS);
	assert_int_equal(count_nested(d.a[WGDEVICE_A_PEERS]), 1);

	struct tb p = nested(nth_nested(d.a[WGDEVICE_A_PEERS], 0));
	assert_memory_equal(mnl_attr_get_payload(p.a[WGPEER_A_PUBLIC_KEY]), dev->peers[0].public_key, WGM_WG_KEY_LEN);
	assert_memory_equal(mnl_attr_get_payload(p.a[WGPEER_A_PRESHARED_KEY]), dev->peers[0].preshared_key,
			    WGM_WG_KEY_LEN);
	assert_int_equal(mnl_attr_get_u32(p.a[WGPEER_A_FLAGS]), WGPEER_F_REPLACE_ALLOWEDIPS);
	assert_int_equal(mnl_attr_get_payload_len(p.a[WGPEER_A_ENDPOINT]), sizeof(struct sockaddr_in));
	assert_memory_equal(mnl_attr_get_payload(p.a[WGPEER_A_ENDPOINT]), &dev->peers[0].endpoint.v4,
			    sizeof(struct sockaddr_in));
	assert_int_equal(mnl_attr_get_u16(p.a[WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL]), 25);
	assert_int_equal(count_nested(p.a[WGPEER_A_ALLOWEDIPS]), 2);

	struct tb a0 = nested(nth_nested(p.a[WGPEER_A_ALLOWEDIPS], 0));
	assert_int_equal(mnl_attr_get_u16(a0.a[WGALLOWEDIP_A_FAMILY]), AF_INET);
	assert_int_equal(mnl_attr_get_payload_len(a0.a[WGALLOWEDIP_A_IPADDR]), 4);
	assert_int_equal(mnl_attr_get_u8(a0.a[WGALLOWEDIP_A_CIDR_MASK]), 32);
	struct tb a1 = nested(nth_nested(p.a[WGPEER_A_ALLOWEDIPS], 1));
	assert_int_equal(mnl_attr_get_u16(a1.a[WGALLOWEDIP_A_FAMILY]), AF_INET6);
	assert_int_equal(mnl_attr_get_payload_len(a1.a[WGALLOWEDIP_A_IPADDR]), 16);
	assert_int_equal(mnl_attr_get_u8(a1.a[WGALLOWEDIP_A_CIDR_MASK]), 128);
	wgm_wg_device_free(dev);
}

/* Allowed IPs alone: no device attribute but the name, no peer attribute
 * but the key, the flags (replace, update only) and the allowed IPs. */
static void test_set_allowed_ips_only(void **state)
{
	struct wgm_wg_device *dev = device(1, 2);
	struct wgm_wg_set_cursor cur = { 0 };
	struct nlmsghdr *nlh;
	dev->allowed_ips_only = true;
	assert_int_equal(wgm_wg_genl_build_set(buf, sizeof(buf), FAMILY, dev, &cur, &nlh), 0);
	struct tb d = msg_attrs(nlh);
	assert_string_equal(mnl_attr_get_str(d.a[WGDEVICE_A_IFNAME]), "pipe2");
	assert_null(d.a[WGDEVICE_A_PRIVATE_KEY]);
	assert_null(d.a[WGDEVICE_A_LISTEN_PORT]);
	assert_null(d.a[WGDEVICE_A_FWMARK]);
	assert_null(d.a[WGDEVICE_A_FLAGS]);
	struct tb p = nested(nth_nested(d.a[WGDEVICE_A_PEERS], 0));
	assert_memory_equal(mnl_attr_get_payload(p.a[WGPEER_A_PUBLIC_KEY]), dev->peers[0].public_key, WGM_WG_KEY_LEN);
	assert_int_equal(mnl_attr_get_u32(p.a[WGPEER_A_FLAGS]), WGPEER_F_REPLACE_ALLOWEDIPS | WGPEER_F_UPDATE_ONLY);
	assert_null(p.a[WGPEER_A_PRESHARED_KEY]);
	assert_null(p.a[WGPEER_A_ENDPOINT]);
	assert_null(p.a[WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL]);
	assert_int_equal(count_nested(p.a[WGPEER_A_ALLOWEDIPS]), 2);
	wgm_wg_device_free(dev);
}

static void test_set_without_peers_still_replaces(void **state)
{
	struct wgm_wg_device *dev = device(0, 0);
	struct wgm_wg_set_cursor cur = { 0 };
	struct nlmsghdr *nlh;
	dev->has_private_key = false;
	assert_int_equal(wgm_wg_genl_build_set(buf, sizeof(buf), FAMILY, dev, &cur, &nlh), 0);
	struct tb d = msg_attrs(nlh);
	assert_null(d.a[WGDEVICE_A_PRIVATE_KEY]);
	assert_null(d.a[WGDEVICE_A_PEERS]);
	assert_int_equal(mnl_attr_get_u32(d.a[WGDEVICE_A_FLAGS]), WGDEVICE_F_REPLACE_PEERS);
	wgm_wg_device_free(dev);
}

/* A device too large for one message goes out in parts: device attributes
 * and REPLACE_PEERS once, each peer's REPLACE_ALLOWEDIPS once, and every
 * allowed IP exactly once, in order. */
static void test_set_split_across_messages(void **state)
{
	struct wgm_wg_device *dev = device(3, 50);
	struct wgm_wg_device *joined = calloc(1, sizeof(*joined));
	struct wgm_wg_set_cursor cur = { 0 };
	size_t messages = 0, replace_peers = 0, replace_aips = 0, psks = 0;
	int more;
	do {
		struct nlmsghdr *nlh;
		more = wgm_wg_genl_build_set(buf, 1024, FAMILY, dev, &cur, &nlh);
		assert_true(more >= 0);
		assert_true(nlh->nlmsg_len <= 1024);
		messages++;
		struct tb d = msg_attrs(nlh);
		assert_string_equal(mnl_attr_get_str(d.a[WGDEVICE_A_IFNAME]), "pipe2");
		if (messages == 1) {
			assert_non_null(d.a[WGDEVICE_A_PRIVATE_KEY]);
		} else {
			assert_null(d.a[WGDEVICE_A_PRIVATE_KEY]);
			assert_null(d.a[WGDEVICE_A_LISTEN_PORT]);
		}
		if (d.a[WGDEVICE_A_FLAGS])
			replace_peers++;
		if (d.a[WGDEVICE_A_PEERS]) {
			const struct nlattr *peer;
			mnl_attr_for_each_nested (peer, d.a[WGDEVICE_A_PEERS]) {
				struct tb p = nested(peer);
				replace_aips += p.a[WGPEER_A_FLAGS] != NULL;
				psks += p.a[WGPEER_A_PRESHARED_KEY] != NULL;
			}
		}
		assert_int_equal(wgm_wg_genl_parse_get(nlh, joined), 0);
	} while (more > 0);
	assert_true(messages > 3);
	assert_int_equal(replace_peers, 1);
	assert_int_equal(replace_aips, 3);
	assert_int_equal(psks, 3);
	assert_int_equal(joined->n_peers, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_memory_equal(joined->peers[i].public_key, dev->peers[i].public_key, WGM_WG_KEY_LEN);
		assert_int_equal(joined->peers[i].n_allowed_ips, 50);
		assert_memory_equal(joined->peers[i].allowed_ips, dev->peers[i].allowed_ips,
				    50 * sizeof(struct wgm_wg_allowed_ip));
	}
	wgm_wg_device_free(joined);
	wgm_wg_device_free(dev);
}

static void test_set_buffer_too_small_for_a_peer(void **state)
{
	struct wgm_wg_device *dev = device(1, 1);
	struct wgm_wg_set_cursor cur = { 0 };
	struct nlmsghdr *nlh;
	/* The first message goes with the device alone, the next cannot hold
	 * the peer: an error, not an endless loop. */
	assert_int_equal(wgm_wg_genl_build_set(buf, 140, FAMILY, dev, &cur, &nlh), 1);
	assert_int_equal(wgm_wg_genl_build_set(buf, 140, FAMILY, dev, &cur, &nlh), -EMSGSIZE);
	wgm_wg_device_free(dev);
}

static void test_set_rejects_invalid_device(void **state)
{
	struct wgm_wg_device *dev = device(1, 1);
	struct wgm_wg_set_cursor cur = { 0 };
	struct nlmsghdr *nlh;
	dev->peers[0].allowed_ips[0].cidr = 33;
	assert_int_equal(wgm_wg_genl_build_set(buf, sizeof(buf), FAMILY, dev, &cur, &nlh), -EINVAL);
	dev->peers[0].allowed_ips[0].cidr = 32;
	dev->ifname[0] = '\0';
	assert_int_equal(wgm_wg_genl_build_set(buf, sizeof(buf), FAMILY, dev, &cur, &nlh), -EINVAL);
	wgm_wg_device_free(dev);
}

static void test_get_request(void **state)
{
	struct nlmsghdr *nlh = wgm_wg_genl_build_get(buf, FAMILY, "pipe2");
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(nlh->nlmsg_type, FAMILY);
	assert_int_equal(nlh->nlmsg_flags & NLM_F_DUMP, NLM_F_DUMP);
	assert_int_equal(g->cmd, WG_CMD_GET_DEVICE);
	assert_string_equal(mnl_attr_get_str(msg_attrs(nlh).a[WGDEVICE_A_IFNAME]), "pipe2");
	assert_null(wgm_wg_genl_build_get(buf, FAMILY, "this-name-is-too-long"));
}

/* ---- GET replies as the kernel sends them ---- */

static struct nlmsghdr *reply_start(char *b, bool with_device)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(b);
	struct genlmsghdr *g;
	uint8_t key[WGM_WG_KEY_LEN];
	nlh->nlmsg_type = FAMILY;
	nlh->nlmsg_flags = NLM_F_MULTI;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = WG_CMD_GET_DEVICE;
	g->version = 1;
	mnl_attr_put_u32(nlh, WGDEVICE_A_IFINDEX, 5);
	mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, "pipe2");
	if (with_device) {
		memset(key, 0x11, sizeof(key));
		mnl_attr_put(nlh, WGDEVICE_A_PRIVATE_KEY, WGM_WG_KEY_LEN, key);
		memset(key, 0x12, sizeof(key));
		mnl_attr_put(nlh, WGDEVICE_A_PUBLIC_KEY, WGM_WG_KEY_LEN, key);
		mnl_attr_put_u16(nlh, WGDEVICE_A_LISTEN_PORT, 51820);
		mnl_attr_put_u32(nlh, WGDEVICE_A_FWMARK, 0);
	}
	return nlh;
}

/* A peer with allowed IPs 10.0.0.FIRST .. 10.0.0.(FIRST+N-1); STATS adds the
 * fields only a peer's first part carries. */
static void reply_peer(struct nlmsghdr *nlh, uint16_t index, uint8_t key_byte, int first, int n, bool stats)
{
	struct nlattr *peer = mnl_attr_nest_start(nlh, index);
	uint8_t key[WGM_WG_KEY_LEN];
	memset(key, key_byte, sizeof(key));
	mnl_attr_put(nlh, WGPEER_A_PUBLIC_KEY, WGM_WG_KEY_LEN, key);
	if (stats) {
		int64_t ts[2] = { 1764000000, 42 };
		struct sockaddr_in6 ep = { .sin6_family = AF_INET6, .sin6_port = htons(51821) };
		inet_pton(AF_INET6, "2001:db8::2", &ep.sin6_addr);
		memset(key, 0, sizeof(key));
		mnl_attr_put(nlh, WGPEER_A_PRESHARED_KEY, WGM_WG_KEY_LEN, key);
		mnl_attr_put(nlh, WGPEER_A_ENDPOINT, sizeof(ep), &ep);
		mnl_attr_put_u16(nlh, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, 25);
		mnl_attr_put(nlh, WGPEER_A_LAST_HANDSHAKE_TIME, sizeof(ts), ts);
		mnl_attr_put_u64(nlh, WGPEER_A_RX_BYTES, 1000 + key_byte);
		mnl_attr_put_u64(nlh, WGPEER_A_TX_BYTES, 2000 + key_byte);
		mnl_attr_put_u32(nlh, WGPEER_A_PROTOCOL_VERSION, 1);
	}
	if (n) {
		struct nlattr *aips = mnl_attr_nest_start(nlh, WGPEER_A_ALLOWEDIPS);
		for (int i = 0; i < n; i++) {
			struct nlattr *a = mnl_attr_nest_start(nlh, (uint16_t)i);
			struct in_addr addr = { htonl(0x0a000000u + (uint32_t)(first + i)) };
			mnl_attr_put_u16(nlh, WGALLOWEDIP_A_FAMILY, AF_INET);
			mnl_attr_put(nlh, WGALLOWEDIP_A_IPADDR, sizeof(addr), &addr);
			mnl_attr_put_u8(nlh, WGALLOWEDIP_A_CIDR_MASK, 32);
			mnl_attr_nest_end(nlh, a);
		}
		mnl_attr_nest_end(nlh, aips);
	}
	mnl_attr_nest_end(nlh, peer);
}

static void test_get_dump_over_three_messages(void **state)
{
	static char m1[1024] __attribute__((aligned(4))), m2[1024] __attribute__((aligned(4))),
		m3[1024] __attribute__((aligned(4)));
	struct wgm_wg_device *dev = calloc(1, sizeof(*dev));
	struct nlmsghdr *nlh;
	struct nlattr *peers;

	nlh = reply_start(m1, true);
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	reply_peer(nlh, 0, 0xa1, 0, 3, true);
	mnl_attr_nest_end(nlh, peers);
	assert_int_equal(wgm_wg_genl_parse_get(nlh, dev), 0);

	/* Peer A's remaining allowed IPs, then peer B's first part. */
	nlh = reply_start(m2, false);
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	reply_peer(nlh, 0, 0xa1, 3, 2, false);
	reply_peer(nlh, 1, 0xb2, 100, 1, true);
	mnl_attr_nest_end(nlh, peers);
	assert_int_equal(wgm_wg_genl_parse_get(nlh, dev), 0);

	nlh = reply_start(m3, false);
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	reply_peer(nlh, 0, 0xb2, 101, 1, false);
	mnl_attr_nest_end(nlh, peers);
	assert_int_equal(wgm_wg_genl_parse_get(nlh, dev), 0);

	assert_string_equal(dev->ifname, "pipe2");
	assert_true(dev->has_private_key);
	assert_int_equal(dev->public_key[0], 0x12);
	assert_int_equal(dev->listen_port, 51820);
	assert_int_equal(dev->n_peers, 2);
	assert_int_equal(dev->peers[0].public_key[0], 0xa1);
	assert_int_equal(dev->peers[0].n_allowed_ips, 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(ntohl(dev->peers[0].allowed_ips[i].addr.v4.s_addr), 0x0a000000u + (uint32_t)i);
	assert_int_equal(dev->peers[0].last_handshake_sec, 1764000000);
	assert_int_equal(dev->peers[0].last_handshake_nsec, 42);
	assert_int_equal(dev->peers[0].rx_bytes, 1000 + 0xa1);
	assert_int_equal(dev->peers[0].tx_bytes, 2000 + 0xa1);
	assert_int_equal(dev->peers[0].persistent_keepalive, 25);
	assert_false(dev->peers[0].has_preshared_key);
	assert_int_equal(dev->peers[0].endpoint.addr.sa_family, AF_INET6);
	assert_int_equal(ntohs(dev->peers[0].endpoint.v6.sin6_port), 51821);
	assert_int_equal(dev->peers[1].public_key[0], 0xb2);
	assert_int_equal(dev->peers[1].n_allowed_ips, 2);
	assert_int_equal(dev->peers[1].rx_bytes, 1000 + 0xb2);
	wgm_wg_device_free(dev);
}

static void test_get_malformed_replies(void **state)
{
	struct wgm_wg_device *dev = calloc(1, sizeof(*dev));
	struct nlmsghdr *nlh;
	struct nlattr *peers, *peer;
	uint8_t short_key[16] = { 0 };

	nlh = reply_start(buf, false);
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	peer = mnl_attr_nest_start(nlh, 0);
	mnl_attr_put(nlh, WGPEER_A_PUBLIC_KEY, sizeof(short_key), short_key);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, peers);
	assert_int_equal(wgm_wg_genl_parse_get(nlh, dev), -EBADMSG);

	nlh = reply_start(buf, false);
	mnl_attr_put(nlh, WGDEVICE_A_PRIVATE_KEY, sizeof(short_key), short_key);
	assert_int_equal(wgm_wg_genl_parse_get(nlh, dev), -EBADMSG);

	/* An IPv6 family with a 4-byte address. */
	nlh = reply_start(buf, false);
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	peer = mnl_attr_nest_start(nlh, 0);
	uint8_t key[WGM_WG_KEY_LEN] = { 1 };
	mnl_attr_put(nlh, WGPEER_A_PUBLIC_KEY, WGM_WG_KEY_LEN, key);
	struct nlattr *aips = mnl_attr_nest_start(nlh, WGPEER_A_ALLOWEDIPS);
	struct nlattr *a = mnl_attr_nest_start(nlh, 0);
	mnl_attr_put_u16(nlh, WGALLOWEDIP_A_FAMILY, AF_INET6);
	mnl_attr_put_u32(nlh, WGALLOWEDIP_A_IPADDR, 0);
	mnl_attr_put_u8(nlh, WGALLOWEDIP_A_CIDR_MASK, 32);
	mnl_attr_nest_end(nlh, a);
	mnl_attr_nest_end(nlh, aips);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, peers);
	assert_int_equal(wgm_wg_genl_parse_get(nlh, dev), -EBADMSG);
	wgm_wg_device_free(dev);
}

/* A reply for one peer whose only extra attribute is ENDPOINT (LEN bytes). */
static struct nlmsghdr *reply_with_endpoint(const void *endpoint, size_t len)
{
	struct nlmsghdr *nlh = reply_start(buf, false);
	struct nlattr *peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	struct nlattr *peer = mnl_attr_nest_start(nlh, 0);
	uint8_t key[WGM_WG_KEY_LEN];

	memset(key, 0x5a, sizeof(key));
	mnl_attr_put(nlh, WGPEER_A_PUBLIC_KEY, WGM_WG_KEY_LEN, key);
	mnl_attr_put(nlh, WGPEER_A_ENDPOINT, len, endpoint);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, peers);
	return nlh;
}

/* The endpoint the kernel learned from the peer's packets (the accepting
 * side has no other source for it). */
static void test_get_reads_the_peer_endpoint(void **state)
{
	struct sockaddr_in v4 = { .sin_family = AF_INET, .sin_port = htons(51820) };
	struct sockaddr_in6 v6 = { .sin6_family = AF_INET6, .sin6_port = htons(51821), .sin6_scope_id = 3 };
	struct wgm_wg_device *dev = calloc(1, sizeof(*dev));
	char text[80];

	inet_pton(AF_INET, "192.0.2.12", &v4.sin_addr);
	assert_int_equal(wgm_wg_genl_parse_get(reply_with_endpoint(&v4, sizeof(v4)), dev), 0);
	assert_int_equal(dev->n_peers, 1);
	wgm_wg_endpoint_format(&dev->peers[0], text, sizeof(text));
	assert_string_equal(text, "192.0.2.12:51820");
	wgm_wg_device_free(dev);

	dev = calloc(1, sizeof(*dev));
	inet_pton(AF_INET6, "fe80::12", &v6.sin6_addr);
	assert_int_equal(wgm_wg_genl_parse_get(reply_with_endpoint(&v6, sizeof(v6)), dev), 0);
	wgm_wg_endpoint_format(&dev->peers[0], text, sizeof(text));
	assert_string_equal(text, "[fe80::12%3]:51821");
	wgm_wg_device_free(dev);

	/* A sockaddr whose size does not match its family, or no family. */
	dev = calloc(1, sizeof(*dev));
	union {
		struct sockaddr_in v4;
		struct sockaddr_in6 v6;
	} v4_padded = { .v4 = v4 };
	assert_int_equal(wgm_wg_genl_parse_get(reply_with_endpoint(&v4_padded, sizeof(v6)), dev), -EBADMSG);
	assert_int_equal(wgm_wg_genl_parse_get(reply_with_endpoint(&v6, sizeof(v4)), dev), -EBADMSG);
	assert_int_equal(wgm_wg_genl_parse_get(reply_with_endpoint(&v4, 1), dev), -EBADMSG);
	wgm_wg_device_free(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_family_request_and_reply),
		cmocka_unit_test(test_set_single_message_attribute_by_attribute),
		cmocka_unit_test(test_set_allowed_ips_only),
		cmocka_unit_test(test_set_without_peers_still_replaces),
		cmocka_unit_test(test_set_split_across_messages),
		cmocka_unit_test(test_set_buffer_too_small_for_a_peer),
		cmocka_unit_test(test_set_rejects_invalid_device),
		cmocka_unit_test(test_get_request),
		cmocka_unit_test(test_get_dump_over_three_messages),
		cmocka_unit_test(test_get_malformed_replies),
		cmocka_unit_test(test_get_reads_the_peer_endpoint),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
