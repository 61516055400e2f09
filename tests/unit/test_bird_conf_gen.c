/* BIRD config generation against golden files in tests/data/bird/.
 * WGM_UPDATE_GOLDEN=1 rewrites the goldens instead of comparing (then
 * review the diff; e2e.bird_conf_parse checks BIRD accepts them). */
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

static char *read_whole(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0;
	if (!f)
		return NULL;
	buf = calloc(1, 1 << 16);
	if (buf)
		len = fread(buf, 1, (1 << 16) - 1, f);
	fclose(f);
	if (buf)
		buf[len] = '\0';
	return buf;
}

static void check_golden(const struct bird_conf_model *m, const char *name)
{
	char err[256], path[512], *out = NULL;
	const char *data = getenv("WGM_TEST_DATA");
	assert_non_null(data);
	snprintf(path, sizeof(path), "%s/bird/%s.conf", data, name);

	assert_int_equal(bird_conf_render(m, &out, err, sizeof(err)), 0);
	assert_non_null(out);
	if (getenv("WGM_UPDATE_GOLDEN")) {
		FILE *f = fopen(path, "wb");
		assert_non_null(f);
		fputs(out, f);
		fclose(f);
	}
	char *want = read_whole(path);
	assert_non_null(want);
	assert_string_equal(out, want);
	free(want);
	free(out);
}

static const struct bird_conf_iface node_ifaces[] = {
	{ .ifname = "pipe0", .cost = 120, .type = BIRD_CONF_PTP, .link_prefix4 = "10.0.0.4/31" },
	{ .ifname = "pipe4v6", .cost = 95, .type = BIRD_CONF_PTP, .v6_transport = true, .link_prefix4 = "10.0.2.6/31" },
	{ .ifname = "pipe200", .cost = 10450, .type = BIRD_CONF_PTP },
};

static const struct bird_conf_range mesh_ranges[] = {
	{ "10.0.0.0/16", 30, 32 }, { "10.0.251.0/24", 24, 32 },  { "fd10::/32", 48, 128 },
	{ "fe82::/16", 127, 128 }, { "fd10:251::/64", 64, 128 },
};

static const struct bird_conf_owner owners[] = {
	{ "10.0.0.1", "10.0.0.0/30", "fd10::/48" },
	{ "10.0.2.1", "10.0.2.0/30", "fd10:0:2::/48" },
	{ "10.0.4.1", "10.0.4.0/30", "fd10:0:4::/48" },
};

static const struct bird_conf_range owned_ranges[] = {
	{ "10.0.0.0/16", 30, 30 },
	{ "fd10::/32", 48, 128 },
};

static struct bird_conf_model node_model(void)
{
	static const struct bird_conf_area areas[] = {
		{ .id = 0, .ifaces = node_ifaces, .n_ifaces = 3 },
	};
	struct bird_conf_model m = {
		.node_id = 2,
		.loopback4 = "10.0.2.1",
		.loopback6 = "fd10:0:2::1",
		.mesh_subnet4 = "10.0.0.0/16",
		.mesh_subnet6 = "fd10::/32",
		.ospfv2 = true,
		.ospfv3 = true,
		.tick = 1,
		.loglevel = BIRD_CONF_LOG_INFO,
		.log_target = BIRD_CONF_LOG_SYSLOG,
		.areas = areas,
		.n_areas = 1,
		.static_conf_path = "/etc/bird/static.conf",
		.bgp_conf_path = "/etc/bird/bgp.conf",
		.mesh_ranges = mesh_ranges,
		.n_mesh_ranges = 5,
		.owners = owners,
		.n_owners = 3,
		.owned_ranges = owned_ranges,
		.n_owned_ranges = 2,
	};
	return m;
}

static void test_node_golden(void **state)
{
	struct bird_conf_model m = node_model();
	check_golden(&m, "node");
}

static void test_client_golden(void **state)
{
	static const struct bird_conf_iface ifaces[] = {
		{ .ifname = "pipe0", .cost = 10120, .type = BIRD_CONF_PTP },
	};
	static const struct bird_conf_area areas[] = { { .id = 0, .ifaces = ifaces, .n_ifaces = 1 } };
	struct bird_conf_model m = node_model();
	m.node_id = 200;
	m.loopback4 = "10.0.200.1";
	m.loopback6 = "fd10:0:200::1";
	m.client = true;
	m.loglevel = BIRD_CONF_LOG_WARNING;
	m.areas = areas;
	check_golden(&m, "client");
}

