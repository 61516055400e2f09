#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "common/ctl/ctlproto.h"
#include "tui/cli/cli.h"

/* Runs the built wgmesh with args; returns its exit status, stderr in err. */
static int run_wgmesh(const char *args, char *err, size_t errlen)
{
	const char *build = getenv("WGM_BUILD_DIR");
	char cmd[1024];
	FILE *p;
	size_t n;
	int status;

	assert_non_null(build);
	snprintf(cmd, sizeof(cmd), "%s/wgmesh %s 2>&1 >/dev/null", build, args);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(err, 1, errlen - 1, p);
	err[n] = '\0';
	status = pclose(p);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void test_status_without_daemon_fails_with_one_clear_line(void **state)
{
	char err[1024];

	assert_int_equal(run_wgmesh("--socket /nonexistent/wgm.sock status", err, sizeof(err)), 1);
	assert_string_equal(err, "wgmesh: cannot connect to /nonexistent/wgm.sock: No such file or directory "
				 "(is wgmeshd running?)\n");
}

static void test_missing_explicit_config_fails(void **state)
{
	char err[1024];

	assert_int_equal(run_wgmesh("--config /nonexistent/config.json status", err, sizeof(err)), 1);
	assert_non_null(strstr(err, "/nonexistent/config.json"));
}

static void test_usage_errors_exit_2(void **state)
{
	/* Room for the whole usage text: a reader that stops early kills the
	 * writer with SIGPIPE. */
	char err[16384];

	assert_int_equal(run_wgmesh("frobnicate", err, sizeof(err)), 2);
	assert_non_null(strstr(err, "unknown command 'frobnicate'"));
	assert_int_equal(run_wgmesh("status --bogus", err, sizeof(err)), 2);
	assert_non_null(strstr(err, "unknown option '--bogus'"));
	assert_int_equal(run_wgmesh("status extra", err, sizeof(err)), 2);
	assert_int_equal(run_wgmesh("--socket", err, sizeof(err)), 2);
	assert_int_equal(run_wgmesh("", err, sizeof(err)), 2);
}

static void test_help_lists_every_command_and_exits_0(void **state)
{
	const char *build = getenv("WGM_BUILD_DIR");
	char cmd[512], out[8192];
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof(cmd), "%s/wgmesh --help", build);
	p = popen(cmd, "r");
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	assert_int_equal(pclose(p), 0);
	for (const struct cli_command *c = cli_commands; c->name; c++) {
		char row[64];
		snprintf(row, sizeof(row), "\n  %s ", c->name);
		assert_non_null(strstr(out, row));
	}
}

static void test_durations_read_naturally(void **state)
{
	char buf[32];

	cli_format_duration(42, buf, sizeof(buf));
	assert_string_equal(buf, "42s");
	cli_format_duration(3 * 60 + 5, buf, sizeof(buf));
	assert_string_equal(buf, "3m 5s");
	cli_format_duration(2 * 3600 + 7 * 60 + 9, buf, sizeof(buf));
	assert_string_equal(buf, "2h 7m");
	cli_format_duration(3 * 86400 + 4 * 3600, buf, sizeof(buf));
	assert_string_equal(buf, "3d 4h");
}

static void test_events_format_as_one_line(void **state)
{
	char line[512];
	json_t *ev = wgm_ctl_event_log("warning", "link pipe2 lost 30% of probes");
	json_t *cost = json_pack("{s:s,s:f,s:s,s:i,s:i}", "event", "cost", "ts", 0.0, "name", "pipe2", "old", 10, "new",
				 200);

	cli_format_event(ev, line, sizeof(line));
	assert_string_equal(line + 8, " log warning: link pipe2 lost 30% of probes");
	cli_format_event(cost, line, sizeof(line));
	assert_string_equal(line, "--:--:-- cost {\"name\":\"pipe2\",\"new\":200,\"old\":10}");
	json_decref(ev);
	json_decref(cost);
}

/* A reroute reads as a sentence naming the new next-hop node and the old
 * link; a route that goes or comes back direct says so. Lines are whole. */
static void test_route_event_line(void **state)
{
	json_t *ev = json_pack("{s:s,s:f,s:i,s:s,s:s,s:i,s:i,s:[iii],s:s}", "event", "route", "ts", 0.0, "node", 2,
			       "old_via", "pipe2", "new_via", "pipe4", "old_next_hop_id", 2, "new_next_hop_id", 4,
			       "path", 0, 4, 2, "state", "rerouted");
	json_t *back = json_pack("{s:s,s:i,s:s,s:s,s:i,s:i,s:s}", "event", "route", "node", 2, "old_via", "pipe4",
				 "new_via", "pipe2", "old_next_hop_id", 4, "new_next_hop_id", 2, "state", "direct");
	json_t *gone = json_pack("{s:s,s:i,s:s,s:n,s:i,s:n,s:s}", "event", "route", "node", 6, "old_via", "pipe6",
				 "new_via", "old_next_hop_id", 6, "new_next_hop_id", "state", "unreachable");
	json_t *big = json_pack("{s:s,s:s}", "event", "log", "msg", "");
	char *line, *msg = malloc(10000);

	line = cli_event_line(ev);
	assert_string_equal(line, "--:--:-- route: node 2 now via node 4 (pipe4), was pipe2 [rerouted]");
	free(line);
	line = cli_event_line(back);
	assert_string_equal(line, "--:--:-- route: node 2 now direct (pipe2), was pipe4 [direct]");
	free(line);
	line = cli_event_line(gone);
	assert_string_equal(line, "--:--:-- route: node 6 unreachable, was pipe6 [unreachable]");
	free(line);
	memset(msg, 'x', 9999);
	msg[9999] = '\0';
	json_object_set_new(big, "msg", json_string(msg));
	line = cli_event_line(big);
	assert_int_equal(strlen(line), strlen("--:--:-- log ?: ") + 9999);
	free(line);
	free(msg);
	json_decref(ev);
	json_decref(back);
	json_decref(gone);
	json_decref(big);
}

