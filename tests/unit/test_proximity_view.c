/* The console's proximity view: the daemon's reply parsed into rows (bad
 * fields refuse the reply whole), the cutoff read as the CLI reads it, and
 * the rows formatted into columns that fit 80. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>

#include "tui/console/layout.h"
#include "tui/console/proximity.h"

static char err[256];

/* A measurement, nearest first, as the daemon sends it. */
static const char *const measured =
	"{\"ok\":true,\"cutoff_ms\":null,\"dry_run\":false,\"method\":\"tcp_connect\",\"port\":8080,\"nodes\":["
	"{\"node\":4,\"address\":\"192.0.2.14\",\"rtt_ms\":0.21,\"links\":[{\"name\":\"pipe4\",\"state\":\"up\"}],"
	"\"action\":\"none\"},"
	"{\"node\":2,\"address\":\"192.0.2.12\",\"rtt_ms\":80.43,\"links\":[{\"name\":\"pipe2\",\"state\":\"up\"},"
	"{\"name\":\"pipe2v6\",\"state\":\"dead\"}],\"action\":\"none\"},"
	"{\"node\":8,\"address\":\"192.0.2.18\",\"rtt_ms\":null,\"note\":\"no answer\",\"links\":[],\"action\":\"none\"},"
	"{\"node\":6,\"address\":null,\"rtt_ms\":null,\"note\":\"public address not known: node 6 did not answer "
	"/connectivity through the mesh\",\"links\":[],\"action\":\"none\"}]}";

static const char *const planned =
	"{\"ok\":true,\"cutoff_ms\":40,\"dry_run\":true,\"nodes\":["
	"{\"node\":4,\"address\":\"192.0.2.14\",\"rtt_ms\":0.2,\"links\":[],\"action\":\"connect\"},"
	"{\"node\":2,\"address\":\"192.0.2.12\",\"rtt_ms\":80.4,\"links\":[{\"name\":\"pipe2\",\"state\":\"up\"}],"
	"\"action\":\"disconnect\"},"
	"{\"node\":6,\"address\":\"192.0.2.16\",\"rtt_ms\":90.1,\"links\":[{\"name\":\"pipe6\",\"state\":\"up\"}],"
	"\"action\":\"keep_last_path\"}]}";

static json_t *load(const char *text)
{
	json_error_t jerr;
	json_t *j = json_loads(text, 0, &jerr);
	if (!j)
		fail_msg("bad test JSON: %s", jerr.text);
	return j;
}

static int parse(const char *text, struct proximity *p)
{
	json_t *j = load(text);
	int rc = proximity_parse(j, p, err, sizeof(err));
	json_decref(j);
	return rc;
}

static void line_of(const struct proximity *p, const struct prox_row *row, int total, char *line, size_t len)
{
	int widths[PCOL_COUNT];
	proximity_fit(p, total, widths);
	proximity_line(row, widths, line, len);
}

static void test_measurement_rows_in_the_daemons_order(void **state)
{
	struct proximity p = { 0 };
	(void)state;
	assert_int_equal(parse(measured, &p), 0);
	assert_int_equal(p.nrows, 4);
	assert_false(p.has_cutoff);
	assert_int_equal(p.rows[0].node, 4);
	assert_int_equal(p.rows[1].node, 2);
	assert_true(fabs(p.rows[1].rtt_ms - 80.43) < 1e-9);
	assert_string_equal(p.rows[1].links, "pipe2 (up), pipe2v6 (dead)");
	assert_true(isnan(p.rows[2].rtt_ms));
	assert_string_equal(p.rows[2].note, "no answer");
	assert_string_equal(p.rows[3].address, "");
	assert_int_equal(proximity_changes(&p), 0);
	proximity_free(&p);
}

static void test_plan_rows_and_changes(void **state)
{
	struct proximity p = { 0 };
	(void)state;
	assert_int_equal(parse(planned, &p), 0);
	assert_true(p.has_cutoff);
	assert_true(p.dry_run);
	assert_true(p.cutoff_ms == 40);
	assert_string_equal(p.rows[2].action, "keep_last_path");
	assert_int_equal(proximity_changes(&p), 2);
	proximity_free(&p);
}

