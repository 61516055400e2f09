/* The console's members view: the daemon's member_list reply parsed into
 * rows sorted by ID (bad fields refuse the reply whole), the rows formatted
 * into columns that fit 80, who may revoke what, and the typed
 * confirmation a revocation needs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "tui/console/layout.h"
#include "tui/console/members.h"

static char err[256];

/* As an admin's daemon sends it: its own entry marked self and admin, a
 * revoked identity of node 6 beside its new one, a revocation of an
 * identity this node never saw (no admitted_by, no admitted). */
static const char *const admin_list =
	"{\"ok\":true,\"members\":["
	"{\"id\":4,\"fingerprint\":\"4444444444444444\",\"state\":\"member\",\"admitted_by\":0,\"admitted\":1733438470},"
	"{\"id\":0,\"fingerprint\":\"3f9c0a1be2d47781\",\"state\":\"member\",\"admitted_by\":0,\"admitted\":1733438469,"
	"\"self\":true,\"admin\":true},"
	"{\"id\":6,\"fingerprint\":\"6666666666666666\",\"state\":\"revoked\",\"admitted_by\":2,\"admitted\":1733438400},"
	"{\"id\":2,\"fingerprint\":\"a4410e9d3c2b6f10\",\"state\":\"member\",\"admitted_by\":0,\"admitted\":1733438469},"
	"{\"id\":6,\"fingerprint\":\"0606060606060606\",\"state\":\"member\",\"admitted_by\":0,\"admitted\":1733438500},"
	"{\"id\":8,\"fingerprint\":\"8888888888888888\",\"state\":\"revoked\"}]}";

/* A non-admin's: its own entry has no admin field. */
static const char *const member_list =
	"{\"ok\":true,\"members\":["
	"{\"id\":0,\"fingerprint\":\"3f9c0a1be2d47781\",\"state\":\"member\",\"admitted_by\":0,\"admitted\":1733438469},"
	"{\"id\":2,\"fingerprint\":\"a4410e9d3c2b6f10\",\"state\":\"member\",\"admitted_by\":0,\"admitted\":1733438469,"
	"\"self\":true}]}";

static int parse(const char *text, struct members *m)
{
	json_error_t jerr;
	json_t *j = json_loads(text, 0, &jerr);
	if (!j)
		fail_msg("bad test JSON: %s", jerr.text);
	int rc = members_parse(j, m, err, sizeof(err));
	json_decref(j);
	return rc;
}

static void line_of(const struct member_row *row, int total, char *line, size_t len)
{
	int widths[MCOL_COUNT];
	members_fit(total, widths);
	members_line(row, widths, line, len);
}

static void test_rows_sorted_by_id_current_identity_first(void **state)
{
	struct members m = { 0 };
	static const int64_t ids[] = { 0, 2, 4, 6, 6, 8 };
	(void)state;
	assert_int_equal(parse(admin_list, &m), 0);
	assert_int_equal(m.nrows, 6);
	for (size_t i = 0; i < m.nrows; i++)
		assert_int_equal(m.rows[i].id, ids[i]);
	assert_false(m.rows[3].revoked);
	assert_string_equal(m.rows[3].fingerprint, "0606060606060606");
	assert_true(m.rows[4].revoked);
	assert_true(m.rows[0].self);
	assert_int_equal(m.rows[0].admin, 1);
	assert_int_equal(m.rows[1].admin, -1); /* the reply does not say */
	assert_int_equal(m.rows[1].admitted_by, 0);
	assert_int_equal(m.rows[1].admitted, 1733438469);
	assert_int_equal(m.rows[5].admitted_by, -1);
	assert_int_equal(m.rows[5].admitted, -1);
	assert_int_equal(members_find(&m, 6, "6666666666666666"), 4);
	assert_int_equal(members_find(&m, 6, "ffffffffffffffff"), -1);
	members_free(&m);
}

static void test_bad_reply_is_refused_whole_and_keeps_the_last(void **state)
{
	struct members m = { 0 };
	(void)state;
	assert_int_equal(parse(admin_list, &m), 0);
	static const char *const bad[] = {
		"{\"ok\":true}",
		"{\"ok\":true,\"members\":{}}",
		"{\"ok\":true,\"members\":[{\"fingerprint\":\"ab\",\"state\":\"member\"}]}",
		"{\"ok\":true,\"members\":[{\"id\":2,\"fingerprint\":\"AB12\",\"state\":\"member\"}]}",
		"{\"ok\":true,\"members\":[{\"id\":2,\"fingerprint\":\"\",\"state\":\"member\"}]}",
		"{\"ok\":true,\"members\":[{\"id\":2,\"fingerprint\":\"ab12\",\"state\":\"banned\"}]}",
		"{\"ok\":true,\"members\":[{\"id\":2,\"fingerprint\":\"ab12\",\"state\":\"member\",\"admin\":\"yes\"}]}",
		"{\"ok\":true,\"members\":[{\"id\":-1,\"fingerprint\":\"ab12\",\"state\":\"member\"}]}",
		"{\"ok\":true,\"members\":[{\"id\":2,\"fingerprint\":\"ab12\",\"state\":\"member\",\"admitted\":-5}]}",
		"{\"ok\":true,\"members\":[{\"id\":2,\"fingerprint\":\"ab12\",\"state\":\"member\"},7]}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(parse(bad[i], &m), -EINVAL);
		assert_true(strlen(err) > 0);
		assert_int_equal(m.nrows, 6); /* the last good list stays */
	}
	assert_int_equal(parse(bad[5], &m), -EINVAL);
	assert_non_null(strstr(err, "members[0].state"));
	members_free(&m);
}

