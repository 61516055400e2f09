/* The BIRD model built from a node's config and its links: costs (default,
 * override, drain, client links), the config switches, the includes beside
 * birdConfig, and the rendered config holding every link interface. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bird/conf_gen.h"
#include "daemon/routing/routing_model.h"

static struct link_record rec(unsigned remote_id, int override, bool drained)
{
	struct link_record r;

	memset(&r, 0, sizeof(r));
	r.remote_id = remote_id;
	r.cost_override = override;
	r.drained = drained;
	return r;
}

static void test_default_costs(void **state)
{
	struct link_record r = rec(2, LINK_COST_NONE, false);

	assert_int_equal(routing_default_cost(&r), 100);
	r = rec(2, 250, false);
	assert_int_equal(routing_default_cost(&r), 250);
	r = rec(200, LINK_COST_NONE, false);
	assert_int_equal(routing_default_cost(&r), 10100);
	r = rec(202, 60000, false);
	assert_int_equal(routing_default_cost(&r), 65535);
	r = rec(2, 250, true);
	assert_int_equal(routing_default_cost(&r), 65000);
}

static struct wgm_addrplan plan;
static struct wgm_config cfg;

static int setup(void **state)
{
	char err[128];

	wgm_config_defaults(&cfg);
	cfg.id = 4;
	snprintf(cfg.bird_config, sizeof(cfg.bird_config), "/etc/bird/bird.conf");
	return wgm_addrplan_init(&plan, cfg.subnet, cfg.subnet_link_local, cfg.subnet_vxlan, cfg.subnet_peer,
				 cfg.prefix, cfg.vxlan_offset, err, sizeof(err));
}

static void test_model_from_config_and_links(void **state)
{
	struct routing_iface ifs[] = {
		{ .ifname = "pipe2", .cost = 120, .neighbor = "10.0.4.5" },
		{ .ifname = "pipe2v6", .cost = 130, .v6_transport = true, .neighbor = "10.0.4.6" }
	};
	struct routing_model rm;
	char err[256], *text = NULL;

	cfg.bird.area = 7;
	cfg.bird.tick = 2;
	cfg.bird.ospfv3 = false;
	snprintf(cfg.allowed_peers[0], sizeof(cfg.allowed_peers[0]), "192.0.2.0/24");
	cfg.allowed_peers_count = 1;
	assert_int_equal(routing_model_build(&cfg, &plan, ifs, 2, &rm, err, sizeof(err)), 0);
	assert_string_equal(rm.m.loopback4, "10.0.4.1");
	assert_string_equal(rm.m.loopback6, "fd10:0:4::1");
	assert_string_equal(rm.m.static_conf_path, "/etc/bird/static.conf");
	assert_string_equal(rm.m.bgp_conf_path, "/etc/bird/bgp.conf");
	assert_int_equal(rm.m.n_areas, 1);
	assert_int_equal(rm.m.areas[0].id, 7);
	assert_int_equal(rm.m.areas[0].n_ifaces, 2);
	assert_int_equal(rm.m.areas[0].ifaces[1].cost, 130);
	assert_true(rm.m.areas[0].ifaces[1].v6_transport);
	assert_true(rm.m.ospfv2);
	assert_false(rm.m.ospfv3);
	assert_false(rm.m.client);
	assert_int_equal(rm.m.tick, 2);
	assert_int_equal(rm.m.n_allowed_peers, 1);
	assert_int_equal(bird_conf_render(&rm.m, &text, err, sizeof(err)), 0);
	assert_non_null(strstr(text, "\"pipe2\""));
	assert_non_null(strstr(text, "\"pipe2v6\""));
	assert_non_null(strstr(text, "cost 130"));
	/* Each link's /31 stays out of the router-LSA. */
	assert_string_equal(rm.m.areas[0].ifaces[0].link_prefix4, "10.0.4.4/31");
	assert_non_null(strstr(text, "\t\tstubnet 10.0.4.4/31 { hidden; };\n"));
	assert_non_null(strstr(text, "\t\tstubnet 10.0.4.6/31 { hidden; };\n"));
	free(text);
	routing_model_free(&rm);
}

