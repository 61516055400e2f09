/* The Prometheus text renderer: names, labels and their escaping, types,
 * base units (seconds, ratios, bytes), what an unmeasured link leaves out,
 * and a well-formed exposition (HELP and TYPE once per metric, before its
 * samples; counters end in _total). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/control/metrics_text.h"

static struct metrics_link measured_link(void)
{
	return (struct metrics_link){ .name = "pipe2",
				      .node = 2,
				      .type = "default",
				      .transport = "v4",
				      .state = "up",
				      .measured = true,
				      .has_rtt = true,
				      .rtt_s = 0.0123,
				      .rtt_min_s = 0.0101,
				      .rtt_max_s = 0.0456,
				      .loss_ratio = 0.05,
				      .jitter_s = 0.0007,
				      .cost = 143,
				      .cost_reason = "measured",
				      .rx_bytes = 123456789012ull,
				      .tx_bytes = 42,
				      .has_handshake = true,
				      .handshake_age_s = 17 };
}

static struct metrics_snapshot snapshot(const struct metrics_link *links, size_t n)
{
	struct metrics_snapshot s = { .version = "1.2.3",
				      .links = links,
				      .n_links = n,
				      .links_up = 1,
				      .links_total = (unsigned)n,
				      .mesh_state = "building",
				      .bird_up = true,
				      .routed_nodes = 3,
				      .has_rss = true,
				      .rss_bytes = 5242880 };

	s.counters.probe_rounds = 77;
	s.counters.reroutes = 4;
	s.counters.joins_accepted = 2;
	s.counters.joins_refused[COUNTERS_JOIN_TOKEN] = 5;
	counters_api_request(&s.counters, 200);
	counters_api_request(&s.counters, 200);
	counters_api_request(&s.counters, 404);
	return s;
}

static char *render(const struct metrics_snapshot *s)
{
	size_t len = 0;
	char *text = metrics_render(s, &len);

	assert_non_null(text);
	assert_int_equal(strlen(text), len);
	return text;
}

static void has_line(const char *text, const char *line)
{
	const char *p = text;
	size_t n = strlen(line);

	while ((p = strstr(p, line))) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return;
		p += n;
	}
	fail_msg("no line \"%s\" in:\n%s", line, text);
}

static void lacks(const char *text, const char *what)
{
	if (strstr(text, what))
		fail_msg("\"%s\" should not be in:\n%s", what, text);
}

static void test_link_figures_are_in_base_units_with_link_labels(void **state)
{
	struct metrics_link l = measured_link();
	struct metrics_snapshot s = snapshot(&l, 1);
	char *text = render(&s);

	(void)state;
	has_line(text, "wgmesh_link_rtt_seconds{link=\"pipe2\",node=\"2\",type=\"default\"} 0.0123");
	has_line(text, "wgmesh_link_rtt_min_seconds{link=\"pipe2\",node=\"2\",type=\"default\"} 0.0101");
	has_line(text, "wgmesh_link_rtt_max_seconds{link=\"pipe2\",node=\"2\",type=\"default\"} 0.0456");
	has_line(text, "wgmesh_link_loss_ratio{link=\"pipe2\",node=\"2\",type=\"default\"} 0.05");
	has_line(text, "wgmesh_link_jitter_seconds{link=\"pipe2\",node=\"2\",type=\"default\"} 0.0007");
	has_line(text, "wgmesh_link_cost{link=\"pipe2\",node=\"2\",type=\"default\"} 143");
	has_line(text, "wgmesh_link_cost_reason{link=\"pipe2\",node=\"2\",type=\"default\",reason=\"measured\"} 1");
	has_line(text, "wgmesh_link_cost_reason{link=\"pipe2\",node=\"2\",type=\"default\",reason=\"dead\"} 0");
	has_line(text, "wgmesh_link_state{link=\"pipe2\",node=\"2\",type=\"default\",state=\"up\"} 1");
	has_line(text, "wgmesh_link_state{link=\"pipe2\",node=\"2\",type=\"default\",state=\"dead\"} 0");
	has_line(text, "wgmesh_link_receive_bytes_total{link=\"pipe2\",node=\"2\",type=\"default\"} 123456789012");
	has_line(text, "wgmesh_link_transmit_bytes_total{link=\"pipe2\",node=\"2\",type=\"default\"} 42");
	has_line(text, "wgmesh_link_last_handshake_age_seconds{link=\"pipe2\",node=\"2\",type=\"default\"} 17");
	has_line(text, "wgmesh_link_info{link=\"pipe2\",node=\"2\",type=\"default\",transport=\"v4\"} 1");
	free(text);
}

static void test_node_figures_and_counters(void **state)
{
	struct metrics_snapshot s = snapshot(NULL, 0);
	char *text = render(&s);

	(void)state;
	has_line(text, "wgmesh_build_info{version=\"1.2.3\"} 1");
	has_line(text, "wgmesh_links 0");
	has_line(text, "wgmesh_links_up 1");
	has_line(text, "wgmesh_mesh_state{state=\"building\"} 1");
	has_line(text, "wgmesh_mesh_state{state=\"done\"} 0");
	has_line(text, "wgmesh_bird_up 1");
	has_line(text, "wgmesh_routed_nodes 3");
	has_line(text, "wgmesh_reroutes_total 4");
	has_line(text, "wgmesh_probe_rounds_total 77");
	has_line(text, "wgmesh_token_joins_accepted_total 2");
	has_line(text, "wgmesh_token_joins_refused_total{reason=\"token\"} 5");
	has_line(text, "wgmesh_token_joins_refused_total{reason=\"conflict\"} 0");
	has_line(text, "wgmesh_api_requests_total{status=\"200\"} 2");
	has_line(text, "wgmesh_api_requests_total{status=\"404\"} 1");
	lacks(text, "status=\"500\"");
	has_line(text, "wgmesh_resident_memory_bytes 5242880");
	has_line(text, "# TYPE wgmesh_reroutes_total counter");
	has_line(text, "# TYPE wgmesh_links gauge");
	free(text);
}

static void test_label_values_are_escaped(void **state)
{
	struct metrics_link l = measured_link();
	struct metrics_snapshot s;
	char *text;

	(void)state;
	l.name = "a\"b\\c\nd";
	s = snapshot(&l, 1);
	s.version = "v\"1\"";
	text = render(&s);
	has_line(text, "wgmesh_link_cost{link=\"a\\\"b\\\\c\\nd\",node=\"2\",type=\"default\"} 143");
	has_line(text, "wgmesh_build_info{version=\"v\\\"1\\\"\"} 1");
	free(text);
}

/* Not probed yet: no RTT, loss, cost or state to show; the bytes and the
 * link's existence are still there. */
