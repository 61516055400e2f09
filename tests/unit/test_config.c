#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/config/config.h"

static char err[512];

/* Parses TEXT as a current config; returns from_json's result. */
static int parse(const char *text, struct wgm_config *cfg)
{
	json_error_t jerr;
	json_t *json = json_loads(text, 0, &jerr);
	assert_non_null(json);
	err[0] = '\0';
	int ret = wgm_config_from_json(json, cfg, err, sizeof(err));
	json_decref(json);
	return ret;
}

static void test_defaults_serialise_to_the_documented_shape(void **state)
{
	struct wgm_config cfg;
	wgm_config_defaults(&cfg);
	json_t *json = wgm_config_to_json(&cfg);
	assert_non_null(json);
	json_t *expected = json_loads(
		"{\"version\":1,\"id\":0,\"listen\":\"local\",\"listenPort\":8080,\"basePort\":51820,"
		"\"operationMode\":0,\"bandwidthInterval\":3600,\"bandwidthDuration\":5,\"bandwidthPort\":5201,"
		"\"vxlanOffset\":0,\"subnet\":\"10.0.0.0/16\",\"subnetPeer\":\"172.31.0.0/16\","
		"\"subnetVXLAN\":\"10.0.251.0/24\",\"subnetLinkLocal\":\"fe82:\",\"AllowedPeers\":[],\"localAS\":64512,\"AllowedPrefixes\":[],\"prefix\":\"pipe\","
		"\"linkTypes\":[\"default\"],\"defaultLinkType\":\"default\",\"amneziawgVersion\":2,"
		"\"xorRotateInterval\":21600,"
		"\"connectivity\":{\"ipv4\":null,\"ipv6\":null},"
		"\"bird\":{\"ospfv2\":true,\"ospfv3\":true,\"area\":0,\"tick\":1,\"client\":false,\"loglevel\":\"info\","
		"\"reloadInterval\":600,\"reloadPercentage\":15,\"minReloadInterval\":5,\"fastRepair\":true},"
		"\"notifications\":{\"enabled\":false,\"gotifyUp\":\"\",\"gotifyDown\":\"\",\"gotifyError\":\"\",\"gotifyDiag\":\"\"},"
		"\"mesh\":true,\"vxlan\":true,\"probeInterval\":1000,\"costEventWindow\":1800,\"jitterThreshold\":5,\"hopCost\":20,"
		"\"handshakeTimeout\":600,\"cleanAfter\":3600,\"repairAfter\":300,\"repairLoss\":50,\"repairCooldown\":21600,"
		"\"stateDir\":\"/var/lib/wgmesh\",\"socket\":\"/run/wgmesh/wgmeshd.sock\","
		"\"birdConfig\":\"/etc/bird/bird.conf\",\"birdSocket\":\"/run/bird/bird.ctl\","
		"\"backend\":\"auto\",\"wireguardGo\":\"wireguard-go\",\"logLevel\":\"info\","
		"\"hooksDir\":\"/etc/wgmesh/hooks.d\",\"hookTimeout\":10,\"metricsListen\":\"\"}",
		0, NULL);
	assert_non_null(expected);
	assert_true(json_equal(json, expected));
	json_decref(json);
	json_decref(expected);
}

static void test_to_json_and_back_is_identity(void **state)
{
	struct wgm_config cfg, back;
	wgm_config_defaults(&cfg);
	cfg.id = 12;
	cfg.listen = WGM_LISTEN_PUBLIC;
	cfg.backend = WGM_BACKEND_USERSPACE;
	snprintf(cfg.connectivity_ipv6, sizeof(cfg.connectivity_ipv6), "2001:db8::1");
	snprintf(cfg.allowed_peers[0], sizeof(cfg.allowed_peers[0]), "192.0.2.0/24");
	cfg.allowed_peers_count = 1;
	json_t *json = wgm_config_to_json(&cfg);
	wgm_config_defaults(&back);
	assert_int_equal(wgm_config_from_json(json, &back, err, sizeof(err)), 0);
	json_decref(json);
	assert_memory_equal(&cfg, &back, sizeof(cfg));
}

