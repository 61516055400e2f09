/* docs/configuration.md against the key table: every key is documented, with
 * the default the program uses and the right answer to "does a change need a
 * restart", and the page names no key the program lacks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/config/config.h"

#define DOC_ROWS_MAX 128

struct doc_row {
	char key[64];
	char deflt[128];
	char restart[64];
};

/* "`bird.area`" -> "bird.area": the cell without its backticks and spaces. */
static void cell_text(const char *start, size_t len, char *out, size_t outlen)
{
	while (len && (*start == ' ' || *start == '`'))
		start++, len--;
	while (len && (start[len - 1] == ' ' || start[len - 1] == '`'))
		len--;
	snprintf(out, outlen, "%.*s", (int)len, start);
}

/* Rows of the "## Keys" table: | `key` | `default` | meaning | restart | */
static size_t read_doc_rows(struct doc_row *rows, size_t max)
{
	const char *src = getenv("WGM_SRC_DIR");
	char path[512], line[2048];
	size_t n = 0;
	FILE *f;

	assert_non_null(src);
	snprintf(path, sizeof(path), "%s/docs/configuration.md", src);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) && n < max) {
		const char *cells[5];
		size_t ncells = 0;
		if (strncmp(line, "| `", 3) != 0)
			continue;
		for (char *p = line; *p && ncells < 5; p++)
			if (*p == '|')
				cells[ncells++] = p;
		if (ncells < 5)
			continue;
		cell_text(cells[0] + 1, (size_t)(cells[1] - cells[0] - 1), rows[n].key, sizeof(rows[n].key));
		cell_text(cells[1] + 1, (size_t)(cells[2] - cells[1] - 1), rows[n].deflt, sizeof(rows[n].deflt));
		cell_text(cells[3] + 1, (size_t)(cells[4] - cells[3] - 1), rows[n].restart, sizeof(rows[n].restart));
		n++;
	}
	fclose(f);
	return n;
}

static void key_path(const struct wgm_config_key_info *info, char *buf, size_t len)
{
	if (info->section)
		snprintf(buf, len, "%s.%s", info->section, info->name);
	else
		snprintf(buf, len, "%s", info->name);
}

static void test_every_key_is_documented_with_its_default_and_restart(void **state)
{
	struct doc_row rows[DOC_ROWS_MAX];
	size_t n = read_doc_rows(rows, DOC_ROWS_MAX);

	(void)state;
	assert_true(n > 10);
	for (size_t i = 0; i < wgm_config_key_count(); i++) {
		struct wgm_config_key_info info;
		char path[64], deflt[128];
		const struct doc_row *row = NULL;

		assert_int_equal(wgm_config_key_info(i, &info), 0);
		key_path(&info, path, sizeof(path));
		assert_int_equal(wgm_config_key_default(i, deflt, sizeof(deflt)), 0);
		for (size_t r = 0; r < n && !row; r++)
			if (strcmp(rows[r].key, path) == 0)
				row = &rows[r];
		if (!row)
			fail_msg("docs/configuration.md: key %s is missing from the table", path);
		if (strcmp(row->deflt, deflt) != 0)
			fail_msg("docs/configuration.md: %s defaults to %s, the page says %s", path, deflt, row->deflt);
		if (strncmp(row->restart, info.live ? "no" : "yes", info.live ? 2 : 3) != 0)
			fail_msg("docs/configuration.md: %s %s a restart, the page says '%s'", path,
				 info.live ? "does not need" : "needs", row->restart);
	}
}

static void test_the_page_names_no_unknown_key(void **state)
{
	struct doc_row rows[DOC_ROWS_MAX];
	size_t n = read_doc_rows(rows, DOC_ROWS_MAX);

	(void)state;
	for (size_t r = 0; r < n; r++) {
		bool known = strcmp(rows[r].key, "version") == 0;
		for (size_t i = 0; i < wgm_config_key_count() && !known; i++) {
			struct wgm_config_key_info info;
			char path[64];
			wgm_config_key_info(i, &info);
			key_path(&info, path, sizeof(path));
			known = strcmp(path, rows[r].key) == 0;
		}
		if (!known)
			fail_msg("docs/configuration.md documents %s, which the program does not know", rows[r].key);
	}
}

static void test_set_and_option_names_come_from_the_table(void **state)
{
	char names[1024];

	(void)state;
	wgm_config_names(WGM_CONFIG_SET_KEYS, names, sizeof(names));
	assert_non_null(strstr(names, "area, "));
	assert_null(strstr(names, "stateDir"));
	wgm_config_names(WGM_CONFIG_OPTIONS, names, sizeof(names));
	assert_string_equal(
		names, "ospfv2, ospfv3, client, fastRepair, notifications, mesh, vxlan, wgobfs, ipt_xor, amneziawg");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_key_is_documented_with_its_default_and_restart),
		cmocka_unit_test(test_the_page_names_no_unknown_key),
		cmocka_unit_test(test_set_and_option_names_come_from_the_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