static void test_unmeasured_link_leaves_figures_out(void **state)
{
	struct metrics_link l = { .name = "pipe4", .node = 4, .type = "wgobfs", .transport = "v6", .rx_bytes = 9 };
	struct metrics_snapshot s = snapshot(&l, 1);
	char *text;

	(void)state;
	s.has_rss = false;
	text = render(&s);
	lacks(text, "wgmesh_link_rtt_seconds{");
	lacks(text, "wgmesh_link_loss_ratio{");
	lacks(text, "wgmesh_link_cost{");
	lacks(text, "wgmesh_link_cost_reason{");
	lacks(text, "wgmesh_link_last_handshake_age_seconds{");
	lacks(text, "\nwgmesh_resident_memory_bytes ");
	has_line(text, "wgmesh_link_state{link=\"pipe4\",node=\"4\",type=\"wgobfs\",state=\"up\"} 0");
	has_line(text, "wgmesh_link_receive_bytes_total{link=\"pipe4\",node=\"4\",type=\"wgobfs\"} 9");
	has_line(text, "wgmesh_link_info{link=\"pipe4\",node=\"4\",type=\"wgobfs\",transport=\"v6\"} 1");
	/* A link that answered no probe in the window has no min/max. */
	l = measured_link();
	l.rtt_min_s = l.rtt_max_s = 0;
	free(text);
	text = render(&s);
	lacks(text, "wgmesh_link_rtt_min_seconds{");
	has_line(text, "wgmesh_link_rtt_seconds{link=\"pipe2\",node=\"2\",type=\"default\"} 0.0123");
	free(text);
}

static size_t metric_index(const char *name, size_t len)
{
	for (size_t i = 0; metrics_name(i); i++)
		if (strlen(metrics_name(i)) == len && strncmp(metrics_name(i), name, len) == 0)
			return i;
	return (size_t)-1;
}

/* Every line is a comment or NAME[{LABELS}] VALUE; each metric of the table
 * has exactly one HELP and one TYPE, in that order, before its samples. */
static void test_exposition_is_well_formed(void **state)
{
	struct metrics_link links[2] = { measured_link(), measured_link() };
	struct metrics_snapshot s;
	size_t n_metrics = 0, help[64] = { 0 }, type[64] = { 0 };
	char *text, *save = NULL;

	(void)state;
	links[1].name = "pipe2v6";
	links[1].transport = "v6";
	s = snapshot(links, 2);
	text = render(&s);
	while (metrics_name(n_metrics))
		n_metrics++;
	assert_true(n_metrics < 64);
	assert_int_equal(text[strlen(text) - 1], '\n');
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t name_len, i;
		char *value;

		if (strncmp(line, "# HELP ", 7) == 0 || strncmp(line, "# TYPE ", 7) == 0) {
			name_len = strcspn(line + 7, " ");
			i = metric_index(line + 7, name_len);
			assert_true(i < n_metrics);
			if (line[2] == 'H') {
				help[i]++;
			} else {
				assert_int_equal(help[i], 1);
				type[i]++;
				assert_string_equal(line + 8 + name_len, metrics_type(i));
			}
			continue;
		}
		assert_true(line[0] != '#');
		name_len = strcspn(line, "{ ");
		i = metric_index(line, name_len);
		if (i >= n_metrics)
			fail_msg("sample of an unknown metric: %s", line);
		assert_int_equal(type[i], 1);
		if (line[name_len] == '{')
			assert_non_null(strstr(line, "} "));
		value = strrchr(line, ' ') + 1;
		assert_true(strspn(value, "0123456789.e-+") == strlen(value));
	}
	for (size_t i = 0; i < n_metrics; i++) {
		size_t len = strlen(metrics_name(i));
		bool total = len > 6 && strcmp(metrics_name(i) + len - 6, "_total") == 0;
		assert_int_equal(help[i], 1);
		assert_int_equal(type[i], 1);
		assert_int_equal(total, strcmp(metrics_type(i), "counter") == 0);
		assert_int_equal(strncmp(metrics_name(i), "wgmesh_", 7), 0);
	}
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_figures_are_in_base_units_with_link_labels),
		cmocka_unit_test(test_node_figures_and_counters),
		cmocka_unit_test(test_label_values_are_escaped),
		cmocka_unit_test(test_unmeasured_link_leaves_figures_out),
		cmocka_unit_test(test_exposition_is_well_formed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
