/* How a node is reached, as `wgmesh nodes` shows it: next-hop node, state
 * and path from the link the route leaves on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "daemon/routing/route_view.h"

static void assert_path(const struct route_view *v, size_t n, unsigned a, unsigned b, unsigned c)
{
	const unsigned want[] = { a, b, c };

	assert_int_equal(v->path_len, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(v->path[i], want[i]);
}

static void test_self(void **state)
{
	struct route_view v = route_view_of(0, 0, true, -1, false);

	assert_string_equal(route_state_name(v.state), "self");
	assert_int_equal(v.next_hop_id, -1);
	assert_path(&v, 1, 0, 0, 0);
}

static void test_direct(void **state)
{
	struct route_view v = route_view_of(0, 2, true, 2, true);

	assert_string_equal(route_state_name(v.state), "direct");
	assert_int_equal(v.next_hop_id, 2);
	assert_path(&v, 2, 0, 2, 0);
}

/* The case: a link to 2 exists, traffic for 2 leaves on pipe4. */
static void test_rerouted_names_the_detour(void **state)
{
	struct route_view v = route_view_of(0, 2, true, 4, true);

	assert_string_equal(route_state_name(v.state), "rerouted");
	assert_int_equal(v.next_hop_id, 4);
	assert_path(&v, 3, 0, 4, 2);
}

static void test_indirect_without_a_link(void **state)
{
	struct route_view v = route_view_of(0, 6, true, 4, false);

	assert_string_equal(route_state_name(v.state), "indirect");
	assert_int_equal(v.next_hop_id, 4);
	assert_path(&v, 3, 0, 4, 6);
}

static void test_unreachable(void **state)
{
	struct route_view v = route_view_of(0, 2, false, -1, true);

	assert_string_equal(route_state_name(v.state), "unreachable");
	assert_int_equal(v.next_hop_id, -1);
	assert_int_equal(v.path_len, 0);
}

/* A route on an interface that is none of our links: not claimed to be
 * direct, and no next hop or path invented. */
static void test_route_on_foreign_interface(void **state)
{
	struct route_view v = route_view_of(0, 2, true, -1, true);

	assert_string_equal(route_state_name(v.state), "rerouted");
	assert_int_equal(v.next_hop_id, -1);
	assert_int_equal(v.path_len, 0);
	v = route_view_of(0, 2, true, -1, false);
	assert_string_equal(route_state_name(v.state), "indirect");
	assert_int_equal(v.path_len, 0);
}

/* With OSPF's graph the whole path; without it, or when it disagrees with
 * the route's first hop, [self, next hop, node] and not whole. */
static void test_follow_the_graph(void **state)
{
	struct mesh_graph *g = calloc(1, sizeof(*g));
	struct route_view v = route_view_of(0, 6, true, 2, false);

	assert_non_null(g);
	assert_false(v.path_whole);
	route_view_follow(&v, NULL);
	assert_path(&v, 3, 0, 2, 6);
	assert_false(v.path_whole);
	mesh_graph_add(g, 0, 2, 10);
	mesh_graph_add(g, 2, 0, 10);
	mesh_graph_add(g, 2, 4, 10);
	mesh_graph_add(g, 4, 2, 10);
	mesh_graph_add(g, 4, 6, 10);
	route_view_follow(&v, g); /* 6 does not list 4 yet */
	assert_path(&v, 3, 0, 2, 6);
	assert_false(v.path_whole);
	mesh_graph_add(g, 6, 4, 10);
	route_view_follow(&v, g);
	assert_int_equal(v.path_len, 4);
	assert_int_equal(v.path[2], 4);
	assert_int_equal(v.path[3], 6);
	assert_true(v.path_whole);
	/* The route leaves for 8, which the graph does not know next to us. */
	v = route_view_of(0, 6, true, 8, false);
	route_view_follow(&v, g);
	assert_path(&v, 3, 0, 8, 6);
	assert_false(v.path_whole);
	/* A direct route is whole without a graph. */
	v = route_view_of(0, 2, true, 2, true);
	assert_true(v.path_whole);
	free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_self),
		cmocka_unit_test(test_direct),
		cmocka_unit_test(test_rerouted_names_the_detour),
		cmocka_unit_test(test_indirect_without_a_link),
		cmocka_unit_test(test_unreachable),
		cmocka_unit_test(test_route_on_foreign_interface),
		cmocka_unit_test(test_follow_the_graph),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