static void test_multi_area_golden(void **state)
{
	static const struct bird_conf_iface backbone[] = {
		{ .ifname = "pipe0", .cost = 120, .type = BIRD_CONF_PTP },
	};
	static const struct bird_conf_iface edge[] = {
		{ .ifname = "pipe8",
		  .cost = 300,
		  .type = BIRD_CONF_PTMP,
		  .neighbor4 = "10.0.4.6",
		  .neighbor6 = "fe82:4::6" },
		{ .ifname = "pipe10v6", .cost = 250, .type = BIRD_CONF_PTP, .v6_transport = true },
	};
	static const struct bird_conf_area areas[] = {
		{ .id = 0, .ifaces = backbone, .n_ifaces = 1 },
		{ .id = 1, .ifaces = edge, .n_ifaces = 2 },
	};
	struct bird_conf_model m = node_model();
	m.node_id = 4;
	m.loopback4 = "10.0.4.1";
	m.loopback6 = "fd10:0:4::1";
	m.tick = 2;
	m.loglevel = BIRD_CONF_LOG_DEBUG;
	m.log_target = BIRD_CONF_LOG_STDERR;
	m.areas = areas;
	m.n_areas = 2;
	check_golden(&m, "multi-area");
}

static void test_ospfv3_off_golden(void **state)
{
	struct bird_conf_model m = node_model();
	m.ospfv3 = false;
	m.loopback6 = NULL;
	m.mesh_subnet6 = NULL;
	m.loglevel = BIRD_CONF_LOG_ERR;
	check_golden(&m, "ospfv3-off");
}

static void test_peers_golden(void **state)
{
	static const struct bird_conf_bgp_peer peers[] = {
		{ .ifname = "pipePeer7", .neighbor = "172.31.0.0", .remote_as = 64512 },
		{ .ifname = "pipePeer9v6", .neighbor = "2001:db8:31::", .remote_as = 4200000000u },
	};
	static const char *const allowed[] = { "192.168.10.0/24", "2001:db8:100::/48", "198.51.100.0/24" };
	struct bird_conf_model m = node_model();
	m.local_as = 64600;
	m.bgp_peers = peers;
	m.n_bgp_peers = 2;
	static const char *const prefixes[] = { "198.51.100.0/24", "2001:db8:7::/48" };
	m.allowed_peers = allowed;
	m.n_allowed_peers = 3;
	m.allowed_prefixes = prefixes;
	m.n_allowed_prefixes = 2;
	check_golden(&m, "peers");
}

/* Each bad field is refused with a message naming it, and nothing is output. */
static void expect_refused(const struct bird_conf_model *m, const char *needle)
{
	char err[256], *out = (char *)1;
	assert_int_equal(bird_conf_render(m, &out, err, sizeof(err)), -EINVAL);
	assert_null(out);
	if (!strstr(err, needle))
		fail_msg("error '%s' does not name '%s'", err, needle);
}

static void test_bad_interface_name_refused(void **state)
{
	static const struct bird_conf_iface ifaces[] = { { .ifname = "pipe*", .cost = 10, .type = BIRD_CONF_PTP } };
	static const struct bird_conf_area areas[] = { { .id = 0, .ifaces = ifaces, .n_ifaces = 1 } };
	struct bird_conf_model m = node_model();
	m.areas = areas;
	expect_refused(&m, "pipe*");
}

static void test_injected_quote_in_name_refused(void **state)
{
	static const struct bird_conf_iface ifaces[] = {
		{ .ifname = "a\";}x", .cost = 10, .type = BIRD_CONF_PTP },
	};
	static const struct bird_conf_area areas[] = { { .id = 0, .ifaces = ifaces, .n_ifaces = 1 } };
	struct bird_conf_model m = node_model();
	m.areas = areas;
	expect_refused(&m, "interface name");
}

static void test_zero_cost_refused(void **state)
{
	static const struct bird_conf_iface ifaces[] = { { .ifname = "pipe0", .cost = 0, .type = BIRD_CONF_PTP } };
	static const struct bird_conf_area areas[] = { { .id = 0, .ifaces = ifaces, .n_ifaces = 1 } };
	struct bird_conf_model m = node_model();
	m.areas = areas;
	expect_refused(&m, "cost 0 of pipe0");
}

static void test_cost_above_ospf_range_refused(void **state)
{
	static const struct bird_conf_iface ifaces[] = { { .ifname = "pipe0", .cost = 65536, .type = BIRD_CONF_PTP } };
	static const struct bird_conf_area areas[] = { { .id = 0, .ifaces = ifaces, .n_ifaces = 1 } };
	struct bird_conf_model m = node_model();
	m.areas = areas;
	expect_refused(&m, "cost 65536");
}

