#include "common/config/addrplan.h"

#include "common/netlink/nl_route.h"
#include "common/util/prefix.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_v4_cidr(const char *text, uint32_t *net, unsigned *len)
{
	struct wgm_prefix prefix;

	/* A host address with a prefix ("10.0.0.1/16") is a typo for a network. */
	if (wgm_prefix_parse(text, AF_INET, &prefix) < 0 || wgm_prefix_has_host_bits(&prefix))
		return -EINVAL;
	*net = ntohl(prefix.addr.v4.s_addr);
	*len = prefix.len;
	return 0;
}

static void fill_v4(struct wgm_addrplan_v4 *out, uint32_t host, unsigned len)
{
	out->addr.s_addr = htonl(host);
	out->len = len;
	inet_ntop(AF_INET, &out->addr, out->text, sizeof(out->text));
}

static void fill_v6(struct wgm_addrplan_v6 *out, const char *text, unsigned len)
{
	/* Inputs are built from validated parts, so this always parses; the
	 * canonical form is what we show and compare. */
	if (inet_pton(AF_INET6, text, &out->addr) != 1)
		memset(&out->addr, 0, sizeof(out->addr));
	out->len = len;
	inet_ntop(AF_INET6, &out->addr, out->text, sizeof(out->text));
}

static bool valid_link_local(const char *text)
{
	size_t len = strlen(text);

	if (len < 2 || len > 5 || text[len - 1] != ':')
		return false;
	for (size_t i = 0; i + 1 < len; i++)
		if (!isxdigit((unsigned char)text[i]))
			return false;
	return true;
}

static bool valid_prefix(const char *text)
{
	size_t len = strlen(text);

	if (len == 0 || len > WGM_ADDRPLAN_PREFIX_MAX || !isalpha((unsigned char)text[0]))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)text[i]))
			return false;
	/* A digit at the end would run into the remote ID in interface names. */
	return !isdigit((unsigned char)text[len - 1]);
}

int wgm_addrplan_init(struct wgm_addrplan *plan, const char *subnet, const char *subnet_link_local,
		      const char *subnet_vxlan, const char *subnet_peer, const char *prefix, unsigned vxlan_offset,
		      char *err, size_t errlen)
{
	unsigned len;

	memset(plan, 0, sizeof(*plan));
	if (parse_v4_cidr(subnet, &plan->subnet, &len) < 0) {
		snprintf(err, errlen, "subnet: '%s' is not an IPv4 network (like 10.0.0.0/16)", subnet ? subnet : "");
		return -EINVAL;
	}
	if (len != 16) {
		snprintf(err, errlen, "subnet: '%s' must be a /16 (the node ID is the third octet)", subnet);
		return -EINVAL;
	}
	plan->block_len = (plan->subnet >> 24) == 10 ? 23 : 24;
	plan->id_step = plan->block_len == 23 ? 2 : 1;

	if (!subnet_link_local || !valid_link_local(subnet_link_local)) {
		snprintf(err, errlen, "subnetLinkLocal: '%s' is not one hex group and a colon (like fe82:)",
			 subnet_link_local ? subnet_link_local : "");
		return -EINVAL;
	}
	snprintf(plan->link_local, sizeof(plan->link_local), "%s", subnet_link_local);

	if (parse_v4_cidr(subnet_vxlan, &plan->vxlan, &plan->vxlan_len) < 0 || plan->vxlan_len < 8 ||
	    plan->vxlan_len > 24) {
		snprintf(err, errlen, "subnetVXLAN: '%s' is not an IPv4 network of /8 to /24 (like 10.0.251.0/24)",
			 subnet_vxlan ? subnet_vxlan : "");
		return -EINVAL;
	}
	if (parse_v4_cidr(subnet_peer, &plan->peer, &len) < 0 || len > 16) {
		snprintf(err, errlen, "subnetPeer: '%s' is not an IPv4 network of /16 or larger (like 172.31.0.0/16)",
			 subnet_peer ? subnet_peer : "");
		return -EINVAL;
	}
	plan->peer_len = len;
	if (!prefix || !valid_prefix(prefix)) {
		snprintf(
			err, errlen,
			"prefix: '%s' must be 1-%d letters or digits, starting with a letter and not ending with a digit",
			prefix ? prefix : "", WGM_ADDRPLAN_PREFIX_MAX);
		return -EINVAL;
	}
	snprintf(plan->prefix, sizeof(plan->prefix), "%s", prefix);
	if (vxlan_offset > 254) {
		snprintf(err, errlen, "vxlanOffset: %u is out of range (0-254)", vxlan_offset);
		return -EINVAL;
	}
	plan->vxlan_offset = vxlan_offset;
	return 0;
}

