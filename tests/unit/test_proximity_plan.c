/* The proximity planner: what `wgmesh proximity CUTOFF_MS` changes, from
 * latencies, links and the mesh's graph. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "daemon/mesh/proximity_plan.h"

static struct mesh_graph *graph_new(void)
{
	struct mesh_graph *g = calloc(1, sizeof(*g));
	assert_non_null(g);
	return g;
}

static void edge(struct mesh_graph *g, unsigned a, unsigned b)
{
	mesh_graph_add(g, a, b, 1);
	mesh_graph_add(g, b, a, 1);
}

static struct proximity_entry node(unsigned id, double rtt, bool linked)
{
	return (struct proximity_entry){
		.id = id, .has_rtt = rtt >= 0, .rtt_ms = rtt >= 0 ? rtt : 0, .linked = linked
	};
}

static void test_far_link_goes_when_the_node_stays_reachable(void **state)
{
	struct mesh_graph *g = graph_new();
	struct proximity_entry e[] = { node(2, 80, true), node(4, 1, true) };

	(void)state;
	edge(g, 0, 2);
	edge(g, 0, 4);
	edge(g, 2, 4);
	assert_int_equal(proximity_plan(0, false, 40, g, e, 2), 1);
	assert_int_equal(e[0].action, PROXIMITY_DISCONNECT);
	assert_int_equal(e[1].action, PROXIMITY_NONE);
	free(g);
}

static void test_the_last_path_to_a_node_is_kept(void **state)
{
	struct mesh_graph *g = graph_new();
	struct proximity_entry e[] = { node(2, 80, true), node(4, 1, true) };

	(void)state;
	edge(g, 0, 2);
	edge(g, 0, 4);
	assert_int_equal(proximity_plan(0, false, 40, g, e, 2), 0);
	assert_int_equal(e[0].action, PROXIMITY_KEEP_LAST);
	free(g);
}

static void test_a_one_way_edge_is_no_path(void **state)
{
	struct mesh_graph *g = graph_new();
	struct proximity_entry e[] = { node(2, 80, true), node(4, 1, true) };

	(void)state;
	edge(g, 0, 2);
	edge(g, 0, 4);
	mesh_graph_add(g, 4, 2, 1); /* 2 does not list 4: not two-way */
	proximity_plan(0, false, 40, g, e, 2);
	assert_int_equal(e[0].action, PROXIMITY_KEEP_LAST);
	free(g);
}

static void test_two_far_links_covering_each_other_keep_the_nearer(void **state)
{
	struct mesh_graph *g = graph_new();
	/* 2 and 6 far, linked to each other; 4 near but reaches neither. */
	struct proximity_entry e[] = { node(2, 50, true), node(6, 90, true), node(4, 1, true) };

	(void)state;
	edge(g, 0, 2);
	edge(g, 0, 6);
	edge(g, 0, 4);
	edge(g, 2, 6);
	assert_int_equal(proximity_plan(0, false, 40, g, e, 3), 1);
	assert_int_equal(e[1].action, PROXIMITY_DISCONNECT);
	assert_int_equal(e[0].action, PROXIMITY_KEEP_LAST);
	free(g);
}

static void test_close_nodes_without_a_link_are_connected(void **state)
{
	struct mesh_graph *g = graph_new();
	struct proximity_entry e[] = { node(2, 5, false), node(4, 60, false), node(200, 1, false), node(8, -1, false) };

	(void)state;
	assert_int_equal(proximity_plan(0, false, 40, g, e, 4), 1);
	assert_int_equal(e[0].action, PROXIMITY_CONNECT);
	assert_int_equal(e[1].action, PROXIMITY_NONE);             /* far, no link: nothing */
	assert_int_equal(e[2].action, PROXIMITY_NONE);             /* a client */
	assert_int_equal(e[3].action, PROXIMITY_NONE);             /* unmeasured */
	assert_int_equal(proximity_plan(0, true, 40, g, e, 4), 0); /* a client node connects to nobody */
	free(g);
}

static void test_unmeasured_or_unreachable_nodes_keep_their_links(void **state)
{
	struct mesh_graph *g = graph_new();
	struct proximity_entry e[] = { node(2, -1, true), node(4, 90, true) };

	(void)state;
	/* 4's link is in no graph (dead): reaching it through nothing now, it stays. */
	edge(g, 0, 2);
	assert_int_equal(proximity_plan(0, false, 40, g, e, 2), 0);
	assert_int_equal(e[0].action, PROXIMITY_NONE);
	assert_int_equal(e[1].action, PROXIMITY_KEEP_LAST);
	free(g);
}

static void test_no_cutoff_plans_nothing(void **state)
{
	struct mesh_graph *g = graph_new();
	struct proximity_entry e[] = { node(2, 80, true), node(4, 1, false) };

	(void)state;
	assert_int_equal(proximity_plan(0, false, -1, g, e, 2), 0);
	assert_int_equal(e[0].action, PROXIMITY_NONE);
	assert_int_equal(e[1].action, PROXIMITY_NONE);
	free(g);
}

static void test_sorted_near_to_far_unmeasured_last(void **state)
{
	struct proximity_entry e[] = { node(6, -1, false), node(2, 80, true), node(4, 1, true), node(3, 80, true) };

	(void)state;
	proximity_sort(e, 4);
	assert_int_equal(e[0].id, 4);
	assert_int_equal(e[1].id, 2);
	assert_int_equal(e[2].id, 3);
	assert_int_equal(e[3].id, 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_far_link_goes_when_the_node_stays_reachable),
		cmocka_unit_test(test_the_last_path_to_a_node_is_kept),
		cmocka_unit_test(test_a_one_way_edge_is_no_path),
		cmocka_unit_test(test_two_far_links_covering_each_other_keep_the_nearer),
		cmocka_unit_test(test_close_nodes_without_a_link_are_connected),
		cmocka_unit_test(test_unmeasured_or_unreachable_nodes_keep_their_links),
		cmocka_unit_test(test_no_cutoff_plans_nothing),
		cmocka_unit_test(test_sorted_near_to_far_unmeasured_last),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