static void test_absent_keys_take_defaults(void **state)
{
	struct wgm_config cfg, defaults;
	wgm_config_defaults(&defaults);
	assert_int_equal(parse("{\"version\":1}", &cfg), 0);
	assert_memory_equal(&cfg, &defaults, sizeof(cfg));
}

/* Every key of the file, given a value of the wrong type, is refused with a
 * message that starts with that key's name. */
static void test_every_mistyped_key_is_named(void **state)
{
	struct wgm_config cfg;
	wgm_config_defaults(&cfg);
	json_t *defaults = wgm_config_to_json(&cfg);
	const char *name;
	json_t *value;
	int checked = 0;

	json_object_foreach (defaults, name, value) {
		const char *sub;
		json_t *inner;
		char expected[64];
		if (!json_is_object(value)) {
			json_t *copy = json_deep_copy(defaults);
			json_object_set_new(copy, name, json_object());
			assert_int_equal(wgm_config_from_json(copy, &cfg, err, sizeof(err)), -EINVAL);
			snprintf(expected, sizeof(expected), "%s: ", name);
			assert_memory_equal(err, expected, strlen(expected));
			json_decref(copy);
			checked++;
			continue;
		}
		json_object_foreach (value, sub, inner) {
			json_t *copy = json_deep_copy(defaults);
			json_object_set_new(json_object_get(copy, name), sub, json_object());
			assert_int_equal(wgm_config_from_json(copy, &cfg, err, sizeof(err)), -EINVAL);
			snprintf(expected, sizeof(expected), "%s.%s: ", name, sub);
			assert_memory_equal(err, expected, strlen(expected));
			json_decref(copy);
			checked++;
		}
	}
	json_decref(defaults);
	assert_int_equal(checked, 60);
}

static void test_unknown_key_is_named(void **state)
{
	struct wgm_config cfg;
	assert_int_equal(parse("{\"version\":1,\"colour\":\"red\"}", &cfg), -EINVAL);
	assert_string_equal(err, "colour: unknown key");
}

static void test_unknown_nested_key_is_named_with_its_section(void **state)
{
	struct wgm_config cfg;
	assert_int_equal(parse("{\"version\":1,\"bird\":{\"aera\":1}}", &cfg), -EINVAL);
	assert_string_equal(err, "bird.aera: unknown key");
}

static void test_mistyped_number_is_refused(void **state)
{
	struct wgm_config cfg;
	assert_int_equal(parse("{\"version\":1,\"listenPort\":\"8080\"}", &cfg), -EINVAL);
	assert_string_equal(err, "listenPort: must be a whole number");
}

static void test_mistyped_bool_is_refused(void **state)
{
	struct wgm_config cfg;
	assert_int_equal(parse("{\"version\":1,\"mesh\":1}", &cfg), -EINVAL);
	assert_string_equal(err, "mesh: must be true or false");
}

static void test_port_out_of_range_is_refused(void **state)
{
	struct wgm_config cfg;
	assert_int_equal(parse("{\"version\":1,\"basePort\":70000}", &cfg), -EINVAL);
	assert_string_equal(err, "basePort: 70000 is out of range (0-65535)");
}

static void test_probe_interval_bounds(void **state)
{
	struct wgm_config cfg;
	assert_int_equal(parse("{\"version\":1,\"probeInterval\":99}", &cfg), -EINVAL);
	assert_int_equal(parse("{\"version\":1,\"probeInterval\":100}", &cfg), 0);
	assert_int_equal(parse("{\"version\":1,\"probeInterval\":60001}", &cfg), -EINVAL);
}