static bool ranges_overlap(uint32_t a, unsigned alen, uint32_t b, unsigned blen)
{
	unsigned len = alen < blen ? alen : blen;
	uint32_t mask = len == 0 ? 0 : 0xffffffffu << (32 - len);
	return (a & mask) == (b & mask);
}

int wgm_addrplan_check_id(const struct wgm_addrplan *plan, unsigned id, char *err, size_t errlen)
{
	struct wgm_addrplan_v4 block, subnet;
	unsigned max = plan->id_step == 2 ? 254 : 255;

	if (id > max) {
		snprintf(err, errlen, "id: %u is out of range (0-%u)", id, max);
		return -EINVAL;
	}
	fill_v4(&subnet, plan->subnet, 16);
	if (id % plan->id_step) {
		snprintf(err, errlen, "id: %u is odd; %s/16 gives each node a /23, so IDs are even", id, subnet.text);
		return -EINVAL;
	}
	wgm_addrplan_node_block(plan, id, &block);
	if (ranges_overlap(plan->subnet + (id << 8), plan->block_len, plan->vxlan, plan->vxlan_len)) {
		struct wgm_addrplan_v4 vx;
		fill_v4(&vx, plan->vxlan, plan->vxlan_len);
		snprintf(err, errlen, "id: %u's block %s/%u overlaps subnetVXLAN %s/%u", id, block.text, block.len,
			 vx.text, vx.len);
		return -EINVAL;
	}
	if (plan->vxlan_len == 0 || id + plan->vxlan_offset >= (1u << (32 - plan->vxlan_len)) - 1) {
		snprintf(err, errlen, "id: %u + vxlanOffset %u is past subnetVXLAN's hosts", id, plan->vxlan_offset);
		return -EINVAL;
	}
	return 0;
}

void wgm_addrplan_node_block(const struct wgm_addrplan *plan, unsigned id, struct wgm_addrplan_v4 *out)
{
	fill_v4(out, plan->subnet + (id << 8), plan->block_len);
}

void wgm_addrplan_loopback_v4(const struct wgm_addrplan *plan, unsigned id, struct wgm_addrplan_v4 *out)
{
	fill_v4(out, plan->subnet + (id << 8) + 1, 30);
}

void wgm_addrplan_loopback_v6(unsigned id, struct wgm_addrplan_v6 *out)
{
	char text[INET6_ADDRSTRLEN];
	snprintf(text, sizeof(text), "fd10:0:%u::1", id);
	fill_v6(out, text, 48);
}

int wgm_addrplan_loopback_ip(const struct wgm_addrplan *plan, unsigned id, int family, struct wgm_nl_ip *out,
			     unsigned *len)
{
	struct wgm_addrplan_v4 lo4;
	struct wgm_addrplan_v6 lo6;

	memset(out, 0, sizeof(*out));
	if (family == AF_INET) {
		wgm_addrplan_loopback_v4(plan, id, &lo4);
		out->u.v4 = lo4.addr;
		if (len)
			*len = lo4.len;
	} else if (family == AF_INET6) {
		wgm_addrplan_loopback_v6(id, &lo6);
		out->u.v6 = lo6.addr;
		if (len)
			*len = lo6.len;
	} else {
		return -EAFNOSUPPORT;
	}
	out->family = family;
	return 0;
}

int wgm_addrplan_id_of_v4(const struct wgm_addrplan *plan, struct in_addr addr)
{
	uint32_t host = ntohl(addr.s_addr);

	if ((host & 0xffff0000u) != plan->subnet)
		return -ENOENT;
	unsigned id = (host >> 8) & 0xff;
	/* In a /23 plan the odd third octet is the upper half of the even ID's block. */
	return (int)(id - id % plan->id_step);
}

