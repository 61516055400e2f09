/* The proximity decision kept across restarts: what STATEDIR/proximity.json
 * holds, and that a file not exactly of that shape is refused whole (the
 * daemon then ignores it) instead of being half taken. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/config/statefile.h"
#include "daemon/mesh/proximity_state.h"

#define SELF 0

static json_t *parse(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, JSON_DECODE_ANY, &e);

	assert_non_null(j);
	return j;
}

/* -EINVAL, the reason naming WANT, and OUT untouched. */
static void refused(const char *text, const char *want)
{
	json_t *j = parse(text);
	struct proximity_state s;
	char err[256] = "";

	proximity_state_init(&s);
	s.cutoff_ms = 7;
	s.cut[9] = true;
	assert_int_equal(proximity_state_from_json(j, SELF, &s, err, sizeof(err)), -EINVAL);
	if (!strstr(err, want))
		fail_msg("%s: reason '%s' does not name '%s'", text, err, want);
	assert_true(s.cutoff_ms == 7 && s.cut[9] && proximity_state_count_cut(&s) == 1);
	json_decref(j);
}

static void test_a_decision_round_trips(void **state)
{
	struct proximity_state s, back;
	json_t *j;
	char err[256];

	(void)state;
	proximity_state_init(&s);
	s.cutoff_ms = 40.5;
	s.cut[2] = s.cut[17] = true;
	j = proximity_state_to_json(&s);
	assert_non_null(j);
	assert_int_equal(proximity_state_from_json(j, SELF, &back, err, sizeof(err)), 0);
	assert_true(back.cutoff_ms == 40.5);
	assert_true(back.cut[2] && back.cut[17]);
	assert_int_equal(proximity_state_count_cut(&back), 2);
	json_decref(j);
}

static void test_no_cutoff_is_written_as_null_and_nothing_cut(void **state)
{
	struct proximity_state s, back;
	json_t *j;
	char err[256];

	(void)state;
	proximity_state_init(&s);
	assert_false(proximity_state_active(&s));
	j = proximity_state_to_json(&s);
	assert_true(json_is_null(json_object_get(j, "cutoff_ms")));
	assert_int_equal(json_array_size(json_object_get(j, "cut")), 0);
	assert_int_equal(proximity_state_from_json(j, SELF, &back, err, sizeof(err)), 0);
	assert_false(proximity_state_active(&back));
	json_decref(j);
}

static void test_a_zero_cutoff_is_a_cutoff(void **state)
{
	json_t *j = parse("{\"version\":1,\"cutoff_ms\":0,\"cut\":[4]}");
	struct proximity_state s;
	char err[256];

	(void)state;
	assert_int_equal(proximity_state_from_json(j, SELF, &s, err, sizeof(err)), 0);
	assert_true(proximity_state_active(&s));
	assert_true(s.cut[4]);
	json_decref(j);
}

static void test_bad_shapes_are_refused_whole(void **state)
{
	(void)state;
	refused("[1]", "not a JSON object");
	refused("{\"version\":2,\"cutoff_ms\":40,\"cut\":[]}", "version");
	refused("{\"cutoff_ms\":40,\"cut\":[]}", "version");
	refused("{\"version\":1,\"cut\":[]}", "cutoff_ms");
	refused("{\"version\":1,\"cutoff_ms\":-1,\"cut\":[]}", "cutoff_ms");
	refused("{\"version\":1,\"cutoff_ms\":60001,\"cut\":[]}", "cutoff_ms");
	refused("{\"version\":1,\"cutoff_ms\":\"40\",\"cut\":[]}", "cutoff_ms");
	refused("{\"version\":1,\"cutoff_ms\":40}", "cut");
	refused("{\"version\":1,\"cutoff_ms\":40,\"cut\":{}}", "cut");
	refused("{\"version\":1,\"cutoff_ms\":40,\"cut\":[2,\"3\"]}", "entry 1");
	refused("{\"version\":1,\"cutoff_ms\":40,\"cut\":[2,-1]}", "entry 1");
	refused("{\"version\":1,\"cutoff_ms\":40,\"cut\":[2,99999]}", "entry 1");
	refused("{\"version\":1,\"cutoff_ms\":40,\"cut\":[0]}", "entry 0"); /* this node itself */
	refused("{\"version\":1,\"cutoff_ms\":40,\"cut\":[2,2]}", "node 2 twice");
	refused("{\"version\":1,\"cutoff_ms\":null,\"cut\":[2]}", "cutoff_ms is null");
	refused("{\"version\":1,\"cutoff_ms\":40,\"cut\":[],\"extra\":1}", "unknown field \"extra\"");
}

static int make_dir(void **state)
{
	char *dir = strdup("/tmp/wgm-proxstate-XXXXXX");

	assert_non_null(mkdtemp(dir));
	*state = dir;
	return 0;
}

static int remove_dir(void **state)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", (char *)*state, PROXIMITY_STATE_FILE);
	unlink(path);
	rmdir(*state);
	free(*state);
	return 0;
}

static void write_file(const char *dir, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, PROXIMITY_STATE_FILE);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static void test_load_without_a_file_is_no_cutoff(void **state)
{
	struct proximity_state s;
	char err[512];

	assert_int_equal(proximity_state_load(*state, SELF, &s, err, sizeof(err)), -ENOENT);
	assert_false(proximity_state_active(&s));
	assert_int_equal(proximity_state_count_cut(&s), 0);
}

static void test_load_reads_what_was_written(void **state)
{
	struct proximity_state s, back;
	char path[512], err[512];
	json_t *j;

	proximity_state_init(&s);
	s.cutoff_ms = 25;
	s.cut[3] = true;
	assert_int_equal(proximity_state_path(*state, path, sizeof(path)), 0);
	assert_non_null(j = proximity_state_to_json(&s));
	assert_int_equal(wgm_statefile_write_json(path, j, WGM_STATEFILE_MODE_PUBLIC, err, sizeof(err)), 0);
	json_decref(j);
	assert_int_equal(proximity_state_load(*state, SELF, &back, err, sizeof(err)), 0);
	assert_true(back.cutoff_ms == 25 && back.cut[3] && proximity_state_count_cut(&back) == 1);
}

static void test_load_of_a_torn_file_names_the_file(void **state)
{
	struct proximity_state s;
	char err[512];

	write_file(*state, "{\"version\":1,\"cutoff_ms\":40,\"cu");
	assert_int_equal(proximity_state_load(*state, SELF, &s, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, PROXIMITY_STATE_FILE));
	assert_false(proximity_state_active(&s));
}

static void test_load_of_an_invalid_file_names_the_file_and_the_field(void **state)
{
	struct proximity_state s;
	char err[512];

	write_file(*state, "{\"version\":1,\"cutoff_ms\":40,\"cut\":[70000]}\n");
	assert_int_equal(proximity_state_load(*state, SELF, &s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, PROXIMITY_STATE_FILE));
	assert_non_null(strstr(err, "cut: entry 0"));
	assert_false(proximity_state_active(&s));
	assert_int_equal(proximity_state_count_cut(&s), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_decision_round_trips),
		cmocka_unit_test(test_no_cutoff_is_written_as_null_and_nothing_cut),
		cmocka_unit_test(test_a_zero_cutoff_is_a_cutoff),
		cmocka_unit_test(test_bad_shapes_are_refused_whole),
		cmocka_unit_test_setup_teardown(test_load_without_a_file_is_no_cutoff, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_load_reads_what_was_written, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_load_of_a_torn_file_names_the_file, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_load_of_an_invalid_file_names_the_file_and_the_field, make_dir,
						remove_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
