/* Loop-free alternates for fast local repair: which live link takes a
 * destination's traffic when a link dies, never one that sends it back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "daemon/routing/repair_lfa.h"

struct fixture {
	struct mesh_graph g;
	struct repair_lfa_dists d;
};

static struct fixture *fixture_new(void)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	repair_lfa_dists_init(&f->d, &f->g);
	return f;
}

static void link2(struct mesh_graph *g, unsigned a, unsigned b, uint32_t metric)
{
	mesh_graph_add(g, a, b, metric);
	mesh_graph_add(g, b, a, metric);
}

/* The e2e triangle 0, 2, 4: 0-2 dies; 4 reaches 2 directly, never through 0. */
static void test_triangle_detour(void **state)
{
	struct fixture *f = fixture_new();
	link2(&f->g, 0, 2, 10);
	link2(&f->g, 0, 4, 10);
	link2(&f->g, 4, 2, 10);
	struct repair_lfa_link live[] = { { .node = 4, .cost = 10 } };

	assert_int_equal(repair_lfa_choose(&f->d, 0, 2, live, 1), 0);
	assert_int_equal(repair_lfa_dist(&f->d, 4, 2), 10);
	/* Node 4 itself stays on its own link. */
	assert_int_equal(repair_lfa_choose(&f->d, 0, 4, live, 1), 0);
	free(f);
}

/* One transport to 2 died, the other lives: it beats the two-hop detour. */
static void test_second_link_to_the_same_peer(void **state)
{
	struct fixture *f = fixture_new();
	link2(&f->g, 0, 2, 10);
	link2(&f->g, 0, 4, 10);
	link2(&f->g, 4, 2, 10);
	struct repair_lfa_link live[] = { { .node = 4, .cost = 10 }, { .node = 2, .cost = 12 } };

	assert_int_equal(repair_lfa_choose(&f->d, 0, 2, live, 2), 1);
	free(f);
}

/* Square 0-1-2-3-0 with a costly 3-0: 0-1 dies, 3 reaches 1 over 2. */
static void test_square_far_side(void **state)
{
	struct fixture *f = fixture_new();
	link2(&f->g, 0, 1, 1);
	link2(&f->g, 1, 2, 1);
	link2(&f->g, 2, 3, 1);
	link2(&f->g, 3, 0, 10);
	struct repair_lfa_link live[] = { { .node = 3, .cost = 10 } };

	assert_int_equal(repair_lfa_choose(&f->d, 0, 1, live, 1), 0);
	free(f);
}

/* 0-1 dies; 3's own shortest way to 1 is back through 0 (1 + 1 against its
 * 10 to 1), so handing it the traffic would loop: no repair. The same in a
 * square of equal costs, where 3's way through 0 ties with the far one. */
static void test_alternate_that_would_loop(void **state)
{
	struct fixture *f = fixture_new();
	link2(&f->g, 0, 1, 1);
	link2(&f->g, 0, 3, 1);
	link2(&f->g, 3, 1, 10);
	struct repair_lfa_link live[] = { { .node = 3, .cost = 1 } };

	assert_int_equal(repair_lfa_choose(&f->d, 0, 1, live, 1), -1);
	free(f);

	f = fixture_new();
	link2(&f->g, 0, 1, 1);
	link2(&f->g, 1, 2, 1);
	link2(&f->g, 2, 3, 1);
	link2(&f->g, 3, 0, 1);
	assert_int_equal(repair_lfa_choose(&f->d, 0, 1, live, 1), -1);
	free(f);
}

/* Of two loop-free neighbours the cheaper total wins; equal totals go to
 * the lower node ID. */
static void test_lowest_total_then_lowest_id(void **state)
{
	struct fixture *f = fixture_new();
	link2(&f->g, 0, 2, 5);
	link2(&f->g, 0, 4, 10);
	link2(&f->g, 0, 6, 10);
	link2(&f->g, 4, 2, 10);
	link2(&f->g, 6, 2, 30);
	struct repair_lfa_link live[] = { { .node = 6, .cost = 10 }, { .node = 4, .cost = 10 } };

	assert_int_equal(repair_lfa_choose(&f->d, 0, 2, live, 2), 1);
	free(f);

	f = fixture_new();
	link2(&f->g, 0, 2, 5);
	link2(&f->g, 0, 4, 10);
	link2(&f->g, 0, 6, 10);
	link2(&f->g, 4, 2, 10);
	link2(&f->g, 6, 2, 10);
	assert_int_equal(repair_lfa_choose(&f->d, 0, 2, live, 2), 1);
	free(f);
}

/* A neighbour that cannot reach the destination, a one-way edge (not
 * usable) and no live link at all give nothing. */
static void test_unreachable(void **state)
{
	struct fixture *f = fixture_new();
	link2(&f->g, 0, 2, 10);
	link2(&f->g, 0, 4, 10);
	mesh_graph_add(&f->g, 4, 2, 10); /* 2 does not list 4 */
	struct repair_lfa_link live[] = { { .node = 4, .cost = 10 } };

	assert_int_equal(repair_lfa_dist(&f->d, 4, 2), 20); /* only through 0 */
	assert_int_equal(repair_lfa_choose(&f->d, 0, 2, live, 1), -1);
	assert_int_equal(repair_lfa_choose(&f->d, 0, 2, live, 0), -1);
	assert_true(repair_lfa_dist(&f->d, 4, 9) == REPAIR_LFA_INF);
	assert_true(repair_lfa_dist(&f->d, 4, MESH_NODES_MAX) == REPAIR_LFA_INF);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_triangle_detour),
		cmocka_unit_test(test_second_link_to_the_same_peer),
		cmocka_unit_test(test_square_far_side),
		cmocka_unit_test(test_alternate_that_would_loop),
		cmocka_unit_test(test_lowest_total_then_lowest_id),
		cmocka_unit_test(test_unreachable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