/* The filters come from the plan (another subnet, another VXLAN net) and
 * AllowedPrefixes; OSPF imports through them, not everything. */
static void test_route_filters_follow_plan_and_allowed_prefixes(void **state)
{
	struct wgm_config c = cfg;
	struct wgm_addrplan p;
	struct routing_model rm;
	char err[256], *text = NULL;

	snprintf(c.subnet, sizeof(c.subnet), "172.16.0.0/16");
	snprintf(c.subnet_vxlan, sizeof(c.subnet_vxlan), "172.17.5.0/24");
	c.bird.ospfv3 = true;
	c.allowed_peers_count = 0;
	assert_int_equal(wgm_addrplan_init(&p, c.subnet, c.subnet_link_local, c.subnet_vxlan, c.subnet_peer, c.prefix,
					   c.vxlan_offset, err, sizeof(err)),
			 0);
	assert_int_equal(wgm_config_set(&c, "AllowedPrefixes", "198.51.100.0/24", err, sizeof(err)), 0);
	assert_int_equal(wgm_config_set(&c, "AllowedPrefixes", "2001:db8:5::/48", err, sizeof(err)), 0);
	assert_int_equal(wgm_config_set(&c, "AllowedPrefixes", "192.0.2.0/24", err, sizeof(err)), 0);
	/* Set again: removed, as with AllowedPeers. */
	assert_int_equal(wgm_config_set(&c, "AllowedPrefixes", "192.0.2.0/24", err, sizeof(err)), 0);
	assert_int_equal(c.allowed_prefixes_count, 2);
	assert_int_equal(wgm_config_set(&c, "AllowedPrefixes", "198.51.100.1/24", err, sizeof(err)), -EINVAL);
	assert_int_equal(routing_model_build(&c, &p, NULL, 0, &rm, err, sizeof(err)), 0);
	assert_int_equal(bird_conf_render(&rm.m, &text, err, sizeof(err)), 0);
	assert_non_null(strstr(text, "define mesh_prefixes4 = [ 172.16.0.0/16{30,32}, 172.17.5.0/24{24,32}, "
				     "198.51.100.0/24+ ];"));
	assert_non_null(strstr(text, "define mesh_prefixes6 = [ fd10::/32{48,128}, fe82::/16{127,128}, "
				     "fd10:5::/64{64,128}, 2001:db8:5::/48+ ];"));
	assert_non_null(strstr(text, "import filter ospf_import4;"));
	assert_non_null(strstr(text, "import filter ospf_import6;"));
	assert_null(strstr(text, "import all"));
	assert_null(strstr(text, "10.0.0.0/16{"));
	free(text);
	routing_model_free(&rm);
}

/* Every ID the plan allows owns its loopbacks in the filter, existing or
 * not; IDs the plan refuses (odd, the VXLAN block's) own nothing. */
static void test_every_plan_id_owns_its_loopbacks(void **state)
{
	struct wgm_config c = cfg;
	struct wgm_addrplan p;
	struct routing_model rm;
	char err[256], *text = NULL;

	c.bird.ospfv3 = true;
	assert_int_equal(wgm_addrplan_init(&p, c.subnet, c.subnet_link_local, c.subnet_vxlan, c.subnet_peer, c.prefix,
					   c.vxlan_offset, err, sizeof(err)),
			 0);
	assert_int_equal(routing_model_build(&c, &p, NULL, 0, &rm, err, sizeof(err)), 0);
	/* 0..254 even, without 250 (its /23 holds subnetVXLAN 10.0.251.0/24). */
	assert_int_equal(rm.m.n_owners, 127);
	assert_int_equal(rm.m.n_owned_ranges, 2);
	assert_int_equal(bird_conf_render(&rm.m, &text, err, sizeof(err)), 0);
	assert_non_null(strstr(text, "\tif net ~ [ 10.0.2.0/30{30,32} ] then return ospf_router_id = 10.0.2.1;\n"));
	assert_non_null(strstr(text, "\tif net ~ [ 10.0.254.0/30{30,32} ] then return ospf_router_id = 10.0.254.1;\n"));
	assert_non_null(
		strstr(text, "\tif net ~ [ fd10:0:200::/48{48,128} ] then return ospf_router_id = 10.0.200.1;\n"));
	assert_null(strstr(text, "10.0.3.0/30"));
	assert_null(strstr(text, "10.0.250.0/30"));
	free(text);
	routing_model_free(&rm);
}

