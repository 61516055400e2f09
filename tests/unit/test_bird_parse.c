/* Parsers of `show route`, `show ospf neighbors`, `show protocols` on replies
 * captured from BIRD 2.0.12 running OSPF between two namespaces (node 0 with
 * link pipe2, node 2 with link pipe0), plus hand-made and malformed input. */
#include <errno.h>
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

/* Parses raw bytes (welcome optional) and returns the last reply. */
static struct bird_reply *reply_from_bytes(const char *data, size_t len)
{
	struct bird_reply_parser p;
	struct bird_reply *r, *last = NULL;
	bird_reply_parser_init(&p);
	assert_int_equal(bird_reply_parser_feed(&p, data, len), 0);
	while ((r = bird_reply_parser_next(&p))) {
		bird_reply_free(last);
		last = r;
	}
	bird_reply_parser_free(&p);
	assert_non_null(last);
	return last;
}

static struct bird_reply *reply_from_capture(const char *name)
{
	static char data[16384];
	char path[512];
	const char *dir = getenv("WGM_TEST_DATA");
	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/bird/replies/%s", dir, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	size_t len = fread(data, 1, sizeof(data), f);
	fclose(f);
	return reply_from_bytes(data, len);
}

static const struct bird_route *find_route(const struct bird_routes *rs, const char *prefix)
{
	for (size_t i = 0; i < rs->n; i++)
		if (strcmp(rs->items[i].prefix, prefix) == 0)
			return &rs->items[i];
	return NULL;
}

static void test_show_route_lists_both_tables(void **state)
{
	struct bird_reply *reply = reply_from_capture("show-route-a.txt");
	struct bird_routes rs;
	char err[256];
	assert_int_equal(bird_parse_routes(reply, &rs, err, sizeof(err)), 0);
	assert_int_equal(rs.n, 8);

	const struct bird_route *remote = find_route(&rs, "10.0.2.1/32");
	assert_non_null(remote);
	assert_string_equal(remote->table, "master4");
	assert_int_equal(remote->type, BIRD_ROUTE_UNICAST);
	assert_string_equal(remote->proto, "ospf4");
	assert_true(remote->primary);
	assert_string_equal(remote->origin, "I");
	assert_int_equal(remote->preference, 150);
	assert_true(remote->has_metric);
	assert_int_equal(remote->metric, 120);
	assert_false(remote->has_metric2);
	assert_string_equal(remote->attrs, "10.0.2.1");
	assert_int_equal(remote->n_nexthops, 1);
	assert_string_equal(remote->nexthops[0].gateway, "10.0.0.5");
	assert_string_equal(remote->nexthops[0].ifname, "pipe2");

	const struct bird_route *remote6 = find_route(&rs, "fd10:0:2::/48");
	assert_non_null(remote6);
	assert_string_equal(remote6->table, "master6");
	assert_string_equal(remote6->origin, "E1");
	assert_string_equal(remote6->nexthops[0].gateway, "fe82::5");

	bird_routes_free(&rs);
	bird_reply_free(reply);
}

static void test_show_route_device_and_unreachable_routes(void **state)
{
	struct bird_reply *reply = reply_from_capture("show-route-a.txt");
	struct bird_routes rs;
	assert_int_equal(bird_parse_routes(reply, &rs, NULL, 0), 0);

	const struct bird_route *own = find_route(&rs, "10.0.0.0/30");
	assert_non_null(own);
	assert_string_equal(own->proto, "mesh_direct");
	assert_false(own->has_metric);
	assert_int_equal(own->preference, 240);
	assert_string_equal(own->nexthops[0].gateway, "");
	assert_string_equal(own->nexthops[0].ifname, "lo");

	const struct bird_route *mesh = find_route(&rs, "10.0.0.0/16");
	assert_non_null(mesh);
	assert_int_equal(mesh->type, BIRD_ROUTE_UNREACHABLE);
	assert_int_equal(mesh->n_nexthops, 0);
	assert_string_equal(mesh->origin, "");

	bird_routes_free(&rs);
	bird_reply_free(reply);
}

static void test_show_route_single_table(void **state)
{
	struct bird_reply *reply = reply_from_capture("show-route-master6.txt");
	struct bird_routes rs;
	assert_int_equal(bird_parse_routes(reply, &rs, NULL, 0), 0);
	assert_int_equal(rs.n, 3);
	for (size_t i = 0; i < rs.n; i++)
		assert_string_equal(rs.items[i].table, "master6");
	bird_routes_free(&rs);
	bird_reply_free(reply);
}