static void test_ptmp_without_neighbor_refused(void **state)
{
	static const struct bird_conf_iface ifaces[] = { { .ifname = "pipe0", .cost = 10, .type = BIRD_CONF_PTMP } };
	static const struct bird_conf_area areas[] = { { .id = 0, .ifaces = ifaces, .n_ifaces = 1 } };
	struct bird_conf_model m = node_model();
	m.areas = areas;
	expect_refused(&m, "ptmp interface pipe0");
}

static void test_bad_link_prefix_refused(void **state)
{
	static const struct bird_conf_iface ifaces[] = {
		{ .ifname = "pipe0", .cost = 10, .type = BIRD_CONF_PTP, .link_prefix4 = "10.0.0.4/31 { }; x" },
	};
	static const struct bird_conf_area areas[] = { { .id = 0, .ifaces = ifaces, .n_ifaces = 1 } };
	struct bird_conf_model m = node_model();
	m.areas = areas;
	expect_refused(&m, "link prefix");
}

static void test_interface_in_two_areas_refused(void **state)
{
	static const struct bird_conf_iface ifaces[] = { { .ifname = "pipe0", .cost = 10, .type = BIRD_CONF_PTP } };
	static const struct bird_conf_area areas[] = {
		{ .id = 0, .ifaces = ifaces, .n_ifaces = 1 },
		{ .id = 1, .ifaces = ifaces, .n_ifaces = 1 },
	};
	struct bird_conf_model m = node_model();
	m.areas = areas;
	m.n_areas = 2;
	expect_refused(&m, "pipe0 is listed twice");
}

static void test_bad_loopback_refused(void **state)
{
	struct bird_conf_model m = node_model();
	m.loopback4 = "10.0.2";
	expect_refused(&m, "'10.0.2'");
}

static void test_bad_mesh_subnet_refused(void **state)
{
	struct bird_conf_model m = node_model();
	m.mesh_subnet4 = "10.0.0.0/33";
	expect_refused(&m, "10.0.0.0/33");
}

static void test_bad_allowed_peer_refused(void **state)
{
	static const char *const allowed[] = { "192.168.10.0/24", "example.com/8" };
	struct bird_conf_model m = node_model();
	m.allowed_peers = allowed;
	m.n_allowed_peers = 2;
	expect_refused(&m, "example.com/8");
}

static void test_route_filter_inputs_refused(void **state)
{
	static const struct bird_conf_range v4_only[] = { { "10.0.0.0/16", 30, 32 } };
	static const struct bird_conf_range short_len[] = { { "10.0.0.0/16", 8, 32 }, { "fd10::/32", 48, 128 } };
	static const struct bird_conf_range long_len[] = { { "10.0.0.0/16", 30, 33 }, { "fd10::/32", 48, 128 } };
	static const char *const bad[] = { "198.51.100.0/24", "0.0.0.0/1]" };
	struct bird_conf_model m = node_model();

	m.mesh_ranges = NULL;
	expect_refused(&m, "mesh's own prefixes");
	m.mesh_ranges = v4_only;
	m.n_mesh_ranges = 1;
	expect_refused(&m, "an IPv4 and an IPv6 range");
	m.mesh_ranges = short_len;
	m.n_mesh_ranges = 2;
	expect_refused(&m, "10.0.0.0/16{8,32}");
	m.mesh_ranges = long_len;
	expect_refused(&m, "10.0.0.0/16{30,33}");
	m = node_model();
	m.allowed_prefixes = bad;
	m.n_allowed_prefixes = 2;
	expect_refused(&m, "AllowedPrefixes entry '0.0.0.0/1]'");
}

/* Not inlined: GCC 12 (optimised builds) then takes strstr results on the returned
 * text for pointers to render's own local and warns -Wdangling-pointer. */
__attribute__((noinline)) static char *render(const struct bird_conf_model *m)
{
	char err[256], *out = NULL;
	assert_int_equal(bird_conf_render(m, &out, err, sizeof(err)), 0);
	return out;
}

/* A node's loopback only from its own router id; the ownership check comes
 * before the mesh ranges, so a loopback inside them from anyone else is
 * rejected, as is a /30 that is no loopback. */