static void test_jitter_threshold_bounds(void **state)
{
	struct wgm_config cfg;
	wgm_config_defaults(&cfg);
	assert_int_equal(cfg.jitter_threshold_ms, 5);
	assert_int_equal(parse("{\"version\":1,\"jitterThreshold\":0}", &cfg), -EINVAL);
	assert_non_null(strstr(err, "jitterThreshold"));
	assert_int_equal(parse("{\"version\":1,\"jitterThreshold\":1001}", &cfg), -EINVAL);
	assert_int_equal(parse("{\"version\":1,\"jitterThreshold\":2}", &cfg), 0);
	assert_int_equal(cfg.jitter_threshold_ms, 2);
}

static void test_set_jitter_threshold(void **state)
{
	struct wgm_config cfg;
	wgm_config_defaults(&cfg);
	assert_int_equal(wgm_config_set(&cfg, "jitterThreshold", "12", err, sizeof(err)), 0);
	assert_int_equal(cfg.jitter_threshold_ms, 12);
	assert_int_equal(wgm_config_set(&cfg, "jitterThreshold", "0", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "jitterThreshold"));
	assert_int_equal(cfg.jitter_threshold_ms, 12);
}

static void test_handshake_timeout_is_off_or_long_enough(void **state)
{
	struct wgm_config cfg;
	assert_int_equal(parse("{\"version\":1,\"handshakeTimeout\":0}", &cfg), 0);
	assert_int_equal(cfg.handshake_timeout_s, 0);
	assert_int_equal(parse("{\"version\":1,\"handshakeTimeout\":9}", &cfg), -EINVAL);
	assert_non_null(strstr(err, "handshakeTimeout: 9 is too short"));
	assert_int_equal(parse("{\"version\":1,\"handshakeTimeout\":10}", &cfg), 0);
	assert_int_equal(parse("{\"version\":1,\"handshakeTimeout\":604801}", &cfg), -EINVAL);
	assert_string_equal(err, "handshakeTimeout: 604801 is out of range (0-604800)");
	wgm_config_defaults(&cfg);
	assert_int_equal(wgm_config_set(&cfg, "handshakeTimeout", "30", err, sizeof(err)), 0);
	assert_int_equal(cfg.handshake_timeout_s, 30);
}

static void test_odd_id_is_refused_in_10_subnet(void **state)
{
	struct wgm_config cfg;
	assert_int_equal(parse("{\"version\":1,\"id\":3}", &cfg), -EINVAL);
	assert_non_null(strstr(err, "id: 3 is odd"));
}

static void test_odd_id_is_accepted_in_a_24_per_node_subnet(void **state)
{
	struct wgm_config cfg;
	assert_int_equal(parse("{\"version\":1,\"id\":3,\"subnet\":\"172.16.0.0/16\"}", &cfg), 0);
	assert_int_equal(cfg.id, 3);
}

static void test_id_whose_block_holds_the_vxlan_subnet_is_refused(void **state)
{
	struct wgm_config cfg;
	assert_int_equal(parse("{\"version\":1,\"id\":250}", &cfg), -EINVAL);
	assert_non_null(strstr(err, "overlaps subnetVXLAN"));
}

static void test_subnet_with_host_bits_is_refused(void **state)
{
	struct wgm_config cfg;
	assert_int_equal(parse("{\"version\":1,\"subnet\":\"10.0.0.1/16\"}", &cfg), -EINVAL);
	assert_non_null(strstr(err, "subnet: '10.0.0.1/16'"));
}

static void test_default_link_type_must_be_enabled(void **state)
{
	struct wgm_config cfg;
	assert_int_equal(parse("{\"version\":1,\"defaultLinkType\":\"wgobfs\"}", &cfg), -EINVAL);
	assert_non_null(strstr(err, "defaultLinkType"));
	assert_int_equal(parse("{\"version\":1,\"linkTypes\":[\"default\",\"wgobfs\"],"
			       "\"defaultLinkType\":\"wgobfs\"}",
			       &cfg),
			 0);
}