static void test_show_route_not_found_is_an_error(void **state)
{
	struct bird_reply *reply = reply_from_capture("show-route-not-found.txt");
	struct bird_routes rs;
	char err[256];
	assert_int_equal(bird_parse_routes(reply, &rs, err, sizeof(err)), -EIO);
	assert_string_equal(err, "bird: Network not found");
	assert_int_equal(rs.n, 0);
	bird_reply_free(reply);
}

/* The shape BIRD prints for ECMP, a second route to the same prefix, a
 * type-2 external and a BGP route (not captured: the lab has no triangle). */
static void test_show_route_ecmp_alternates_and_externals(void **state)
{
	static const char in[] =
		"1007-Table master4:\n"
		" 10.0.6.1/32          unicast [ospf4 17:40:01.000] * I (150/200) [10.0.6.1]\n"
		" \tvia 10.0.0.5 on pipe2 weight 1\n"
		" \tvia 10.0.0.9 on pipe4 weight 1\n"
		"                      unicast [ospf_b 17:40:02.000] I (150/300) [10.0.6.1]\n"
		" \tvia 10.0.0.13 on pipe8\n"
		" 192.168.10.0/24      unicast [ospf4 17:40:03.000] * E2 (150/120/10000) [10.0.4.1]\n"
		" \tvia 10.0.0.5 on pipe2\n"
		" 198.51.100.0/24      unicast [peer_pipePeer7 17:40:04.000 from 172.31.0.0] * (100) [AS64512i]\n"
		" \tvia 172.31.0.0 on pipePeer7\n"
		"0000 \n";
	struct bird_reply *reply = reply_from_bytes(in, sizeof(in) - 1);
	struct bird_routes rs;
	assert_int_equal(bird_parse_routes(reply, &rs, NULL, 0), 0);
	assert_int_equal(rs.n, 4);
	assert_int_equal(rs.items[0].n_nexthops, 2);
	assert_string_equal(rs.items[0].nexthops[1].gateway, "10.0.0.9");
	assert_string_equal(rs.items[0].nexthops[1].ifname, "pipe4");
	assert_string_equal(rs.items[1].prefix, "10.0.6.1/32");
	assert_false(rs.items[1].primary);
	assert_string_equal(rs.items[1].proto, "ospf_b");
	assert_int_equal(rs.items[1].metric, 300);
	assert_true(rs.items[2].has_metric2);
	assert_int_equal(rs.items[2].metric2, 10000);
	assert_string_equal(rs.items[2].origin, "E2");
	assert_string_equal(rs.items[3].proto, "peer_pipePeer7");
	assert_string_equal(rs.items[3].attrs, "AS64512i");
	assert_false(rs.items[3].has_metric);
	bird_routes_free(&rs);
	bird_reply_free(reply);
}

static void expect_routes_refused(const char *in)
{
	struct bird_reply *reply = reply_from_bytes(in, strlen(in));
	struct bird_routes rs;
	char err[256];
	assert_int_equal(bird_parse_routes(reply, &rs, err, sizeof(err)), -EPROTO);
	assert_null(rs.items);
	assert_int_equal(rs.n, 0);
	assert_non_null(strstr(err, "unexpected line"));
	bird_reply_free(reply);
}

static void test_show_route_malformed_rows_refused(void **state)
{
	expect_routes_refused("1007-Table master4:\n 10.0.0/8  unicast [ospf4 x] * (150)\n0000 \n");
	expect_routes_refused("1007-Table master4:\n 10.0.0.0/8  sideways [ospf4 x] * (150)\n0000 \n");
	expect_routes_refused("1007-Table master4:\n 10.0.0.0/8  unicast [ospf4 x * (150)\n0000 \n");
	expect_routes_refused("1007-Table master4:\n 10.0.0.0/8  unicast [ospf4 x] * (150/abc)\n0000 \n");
	expect_routes_refused("1007-Table master4:\n 10.0.0.0/8  unicast [ospf4 x] * (150) trailing\n0000 \n");
	expect_routes_refused("1007-Table master4:\n \tvia 10.0.0.5 on pipe2\n0000 \n");
	expect_routes_refused(
		"1007-Table master4:\n 10.0.0.0/8  unicast [ospf4 x] * (150)\n \tvia nowhere on pipe2\n0000 \n");
	expect_routes_refused("1007- 10.0.0.0/8  unicast [ospf4 x] * (150)\n0000 \n");
	expect_routes_refused("1002-device1 Device --- up 17:00:00\n0000 \n");
}

