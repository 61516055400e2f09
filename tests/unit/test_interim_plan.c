#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/routing/interim_plan.h"

/* What the plan asked the kernel for, as "+10.0.4.0/30 pipe4 64" lines. */
struct recorder {
	char lines[16][256];
	enum interim_reason why[16];
	size_t n;
};

static void record(bool add, const struct interim_route *r, enum interim_reason why, void *ctx)
{
	struct recorder *rec = ctx;
	char dst[INET6_ADDRSTRLEN], src[INET6_ADDRSTRLEN], gw[INET6_ADDRSTRLEN];

	assert_true(rec->n < 16);
	wgm_nl_ip_format(&r->spec.dst, dst, sizeof(dst));
	wgm_nl_ip_format(&r->spec.prefsrc, src, sizeof(src));
	wgm_nl_ip_format(&r->spec.gateway, gw, sizeof(gw));
	snprintf(rec->lines[rec->n], sizeof(rec->lines[0]), "%c%s/%u via %s %s %u src %s", add ? '+' : '-', dst,
		 r->spec.prefixlen, gw, r->link, (unsigned)r->spec.metric, src);
	rec->why[rec->n++] = why;
}

struct fixture {
	struct wgm_addrplan addrplan;
	struct interim_plan *plan;
	struct recorder rec;
	struct mesh_nodes *routed;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct interim_params p = { .self_id = 2, .family_on = { true, true } };
	char err[128];

	assert_non_null(fx);
	assert_int_equal(wgm_addrplan_init(&fx->addrplan, "10.0.0.0/16", "fe82:", "10.0.251.0/24", "172.31.0.0/16",
					   "pipe", 0, err, sizeof(err)),
			 0);
	p.plan = &fx->addrplan;
	assert_int_equal(wgm_nl_ip_prefix_parse("10.0.0.0/16", &p.aggregate[INTERIM_V4], &p.aggregate_len[INTERIM_V4]),
			 0);
	assert_int_equal(wgm_nl_ip_prefix_parse("fd10::/16", &p.aggregate[INTERIM_V6], &p.aggregate_len[INTERIM_V6]),
			 0);
	fx->plan = malloc(sizeof(*fx->plan));
	fx->routed = calloc(1, sizeof(*fx->routed));
	assert_non_null(fx->plan);
	assert_non_null(fx->routed);
	interim_plan_init(fx->plan, &p, record, &fx->rec);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	free(fx->plan);
	free(fx->routed);
	free(fx);
	return 0;
}

/* Node 2's link to node ID: pipeID, client end of ID's /31. */
static struct interim_link link_to(unsigned id, int ifindex)
{
	struct interim_link l = { .remote_id = id, .ifindex = ifindex };
	static char names[8][16];

	snprintf(names[ifindex % 8], sizeof(names[0]), "pipe%u", id);
	l.name = names[ifindex % 8];
	assert_int_equal(inet_pton(AF_INET, id == 0 ? "10.0.0.4" : "10.0.4.4", &l.remote4), 1);
	assert_int_equal(inet_pton(AF_INET6, id == 0 ? "fe82:0::4" : "fe82:4::4", &l.remote6), 1);
	return l;
}

static void route(struct fixture *fx, unsigned id, bool v4, bool v6)
{
	fx->routed->node[id].v4.present = v4;
	fx->routed->node[id].v6.present = v6;
}

static void test_link_up_routes_the_node_until_bird_does(void **state)
{
	struct fixture *fx = *state;
	struct interim_link l = link_to(4, 7);

	route(fx, 2, true, true);
	interim_plan_routes(fx->plan, fx->routed, 1000);
	interim_plan_link_up(fx->plan, &l, 1000);
	assert_int_equal(fx->rec.n, 2);
	/* Worse than BIRD's 32; leaves from this node's loopback. */
	assert_string_equal(fx->rec.lines[0], "+10.0.4.0/30 via 10.0.4.4 pipe4 64 src 10.0.2.1");
	assert_string_equal(fx->rec.lines[1], "+fd10:0:4::/48 via fe82:4::4 pipe4 64 src fd10:0:2::1");
	assert_int_equal(fx->rec.why[0], INTERIM_NOT_ROUTED);
	/* The other transport's link to the same node adds nothing. */
	l = link_to(4, 6);
	interim_plan_link_up(fx->plan, &l, 1100);
	assert_int_equal(fx->rec.n, 2);

	/* OSPFv3 first: only the IPv6 route goes. */
	route(fx, 4, false, true);
	interim_plan_routes(fx->plan, fx->routed, 2000);
	assert_int_equal(fx->rec.n, 3);
	assert_string_equal(fx->rec.lines[2], "-fd10:0:4::/48 via fe82:4::4 pipe4 64 src fd10:0:2::1");
	assert_int_equal(fx->rec.why[2], INTERIM_ROUTED);
	route(fx, 4, true, true);
	interim_plan_routes(fx->plan, fx->routed, 3000);
	assert_int_equal(fx->rec.n, 4);
	assert_string_equal(fx->rec.lines[3], "-10.0.4.0/30 via 10.0.4.4 pipe4 64 src 10.0.2.1");
	assert_false(interim_plan_busy(fx->plan));

	/* Never again while BIRD routes it, even if OSPF later loses it: no
	 * second routing protocol. */
	route(fx, 4, false, false);
	interim_plan_routes(fx->plan, fx->routed, 4000);
	interim_plan_tick(fx->plan, 5000, NULL, NULL);
	assert_int_equal(fx->rec.n, 4);
}

