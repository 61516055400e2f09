/* docs/metrics.md and docs/grafana-dashboard.json against the renderer's one
 * table of metric names: every name either file uses exists, and every
 * metric the daemon writes is documented. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/control/metrics_text.h"
#include "test_src_file.h"

static bool known(const char *name, size_t len)
{
	for (size_t i = 0; metrics_name(i); i++)
		if (strlen(metrics_name(i)) == len && strncmp(metrics_name(i), name, len) == 0)
			return true;
	return false;
}

/* Every wgmesh_... word of the text names a metric of the table. Returns
 * how many it found. */
static size_t check_names_known(const char *rel)
{
	char *text = test_read_src_file(rel);
	size_t found = 0;

	for (const char *p = strstr(text, "wgmesh_"); p; p = strstr(p + 1, "wgmesh_")) {
		size_t len = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789_");
		if (p > text && (p[-1] == '_' || (p[-1] >= 'a' && p[-1] <= 'z')))
			continue;
		if (!known(p, len))
			fail_msg("%s names %.*s, which the daemon does not export (daemon/control/metrics_text.c)", rel,
				 (int)len, p);
		found++;
	}
	free(text);
	return found;
}

static void test_dashboard_uses_only_exported_names(void **state)
{
	(void)state;
	assert_true(check_names_known("docs/grafana-dashboard.json") > 10);
}

static void test_doc_names_only_exported_metrics_and_all_of_them(void **state)
{
	char *text = test_read_src_file("docs/metrics.md"), want[128];

	(void)state;
	check_names_known("docs/metrics.md");
	/* Each metric has its row: | `NAME` | ... */
	for (size_t i = 0; metrics_name(i); i++) {
		snprintf(want, sizeof(want), "| `%s` | %s |", metrics_name(i), metrics_type(i));
		if (!strstr(text, want))
			fail_msg("docs/metrics.md has no row starting \"%s\"", want);
	}
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dashboard_uses_only_exported_names),
		cmocka_unit_test(test_doc_names_only_exported_metrics_and_all_of_them),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