static void test_loopbacks_only_from_their_owner(void **state)
{
	struct bird_conf_model m = node_model();
	char *out = render(&m);
	const char *fn4 = strstr(out, "function mesh_owned4()\n{\n"
				      "\tif net ~ [ 10.0.0.0/30{30,32} ] then return ospf_router_id = 10.0.0.1;\n"
				      "\tif net ~ [ 10.0.2.0/30{30,32} ] then return ospf_router_id = 10.0.2.1;\n"
				      "\tif net ~ [ 10.0.4.0/30{30,32} ] then return ospf_router_id = 10.0.4.1;\n"
				      "\tif net ~ [ 10.0.0.0/16{30,30} ] then return false;\n"
				      "\treturn true;\n}\n");
	const char *fn6 = strstr(out, "function mesh_owned6()\n{\n"
				      "\tif net ~ [ fd10::/48{48,128} ] then return ospf_router_id = 10.0.0.1;\n");
	const char *imp4 = strstr(out, "filter ospf_import4 {\n\tif !mesh_owned4() then reject;\n"
				       "\tif net ~ mesh_prefixes4 then accept;\n\treject;\n}\n");
	const char *imp6 = strstr(out, "filter ospf_import6 {\n\tif !mesh_owned6() then reject;\n");

	assert_non_null(fn4);
	assert_non_null(fn6);
	assert_non_null(strstr(fn6, "\tif net ~ [ fd10::/32{48,128} ] then return false;\n\treturn true;\n}\n"));
	assert_non_null(imp4);
	assert_non_null(imp6);
	assert_true(fn4 < imp4 && fn6 < imp6);
	free(out);

	/* Without owners the filter is the ranges alone (no function to call). */
	m.owners = NULL;
	m.n_owners = 0;
	out = render(&m);
	assert_null(strstr(out, "mesh_owned"));
	assert_non_null(strstr(out, "filter ospf_import4 {\n\tif net ~ mesh_prefixes4 then accept;"));
	free(out);
}

static void test_bad_owner_refused(void **state)
{
	static const struct bird_conf_owner bad_rid[] = { { "10.0.2", "10.0.2.0/30", NULL } };
	static const struct bird_conf_owner bad_lo[] = { { "10.0.2.1", "fd10:0:2::/48", NULL } };
	static const struct bird_conf_range bad_range[] = { { "10.0.0.0/16", 8, 30 } };
	struct bird_conf_model m = node_model();

	m.owners = bad_rid;
	m.n_owners = 1;
	expect_refused(&m, "router id '10.0.2'");
	m.owners = bad_lo;
	expect_refused(&m, "loopbacks of router 10.0.2.1");
	m = node_model();
	m.owned_ranges = bad_range;
	m.n_owned_ranges = 1;
	expect_refused(&m, "owned range '10.0.0.0/16'");
}

static void test_quote_in_include_path_refused(void **state)
{
	struct bird_conf_model m = node_model();
	m.static_conf_path = "/etc/bird/x\";protocol";
	expect_refused(&m, "static.conf path");
}

static void test_peer_without_local_as_refused(void **state)
{
	static const struct bird_conf_bgp_peer peers[] = {
		{ .ifname = "pipePeer7", .neighbor = "172.31.0.0", .remote_as = 64512 },
	};
	struct bird_conf_model m = node_model();
	m.bgp_peers = peers;
	m.n_bgp_peers = 1;
	expect_refused(&m, "local AS");
}

static void test_zero_tick_refused(void **state)
{
	struct bird_conf_model m = node_model();
	m.tick = 0;
	expect_refused(&m, "tick 0");
}

static void test_no_area_refused(void **state)
{
	struct bird_conf_model m = node_model();
	m.n_areas = 0;
	expect_refused(&m, "area");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_node_golden),
		cmocka_unit_test(test_client_golden),
		cmocka_unit_test(test_multi_area_golden),
		cmocka_unit_test(test_ospfv3_off_golden),
		cmocka_unit_test(test_peers_golden),
		cmocka_unit_test(test_bad_interface_name_refused),
		cmocka_unit_test(test_injected_quote_in_name_refused),
		cmocka_unit_test(test_zero_cost_refused),
		cmocka_unit_test(test_cost_above_ospf_range_refused),
		cmocka_unit_test(test_ptmp_without_neighbor_refused),
		cmocka_unit_test(test_bad_link_prefix_refused),
		cmocka_unit_test(test_interface_in_two_areas_refused),
		cmocka_unit_test(test_bad_loopback_refused),
		cmocka_unit_test(test_bad_mesh_subnet_refused),
		cmocka_unit_test(test_bad_allowed_peer_refused),
		cmocka_unit_test(test_route_filter_inputs_refused),
		cmocka_unit_test(test_loopbacks_only_from_their_owner),
		cmocka_unit_test(test_bad_owner_refused),
		cmocka_unit_test(test_quote_in_include_path_refused),
		cmocka_unit_test(test_peer_without_local_as_refused),
		cmocka_unit_test(test_zero_tick_refused),
		cmocka_unit_test(test_no_area_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