unsigned wgm_addrplan_link_slots(const struct wgm_addrplan *plan)
{
	return (1u << (32 - plan->block_len)) / 2 - WGM_ADDRPLAN_LINK_SKIP;
}

static unsigned slot_offset(unsigned slot)
{
	return 2 * (WGM_ADDRPLAN_LINK_SKIP + slot);
}

int wgm_addrplan_link_v4(const struct wgm_addrplan *plan, unsigned server_id, unsigned slot,
			 struct wgm_addrplan_link_v4 *out)
{
	if (slot >= wgm_addrplan_link_slots(plan))
		return -ERANGE;
	uint32_t server = plan->subnet + (server_id << 8) + slot_offset(slot);
	fill_v4(&out->server, server, 31);
	fill_v4(&out->client, server + 1, 31);
	return 0;
}

int wgm_addrplan_link_v6(const struct wgm_addrplan *plan, unsigned server_id, unsigned slot,
			 struct wgm_addrplan_link_v6 *out)
{
	char text[INET6_ADDRSTRLEN];

	if (slot >= wgm_addrplan_link_slots(plan))
		return -ERANGE;
	unsigned offset = slot_offset(slot);
	/* Decimal digits read as hex keep the pair in one /127: the last digit
	 * carries the parity and never carries over from even to odd. */
	snprintf(text, sizeof(text), "%s%u::%u", plan->link_local, server_id, offset);
	fill_v6(&out->server, text, 127);
	snprintf(text, sizeof(text), "%s%u::%u", plan->link_local, server_id, offset + 1);
	fill_v6(&out->client, text, 127);
	return 0;
}

int wgm_addrplan_link_slot_of_v4(const struct wgm_addrplan *plan, unsigned server_id, struct in_addr addr)
{
	uint32_t host = ntohl(addr.s_addr);
	uint32_t base = plan->subnet + (server_id << 8);
	uint32_t size = 1u << (32 - plan->block_len);

	if (host < base || host - base >= size)
		return -ENOENT;
	uint32_t pair = (host - base) / 2;
	if (pair < WGM_ADDRPLAN_LINK_SKIP)
		return -ENOENT;
	return (int)(pair - WGM_ADDRPLAN_LINK_SKIP);
}

int wgm_addrplan_free_link_slot(const struct wgm_addrplan *plan, const unsigned *used, size_t n)
{
	unsigned slots = wgm_addrplan_link_slots(plan);

	for (unsigned slot = 0; slot < slots; slot++) {
		bool taken = false;
		for (size_t i = 0; i < n && !taken; i++)
			taken = used[i] == slot;
		if (!taken)
			return (int)slot;
	}
	return -ENOSPC;
}

int wgm_addrplan_peer_link_v4(const struct wgm_addrplan *plan, unsigned server_id, unsigned slot,
			      struct wgm_addrplan_link_v4 *out)
{
	if (slot >= 256 / 2 - WGM_ADDRPLAN_LINK_SKIP || server_id > WGM_ADDRPLAN_MAX_ID)
		return -ERANGE;
	uint32_t server = plan->peer + (server_id << 8) + slot_offset(slot);
	fill_v4(&out->server, server, 31);
	fill_v4(&out->client, server + 1, 31);
	return 0;
}

int wgm_addrplan_free_peer_slot(const struct wgm_addrplan *plan, unsigned server_id, const struct in_addr *used,
				size_t n)
{
	struct wgm_addrplan_link_v4 l4;

	for (unsigned slot = 0; wgm_addrplan_peer_link_v4(plan, server_id, slot, &l4) == 0; slot++) {
		uint32_t even = ntohl(l4.server.addr.s_addr);
		bool taken = false;
		for (size_t i = 0; i < n && !taken; i++)
			taken = (ntohl(used[i].s_addr) & ~1u) == even;
		if (!taken)
			return (int)slot;
	}
	return -ENOSPC;
}