static void test_ospf_topology_router_edges(void **state)
{
	/* As BIRD 2.0.12 answers `show ospf topology ospf4` in a three-node lab. */
	static const char in[] = "1016-\n"
				 " area 0.0.0.0\n"
				 " \n"
				 " \trouter 10.0.0.1\n"
				 " \t\tdistance 0\n"
				 " \t\trouter 10.0.2.1 metric 65\n"
				 " \t\tstubnet 10.0.0.4/31 metric 65\n"
				 " \n"
				 " \trouter 10.0.2.1\n"
				 " \t\tunreachable\n"
				 " \t\trouter 10.0.0.1 metric 36\n"
				 "0000 \n";
	struct bird_reply *reply = reply_from_bytes(in, sizeof(in) - 1);
	struct bird_ospf_topology t;

	(void)state;
	assert_int_equal(bird_parse_ospf_topology(reply, &t, NULL, 0), 0);
	assert_int_equal(t.n, 2);
	assert_string_equal(t.items[0].from, "10.0.0.1");
	assert_string_equal(t.items[0].to, "10.0.2.1");
	assert_int_equal(t.items[0].metric, 65);
	assert_string_equal(t.items[1].from, "10.0.2.1");
	assert_string_equal(t.items[1].to, "10.0.0.1");
	bird_ospf_topology_free(&t);
	bird_reply_free(reply);
}

static void test_ospf_topology_malformed_rows_refused(void **state)
{
	static const char *const bad[] = {
		"1016-\n \t\trouter 10.0.2.1 metric 65\n0000 \n", /* a link before its router */
		"1016-\n \trouter 10.0.0.1\n \t\trouter 10.0.2.1 metric x\n0000 \n",
		"1016-\n \trouter 10.0.0.1\n \t\trouter 10.0.2.1 cost 5\n0000 \n",
		"1016-\n \trouter 10.0.0.1\n \t\trouter 10.0.2.1 metric 5 more\n0000 \n",
		"2002-\n \trouter 10.0.0.1\n0000 \n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct bird_reply *reply = reply_from_bytes(bad[i], strlen(bad[i]));
		struct bird_ospf_topology t;
		char err[256];
		assert_int_equal(bird_parse_ospf_topology(reply, &t, err, sizeof(err)), -EPROTO);
		assert_null(t.items);
		bird_reply_free(reply);
	}
}

static void test_ospf_neighbors_of_both_protocols(void **state)
{
	struct bird_reply *reply = reply_from_capture("show-ospf-neighbors-all.txt");
	struct bird_ospf_neighbors ns;
	assert_int_equal(bird_parse_ospf_neighbors(reply, &ns, NULL, 0), 0);
	assert_int_equal(ns.n, 2);
	assert_string_equal(ns.items[0].proto, "ospf4");
	assert_string_equal(ns.items[0].router_id, "10.0.2.1");
	assert_int_equal(ns.items[0].priority, 1);
	assert_string_equal(ns.items[0].state, "Full");
	assert_string_equal(ns.items[0].role, "PtP");
	assert_string_equal(ns.items[0].ifname, "pipe2");
	assert_string_equal(ns.items[0].address, "10.0.0.5");
	assert_string_equal(ns.items[1].proto, "ospf6");
	assert_string_equal(ns.items[1].address, "fe82::5");
	bird_ospf_neighbors_free(&ns);
	bird_reply_free(reply);
}

static void test_ospf_neighbors_of_one_protocol(void **state)
{
	struct bird_reply *reply = reply_from_capture("show-ospf-neighbors-ospf4.txt");
	struct bird_ospf_neighbors ns;
	assert_int_equal(bird_parse_ospf_neighbors(reply, &ns, NULL, 0), 0);
	assert_int_equal(ns.n, 1);
	assert_string_equal(ns.items[0].state, "Full");
	bird_ospf_neighbors_free(&ns);
	bird_reply_free(reply);
}

static void test_ospf_neighbor_in_exchange_state(void **state)
{
	static const char in[] = "1013-ospf4:\n Router ID   \tPri\t     State     \tDTime\tInterface  Router IP\n"
				 " 10.0.4.1    \t  1\tExStart/PtP \t 2.100\tpipe4      10.0.0.9\n0000 \n";
	struct bird_reply *reply = reply_from_bytes(in, sizeof(in) - 1);
	struct bird_ospf_neighbors ns;
	assert_int_equal(bird_parse_ospf_neighbors(reply, &ns, NULL, 0), 0);
	assert_int_equal(ns.n, 1);
	assert_string_equal(ns.items[0].state, "ExStart");
	bird_ospf_neighbors_free(&ns);
	bird_reply_free(reply);
}

