/* The versioned JSON schema of the control replies (tests/data/schema-v1.json,
 * docs/control-socket.md): the status fields and a link's own fields as the
 * daemon builds them from a fixture, and the page documenting every field
 * the schema lists. A field that disappears fails here; the measured link
 * fields and the node fields are checked against a live daemon by
 * e2e.metrics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <jansson.h>

#include "common/ctl/ctlproto.h"
#include "daemon/links/links.h"
#include "tui/cli/cli.h"
#include "test_src_file.h"

static json_t *load_schema(void)
{
	const char *data = getenv("WGM_TEST_DATA");
	char path[512];
	json_error_t jerr;
	json_t *schema;

	assert_non_null(data);
	snprintf(path, sizeof(path), "%s/schema-v1.json", data);
	schema = json_load_file(path, 0, &jerr);
	if (!schema)
		fail_msg("%s: %s", path, jerr.text);
	return schema;
}

static void has_fields(const json_t *obj, const json_t *schema, const char *list)
{
	const json_t *fields = json_object_get(schema, list), *f;
	size_t i;

	assert_true(json_array_size(fields) > 0);
	json_array_foreach (fields, i, f) {
		if (!json_object_get(obj, json_string_value(f)))
			fail_msg("%s: \"%s\" is missing from %s", list, json_string_value(f),
				 json_dumps(obj, JSON_COMPACT));
	}
}

static void test_schema_file_is_version_one(void **state)
{
	json_t *schema = load_schema();

	(void)state;
	assert_int_equal(json_integer_value(json_object_get(schema, "schema")), WGM_CTL_SCHEMA_VERSION);
	json_decref(schema);
}

static void test_status_has_every_schema_field(void **state)
{
	struct wgm_ctl_status st = { .id = 2,
				     .loopback4 = "10.0.2.1",
				     .loopback6 = "fd10:0:2::1",
				     .version = "1",
				     .uptime = 5,
				     .bird = "up",
				     .links_up = 1,
				     .links_total = 2,
				     .nodes = 3,
				     .mesh = "done" };
	json_t *schema = load_schema(), *reply = wgm_ctl_reply_ok();
	struct wgm_ctl_status back;
	char err[128];

	(void)state;
	assert_int_equal(wgm_ctl_status_fill(reply, &st), 0);
	has_fields(reply, schema, "status");
	assert_int_equal(json_integer_value(json_object_get(reply, "schema")), WGM_CTL_SCHEMA_VERSION);
	/* The reader still takes what the writer wrote. */
	assert_int_equal(wgm_ctl_status_parse(reply, &back, err, sizeof(err)), 0);
	json_decref(reply);
	json_decref(schema);
}

static void test_link_has_every_schema_field(void **state)
{
	struct links_deps deps = { 0 };
	struct links *ls;
	struct link *l = calloc(1, sizeof(*l));
	json_t *schema = load_schema(), *obj;

	(void)state;
	assert_non_null(l);
	assert_int_equal(links_new(&deps, &ls), 0);
	snprintf(l->rec.name, sizeof(l->rec.name), "pipe2");
	l->rec.remote_id = 2;
	l->rec.transport = WGM_TRANSPORT_V4;
	l->rec.link_type = WGM_LINK_DEFAULT;
	l->rec.listen_port = 51820;
	l->rec.cost_override = LINK_COST_NONE;
	inet_pton(AF_INET, "10.0.0.4", &l->rec.local4);
	inet_pton(AF_INET, "10.0.0.5", &l->rec.remote4);
	l->phase = LINK_PHASE_ACTIVE;
	obj = links_link_json(ls, l);
	assert_non_null(obj);
	has_fields(obj, schema, "link");
	json_decref(obj);
	links_free(ls);
	free(l);
	json_decref(schema);
}

/* `wgmesh links --json` and `nodes --json` print the reply's array alone
 * (scripts use `.[]`): each record then carries the reply's schema itself,
 * with every field it had. */
static void test_cli_records_carry_the_schema(void **state)
{
	json_t *schema = load_schema();
	json_t *reply = json_pack("{s:b,s:i,s:[{s:i,s:b},{s:i,s:b}],s:s}", "ok", 1, "schema", WGM_CTL_SCHEMA_VERSION,
				  "nodes", "id", 0, "self", 1, "id", 2, "self", 0, "bird", "up");
	json_t *old = json_pack("{s:b,s:[{s:i}]}", "ok", 1, "nodes", "id", 0);
	json_t *records, *r;
	size_t i;

	(void)state;
	records = cli_json_records(reply, "nodes");
	assert_int_equal(json_array_size(records), 2);
	json_array_foreach (records, i, r) {
		has_fields(r, schema, "cli_record");
		assert_int_equal(json_integer_value(json_object_get(r, "schema")), WGM_CTL_SCHEMA_VERSION);
		assert_non_null(json_object_get(r, "id"));
		assert_non_null(json_object_get(r, "self"));
	}
	assert_null(cli_json_records(reply, "links"));
	/* A daemon that does not version its replies: no version is made up. */
	records = cli_json_records(old, "nodes");
	assert_null(json_object_get(json_array_get(records, 0), "schema"));
	json_decref(reply);
	json_decref(old);
	json_decref(schema);
}

/* Every field of the schema appears in docs/control-socket.md as `name`. */
static void test_every_schema_field_is_documented(void **state)
{
	json_t *schema = load_schema(), *list, *f;
	char *text = test_read_src_file("docs/control-socket.md");
	const char *key;
	char want[96];
	size_t i;

	(void)state;
	json_object_foreach (schema, key, list) {
		if (!json_is_array(list))
			continue;
		json_array_foreach (list, i, f) {
			snprintf(want, sizeof(want), "`%s`", json_string_value(f));
			if (!strstr(text, want))
				fail_msg("docs/control-socket.md does not document %s (%s in schema-v1.json)", want,
					 key);
		}
	}
	free(text);
	json_decref(schema);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schema_file_is_version_one),
		cmocka_unit_test(test_status_has_every_schema_field),
		cmocka_unit_test(test_link_has_every_schema_field),
		cmocka_unit_test(test_cli_records_carry_the_schema),
		cmocka_unit_test(test_every_schema_field_is_documented),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