static void test_already_routed_gets_none(void **state)
{
	struct fixture *fx = *state;
	struct interim_link l = link_to(4, 7);

	route(fx, 4, true, true);
	interim_plan_routes(fx->plan, fx->routed, 1000);
	interim_plan_link_up(fx->plan, &l, 1000);
	assert_int_equal(fx->rec.n, 0);
	assert_false(interim_plan_busy(fx->plan));
}

static void test_decided_at_birds_first_answer(void **state)
{
	struct fixture *fx = *state;
	struct interim_link a = link_to(4, 7), b = link_to(0, 3);

	/* A restart: the links come up before BIRD was read. */
	interim_plan_link_up(fx->plan, &a, 1000);
	interim_plan_link_up(fx->plan, &b, 1000);
	assert_int_equal(fx->rec.n, 0);
	assert_true(interim_plan_busy(fx->plan));
	route(fx, 4, true, true);
	interim_plan_routes(fx->plan, fx->routed, 1500);
	/* Node 4 is routed: nothing; node 0 is not: its routes now. */
	assert_int_equal(fx->rec.n, 2);
	assert_string_equal(fx->rec.lines[0], "+10.0.0.0/30 via 10.0.0.4 pipe0 64 src 10.0.2.1");
	assert_string_equal(fx->rec.lines[1], "+fd10::/48 via fe82::4 pipe0 64 src fd10:0:2::1");
}

static void test_link_gone_and_cap(void **state)
{
	struct fixture *fx = *state;
	struct interim_link a = link_to(4, 7), b = link_to(0, 3);

	interim_plan_routes(fx->plan, fx->routed, 0);
	interim_plan_link_up(fx->plan, &a, 1000);
	interim_plan_link_up(fx->plan, &b, 5000);
	assert_int_equal(fx->rec.n, 4);
	interim_plan_link_gone(fx->plan, "pipe4");
	assert_int_equal(fx->rec.n, 6);
	assert_int_equal(fx->rec.why[4], INTERIM_LINK_GONE);
	assert_string_equal(fx->rec.lines[4], "-10.0.4.0/30 via 10.0.4.4 pipe4 64 src 10.0.2.1");
	/* OSPF never takes over: the cap ends it. */
	interim_plan_tick(fx->plan, 5000 + INTERIM_CAP_MS - 1, NULL, NULL);
	assert_int_equal(fx->rec.n, 6);
	interim_plan_tick(fx->plan, 5000 + INTERIM_CAP_MS, NULL, NULL);
	assert_int_equal(fx->rec.n, 8);
	assert_int_equal(fx->rec.why[7], INTERIM_CAPPED);
	assert_false(interim_plan_busy(fx->plan));
}

static bool only_pipe0(const char *name, void *ctx)
{
	(void)ctx;
	return strcmp(name, "pipe0") == 0;
}

static void test_inactive_link_ends_its_routes(void **state)
{
	struct fixture *fx = *state;
	struct interim_link a = link_to(4, 7), b = link_to(0, 3);

	interim_plan_routes(fx->plan, fx->routed, 0);
	interim_plan_link_up(fx->plan, &a, 0);
	interim_plan_link_up(fx->plan, &b, 0);
	/* `wgmesh down` takes pipe4 down without taking it out of the table. */
	interim_plan_tick(fx->plan, 1000, only_pipe0, NULL);
	assert_int_equal(fx->rec.n, 6);
	assert_int_equal(fx->rec.why[4], INTERIM_LINK_GONE);
	assert_true(interim_plan_busy(fx->plan));
}