static void peer_v6(const struct wgm_addrplan *plan, const struct wgm_addrplan_v4 *v4, struct wgm_addrplan_v6 *out)
{
	char text[INET6_ADDRSTRLEN];
	uint32_t a = ntohl(v4->addr.s_addr);

	snprintf(text, sizeof(text), "%sffff::%x:%x", plan->link_local, a >> 16, a & 0xffff);
	fill_v6(out, text, 127);
}

void wgm_addrplan_peer_link_v6(const struct wgm_addrplan *plan, const struct wgm_addrplan_link_v4 *l4,
			       struct wgm_addrplan_link_v6 *out)
{
	peer_v6(plan, &l4->server, &out->server);
	peer_v6(plan, &l4->client, &out->client);
}

int wgm_addrplan_vxlan_v4(const struct wgm_addrplan *plan, unsigned id, struct wgm_addrplan_v4 *out)
{
	uint32_t host = id + plan->vxlan_offset;

	/* Node 0 gets the subnet's first address, as in the original; Linux
	 * accepts it on a /24. */
	if (host >= (1u << (32 - plan->vxlan_len)) - 1)
		return -ERANGE;
	fill_v4(out, plan->vxlan + host, plan->vxlan_len);
	return 0;
}

int wgm_addrplan_vxlan_v6(const struct wgm_addrplan *plan, unsigned id, struct wgm_addrplan_v6 *out)
{
	char text[INET6_ADDRSTRLEN];
	unsigned host = id + plan->vxlan_offset;

	if (host > 9999)
		return -ERANGE;
	/* As the original: the third octet of subnetVXLAN names the IPv6 net. */
	snprintf(text, sizeof(text), "fd10:%u::%u", (plan->vxlan >> 8) & 0xff, host);
	fill_v6(out, text, 64);
	return 0;
}

static void range_v4(struct wgm_addrplan_range *r, uint32_t net, unsigned len)
{
	struct wgm_addrplan_v4 a;

	fill_v4(&a, net, len);
	r->family = AF_INET;
	snprintf(r->prefix, sizeof(r->prefix), "%s/%u", a.text, len);
	r->min_len = len;
	r->max_len = 32;
}

/* TEXT is an address of the range; its first LEN bits name the network. */
static void range_v6(struct wgm_addrplan_range *r, const char *text, unsigned len, unsigned min_len)
{
	struct wgm_addrplan_v6 a;

	fill_v6(&a, text, len);
	for (unsigned bit = len; bit < 128; bit++)
		a.addr.s6_addr[bit / 8] &= (unsigned char)~(0x80u >> (bit % 8));
	inet_ntop(AF_INET6, &a.addr, a.text, sizeof(a.text));
	r->family = AF_INET6;
	snprintf(r->prefix, sizeof(r->prefix), "%s/%u", a.text, len);
	r->min_len = min_len;
	r->max_len = 128;
}

size_t wgm_addrplan_mesh_ranges(const struct wgm_addrplan *plan, struct wgm_addrplan_range out[WGM_ADDRPLAN_RANGES_MAX])
{
	struct wgm_addrplan_v6 lo, vx;
	char text[INET6_ADDRSTRLEN];

	range_v4(&out[0], plan->subnet, 16);
	/* Loopbacks are /30s, links /31s; a whole block is never announced. */
	out[0].min_len = 30;
	range_v4(&out[1], plan->vxlan, plan->vxlan_len);
	/* fd10:0:ID::/48 for every ID: the loopbacks share their first 32 bits. */
	wgm_addrplan_loopback_v6(0, &lo);
	range_v6(&out[2], lo.text, 32, 48);
	snprintf(text, sizeof(text), "%s:", plan->link_local);
	range_v6(&out[3], text, 16, 127);
	/* vxlan_v6 of ID 0 can not fail: host 0 + an offset <= 254 is < 9999. */
	wgm_addrplan_vxlan_v6(plan, 0, &vx);
	range_v6(&out[4], vx.text, 64, 64);
	return WGM_ADDRPLAN_RANGES_MAX;
}

void wgm_addrplan_loopback_nets(const struct wgm_addrplan *plan, unsigned id, struct wgm_addrplan_range *v4,
				struct wgm_addrplan_range *v6)
{
	struct wgm_addrplan_v6 lo;