static void test_bad_reply_is_refused_whole_and_keeps_the_last(void **state)
{
	struct proximity p = { 0 };
	(void)state;
	assert_int_equal(parse(measured, &p), 0);
	static const char *const bad[] = {
		"{\"ok\":true}",
		"{\"ok\":true,\"nodes\":[{\"node\":2,\"action\":\"explode\"}]}",
		"{\"ok\":true,\"nodes\":[{\"node\":\"two\",\"action\":\"none\"}]}",
		"{\"ok\":true,\"nodes\":[{\"node\":2,\"action\":\"none\",\"rtt_ms\":-1}]}",
		"{\"ok\":true,\"nodes\":[{\"node\":2,\"action\":\"none\",\"links\":\"pipe2\"}]}",
		"{\"ok\":true,\"nodes\":[{\"node\":2,\"action\":\"none\",\"links\":[{\"state\":\"up\"}]}]}",
		"{\"ok\":true,\"cutoff_ms\":70000,\"nodes\":[]}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(parse(bad[i], &p), -EINVAL);
		assert_true(err[0] != '\0');
	}
	assert_int_equal(p.nrows, 4); /* the last good answer stays shown */
	assert_int_equal(
		parse("{\"ok\":true,\"nodes\":[{\"node\":2,\"action\":\"none\",\"links\":[{\"state\":\"up\"}]}]}", &p),
		-EINVAL);
	assert_string_equal(err, "nodes[0].links[0].name: missing");
	proximity_free(&p);
}

static void test_cutoff_is_read_as_the_cli_reads_it(void **state)
{
	double v = -1;
	(void)state;
	assert_int_equal(proximity_cutoff_parse("40", &v, err, sizeof(err)), 0);
	assert_true(v == 40);
	assert_int_equal(proximity_cutoff_parse("0", &v, err, sizeof(err)), 0);
	assert_int_equal(proximity_cutoff_parse("60000", &v, err, sizeof(err)), 0);
	assert_int_equal(proximity_cutoff_parse("12.5", &v, err, sizeof(err)), 0);
	assert_true(v == 12.5);
	static const char *const bad[] = { "", "abc", "-5", "60001", "40ms", "nan", "inf", " " };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(proximity_cutoff_parse(bad[i], &v, err, sizeof(err)), -EINVAL);
	assert_int_equal(proximity_cutoff_parse("abc", &v, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "cutoff 'abc' is not milliseconds from 0 to 60000");
}

static void test_rows_fit_80_columns(void **state)
{
	struct proximity p = { 0 };
	char line[1024];
	(void)state;
	assert_int_equal(parse(measured, &p), 0);
	line_of(&p, NULL, 79, line, sizeof(line));
	assert_non_null(strstr(line, "NODE"));
	assert_non_null(strstr(line, "PUBLIC ADDRESS"));
	assert_non_null(strstr(line, "RTT"));
	assert_non_null(strstr(line, "LINKS"));
	assert_null(strstr(line, "ACTION")); /* no cutoff: nothing to say there */
	for (size_t i = 0; i < p.nrows; i++) {
		line_of(&p, &p.rows[i], 79, line, sizeof(line));
		assert_true(utf8_width(line) <= 80);
	}
	line_of(&p, &p.rows[1], 79, line, sizeof(line));
	assert_non_null(strstr(line, "    2 192.0.2.12"));
	assert_non_null(strstr(line, "80.43ms pipe2 (up), pipe2v6 (dead)"));
	line_of(&p, &p.rows[2], 79, line, sizeof(line));
	assert_non_null(strstr(line, "no answer"));
	line_of(&p, &p.rows[3], 79, line, sizeof(line));
	assert_non_null(strstr(line, "    6 -"));
	assert_non_null(strstr(line, "no addr"));
	assert_non_null(strstr(line, "public"));
	proximity_free(&p);

	assert_int_equal(parse(planned, &p), 0);
	line_of(&p, NULL, 79, line, sizeof(line));
	assert_non_null(strstr(line, "ACTION"));
	line_of(&p, &p.rows[0], 79, line, sizeof(line));
	assert_non_null(strstr(line, "connect"));
	line_of(&p, &p.rows[1], 79, line, sizeof(line));
	assert_non_null(strstr(line, "disconnect"));
	line_of(&p, &p.rows[2], 79, line, sizeof(line));
	assert_non_null(strstr(line, "keep "));
	assert_true(utf8_width(line) <= 80);
	proximity_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_measurement_rows_in_the_daemons_order),
		cmocka_unit_test(test_plan_rows_and_changes),
		cmocka_unit_test(test_bad_reply_is_refused_whole_and_keeps_the_last),
		cmocka_unit_test(test_cutoff_is_read_as_the_cli_reads_it),
		cmocka_unit_test(test_rows_fit_80_columns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
