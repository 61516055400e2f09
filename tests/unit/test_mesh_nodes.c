/* The routed node set from BIRD's `show route` (a reply captured from BIRD
 * 2.0.12 on node 0 linked to node 2, and hand-made rows), and the diff that
 * mesh buildup and the VXLAN entries follow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bird/parse.h"
#include "bird/reply.h"
#include "daemon/mesh/mesh_nodes.h"

static struct wgm_addrplan plan;

static int setup(void **state)
{
	char err[128];
	return wgm_addrplan_init(&plan, "10.0.0.0/16", "fe82:", "10.0.251.0/24", "172.31.0.0/16", "pipe", 0, err,
				 sizeof(err));
}

static void nodes_from_bytes(const char *data, size_t len, struct mesh_nodes *out)
{
	struct bird_reply_parser p;
	struct bird_reply *r, *last = NULL;
	struct bird_routes rs;
	char err[256];

	bird_reply_parser_init(&p);
	assert_int_equal(bird_reply_parser_feed(&p, data, len), 0);
	while ((r = bird_reply_parser_next(&p))) {
		bird_reply_free(last);
		last = r;
	}
	bird_reply_parser_free(&p);
	assert_non_null(last);
	assert_int_equal(bird_parse_routes(last, &rs, err, sizeof(err)), 0);
	mesh_nodes_from_routes(&plan, &rs, out);
	bird_routes_free(&rs);
	bird_reply_free(last);
}

static void nodes_from_capture(const char *name, struct mesh_nodes *out)
{
	static char data[16384];
	char path[512];
	FILE *f;
	size_t len;

	snprintf(path, sizeof(path), "%s/bird/replies/%s", getenv("WGM_TEST_DATA"), name);
	f = fopen(path, "rb");
	assert_non_null(f);
	len = fread(data, 1, sizeof(data), f);
	fclose(f);
	nodes_from_bytes(data, len, out);
}

static void test_captured_routes_give_both_nodes(void **state)
{
	static struct mesh_nodes ns;
	unsigned ids[4];

	nodes_from_capture("show-route-a.txt", &ns);
	assert_int_equal(mesh_nodes_count(&ns), 2);
	assert_int_equal(mesh_nodes_ids(&ns, ids, 4), 2);
	assert_int_equal(ids[0], 0);
	assert_int_equal(ids[1], 2);
	assert_true(ns.node[2].v4.present);
	assert_string_equal(ns.node[2].v4.nexthop, "10.0.0.5");
	assert_string_equal(ns.node[2].v4.via, "pipe2");
	assert_int_equal(ns.node[2].v4.metric, 120);
	assert_true(ns.node[2].v6.present);
	assert_string_equal(ns.node[2].v6.nexthop, "fe82::5");
	/* Node 0 is this node: its loopback is a device route on lo. */
	assert_true(ns.node[0].v4.direct_route);
	assert_string_equal(ns.node[0].v4.via, "lo");
}

#define ROW(prefix, proto, via) " " prefix " unicast [" proto " 17:36:55.486] * I (150/20) [10.0.2.1]\n \tvia " via "\n"

static void test_link_subnets_and_other_prefixes_are_not_nodes(void **state)
{
	static struct mesh_nodes ns;
	static const char reply[] = "1007-Table master4:\n" ROW("10.0.0.4/31", "ospf4", "10.0.0.5 on pipe2")
		ROW("10.0.4.0/23", "ospf4", "10.0.0.5 on pipe2") ROW("10.0.6.2/32", "ospf4", "10.0.0.5 on pipe2")
			ROW("192.0.2.1/32", "ospf4", "10.0.0.5 on pipe2")
				ROW("10.0.8.0/30", "ospf4", "10.0.0.5 on pipe2") " \n Table master6:\n" ROW(
					"fd10:0:12::/48", "ospf6", "fe82::5 on pipe2")
					ROW("fd10:0:14::/64", "ospf6", "fe82::5 on pipe2") "0000 \n";

	nodes_from_bytes(reply, sizeof(reply) - 1, &ns);
	assert_int_equal(mesh_nodes_count(&ns), 2);
	assert_true(ns.node[8].v4.present); /* a loopback /30 */
	assert_false(ns.node[8].v6.present);
	assert_true(ns.node[12].v6.present); /* decimal 12 written as the group "12" */
	assert_false(mesh_nodes_has(&ns, 4));
	assert_false(mesh_nodes_has(&ns, 6));
	assert_false(mesh_nodes_has(&ns, 14));
}

static void test_diff_names_new_and_gone_nodes(void **state)
{
	static struct mesh_nodes a, b;
	unsigned added[MESH_NODES_MAX], removed[MESH_NODES_MAX];
	size_t na, nr;

	a.node[2].v4.present = a.node[4].v4.present = a.node[4].v6.present = true;
	b.node[4].v4.present = b.node[6].v6.present = true;
	mesh_nodes_diff(&a, &b, MESH_NODES_ANY, added, &na, removed, &nr);
	assert_int_equal(na, 1);
	assert_int_equal(added[0], 6);
	assert_int_equal(nr, 1);
	assert_int_equal(removed[0], 2);
	/* Per family: node 4 lost its IPv6 loopback route. */
	mesh_nodes_diff(&a, &b, MESH_NODES_V6, added, &na, removed, &nr);
	assert_int_equal(na, 1);
	assert_int_equal(added[0], 6);
	assert_int_equal(nr, 1);
	assert_int_equal(removed[0], 4);
	assert_false(mesh_nodes_same_ids(&a, &b));
	b.node[2].v6.present = true;
	b.node[6].v6.present = false;
	assert_true(mesh_nodes_same_ids(&a, &b));
}

static void set_route(struct mesh_route *r, const char *nexthop, const char *via)
{
	r->present = true;
	snprintf(r->nexthop, sizeof(r->nexthop), "%s", nexthop);
	snprintf(r->via, sizeof(r->via), "%s", via);
}

/* A reroute is a routed node whose next hop or interface moved; a node
 * appearing or vanishing is not one, and a node counts once per reading. */
static void test_reroutes_count_moved_next_hops_only(void **state)
{
	static struct mesh_nodes a, b;

	memset(&a, 0, sizeof(a));
	set_route(&a.node[2].v4, "10.0.0.5", "pipe2");
	set_route(&a.node[2].v6, "fe82::5", "pipe2");
	set_route(&a.node[4].v4, "10.0.0.7", "pipe4");
	set_route(&a.node[6].v4, "10.0.0.9", "pipe6");
	b = a;
	assert_int_equal(mesh_nodes_reroutes(&a, &b), 0);
	/* Node 2 over pipe4 in both families: one reroute, not two. */
	set_route(&b.node[2].v4, "10.0.0.7", "pipe4");
	set_route(&b.node[2].v6, "fe82::7", "pipe4");
	/* Node 4: same next hop, another interface. */
	set_route(&b.node[4].v4, "10.0.0.7", "pipe4v6");
	/* Node 6 gone, node 8 new: neither is a reroute. */
	memset(&b.node[6], 0, sizeof(b.node[6]));
	set_route(&b.node[8].v4, "10.0.0.7", "pipe4");
	assert_int_equal(mesh_nodes_reroutes(&a, &b), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_captured_routes_give_both_nodes),
		cmocka_unit_test(test_link_subnets_and_other_prefixes_are_not_nodes),
		cmocka_unit_test(test_diff_names_new_and_gone_nodes),
		cmocka_unit_test(test_reroutes_count_moved_next_hops_only),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