/* A link with OSPFv2 Full and OSPFv3 still in ExStart is reported ExStart;
 * an interface without a neighbour has no state. */
static void test_ospf_neighbor_state_of_interface(void **state)
{
	static const char in[] = "1013-ospf4:\n Router ID   \tPri\t     State     \tDTime\tInterface  Router IP\n"
				 " 10.0.4.1    \t  1\tFull/PtP \t 2.100\tpipe4      10.0.0.9\n"
				 " 10.0.2.1    \t  1\tFull/PtP \t 2.100\tpipe2      10.0.0.5\n"
				 "1013-ospf6:\n 10.0.4.1    \t  1\tExStart/PtP \t 2.100\tpipe4      fe80::9\n0000 \n";
	struct bird_reply *reply = reply_from_bytes(in, sizeof(in) - 1);
	struct bird_ospf_neighbors ns;
	assert_int_equal(bird_parse_ospf_neighbors(reply, &ns, NULL, 0), 0);
	assert_int_equal(ns.n, 3);
	assert_string_equal(bird_ospf_neighbor_state(&ns, "pipe4"), "ExStart");
	assert_string_equal(bird_ospf_neighbor_state(&ns, "pipe2"), "Full");
	assert_null(bird_ospf_neighbor_state(&ns, "pipe6"));
	bird_ospf_neighbors_free(&ns);
	assert_null(bird_ospf_neighbor_state(&ns, "pipe2"));
	bird_reply_free(reply);
}

static void test_ospf_neighbors_malformed_refused(void **state)
{
	static const char *const bad[] = {
		/* row before any protocol name */
		"1013-10.0.2.1 \t 1\tFull/PtP \t 2.9\tpipe2 10.0.0.5\n0000 \n",
		/* state without role */
		"1013-ospf4:\n 10.0.2.1 \t 1\tFull \t 2.9\tpipe2 10.0.0.5\n0000 \n",
		/* router id is not an address */
		"1013-ospf4:\n router \t 1\tFull/PtP \t 2.9\tpipe2 10.0.0.5\n0000 \n",
		/* missing address */
		"1013-ospf4:\n 10.0.2.1 \t 1\tFull/PtP \t 2.9\tpipe2\n0000 \n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct bird_reply *reply = reply_from_bytes(bad[i], strlen(bad[i]));
		struct bird_ospf_neighbors ns;
		assert_int_equal(bird_parse_ospf_neighbors(reply, &ns, NULL, 0), -EPROTO);
		assert_int_equal(ns.n, 0);
		bird_reply_free(reply);
	}
}

static void test_protocols_from_capture(void **state)
{
	struct bird_reply *reply = reply_from_capture("show-protocols.txt");
	struct bird_protocols ps;
	assert_int_equal(bird_parse_protocols(reply, &ps, NULL, 0), 0);
	assert_int_equal(ps.n, 9);
	assert_string_equal(ps.items[0].name, "device1");
	assert_string_equal(ps.items[0].table, "---");
	assert_string_equal(ps.items[0].info, "");
	assert_string_equal(ps.items[2].name, "mesh_unreachable4");
	assert_string_equal(ps.items[2].proto, "Static");
	assert_string_equal(ps.items[2].table, "master4");
	const struct bird_protocol *ospf4 = &ps.items[7];
	assert_string_equal(ospf4->name, "ospf4");
	assert_string_equal(ospf4->proto, "OSPF");
	assert_string_equal(ospf4->state, "up");
	assert_string_equal(ospf4->since, "17:36:49.385");
	assert_string_equal(ospf4->info, "Running");
	bird_protocols_free(&ps);
	bird_reply_free(reply);
}

static void test_protocols_info_keeps_spaces(void **state)
{
	static const char in[] =
		"2002-Name       Proto      Table      State  Since         Info\n"
		"1002-peer_pipePeer7 BGP        ---        start  17:40:00.000  Active        Socket: Connection refused\n"
		"0000 \n";
	struct bird_reply *reply = reply_from_bytes(in, sizeof(in) - 1);
	struct bird_protocols ps;
	assert_int_equal(bird_parse_protocols(reply, &ps, NULL, 0), 0);
	assert_int_equal(ps.n, 1);
	assert_string_equal(ps.items[0].state, "start");
	assert_string_equal(ps.items[0].info, "Active        Socket: Connection refused");
	bird_protocols_free(&ps);
	bird_reply_free(reply);
}