/* A peering link is a BGP session with the other network, never an OSPF
 * interface of this mesh. */
static void test_peering_link_is_bgp_only(void **state)
{
	struct routing_iface ifs[] = {
		{ .ifname = "pipe2", .cost = 120 },
		{ .ifname = "pipePeer0", .cost = 100, .peer = true, .neighbor = "172.31.0.4", .remote_as = 64513 }
	};
	struct routing_model rm;
	char err[256], *text = NULL;

	(void)state;
	cfg.local_as = 64600;
	assert_int_equal(routing_model_build(&cfg, &plan, ifs, 2, &rm, err, sizeof(err)), 0);
	assert_int_equal(rm.area.n_ifaces, 1);
	assert_string_equal(rm.area.ifaces[0].ifname, "pipe2");
	assert_int_equal(rm.m.n_bgp_peers, 1);
	assert_string_equal(rm.m.bgp_peers[0].ifname, "pipePeer0");
	assert_string_equal(rm.m.bgp_peers[0].neighbor, "172.31.0.4");
	assert_int_equal(rm.m.bgp_peers[0].remote_as, 64513);
	assert_int_equal(rm.m.local_as, 64600);
	assert_int_equal(bird_conf_render(&rm.m, &text, err, sizeof(err)), 0);
	assert_non_null(strstr(text, "protocol bgp peer_pipePeer0 {"));
	assert_non_null(strstr(text, "\tlocal as 64600;\n\tneighbor 172.31.0.4 as 64513;\n"));
	assert_null(strstr(text, "interface \"pipePeer0\" {"));
	/* Only AllowedPeers come in from the peer, and members may pass them on. */
	assert_non_null(strstr(text, "filter peer_import4 {\n\tif net ~ [ 192.0.2.0/24+ ] then accept;\n\treject;\n}"));
	assert_non_null(strstr(text, ", 192.0.2.0/24+ ];"));
	/* Peers get static.conf and the aggregate, never BGP routes back. */
	assert_non_null(strstr(text, "filter peer_export4 {\n\tif source = RTS_STATIC then accept;\n\treject;\n}"));
	free(text);
	routing_model_free(&rm);
}

static void test_client_id_makes_a_stub_router(void **state)
{
	struct routing_model rm;
	char err[256];

	cfg.id = 200;
	cfg.bird.client = false;
	assert_int_equal(routing_model_build(&cfg, &plan, NULL, 0, &rm, err, sizeof(err)), 0);
	assert_true(rm.m.client);
	routing_model_free(&rm);
	cfg.id = 4;
}

static void test_bad_loglevel_names_the_key(void **state)
{
	struct routing_model rm;
	char err[256];

	snprintf(cfg.bird.loglevel, sizeof(cfg.bird.loglevel), "loud");
	assert_int_equal(routing_model_build(&cfg, &plan, NULL, 0, &rm, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "loglevel"));
	snprintf(cfg.bird.loglevel, sizeof(cfg.bird.loglevel), "info");
}

static void test_dir_of(void **state)
{
	char out[64];

	routing_dir_of("/etc/bird/bird.conf", out, sizeof(out));
	assert_string_equal(out, "/etc/bird");
	routing_dir_of("bird.conf", out, sizeof(out));
	assert_string_equal(out, ".");
	routing_dir_of("/bird.conf", out, sizeof(out));
	assert_string_equal(out, "/");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_costs),
		cmocka_unit_test(test_model_from_config_and_links),
		cmocka_unit_test(test_route_filters_follow_plan_and_allowed_prefixes),
		cmocka_unit_test(test_every_plan_id_owns_its_loopbacks),
		cmocka_unit_test(test_peering_link_is_bgp_only),
		cmocka_unit_test(test_client_id_makes_a_stub_router),
		cmocka_unit_test(test_bad_loglevel_names_the_key),
		cmocka_unit_test(test_dir_of),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
