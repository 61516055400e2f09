/* How a node is reached, as `wgmesh nodes` shows it: next-hop node, state
 * and path from the link the route leaves on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_self),
		cmocka_unit_test(test_direct),
		cmocka_unit_test(test_rerouted_names_the_detour),
		cmocka_unit_test(test_indirect_without_a_link),
		cmocka_unit_test(test_unreachable),
		cmocka_unit_test(test_route_on_foreign_interface),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