static void test_protocols_short_row_refused(void **state)
{
	static const char in[] = "1002-device1    Device     ---\n0000 \n";
	struct bird_reply *reply = reply_from_bytes(in, sizeof(in) - 1);
	struct bird_protocols ps;
	char err[256];
	assert_int_equal(bird_parse_protocols(reply, &ps, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "device1"));
	bird_reply_free(reply);
}

static void test_parse_error_reply_reaches_caller(void **state)
{
	struct bird_reply *reply = reply_from_capture("parse-error.txt");
	struct bird_protocols ps;
	char err[256];
	assert_int_equal(bird_parse_protocols(reply, &ps, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "bird: syntax error, unexpected CF_SYM_UNDEFINED");
	bird_reply_free(reply);
}

/* BIRD 2.0's table: a protocol line, a heading, one row per session. */
static void test_bfd_sessions(void **state)
{
	static const char in[] = "1020-mesh_bfd:\n"
				 " IP address                Interface  State      Since         Interval  Timeout\n"
				 " 10.0.0.5                  pipe2      Up         05:10:11.123    0.100    0.300\n"
				 " fe80::5                   pipe2      Down       05:10:12.456    1.000    0.000\n"
				 "1020-other_bfd: is not up\n"
				 "0000 \n";
	struct bird_reply *reply = reply_from_bytes(in, sizeof(in) - 1);
	struct bird_bfd_sessions ss;
	assert_int_equal(bird_parse_bfd_sessions(reply, &ss, NULL, 0), 0);
	assert_int_equal(ss.n, 2);
	assert_string_equal(ss.items[0].proto, "mesh_bfd");
	assert_string_equal(ss.items[0].address, "10.0.0.5");
	assert_string_equal(ss.items[0].ifname, "pipe2");
	assert_string_equal(ss.items[0].state, "Up");
	assert_string_equal(ss.items[1].address, "fe80::5");
	assert_string_equal(ss.items[1].state, "Down");
	bird_bfd_sessions_free(&ss);
	bird_reply_free(reply);
}

/* An unknown state, a row before any protocol line, or a short row. */
static void test_bfd_sessions_malformed_refused(void **state)
{
	static const char *const ins[] = {
		"1020-mesh_bfd:\n 10.0.0.5  pipe2  Sleeping  05:10:11.123  0.100  0.300\n0000 \n",
		"1020-10.0.0.5  pipe2  Up  05:10:11.123  0.100  0.300\n0000 \n",
		"1020-mesh_bfd:\n 10.0.0.5  pipe2  Up\n0000 \n",
		"1020-mesh_bfd:\n not-an-address  pipe2  Up  05:10:11.123\n0000 \n",
	};
	for (size_t i = 0; i < sizeof(ins) / sizeof(ins[0]); i++) {
		struct bird_reply *reply = reply_from_bytes(ins[i], strlen(ins[i]));
		struct bird_bfd_sessions ss;
		char err[256];
		assert_int_equal(bird_parse_bfd_sessions(reply, &ss, err, sizeof(err)), -EPROTO);
		assert_int_equal(ss.n, 0);
		assert_non_null(strstr(err, "show bfd sessions"));
		bird_reply_free(reply);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_show_route_lists_both_tables),
		cmocka_unit_test(test_show_route_device_and_unreachable_routes),
		cmocka_unit_test(test_show_route_single_table),
		cmocka_unit_test(test_show_route_not_found_is_an_error),
		cmocka_unit_test(test_show_route_ecmp_alternates_and_externals),
		cmocka_unit_test(test_show_route_malformed_rows_refused),
		cmocka_unit_test(test_ospf_topology_router_edges),
		cmocka_unit_test(test_ospf_topology_malformed_rows_refused),
		cmocka_unit_test(test_ospf_neighbors_of_both_protocols),
		cmocka_unit_test(test_ospf_neighbors_of_one_protocol),
		cmocka_unit_test(test_ospf_neighbor_in_exchange_state),
		cmocka_unit_test(test_ospf_neighbor_state_of_interface),
		cmocka_unit_test(test_ospf_neighbors_malformed_refused),
		cmocka_unit_test(test_protocols_from_capture),
		cmocka_unit_test(test_protocols_info_keeps_spaces),
		cmocka_unit_test(test_protocols_short_row_refused),
		cmocka_unit_test(test_parse_error_reply_reaches_caller),
		cmocka_unit_test(test_bfd_sessions),
		cmocka_unit_test(test_bfd_sessions_malformed_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
