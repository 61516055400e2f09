/* The mesh's router graph from OSPF's topology, and the whole path a route
 * takes through it from its first hop on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "daemon/mesh/mesh_graph.h"

static struct mesh_graph *graph_new(void)
{
	struct mesh_graph *g = calloc(1, sizeof(*g));
	assert_non_null(g);
	return g;
}

static void link2(struct mesh_graph *g, unsigned a, unsigned b, uint32_t metric)
{
	mesh_graph_add(g, a, b, metric);
	mesh_graph_add(g, b, a, metric);
}

/* Asserts the path from 0 via FIRST to DST is WANT (n IDs; n 0: none). */
static void assert_path(const struct mesh_graph *g, unsigned first, unsigned dst, size_t n, const unsigned *want)
{
	unsigned path[32];
	size_t got = mesh_graph_path(g, 0, first, dst, path, 32);

	assert_int_equal(got, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(path[i], want[i]);
}

/* The e2e chain: 0 - 2 - 4 - 6. */
static void test_line(void **state)
{
	struct mesh_graph *g = graph_new();

	(void)state;
	link2(g, 0, 2, 10);
	link2(g, 2, 4, 10);
	link2(g, 4, 6, 10);
	assert_path(g, 2, 6, 4, (unsigned[]){ 0, 2, 4, 6 });
	assert_path(g, 2, 4, 3, (unsigned[]){ 0, 2, 4 });
	assert_path(g, 2, 2, 2, (unsigned[]){ 0, 2 });
	/* Not a neighbour of 0: the route cannot leave on it. */
	assert_path(g, 4, 6, 0, NULL);
	free(g);
}

/* A ring 0-2-4-6-8-0: each way round is followed from the route's own first
 * hop, even when the other way is shorter (the route is the truth). */
static void test_ring(void **state)
{
	struct mesh_graph *g = graph_new();

	(void)state;
	link2(g, 0, 2, 10);
	link2(g, 2, 4, 10);
	link2(g, 4, 6, 10);
	link2(g, 6, 8, 10);
	link2(g, 8, 0, 10);
	assert_path(g, 2, 6, 4, (unsigned[]){ 0, 2, 4, 6 });
	assert_path(g, 8, 6, 3, (unsigned[]){ 0, 8, 6 });
	/* From 8, the way to 4 through 6 (20) beats going back through 0. */
	assert_path(g, 8, 4, 4, (unsigned[]){ 0, 8, 6, 4 });
	/* Metrics count, not hops: a dear 6-8 sends 8's traffic for 6 round
	 * the other way, which passes 0: not a path from this route. */
	g->metric[6][8] = g->metric[8][6] = 100;
	assert_path(g, 8, 6, 0, NULL);
	free(g);
}

/* 0-2, then 2-4-8 and 2-6-8 at the same cost: the lower ID, every time. */
static void test_equal_cost_tie_goes_to_the_lower_id(void **state)
{
	struct mesh_graph *g = graph_new();

	(void)state;
	link2(g, 0, 2, 10);
	link2(g, 2, 6, 10);
	link2(g, 6, 8, 10);
	link2(g, 2, 4, 10);
	link2(g, 4, 8, 10);
	for (int i = 0; i < 3; i++)
		assert_path(g, 2, 8, 4, (unsigned[]){ 0, 2, 4, 8 });
	/* A dearer 2-4 ends the tie. */
	g->metric[2][4] = 11;
	assert_path(g, 2, 8, 4, (unsigned[]){ 0, 2, 6, 8 });
	free(g);
}

/* An edge one router lists and the other does not is no edge. */
static void test_missing_reverse_edge(void **state)
{
	struct mesh_graph *g = graph_new();

	(void)state;
	link2(g, 0, 2, 10);
	link2(g, 2, 4, 10);
	mesh_graph_add(g, 4, 6, 10);
	assert_false(mesh_graph_usable(g, 4, 6));
	assert_path(g, 2, 6, 0, NULL);
	/* Nor for the first hop. */
	mesh_graph_add(g, 0, 8, 10);
	mesh_graph_add(g, 8, 6, 10);
	mesh_graph_add(g, 6, 8, 10);
	assert_path(g, 8, 6, 0, NULL);
	mesh_graph_add(g, 6, 4, 10);
	assert_path(g, 2, 6, 4, (unsigned[]){ 0, 2, 4, 6 });
	free(g);
}

static void test_path_longer_than_max_is_none(void **state)
{
	struct mesh_graph *g = graph_new();
	unsigned path[3];

	(void)state;
	link2(g, 0, 2, 1);
	link2(g, 2, 4, 1);
	link2(g, 4, 6, 1);
	assert_int_equal(mesh_graph_path(g, 0, 2, 6, path, 3), 0);
	assert_int_equal(mesh_graph_path(g, 0, 2, 4, path, 3), 3);
	free(g);
}

static struct bird_ospf_edge edge(const char *from, const char *to, unsigned metric)
{
	struct bird_ospf_edge e = { .metric = metric };

	snprintf(e.from, sizeof(e.from), "%s", from);
	snprintf(e.to, sizeof(e.to), "%s", to);
	return e;
}

/* Router IDs are the nodes' loopbacks (10.0.ID.1 in 10.0.0.0/16); any
 * other router (another mesh's, a BGP peer's, not an address) is left out
 * and counted, and two links between the same routers give the lower
 * metric. */
static void test_topology_with_unknown_router_ids(void **state)
{
	struct wgm_addrplan plan;
	char err[256];
	struct bird_ospf_edge e[] = {
		edge("10.0.0.1", "10.0.2.1", 30),  edge("10.0.2.1", "10.0.0.1", 30), edge("10.0.0.1", "10.0.2.1", 12),
		edge("10.0.2.1", "10.0.4.1", 10),  edge("10.0.4.1", "10.0.2.1", 10), edge("10.0.4.1", "192.0.2.7", 10),
		edge("192.0.2.7", "10.0.4.1", 10), edge("10.0.4.2", "10.0.4.1", 10), edge("10.0.6.1", "router", 10),
	};
	struct bird_ospf_topology topo = { .items = e, .n = sizeof(e) / sizeof(e[0]) };
	struct mesh_graph *g = graph_new();

	(void)state;
	assert_int_equal(wgm_addrplan_init(&plan, "10.0.0.0/16", "fe82:", "10.0.251.0/24", "172.31.0.0/16", "pipe", 0,
					   err, sizeof(err)),
			 0);
	assert_int_equal(mesh_graph_node_of_router(&plan, "10.0.6.1"), 6);
	assert_int_equal(mesh_graph_node_of_router(&plan, "10.0.6.2"), -1);
	assert_int_equal(mesh_graph_node_of_router(&plan, "192.0.2.7"), -1);
	assert_int_equal(mesh_graph_node_of_router(&plan, "x"), -1);
	g->metric[8][0] = 5; /* cleared */
	assert_int_equal(mesh_graph_from_topology(&plan, &topo, g), 4);
	assert_int_equal(g->metric[8][0], 0);
	assert_int_equal(g->metric[0][2], 12);
	assert_true(mesh_graph_usable(g, 2, 4));
	assert_path(g, 2, 4, 3, (unsigned[]){ 0, 2, 4 });
	free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line),
		cmocka_unit_test(test_ring),
		cmocka_unit_test(test_equal_cost_tie_goes_to_the_lower_id),
		cmocka_unit_test(test_missing_reverse_edge),
		cmocka_unit_test(test_path_longer_than_max_is_none),
		cmocka_unit_test(test_topology_with_unknown_router_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