static void test_unknown_link_type_is_refused(void **state)
{
	struct wgm_config cfg;
	assert_int_equal(parse("{\"version\":1,\"linkTypes\":[\"default\",\"openvpn\"]}", &cfg), -EINVAL);
	assert_non_null(strstr(err, "linkTypes: 'openvpn'"));
}

static void test_bad_connectivity_address_is_refused(void **state)
{
	struct wgm_config cfg;
	assert_int_equal(parse("{\"version\":1,\"connectivity\":{\"ipv4\":\"2001:db8::1\"}}", &cfg), -EINVAL);
	assert_non_null(strstr(err, "connectivity.ipv4"));
}

static void test_gotify_url_must_be_http(void **state)
{
	struct wgm_config cfg;
	assert_int_equal(parse("{\"version\":1,\"notifications\":{\"gotifyUp\":\"ftp://x\"}}", &cfg), -EINVAL);
	assert_non_null(strstr(err, "notifications.gotifyUp"));
	assert_int_equal(
		parse("{\"version\":1,\"notifications\":{\"gotifyUp\":\"https://gotify.example/message?token=a\"}}",
		      &cfg),
		0);
}

static void test_wrong_version_is_refused_by_from_json(void **state)
{
	struct wgm_config cfg;
	assert_int_equal(parse("{\"version\":0}", &cfg), -EINVAL);
	assert_non_null(strstr(err, "version"));
}

static void test_failed_parse_leaves_config_untouched(void **state)
{
	struct wgm_config cfg, before;
	wgm_config_defaults(&cfg);
	cfg.id = 4;
	before = cfg;
	assert_int_equal(parse("{\"version\":1,\"id\":6,\"basePort\":-1}", &cfg), -EINVAL);
	assert_memory_equal(&cfg, &before, sizeof(cfg));
}