/* `wgmesh events` tells a token's use in words: its id (never a secret),
 * the joiner, what is left. */
static void test_token_used_event_line(void **state)
{
	json_t *ev = json_pack("{s:s,s:f,s:s,s:s,s:i,s:s,s:i,s:b}", "event", "token_used", "ts", 0.0, "token_id",
			       "1a2b3c4d", "label", "", "remote_id", 5, "name", "pipe5", "uses_left", 2, "used_up", 0);
	char *line = cli_event_line(ev);

	assert_string_equal(line, "--:--:-- token_used: token 1a2b3c4d used by node 5 over pipe5; 2 uses left");
	free(line);
	json_object_set_new(ev, "uses_left", json_integer(0));
	json_object_set_new(ev, "label", json_string("ops"));
	line = cli_event_line(ev);
	assert_string_equal(line, "--:--:-- token_used: token 1a2b3c4d (ops) used by node 5 over pipe5; used up");
	free(line);
	json_decref(ev);
}

/* The token need not be in argv: "-" reads it from stdin, WGMESH_TOKEN
 * stands in when it is left out. */
static void test_connect_token_from_stdin_or_env(void **state)
{
	static const char tok[] = "wgm1-AAAAtoken";
	struct cli_connect_args ca;
	char err[256], line[] = "  wgm1-FROMstdin \r\n";
	FILE *in = fmemopen(line, strlen(line), "r");

	const char *a1[] = { "http://192.0.2.10:8080", "-", "wgobfs", "51900" };
	assert_int_equal(cli_connect_resolve(4, a1, NULL, in, &ca, err, sizeof(err)), 0);
	fclose(in);
	assert_string_equal(ca.url, "http://192.0.2.10:8080");
	assert_string_equal(ca.token, "wgm1-FROMstdin");
	assert_string_equal(ca.link_type, "wgobfs");
	assert_string_equal(ca.port, "51900");

	const char *a2[] = { "http://192.0.2.10:8080" };
	assert_int_equal(cli_connect_resolve(1, a2, tok, NULL, &ca, err, sizeof(err)), 0);
	assert_string_equal(ca.token, tok);
	assert_null(ca.link_type);
	const char *a3[] = { "http://192.0.2.10:8080", "ipt_xor" };
	assert_int_equal(cli_connect_resolve(2, a3, tok, NULL, &ca, err, sizeof(err)), 0);
	assert_string_equal(ca.token, tok);
	assert_string_equal(ca.link_type, "ipt_xor");
	/* A token in argv wins over the environment; one alone carries its URL. */
	const char *a4[] = { "wgm1-ARGV" };
	assert_int_equal(cli_connect_resolve(1, a4, tok, NULL, &ca, err, sizeof(err)), 0);
	assert_null(ca.url);
	assert_string_equal(ca.token, "wgm1-ARGV");
	assert_int_equal(cli_connect_resolve(0, NULL, tok, NULL, &ca, err, sizeof(err)), 0);
	assert_string_equal(ca.token, tok);

	assert_int_equal(cli_connect_resolve(1, a2, NULL, NULL, &ca, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "WGMESH_TOKEN"));
	char empty[] = "";
	in = fmemopen(empty, 1, "r");
	const char *a5[] = { "http://192.0.2.10:8080", "-" };
	assert_int_equal(cli_connect_resolve(2, a5, NULL, in, &ca, err, sizeof(err)), -EINVAL);
	fclose(in);
	char junk[] = "hello\n";
	in = fmemopen(junk, strlen(junk), "r");
	assert_int_equal(cli_connect_resolve(2, a5, NULL, in, &ca, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "token: does not start with wgm1-");
	fclose(in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_without_daemon_fails_with_one_clear_line),
		cmocka_unit_test(test_missing_explicit_config_fails),
		cmocka_unit_test(test_usage_errors_exit_2),
		cmocka_unit_test(test_help_lists_every_command_and_exits_0),
		cmocka_unit_test(test_durations_read_naturally),
		cmocka_unit_test(test_events_format_as_one_line),
		cmocka_unit_test(test_route_event_line),
		cmocka_unit_test(test_token_used_event_line),
		cmocka_unit_test(test_connect_token_from_stdin_or_env),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
