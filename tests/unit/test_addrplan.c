#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/config/addrplan.h"
#include "common/netlink/nl_route.h"

static char err[256];

static void init_plan(struct wgm_addrplan *plan, const char *subnet)
{
	assert_int_equal(
		wgm_addrplan_init(plan, subnet, "fe82:", "10.0.251.0/24", "172.31.0.0/16", "pipe", 0, err, sizeof(err)),
		0);
}

static struct in_addr v4(const char *text)
{
	struct in_addr a;
	assert_int_equal(inet_pton(AF_INET, text, &a), 1);
	return a;
}

static void test_default_plan_has_23_blocks_and_even_ids(void **state)
{
	struct wgm_addrplan plan;
	init_plan(&plan, "10.0.0.0/16");
	assert_int_equal(plan.block_len, 23);
	assert_int_equal(wgm_addrplan_check_id(&plan, 0, err, sizeof(err)), 0);
	assert_int_equal(wgm_addrplan_check_id(&plan, 2, err, sizeof(err)), 0);
	assert_int_equal(wgm_addrplan_check_id(&plan, 254, err, sizeof(err)), 0);
	assert_int_equal(wgm_addrplan_check_id(&plan, 1, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "id: 1 is odd; 10.0.0.0/16 gives each node a /23, so IDs are even");
	assert_int_equal(wgm_addrplan_check_id(&plan, 255, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "id: 255 is out of range (0-254)");
}

static void test_every_even_id_but_the_vxlan_block_is_valid(void **state)
{
	struct wgm_addrplan plan;
	init_plan(&plan, "10.0.0.0/16");
	for (unsigned id = 0; id <= 256; id++) {
		int ret = wgm_addrplan_check_id(&plan, id, err, sizeof(err));
		bool expected = id % 2 == 0 && id <= 254 && id != 250;
		assert_int_equal(ret == 0, expected);
	}
}

static void test_24_per_node_subnet_allows_every_id(void **state)
{
	struct wgm_addrplan plan;
	init_plan(&plan, "172.16.0.0/16");
	assert_int_equal(plan.block_len, 24);
	for (unsigned id = 0; id <= 254; id++)
		assert_int_equal(wgm_addrplan_check_id(&plan, id, err, sizeof(err)), 0);
	/* 255 + offset 0 would be subnetVXLAN's broadcast address. */
	assert_int_equal(wgm_addrplan_check_id(&plan, 255, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "subnetVXLAN"));
	assert_int_equal(wgm_addrplan_check_id(&plan, 256, err, sizeof(err)), -EINVAL);
}

static void test_vxlan_offset_limits_ids(void **state)
{
	struct wgm_addrplan plan;
	assert_int_equal(wgm_addrplan_init(&plan, "172.16.0.0/16", "fe82:", "10.0.251.0/24", "172.31.0.0/16", "pipe",
					   10, err, sizeof(err)),
			 0);
	assert_int_equal(wgm_addrplan_check_id(&plan, 244, err, sizeof(err)), 0);
	assert_int_equal(wgm_addrplan_check_id(&plan, 245, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "id: 245 + vxlanOffset 10 is past subnetVXLAN's hosts");
}

static void test_init_refuses_bad_inputs_naming_the_key(void **state)
{
	struct wgm_addrplan plan;
	assert_int_equal(wgm_addrplan_init(&plan, "10.0.0.0/24", "fe82:", "10.0.251.0/24", "172.31.0.0/16", "pipe", 0,
					   err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "subnet: '10.0.0.0/24' must be a /16"));
	assert_int_equal(wgm_addrplan_init(&plan, "10.0.0.0/16", "fe82", "10.0.251.0/24", "172.31.0.0/16", "pipe", 0,
					   err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "subnetLinkLocal"));
	assert_int_equal(wgm_addrplan_init(&plan, "10.0.0.0/16", "fe82:", "10.0.251.0/25x", "172.31.0.0/16", "pipe", 0,
					   err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "subnetVXLAN"));
	assert_int_equal(wgm_addrplan_init(&plan, "10.0.0.0/16", "fe82:", "10.0.251.0/24", "172.31.0.0/24", "pipe", 0,
					   err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "subnetPeer"));
	assert_int_equal(wgm_addrplan_init(&plan, "10.0.0.0/16", "fe82:", "10.0.251.0/24", "172.31.0.0/16", "wgmesh0",
					   0, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "prefix"));
	assert_int_equal(wgm_addrplan_init(&plan, "10.0.0.0/16", "fe82:", "10.0.251.0/24", "172.31.0.0/16", "pipe", 255,
					   err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "vxlanOffset"));
}

static void test_loopbacks(void **state)
{
	struct wgm_addrplan plan;
	struct wgm_addrplan_v4 a;
	struct wgm_addrplan_v6 b;
	init_plan(&plan, "10.0.0.0/16");
	wgm_addrplan_loopback_v4(&plan, 0, &a);
	assert_string_equal(a.text, "10.0.0.1");
	assert_int_equal(a.len, 30);
	wgm_addrplan_loopback_v4(&plan, 254, &a);
	assert_string_equal(a.text, "10.0.254.1");
	wgm_addrplan_loopback_v6(0, &b);
	assert_string_equal(b.text, "fd10::1");
	assert_int_equal(b.len, 48);
	wgm_addrplan_loopback_v6(254, &b);
	assert_string_equal(b.text, "fd10:0:254::1");
}

/* The loopback as a route's address: what interim routes and fast repair
 * use as source, and (masked) as the route towards a node. */
static void test_loopback_ip(void **state)
{
	struct wgm_addrplan plan;
	struct wgm_nl_ip ip;
	char text[INET6_ADDRSTRLEN];
	unsigned len = 0;

	(void)state;
	init_plan(&plan, "172.16.0.0/16");
	assert_int_equal(wgm_addrplan_loopback_ip(&plan, 7, AF_INET, &ip, &len), 0);
	assert_int_equal(ip.family, AF_INET);
	assert_string_equal(wgm_nl_ip_format(&ip, text, sizeof(text)), "172.16.7.1");
	assert_int_equal(len, 30);
	assert_int_equal(wgm_addrplan_loopback_ip(&plan, 12, AF_INET6, &ip, &len), 0);
	assert_int_equal(ip.family, AF_INET6);
	assert_string_equal(wgm_nl_ip_format(&ip, text, sizeof(text)), "fd10:0:12::1");
	assert_int_equal(len, 48);
	/* The length is optional: a source needs none. */
	assert_int_equal(wgm_addrplan_loopback_ip(&plan, 12, AF_INET, &ip, NULL), 0);
	assert_string_equal(wgm_nl_ip_format(&ip, text, sizeof(text)), "172.16.12.1");
	assert_int_equal(wgm_addrplan_loopback_ip(&plan, 12, AF_UNSPEC, &ip, &len), -EAFNOSUPPORT);
}

static void test_node_blocks(void **state)
{
	struct wgm_addrplan plan;
	struct wgm_addrplan_v4 a;
	init_plan(&plan, "10.0.0.0/16");
	wgm_addrplan_node_block(&plan, 6, &a);
	assert_string_equal(a.text, "10.0.6.0");
	assert_int_equal(a.len, 23);
	init_plan(&plan, "172.16.0.0/16");
	wgm_addrplan_node_block(&plan, 7, &a);
	assert_string_equal(a.text, "172.16.7.0");
	assert_int_equal(a.len, 24);
}

static void test_id_of_address(void **state)
{
	struct wgm_addrplan plan;
	init_plan(&plan, "10.0.0.0/16");
	assert_int_equal(wgm_addrplan_id_of_v4(&plan, v4("10.0.4.1")), 4);
	assert_int_equal(wgm_addrplan_id_of_v4(&plan, v4("10.0.5.9")), 4);
	assert_int_equal(wgm_addrplan_id_of_v4(&plan, v4("10.1.4.1")), -ENOENT);
	init_plan(&plan, "172.16.0.0/16");
	assert_int_equal(wgm_addrplan_id_of_v4(&plan, v4("172.16.5.1")), 5);
}

static void test_first_link_of_node_0_is_10_0_0_4(void **state)
{
	struct wgm_addrplan plan;
	struct wgm_addrplan_link_v4 link;
	init_plan(&plan, "10.0.0.0/16");
	assert_int_equal(wgm_addrplan_link_v4(&plan, 0, 0, &link), 0);
	assert_string_equal(link.server.text, "10.0.0.4");
	assert_string_equal(link.client.text, "10.0.0.5");
	assert_int_equal(link.server.len, 31);
}

static void test_links_cross_into_the_second_24_of_a_23(void **state)
{
	struct wgm_addrplan plan;
	struct wgm_addrplan_link_v4 link;
	init_plan(&plan, "10.0.0.0/16");
	assert_int_equal(wgm_addrplan_link_slots(&plan), 254);
	assert_int_equal(wgm_addrplan_link_v4(&plan, 254, 125, &link), 0);
	assert_string_equal(link.server.text, "10.0.254.254");
	assert_int_equal(wgm_addrplan_link_v4(&plan, 254, 126, &link), 0);
	assert_string_equal(link.server.text, "10.0.255.0");
	assert_string_equal(link.client.text, "10.0.255.1");
	assert_int_equal(wgm_addrplan_link_v4(&plan, 254, 253, &link), 0);
	assert_string_equal(link.client.text, "10.0.255.255");
	assert_int_equal(wgm_addrplan_link_v4(&plan, 254, 254, &link), -ERANGE);
}

static void test_links_in_a_24_block(void **state)
{
	struct wgm_addrplan plan;
	struct wgm_addrplan_link_v4 link;
	init_plan(&plan, "172.16.0.0/16");
	assert_int_equal(wgm_addrplan_link_slots(&plan), 126);
	assert_int_equal(wgm_addrplan_link_v4(&plan, 3, 0, &link), 0);
	assert_string_equal(link.server.text, "172.16.3.4");
	assert_int_equal(wgm_addrplan_link_v4(&plan, 3, 125, &link), 0);
	assert_string_equal(link.client.text, "172.16.3.255");
	assert_int_equal(wgm_addrplan_link_v4(&plan, 3, 126, &link), -ERANGE);
}

static void test_every_slot_maps_back_to_itself(void **state)
{
	struct wgm_addrplan plan;
	struct wgm_addrplan_link_v4 link;
	init_plan(&plan, "10.0.0.0/16");
	for (unsigned slot = 0; slot < wgm_addrplan_link_slots(&plan); slot++) {
		assert_int_equal(wgm_addrplan_link_v4(&plan, 8, slot, &link), 0);
		assert_int_equal(wgm_addrplan_link_slot_of_v4(&plan, 8, link.server.addr), (int)slot);
		assert_int_equal(wgm_addrplan_link_slot_of_v4(&plan, 8, link.client.addr), (int)slot);
	}
	assert_int_equal(wgm_addrplan_link_slot_of_v4(&plan, 8, v4("10.0.8.1")), -ENOENT);
	assert_int_equal(wgm_addrplan_link_slot_of_v4(&plan, 8, v4("10.0.10.4")), -ENOENT);
}

static void test_v6_link_addresses(void **state)
{
	struct wgm_addrplan plan;
	struct wgm_addrplan_link_v6 link;
	init_plan(&plan, "10.0.0.0/16");
	assert_int_equal(wgm_addrplan_link_v6(&plan, 0, 0, &link), 0);
	assert_string_equal(link.server.text, "fe82::4");
	assert_string_equal(link.client.text, "fe82::5");
	assert_int_equal(link.server.len, 127);
	assert_int_equal(wgm_addrplan_link_v6(&plan, 254, 253, &link), 0);
	assert_string_equal(link.server.text, "fe82:254::510");
	assert_string_equal(link.client.text, "fe82:254::511");
	assert_int_equal(wgm_addrplan_link_v6(&plan, 254, 254, &link), -ERANGE);
}

/* Both ends of every v6 link share one /127: they differ only in the last bit. */
static void test_v6_link_pairs_share_a_127(void **state)
{
	struct wgm_addrplan plan;
	struct wgm_addrplan_link_v6 link;
	init_plan(&plan, "10.0.0.0/16");
	for (unsigned slot = 0; slot < wgm_addrplan_link_slots(&plan); slot++) {
		assert_int_equal(wgm_addrplan_link_v6(&plan, 2, slot, &link), 0);
		assert_memory_equal(link.server.addr.s6_addr, link.client.addr.s6_addr, 15);
		assert_int_equal(link.server.addr.s6_addr[15] & 1, 0);
		assert_int_equal(link.server.addr.s6_addr[15] ^ link.client.addr.s6_addr[15], 1);
	}
}

static void test_free_slot(void **state)
{
	struct wgm_addrplan plan;
	unsigned used[254];
	init_plan(&plan, "10.0.0.0/16");
	assert_int_equal(wgm_addrplan_free_link_slot(&plan, NULL, 0), 0);
	used[0] = 1;
	used[1] = 0;
	used[2] = 0;
	used[3] = 3;
	assert_int_equal(wgm_addrplan_free_link_slot(&plan, used, 4), 2);
	for (unsigned i = 0; i < 254; i++)
		used[i] = 253 - i;
	assert_int_equal(wgm_addrplan_free_link_slot(&plan, used, 254), -ENOSPC);
	assert_int_equal(wgm_addrplan_free_link_slot(&plan, used, 253), 0);
}

static void test_full_pool_of_a_24_block(void **state)
{
	struct wgm_addrplan plan;
	unsigned used[126];
	init_plan(&plan, "172.16.0.0/16");
	for (unsigned i = 0; i < 126; i++)
		used[i] = i;
	assert_int_equal(wgm_addrplan_free_link_slot(&plan, used, 126), -ENOSPC);
	used[60] = 0;
	assert_int_equal(wgm_addrplan_free_link_slot(&plan, used, 126), 60);
}

static void test_peer_links(void **state)
{
	struct wgm_addrplan plan;
	struct wgm_addrplan_link_v4 link;
	init_plan(&plan, "10.0.0.0/16");
	assert_int_equal(wgm_addrplan_peer_link_v4(&plan, 2, 0, &link), 0);
	assert_string_equal(link.server.text, "172.31.2.4");
	assert_string_equal(link.client.text, "172.31.2.5");
	assert_int_equal(wgm_addrplan_peer_link_v4(&plan, 2, 126, &link), -ERANGE);
}

/* A new peering /31 is free on both ends: not one of this node's peering
 * links nor one the caller reports (its own peering links, allocated by
 * other servers from the same default subnetPeer). */
static void test_free_peer_slot_avoids_both_ends(void **state)
{
	struct wgm_addrplan plan;
	struct wgm_addrplan_link_v4 l4;
	struct wgm_addrplan_link_v6 l6;
	struct in_addr used[] = { v4("172.31.0.4"), v4("172.31.0.5"), v4("172.31.0.7"), v4("172.31.9.4") };

	init_plan(&plan, "10.0.0.0/16");
	assert_int_equal(wgm_addrplan_free_peer_slot(&plan, 0, NULL, 0), 0);
	/* Either end of a /31 takes it: .4/.5 (slot 0) and .7 (slot 1, the client end). */
	assert_int_equal(wgm_addrplan_free_peer_slot(&plan, 0, used, 3), 2);
	assert_int_equal(wgm_addrplan_free_peer_slot(&plan, 9, used, 4), 1);
	assert_int_equal(wgm_addrplan_peer_link_v4(&plan, 0, 2, &l4), 0);
	assert_string_equal(l4.server.text, "172.31.0.8");
	wgm_addrplan_peer_link_v6(&plan, &l4, &l6);
	assert_string_equal(l6.server.text, "fe82:ffff::ac1f:8");
	assert_string_equal(l6.client.text, "fe82:ffff::ac1f:9");
	assert_int_equal(l6.server.len, 127);

	struct in_addr full[126];
	for (unsigned slot = 0; slot < 126; slot++) {
		assert_int_equal(wgm_addrplan_peer_link_v4(&plan, 3, slot, &l4), 0);
		full[slot] = l4.client.addr;
	}
	assert_int_equal(wgm_addrplan_free_peer_slot(&plan, 3, full, 126), -ENOSPC);
}

static void test_mesh_ranges_follow_the_plan(void **state)
{
	struct wgm_addrplan plan;
	struct wgm_addrplan_range r[WGM_ADDRPLAN_RANGES_MAX];

	assert_int_equal(wgm_addrplan_init(&plan, "172.16.0.0/16", "fe9:", "192.168.6.0/23", "172.31.0.0/16", "pipe", 3,
					   err, sizeof(err)),
			 0);
	assert_int_equal(wgm_addrplan_mesh_ranges(&plan, r), 5);
	assert_string_equal(r[0].prefix, "172.16.0.0/16");
	assert_int_equal(r[0].min_len, 30);
	assert_int_equal(r[0].max_len, 32);
	assert_int_equal(r[0].family, AF_INET);
	assert_string_equal(r[1].prefix, "192.168.6.0/23");
	assert_int_equal(r[1].min_len, 23);
	assert_string_equal(r[2].prefix, "fd10::/32");
	assert_int_equal(r[2].min_len, 48);
	assert_int_equal(r[2].max_len, 128);
	assert_int_equal(r[2].family, AF_INET6);
	assert_string_equal(r[3].prefix, "fe9::/16");
	assert_int_equal(r[3].min_len, 127);
	assert_string_equal(r[4].prefix, "fd10:6::/64");
	assert_int_equal(r[4].min_len, 64);
}

/* Prefix ownership: a node's loopbacks as networks; the /30s of the subnet
 * and the IPv6 loopbacks' /32 are where only owners announce. */
static void test_loopback_nets_and_owned_ranges(void **state)
{
	struct wgm_addrplan plan;
	struct wgm_addrplan_range v4, v6, owned[WGM_ADDRPLAN_OWNED_RANGES];

	init_plan(&plan, "10.0.0.0/16");
	wgm_addrplan_loopback_nets(&plan, 12, &v4, &v6);
	assert_string_equal(v4.prefix, "10.0.12.0/30");
	assert_int_equal(v4.min_len, 30);
	assert_int_equal(v4.max_len, 32);
	assert_string_equal(v6.prefix, "fd10:0:12::/48");
	assert_int_equal(v6.min_len, 48);
	assert_int_equal(v6.max_len, 128);
	assert_int_equal(wgm_addrplan_owned_ranges(&plan, owned), 2);
	assert_string_equal(owned[0].prefix, "10.0.0.0/16");
	assert_int_equal(owned[0].min_len, 30);
	assert_int_equal(owned[0].max_len, 30);
	assert_string_equal(owned[1].prefix, "fd10::/32");
	assert_int_equal(owned[1].min_len, 48);
	assert_int_equal(owned[1].max_len, 128);
}

static void test_vxlan_addresses(void **state)
{
	struct wgm_addrplan plan;
	struct wgm_addrplan_v4 a;
	struct wgm_addrplan_v6 b;
	init_plan(&plan, "10.0.0.0/16");
	assert_int_equal(wgm_addrplan_vxlan_v4(&plan, 12, &a), 0);
	assert_string_equal(a.text, "10.0.251.12");
	assert_int_equal(a.len, 24);
	assert_int_equal(wgm_addrplan_vxlan_v6(&plan, 12, &b), 0);
	assert_string_equal(b.text, "fd10:251::12");
	assert_int_equal(b.len, 64);
	assert_int_equal(wgm_addrplan_vxlan_v4(&plan, 255, &a), -ERANGE);
	assert_int_equal(wgm_addrplan_init(&plan, "10.0.0.0/16", "fe82:", "10.0.251.0/24", "172.31.0.0/16", "pipe", 100,
					   err, sizeof(err)),
			 0);
	assert_int_equal(wgm_addrplan_vxlan_v4(&plan, 12, &a), 0);
	assert_string_equal(a.text, "10.0.251.112");
	assert_int_equal(wgm_addrplan_vxlan_v6(&plan, 12, &b), 0);
	assert_string_equal(b.text, "fd10:251::112");
	assert_int_equal(wgm_addrplan_init(&plan, "10.0.0.0/16", "fe82:", "10.9.7.0/24", "172.31.0.0/16", "pipe", 0,
					   err, sizeof(err)),
			 0);
	assert_int_equal(wgm_addrplan_vxlan_v6(&plan, 0, &b), 0);
	assert_string_equal(b.text, "fd10:7::");
	assert_int_equal(wgm_addrplan_vxlan_v4(&plan, 0, &a), 0);
	assert_string_equal(a.text, "10.9.7.0");
}

static void test_interface_names(void **state)
{
	struct wgm_addrplan plan;
	char name[WGM_ADDRPLAN_IFNAME_MAX + 1];
	init_plan(&plan, "10.0.0.0/16");
	assert_int_equal(wgm_addrplan_ifname(&plan, 2, false, false, name), 0);
	assert_string_equal(name, "pipe2");
	assert_int_equal(wgm_addrplan_ifname(&plan, 2, false, true, name), 0);
	assert_string_equal(name, "pipe2v6");
	assert_int_equal(wgm_addrplan_ifname(&plan, 254, true, true, name), 0);
	assert_string_equal(name, "pipePeer254v6");
	assert_int_equal(wgm_addrplan_init(&plan, "10.0.0.0/16", "fe82:", "10.0.251.0/24", "172.31.0.0/16", "wgmesh", 0,
					   err, sizeof(err)),
			 0);
	assert_int_equal(wgm_addrplan_ifname(&plan, 255, true, true, name), 0);
	assert_string_equal(name, "wgmeshPeer255v6");
	assert_int_equal(strlen(name), 15);
	assert_int_equal(wgm_addrplan_ifname(&plan, 1000, true, true, name), -ENAMETOOLONG);
}

static void test_interface_names_parse_back(void **state)
{
	struct wgm_addrplan plan;
	char name[WGM_ADDRPLAN_IFNAME_MAX + 1];
	unsigned id;
	bool peer, v6;
	init_plan(&plan, "10.0.0.0/16");
	for (unsigned i = 0; i <= WGM_ADDRPLAN_MAX_ID; i++) {
		for (int flags = 0; flags < 4; flags++) {
			assert_int_equal(wgm_addrplan_ifname(&plan, i, flags & 1, flags & 2, name), 0);
			assert_int_equal(wgm_addrplan_ifname_parse(&plan, name, &id, &peer, &v6), 0);
			assert_int_equal(id, i);
			assert_int_equal(peer, (flags & 1) != 0);
			assert_int_equal(v6, (flags & 2) != 0);
		}
	}
	assert_int_equal(wgm_addrplan_ifname_parse(&plan, "eth0", &id, &peer, &v6), -EINVAL);
	assert_int_equal(wgm_addrplan_ifname_parse(&plan, "pipe", &id, &peer, &v6), -EINVAL);
	assert_int_equal(wgm_addrplan_ifname_parse(&plan, "pipe07", &id, &peer, &v6), -EINVAL);
	assert_int_equal(wgm_addrplan_ifname_parse(&plan, "pipe256", &id, &peer, &v6), -EINVAL);
	assert_int_equal(wgm_addrplan_ifname_parse(&plan, "pipe2v4", &id, &peer, &v6), -EINVAL);
	assert_int_equal(wgm_addrplan_ifname_parse(&plan, "pipe2v6x", &id, &peer, &v6), -EINVAL);
}

static void test_port_lowest_free_from_base(void **state)
{
	uint16_t used[] = { 51820, 51821, 51823 };
	assert_int_equal(wgm_addrplan_choose_port(51820, NULL, 0, 0), 51820);
	assert_int_equal(wgm_addrplan_choose_port(51820, used, 3, 0), 51822);
	uint16_t top[] = { 65534, 65535 };
	assert_int_equal(wgm_addrplan_choose_port(65534, top, 2, 0), -ENOSPC);
}

/* Another node may only pick a port of this node's range (basePort up). */
static void test_port_range_checked(void **state)
{
	char why[128];
	uint16_t first, last;

	assert_int_equal(wgm_addrplan_check_port(51820, 51820, why, sizeof(why)), 0);
	assert_int_equal(wgm_addrplan_check_port(51820, 51820 + WGM_ADDRPLAN_PORT_RANGE - 1, why, sizeof(why)), 0);
	assert_int_equal(wgm_addrplan_check_port(51820, 51820 + WGM_ADDRPLAN_PORT_RANGE, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "port: 52844 is outside this node's link port range 51820-52843");
	assert_int_equal(wgm_addrplan_check_port(51820, 22, why, sizeof(why)), -EINVAL);
	assert_int_equal(wgm_addrplan_check_port(51820, 8080, why, sizeof(why)), -EINVAL);
	assert_int_equal(wgm_addrplan_check_port(0, 1023, why, sizeof(why)), -EINVAL);
	assert_int_equal(wgm_addrplan_check_port(0, 40000, why, sizeof(why)), 0);
	wgm_addrplan_port_range(65000, &first, &last);
	assert_int_equal(first, 65000);
	assert_int_equal(last, 65535);
	/* The chooser stays inside the range too. */
	uint16_t used[WGM_ADDRPLAN_PORT_RANGE];
	for (unsigned i = 0; i < WGM_ADDRPLAN_PORT_RANGE; i++)
		used[i] = (uint16_t)(51820 + i);
	assert_int_equal(wgm_addrplan_choose_port(51820, used, WGM_ADDRPLAN_PORT_RANGE, 0), -ENOSPC);
}

static void test_port_random_when_base_is_0(void **state)
{
	uint16_t used[] = { 1024 + 77 };
	int port = wgm_addrplan_choose_port(0, NULL, 0, 5000);
	assert_in_range(port, WGM_ADDRPLAN_RANDOM_PORT_MIN, 65535);
	assert_int_equal(wgm_addrplan_choose_port(0, NULL, 0, 77), 1024 + 77);
	assert_int_equal(wgm_addrplan_choose_port(0, used, 1, 77), 1024 + 78);
	assert_int_not_equal(wgm_addrplan_choose_port(0, NULL, 0, 1), wgm_addrplan_choose_port(0, NULL, 0, 2));
}

static void test_client_ids(void **state)
{
	assert_false(addrplan_is_client(0));
	assert_false(addrplan_is_client(198));
	assert_false(addrplan_is_client(199));
	assert_true(addrplan_is_client(200));
	assert_true(addrplan_is_client(254));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_plan_has_23_blocks_and_even_ids),
		cmocka_unit_test(test_every_even_id_but_the_vxlan_block_is_valid),
		cmocka_unit_test(test_24_per_node_subnet_allows_every_id),
		cmocka_unit_test(test_vxlan_offset_limits_ids),
		cmocka_unit_test(test_init_refuses_bad_inputs_naming_the_key),
		cmocka_unit_test(test_loopbacks),
		cmocka_unit_test(test_loopback_ip),
		cmocka_unit_test(test_node_blocks),
		cmocka_unit_test(test_id_of_address),
		cmocka_unit_test(test_first_link_of_node_0_is_10_0_0_4),
		cmocka_unit_test(test_links_cross_into_the_second_24_of_a_23),
		cmocka_unit_test(test_links_in_a_24_block),
		cmocka_unit_test(test_every_slot_maps_back_to_itself),
		cmocka_unit_test(test_v6_link_addresses),
		cmocka_unit_test(test_v6_link_pairs_share_a_127),
		cmocka_unit_test(test_free_slot),
		cmocka_unit_test(test_full_pool_of_a_24_block),
		cmocka_unit_test(test_peer_links),
		cmocka_unit_test(test_free_peer_slot_avoids_both_ends),
		cmocka_unit_test(test_vxlan_addresses),
		cmocka_unit_test(test_interface_names),
		cmocka_unit_test(test_interface_names_parse_back),
		cmocka_unit_test(test_port_lowest_free_from_base),
		cmocka_unit_test(test_port_range_checked),
		cmocka_unit_test(test_port_random_when_base_is_0),
		cmocka_unit_test(test_client_ids),
		cmocka_unit_test(test_mesh_ranges_follow_the_plan),
		cmocka_unit_test(test_loopback_nets_and_owned_ranges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