static void test_original_config_migrates(void **state)
{
	struct wgm_config cfg;
	bool changed;
	json_t *json = json_loads("{\"listen\":\"public\",\"basePort\":51820,\"prefix\":\"pipe\",\"id\":\"4\","
				  "\"connectivity\":{\"ipv4\":\"192.0.2.1\",\"ipv6\":false},"
				  "\"geo\":{\"country\":\"Nowhere\"},\"bird\":{\"ospfv2\":true,\"reloadPercentage\":20,"
				  "\"loglevel\":\"{ warning, error, auth, fatal, bug }\"}}",
				  0, NULL);
	assert_non_null(json);
	assert_int_equal(wgm_config_migrate(json, &changed, err, sizeof(err)), 0);
	assert_true(changed);
	assert_int_equal(json_integer_value(json_object_get(json, "version")), WGM_CONFIG_VERSION);
	assert_int_equal(wgm_config_from_json(json, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.id, 4);
	assert_int_equal(cfg.listen, WGM_LISTEN_PUBLIC);
	assert_string_equal(cfg.connectivity_ipv4, "192.0.2.1");
	assert_string_equal(cfg.connectivity_ipv6, "");
	assert_int_equal(cfg.bird.reload_percentage, 20);
	assert_string_equal(cfg.bird.loglevel, "warning");
	assert_int_equal(cfg.probe_interval_ms, 1000);
	json_decref(json);
}

static const char *migrated_bird_loglevel(const char *original)
{
	static char level[32];
	json_t *json = json_pack("{s:{s:s}}", "bird", "loglevel", original);
	level[0] = '\0';
	if (wgm_config_migrate(json, NULL, err, sizeof(err)) == 0)
		snprintf(level, sizeof(level), "%s",
			 json_string_value(json_object_get(json_object_get(json, "bird"), "loglevel")));
	json_decref(json);
	return level;
}

static void test_original_bird_log_classes_map_to_a_level(void **state)
{
	assert_string_equal(migrated_bird_loglevel("all"), "debug");
	assert_string_equal(migrated_bird_loglevel("{ info, remote, warning, error, auth, fatal, bug }"), "info");
	assert_string_equal(migrated_bird_loglevel("{ error, fatal, bug }"), "err");
	assert_string_equal(migrated_bird_loglevel("warning"), "warning");
	assert_string_equal(migrated_bird_loglevel("{ loud }"), "");
	assert_string_equal(err, "bird.loglevel: '{ loud }' names no BIRD log class");
}

static void test_bird_loglevel_takes_daemon_level_names(void **state)
{
	struct wgm_config cfg;
	assert_int_equal(parse("{\"version\":1,\"bird\":{\"loglevel\":\"debug\"}}", &cfg), 0);
	assert_int_equal(parse("{\"version\":1,\"bird\":{\"loglevel\":\"all\"}}", &cfg), -EINVAL);
	assert_string_equal(err, "bird.loglevel: 'all' is not err, warning, info or debug");
}

static void test_current_config_migrates_unchanged(void **state)
{
	bool changed = true;
	json_t *json = json_pack("{s:i, s:i}", "version", WGM_CONFIG_VERSION, "id", 2);
	json_t *copy = json_deep_copy(json);
	assert_int_equal(wgm_config_migrate(json, &changed, err, sizeof(err)), 0);
	assert_false(changed);
	assert_true(json_equal(json, copy));
	json_decref(json);
	json_decref(copy);
}

static void test_newer_version_is_refused(void **state)
{
	json_t *json = json_pack("{s:i}", "version", WGM_CONFIG_VERSION + 1);
	assert_int_equal(wgm_config_migrate(json, NULL, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "newer"));
	json_decref(json);
}

static void test_original_non_numeric_id_is_refused(void **state)
{
	json_t *json = json_pack("{s:s}", "id", "four");
	assert_int_equal(wgm_config_migrate(json, NULL, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "id: 'four' is not a number");
	json_decref(json);
}

static void test_save_then_load_round_trips(void **state)
{
	char dir[] = "/tmp/wgm-config-XXXXXX", path[128];
	struct wgm_config cfg, back;
	struct stat st;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/etc/config.json", dir);
	wgm_config_defaults(&cfg);
	cfg.id = 8;
	assert_int_equal(wgm_config_save(path, &cfg, err, sizeof(err)), 0);
	assert_int_equal(stat(path, &st), 0);
	/* Unreadable to others: the Gotify URLs hold app tokens. */
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(wgm_config_load(path, &back, err, sizeof(err)), 0);
	assert_memory_equal(&cfg, &back, sizeof(cfg));
	unlink(path);
	snprintf(path, sizeof(path), "%s/etc", dir);
	rmdir(path);
	rmdir(dir);
}

static void test_load_names_the_file_and_key(void **state)
{
	char dir[] = "/tmp/wgm-config-XXXXXX", path[128];
	struct wgm_config cfg;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/config.json", dir);
	f = fopen(path, "w");
	fputs("{\"version\":1,\"listenPort\":0}", f);
	fclose(f);
	assert_int_equal(wgm_config_load(path, &cfg, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "listenPort: 0 is out of range"));
	unlink(path);
	assert_int_equal(wgm_config_load(path, &cfg, err, sizeof(err)), -ENOENT);
	rmdir(dir);
}

/* The key table marks the credentials that logs and events must not show. */
static void test_gotify_urls_are_secret(void **state)
{
	struct wgm_config_key_info info;
	unsigned secrets = 0;

	assert_true(wgm_config_key_secret("gotifyUp"));
	assert_true(wgm_config_key_secret("gotifyDown"));
	assert_true(wgm_config_key_secret("gotifyError"));
	assert_true(wgm_config_key_secret("gotifyDiag"));
	assert_false(wgm_config_key_secret("basePort"));
	assert_false(wgm_config_key_secret("nosuchkey"));
	assert_false(wgm_config_key_secret(NULL));
	for (size_t i = 0; wgm_config_key_info(i, &info) == 0; i++)
		secrets += info.secret;
	assert_int_equal(secrets, 4);
}

static void test_save_refuses_invalid_config(void **state)
{
	struct wgm_config cfg;
	wgm_config_defaults(&cfg);
	cfg.id = 7;
	assert_int_equal(wgm_config_save("/nonexistent/never/config.json", &cfg, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "id: 7"));
}

static void test_set_base_port_applies_without_restart(void **state)
{
	struct wgm_config cfg;
	wgm_config_defaults(&cfg);
	assert_int_equal(wgm_config_set(&cfg, "basePort", "0", err, sizeof(err)), 0);
	assert_int_equal(cfg.base_port, 0);
}

static void test_set_out_of_range_leaves_config_unchanged(void **state)
{
	struct wgm_config cfg;
	wgm_config_defaults(&cfg);
	assert_int_equal(wgm_config_set(&cfg, "basePort", "70000", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "basePort: 70000 is out of range (0-65535)");
	assert_int_equal(cfg.base_port, 51820);
}

static void test_set_not_a_number(void **state)
{
	struct wgm_config cfg;
	wgm_config_defaults(&cfg);
	assert_int_equal(wgm_config_set(&cfg, "tick", "-1", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "tick: '-1' is not a whole number");
	assert_int_equal(wgm_config_set(&cfg, "tick", "0", err, sizeof(err)), -EINVAL);
	assert_int_equal(cfg.bird.tick, 1);
}

static void test_set_subnet_needs_restart(void **state)
{
	struct wgm_config cfg;
	wgm_config_defaults(&cfg);
	assert_int_equal(wgm_config_set(&cfg, "subnet", "172.16.0.0/16", err, sizeof(err)), 1);
	assert_string_equal(cfg.subnet, "172.16.0.0/16");
}

static void test_set_subnet_that_makes_id_invalid_is_refused(void **state)
{
	struct wgm_config cfg;
	wgm_config_defaults(&cfg);
	cfg.subnet[0] = '\0';
	snprintf(cfg.subnet, sizeof(cfg.subnet), "172.16.0.0/16");
	cfg.id = 5;
	assert_int_equal(wgm_config_set(&cfg, "subnet", "10.1.0.0/16", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "id: 5 is odd"));
	assert_string_equal(cfg.subnet, "172.16.0.0/16");
}

static void test_set_allowed_peers_toggles(void **state)
{
	struct wgm_config cfg;
	wgm_config_defaults(&cfg);
	assert_int_equal(wgm_config_set(&cfg, "AllowedPeers", "192.0.2.0/24", err, sizeof(err)), 0);
	assert_int_equal(wgm_config_set(&cfg, "AllowedPeers", "2001:db8::/32", err, sizeof(err)), 0);
	assert_int_equal(cfg.allowed_peers_count, 2);
	assert_int_equal(wgm_config_set(&cfg, "AllowedPeers", "192.0.2.0/24", err, sizeof(err)), 0);
	assert_int_equal(cfg.allowed_peers_count, 1);
	assert_string_equal(cfg.allowed_peers[0], "2001:db8::/32");
	assert_int_equal(wgm_config_set(&cfg, "AllowedPeers", "192.0.2.0", err, sizeof(err)), -EINVAL);
}

static void test_set_local_as(void **state)
{
	struct wgm_config cfg;
	wgm_config_defaults(&cfg);
	assert_int_equal(cfg.local_as, 64512);
	assert_int_equal(wgm_config_set(&cfg, "localAS", "4200000001", err, sizeof(err)), 0);
	assert_int_equal(cfg.local_as, 4200000001u);
	assert_int_equal(wgm_config_set(&cfg, "localAS", "0", err, sizeof(err)), -EINVAL);
	assert_int_equal(wgm_config_set(&cfg, "localAS", "4294967296", err, sizeof(err)), -EINVAL);
	assert_int_equal(cfg.local_as, 4200000001u);
}

static void test_set_gotify_url(void **state)
{
	struct wgm_config cfg;
	wgm_config_defaults(&cfg);
	assert_int_equal(wgm_config_set(&cfg, "gotifyDiag", "http://192.0.2.9/message", err, sizeof(err)), 0);
	assert_string_equal(cfg.notifications.gotify_diag, "http://192.0.2.9/message");
	assert_int_equal(wgm_config_set(&cfg, "gotifyDown", "gotify.example", err, sizeof(err)), -EINVAL);
}

static void test_set_unknown_or_fixed_key_is_enoent(void **state)
{
	struct wgm_config cfg;
	wgm_config_defaults(&cfg);
	assert_int_equal(wgm_config_set(&cfg, "id", "2", err, sizeof(err)), -ENOENT);
	assert_int_equal(wgm_config_set(&cfg, "colour", "red", err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "colour: not a key"));
}

static void test_set_log_level_and_operation_mode(void **state)
{
	struct wgm_config cfg;
	wgm_config_defaults(&cfg);
	assert_int_equal(wgm_config_set(&cfg, "logLevel", "debug", err, sizeof(err)), 0);
	assert_string_equal(cfg.log_level, "debug");
	assert_int_equal(wgm_config_set(&cfg, "logLevel", "loud", err, sizeof(err)), -EINVAL);
	assert_int_equal(wgm_config_set(&cfg, "operationMode", "1", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "operationMode: 1 is not supported: use 0 (latency) or 2 (bandwidth)");
	assert_int_equal(wgm_config_set(&cfg, "operationMode", "3", err, sizeof(err)), -EINVAL);
	/* Live: the daemon starts or stops bandwidth mode at once. */
	assert_int_equal(wgm_config_set(&cfg, "operationMode", "2", err, sizeof(err)), 0);
	assert_int_equal(cfg.operation_mode, WGM_OPMODE_BANDWIDTH);
	assert_int_equal(wgm_config_set(&cfg, "bandwidthInterval", "9", err, sizeof(err)), -EINVAL);
	assert_int_equal(wgm_config_set(&cfg, "bandwidthDuration", "61", err, sizeof(err)), -EINVAL);
	assert_int_equal(wgm_config_set(&cfg, "bandwidthPort", "5301", err, sizeof(err)), 0);
	assert_int_equal(cfg.bandwidth_port, 5301);
}

static void test_enable_link_type_adds_and_disable_removes(void **state)
{
	struct wgm_config cfg;
	wgm_config_defaults(&cfg);
	assert_int_equal(wgm_config_enable(&cfg, "wgobfs", true, err, sizeof(err)), 0);
	assert_int_equal(wgm_config_enable(&cfg, "wgobfs", true, err, sizeof(err)), 0);
	assert_int_equal(cfg.link_types_count, 2);
	assert_string_equal(cfg.link_types[1], "wgobfs");
	assert_int_equal(wgm_config_enable(&cfg, "wgobfs", false, err, sizeof(err)), 0);
	assert_int_equal(cfg.link_types_count, 1);
}

static void test_disable_default_link_type_is_refused(void **state)
{
	struct wgm_config cfg;
	wgm_config_defaults(&cfg);
	assert_int_equal(wgm_config_enable(&cfg, "amneziawg", true, err, sizeof(err)), 0);
	assert_int_equal(wgm_config_set(&cfg, "defaultLinkType", "amneziawg", err, sizeof(err)), 0);
	assert_int_equal(wgm_config_enable(&cfg, "amneziawg", false, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "defaultLinkType"));
}

static void test_enable_switches(void **state)
{
	struct wgm_config cfg;
	wgm_config_defaults(&cfg);
	assert_int_equal(wgm_config_enable(&cfg, "mesh", false, err, sizeof(err)), 0);
	assert_false(cfg.mesh);
	assert_int_equal(wgm_config_enable(&cfg, "vxlan", false, err, sizeof(err)), 0);
	assert_false(cfg.vxlan);
	assert_int_equal(wgm_config_enable(&cfg, "client", true, err, sizeof(err)), 0);
	assert_true(cfg.bird.client);
	assert_int_equal(wgm_config_enable(&cfg, "notifications", true, err, sizeof(err)), 0);
	assert_true(cfg.notifications.enabled);
	assert_int_equal(wgm_config_enable(&cfg, "ospfv3", false, err, sizeof(err)), 0);
	assert_false(cfg.bird.ospfv3);
	assert_int_equal(wgm_config_enable(&cfg, "bgp", true, err, sizeof(err)), -ENOENT);
}

static void test_backend_names_round_trip(void **state)
{
	enum wgm_backend b;
	assert_int_equal(wgm_backend_from_name("userspace", &b), 0);
	assert_string_equal(wgm_backend_name(b), "userspace");
	assert_int_equal(wgm_backend_from_name("dpdk", &b), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_serialise_to_the_documented_shape),
		cmocka_unit_test(test_to_json_and_back_is_identity),
		cmocka_unit_test(test_absent_keys_take_defaults),
		cmocka_unit_test(test_every_mistyped_key_is_named),
		cmocka_unit_test(test_unknown_key_is_named),
		cmocka_unit_test(test_unknown_nested_key_is_named_with_its_section),
		cmocka_unit_test(test_mistyped_number_is_refused),
		cmocka_unit_test(test_mistyped_bool_is_refused),
		cmocka_unit_test(test_port_out_of_range_is_refused),
		cmocka_unit_test(test_probe_interval_bounds),
		cmocka_unit_test(test_jitter_threshold_bounds),
		cmocka_unit_test(test_set_jitter_threshold),
		cmocka_unit_test(test_handshake_timeout_is_off_or_long_enough),
		cmocka_unit_test(test_odd_id_is_refused_in_10_subnet),
		cmocka_unit_test(test_odd_id_is_accepted_in_a_24_per_node_subnet),
		cmocka_unit_test(test_id_whose_block_holds_the_vxlan_subnet_is_refused),
		cmocka_unit_test(test_subnet_with_host_bits_is_refused),
		cmocka_unit_test(test_default_link_type_must_be_enabled),
		cmocka_unit_test(test_unknown_link_type_is_refused),
		cmocka_unit_test(test_bad_connectivity_address_is_refused),
		cmocka_unit_test(test_gotify_url_must_be_http),
		cmocka_unit_test(test_wrong_version_is_refused_by_from_json),
		cmocka_unit_test(test_failed_parse_leaves_config_untouched),
		cmocka_unit_test(test_original_config_migrates),
		cmocka_unit_test(test_original_bird_log_classes_map_to_a_level),
		cmocka_unit_test(test_bird_loglevel_takes_daemon_level_names),
		cmocka_unit_test(test_current_config_migrates_unchanged),
		cmocka_unit_test(test_newer_version_is_refused),
		cmocka_unit_test(test_original_non_numeric_id_is_refused),
		cmocka_unit_test(test_save_then_load_round_trips),
		cmocka_unit_test(test_load_names_the_file_and_key),
		cmocka_unit_test(test_gotify_urls_are_secret),
		cmocka_unit_test(test_save_refuses_invalid_config),
		cmocka_unit_test(test_set_base_port_applies_without_restart),
		cmocka_unit_test(test_set_out_of_range_leaves_config_unchanged),
		cmocka_unit_test(test_set_not_a_number),
		cmocka_unit_test(test_set_subnet_needs_restart),
		cmocka_unit_test(test_set_subnet_that_makes_id_invalid_is_refused),
		cmocka_unit_test(test_set_allowed_peers_toggles),
		cmocka_unit_test(test_set_local_as),
		cmocka_unit_test(test_set_gotify_url),
		cmocka_unit_test(test_set_unknown_or_fixed_key_is_enoent),
		cmocka_unit_test(test_set_log_level_and_operation_mode),
		cmocka_unit_test(test_enable_link_type_adds_and_disable_removes),
		cmocka_unit_test(test_disable_default_link_type_is_refused),
		cmocka_unit_test(test_enable_switches),
		cmocka_unit_test(test_backend_names_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