static void test_sponsor_until_ospf_settles(void **state)
{
	struct fixture *fx = *state;
	struct interim_link l = link_to(0, 3);

	route(fx, 2, true, true);
	interim_plan_routes(fx->plan, fx->routed, 0);
	interim_plan_joined(fx->plan, &l, 1000);
	assert_int_equal(fx->rec.n, 2);
	/* Better than BIRD's unreachable aggregate of the same prefix. */
	assert_string_equal(fx->rec.lines[0], "+10.0.0.0/16 via 10.0.0.4 pipe0 16 src 10.0.2.1");
	assert_string_equal(fx->rec.lines[1], "+fd10::/16 via fe82::4 pipe0 16 src fd10:0:2::1");
	assert_int_equal(fx->rec.why[0], INTERIM_JOINED);

	/* BIRD routes the sponsor at 3 s, node 4 (reached through it) at 8 s:
	 * the route stays until the set held still INTERIM_SETTLE_MS. */
	route(fx, 0, true, true);
	interim_plan_routes(fx->plan, fx->routed, 3000);
	route(fx, 4, true, true);
	interim_plan_routes(fx->plan, fx->routed, 8000);
	interim_plan_routes(fx->plan, fx->routed, 3000 + INTERIM_SETTLE_MS);
	assert_int_equal(fx->rec.n, 2);
	interim_plan_routes(fx->plan, fx->routed, 8000 + INTERIM_SETTLE_MS - 1);
	assert_int_equal(fx->rec.n, 2);
	interim_plan_routes(fx->plan, fx->routed, 8000 + INTERIM_SETTLE_MS);
	assert_int_equal(fx->rec.n, 4);
	assert_int_equal(fx->rec.why[2], INTERIM_SETTLED);
	assert_string_equal(fx->rec.lines[2], "-10.0.0.0/16 via 10.0.0.4 pipe0 16 src 10.0.2.1");
}

static void test_sponsor_waits_for_the_sponsor_then_cap(void **state)
{
	struct fixture *fx = *state;
	struct interim_link l = link_to(0, 3);

	interim_plan_routes(fx->plan, fx->routed, 0);
	interim_plan_joined(fx->plan, &l, 0);
	/* Still for long, but the sponsor is not routed: OSPF has not come. */
	interim_plan_routes(fx->plan, fx->routed, INTERIM_SETTLE_MS * 2);
	assert_int_equal(fx->rec.n, 2);
	interim_plan_tick(fx->plan, INTERIM_CAP_MS, NULL, NULL);
	assert_int_equal(fx->rec.n, 4);
	assert_int_equal(fx->rec.why[3], INTERIM_CAPPED);
}

static void test_families_without_ospf_get_none(void **state)
{
	struct fixture *fx = *state;
	struct interim_link l = link_to(0, 3);

	fx->plan->p.family_on[INTERIM_V6] = false;
	interim_plan_routes(fx->plan, fx->routed, 0);
	interim_plan_link_up(fx->plan, &l, 0);
	interim_plan_joined(fx->plan, &l, 0);
	assert_int_equal(fx->rec.n, 2);
	assert_string_equal(fx->rec.lines[0], "+10.0.0.0/30 via 10.0.0.4 pipe0 64 src 10.0.2.1");
	assert_string_equal(fx->rec.lines[1], "+10.0.0.0/16 via 10.0.0.4 pipe0 16 src 10.0.2.1");
	interim_plan_clear(fx->plan);
	assert_int_equal(fx->rec.n, 4);
	assert_int_equal(fx->rec.why[3], INTERIM_STOPPING);
	assert_false(interim_plan_busy(fx->plan));
}

static void test_no_route_to_self_or_bad_link(void **state)
{
	struct fixture *fx = *state;
	struct interim_link self = link_to(2, 3), noif = link_to(4, 0), far = link_to(4, 3);

	far.remote_id = MESH_NODES_MAX;
	interim_plan_routes(fx->plan, fx->routed, 0);
	interim_plan_link_up(fx->plan, &self, 0);
	interim_plan_link_up(fx->plan, &noif, 0);
	interim_plan_link_up(fx->plan, &far, 0);
	interim_plan_joined(fx->plan, &far, 0);
	assert_int_equal(fx->rec.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_link_up_routes_the_node_until_bird_does, setup, teardown),
		cmocka_unit_test_setup_teardown(test_already_routed_gets_none, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decided_at_birds_first_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_gone_and_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inactive_link_ends_its_routes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sponsor_until_ospf_settles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sponsor_waits_for_the_sponsor_then_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_families_without_ospf_get_none, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_route_to_self_or_bad_link, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