	range_v4(v4, plan->subnet + (id << 8), 30);
	wgm_addrplan_loopback_v6(id, &lo);
	range_v6(v6, lo.text, lo.len, lo.len);
}

size_t wgm_addrplan_owned_ranges(const struct wgm_addrplan *plan,
				 struct wgm_addrplan_range out[WGM_ADDRPLAN_OWNED_RANGES])
{
	struct wgm_addrplan_v6 lo;

	range_v4(&out[0], plan->subnet, 16);
	out[0].min_len = out[0].max_len = 30;
	wgm_addrplan_loopback_v6(0, &lo);
	range_v6(&out[1], lo.text, 32, lo.len);
	return WGM_ADDRPLAN_OWNED_RANGES;
}

int wgm_addrplan_ifname(const struct wgm_addrplan *plan, unsigned remote_id, bool peer, bool v6,
			char out[WGM_ADDRPLAN_IFNAME_MAX + 1])
{
	int n = snprintf(out, WGM_ADDRPLAN_IFNAME_MAX + 1, "%s%s%u%s", plan->prefix, peer ? "Peer" : "", remote_id,
			 v6 ? "v6" : "");
	if (n < 0 || n > WGM_ADDRPLAN_IFNAME_MAX) {
		out[0] = '\0';
		return -ENAMETOOLONG;
	}
	return 0;
}

int wgm_addrplan_ifname_parse(const struct wgm_addrplan *plan, const char *name, unsigned *remote_id, bool *peer,
			      bool *v6)
{
	size_t plen = strlen(plan->prefix);
	const char *p;
	unsigned id = 0;
	int digits = 0;

	if (strlen(name) > WGM_ADDRPLAN_IFNAME_MAX || strncmp(name, plan->prefix, plen) != 0)
		return -EINVAL;
	p = name + plen;
	*peer = strncmp(p, "Peer", 4) == 0;
	if (*peer)
		p += 4;
	while (isdigit((unsigned char)*p) && digits < 4) {
		id = id * 10 + (unsigned)(*p++ - '0');
		digits++;
	}
	/* "pipe07" is not a name we make; refusing it keeps the mapping one-to-one. */
	if (digits == 0 || id > WGM_ADDRPLAN_MAX_ID || (digits > 1 && p[-digits] == '0'))
		return -EINVAL;
	*v6 = strcmp(p, "v6") == 0;
	if (!*v6 && *p != '\0')
		return -EINVAL;
	*remote_id = id;
	return 0;
}

static bool port_used(uint16_t port, const uint16_t *used, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (used[i] == port)
			return true;
	return false;
}

void wgm_addrplan_port_range(uint16_t base_port, uint16_t *first, uint16_t *last)
{
	uint32_t end = (uint32_t)base_port + WGM_ADDRPLAN_PORT_RANGE - 1;

	if (base_port == 0) {
		*first = WGM_ADDRPLAN_RANDOM_PORT_MIN;
		*last = 65535;
		return;
	}
	*first = base_port;
	*last = (uint16_t)(end > 65535 ? 65535 : end);
}

int wgm_addrplan_check_port(uint16_t base_port, unsigned port, char *err, size_t errlen)
{
	uint16_t first, last;

	wgm_addrplan_port_range(base_port, &first, &last);
	if (port < first || port > last) {
		snprintf(err, errlen, "port: %u is outside this node's link port range %u-%u", port, first, last);
		return -EINVAL;
	}
	return 0;
}

int wgm_addrplan_choose_port(uint16_t base_port, const uint16_t *used, size_t n, uint32_t random)
{
	if (base_port != 0) {
		uint16_t first, last;
		wgm_addrplan_port_range(base_port, &first, &last);
		for (uint32_t port = first; port <= last; port++)
			if (!port_used((uint16_t)port, used, n))
				return (int)port;
		return -ENOSPC;
	}
	uint32_t span = 65536 - WGM_ADDRPLAN_RANDOM_PORT_MIN;
	for (uint32_t i = 0; i < span; i++) {
		uint16_t port = (uint16_t)(WGM_ADDRPLAN_RANDOM_PORT_MIN + (random + i) % span);
		if (!port_used(port, used, n))
			return port;
	}
	return -ENOSPC;
}