static void test_who_may_revoke_what(void **state)
{
	struct members m = { 0 };
	char why[160];
	(void)state;
	assert_int_equal(parse(admin_list, &m), 0);
	assert_int_equal(members_self_admin(&m), 1);
	members_revoke_refusal(&m.rows[1], 1, why, sizeof(why)); /* node 2, a member */
	assert_string_equal(why, "");
	members_revoke_refusal(&m.rows[4], 1, why, sizeof(why)); /* node 6's old identity */
	assert_string_equal(why, "node 6's identity 6666666666666666 is already revoked");
	members_revoke_refusal(&m.rows[0], 1, why, sizeof(why));
	assert_non_null(strstr(why, "this node"));
	assert_int_equal(parse(member_list, &m), 0);
	assert_int_equal(members_self_admin(&m), 0);
	members_revoke_refusal(&m.rows[0], 0, why, sizeof(why));
	assert_non_null(strstr(why, "revocation needs an admin"));
	/* No entry marked as this node's: not known, the daemon decides. */
	assert_int_equal(
		parse("{\"ok\":true,\"members\":[{\"id\":2,\"fingerprint\":\"ab12\",\"state\":\"member\"}]}", &m), 0);
	assert_int_equal(members_self_admin(&m), -1);
	members_revoke_refusal(&m.rows[0], -1, why, sizeof(why));
	assert_string_equal(why, "");
	members_free(&m);
}

static void test_confirmation_is_the_typed_id_only(void **state)
{
	char why[160];
	(void)state;
	assert_true(members_confirm("2", 2, why, sizeof(why)));
	assert_true(members_confirm(" 2 ", 2, why, sizeof(why)));
	assert_true(members_confirm("12", 12, why, sizeof(why)));
	static const char *const no[] = {
		"", "y", "yes", "4", "02x", "2.0", "-2", "+2", "1 2", "22", "99999999999999999999"
	};
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		why[0] = '\0';
		assert_false(members_confirm(no[i], 2, why, sizeof(why)));
		assert_non_null(strstr(why, "type 2 to revoke node 2"));
	}
}

/* The line's words with single blanks between them (column widths vary
 * with the terminal; the words and their order do not). */
static const char *squeezed(const char *line)
{
	static char out[512];
	size_t n = 0;
	for (const char *p = line; *p && n + 1 < sizeof(out); p++) {
		if (*p != ' ' || (n > 0 && out[n - 1] != ' '))
			out[n++] = *p;
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
	return out;
}

static void test_rows_fit_80_columns(void **state)
{
	struct members m = { 0 };
	char line[512];
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	assert_int_equal(parse(admin_list, &m), 0);
	line_of(NULL, 79, line, sizeof(line));
	assert_true(utf8_width(line) <= 80);
	assert_non_null(strstr(line, "ID"));
	assert_non_null(strstr(line, "FINGERPRINT"));
	assert_non_null(strstr(line, "STATE"));
	assert_non_null(strstr(line, "ROLE"));
	assert_non_null(strstr(line, "ADMITTED BY"));
	line_of(&m.rows[0], 79, line, sizeof(line));
	assert_true(utf8_width(line) <= 80);
	assert_string_equal(squeezed(line), "0 3f9c0a1be2d47781 member admin, this node 0 2024-12-05 22:41");
	assert_non_null(strstr(line, "2024-12-05 22:41"));
	line_of(&m.rows[4], 79, line, sizeof(line));
	assert_string_equal(squeezed(line), "6 6666666666666666 revoked 2 2024-12-05 22:40");
	line_of(&m.rows[5], 79, line, sizeof(line));
	assert_string_equal(squeezed(line), "8 8888888888888888 revoked - -");
	/* Narrower: the date goes before who admitted it; ID, fingerprint and
	 * state stay. */
	line_of(&m.rows[1], 60, line, sizeof(line));
	assert_true(utf8_width(line) <= 61);
	assert_string_equal(squeezed(line), "2 a4410e9d3c2b6f10 member 0");
	members_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_sorted_by_id_current_identity_first),
		cmocka_unit_test(test_bad_reply_is_refused_whole_and_keeps_the_last),
		cmocka_unit_test(test_who_may_revoke_what),
		cmocka_unit_test(test_confirmation_is_the_typed_id_only),
		cmocka_unit_test(test_rows_fit_80_columns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
