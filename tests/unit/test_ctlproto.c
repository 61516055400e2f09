#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/ctl/ctlproto.h"

static void test_line_split_across_feeds_is_reassembled(void **state)
{
	struct wgm_ctl_line_reader r;
	const char *line;
	size_t len;

	wgm_ctl_line_reader_init(&r);
	assert_int_equal(wgm_ctl_line_reader_feed(&r, "{\"cmd\":\"sta", 11), 0);
	assert_int_equal(wgm_ctl_line_reader_next(&r, &line, &len), 0);
	assert_int_equal(wgm_ctl_line_reader_feed(&r, "tus\"}\n{\"cmd\":\"x\"}\n{\"c", 21), 0);
	assert_int_equal(wgm_ctl_line_reader_next(&r, &line, &len), 1);
	assert_string_equal(line, "{\"cmd\":\"status\"}");
	assert_int_equal(len, 16);
	assert_int_equal(wgm_ctl_line_reader_next(&r, &line, &len), 1);
	assert_string_equal(line, "{\"cmd\":\"x\"}");
	assert_int_equal(wgm_ctl_line_reader_next(&r, &line, &len), 0);
	wgm_ctl_line_reader_free(&r);
}

static void test_line_over_one_mebibyte_is_refused(void **state)
{
	struct wgm_ctl_line_reader r;
	size_t chunk = 64 * 1024;
	char *junk = malloc(chunk);
	int rc = 0;

	memset(junk, 'a', chunk);
	wgm_ctl_line_reader_init(&r);
	for (size_t fed = 0; fed <= WGM_CTL_LINE_MAX && rc == 0; fed += chunk)
		rc = wgm_ctl_line_reader_feed(&r, junk, chunk);
	assert_int_equal(rc, -EMSGSIZE);
	wgm_ctl_line_reader_free(&r);
	free(junk);
}

static void test_line_of_exactly_the_limit_is_accepted(void **state)
{
	struct wgm_ctl_line_reader r;
	char *big = malloc(WGM_CTL_LINE_MAX + 1);
	const char *line;
	size_t len;

	memset(big, 'b', WGM_CTL_LINE_MAX);
	big[WGM_CTL_LINE_MAX] = '\n';
	wgm_ctl_line_reader_init(&r);
	assert_int_equal(wgm_ctl_line_reader_feed(&r, big, WGM_CTL_LINE_MAX + 1), 0);
	assert_int_equal(wgm_ctl_line_reader_next(&r, &line, &len), 1);
	assert_int_equal(len, WGM_CTL_LINE_MAX);
	wgm_ctl_line_reader_free(&r);
	free(big);
}

static void test_invalid_json_and_non_objects_are_rejected(void **state)
{
	char err[256];
	json_t *msg = NULL;

	assert_int_equal(wgm_ctl_message_parse("{\"cmd\":", 7, &msg, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "invalid JSON"));
	assert_int_equal(wgm_ctl_message_parse("[1,2]", 5, &msg, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "message is not a JSON object");
	assert_null(msg);
}

static void test_request_without_cmd_is_invalid(void **state)
{
	char err[256];
	const char *cmd;
	json_t *req = json_pack("{s:i}", "cmd", 3);

	assert_int_equal(wgm_ctl_request_validate(req, &cmd, err, sizeof(err)), -EINVAL);
	json_decref(req);
	req = wgm_ctl_request_new("status");
	assert_int_equal(wgm_ctl_request_validate(req, &cmd, err, sizeof(err)), 0);
	assert_string_equal(cmd, "status");
	json_decref(req);
}

static void test_dumped_message_is_one_line(void **state)
{
	json_t *ev = wgm_ctl_event_log("info", "two\nlines");
	size_t len;
	char *line = wgm_ctl_message_dump(ev, &len);

	assert_non_null(line);
	assert_int_equal(line[len - 1], '\n');
	assert_ptr_equal(strchr(line, '\n'), line + len - 1);
	assert_string_equal(wgm_ctl_event_kind(ev), "log");
	free(line);
	json_decref(ev);
}

static void test_error_reply_carries_the_message(void **state)
{
	char err[256];
	json_t *reply = wgm_ctl_reply_error("link %s: no such link", "pipe9");

	assert_int_equal(wgm_ctl_reply_check(reply, err, sizeof(err)), -EREMOTEIO);
	assert_string_equal(err, "link pipe9: no such link");
	json_decref(reply);
	reply = json_pack("{s:s}", "ok", "yes");
	assert_int_equal(wgm_ctl_reply_check(reply, err, sizeof(err)), -EPROTO);
	json_decref(reply);
}

static void test_status_round_trips(void **state)
{
	struct wgm_ctl_status in = {
		.id = 4, .loopback4 = "10.0.4.1", .loopback6 = "fd10:0:4::1", .version = "0.1.0",
		.uptime = 12, .bird = "unknown", .links_up = 1, .links_total = 2, .nodes = 3, .mesh = "off",
	}, out;
	char err[256];
	json_t *reply = wgm_ctl_reply_ok();

	assert_int_equal(wgm_ctl_status_fill(reply, &in), 0);
	assert_int_equal(wgm_ctl_status_parse(reply, &out, err, sizeof(err)), 0);
	assert_int_equal(out.id, 4);
	assert_string_equal(out.loopback6, "fd10:0:4::1");
	assert_string_equal(out.bird, "unknown");
	assert_int_equal(out.links_total, 2);
	json_object_set_new(reply, "links_up", json_string("1"));
	assert_int_equal(wgm_ctl_status_parse(reply, &out, err, sizeof(err)), -EPROTO);
	assert_string_equal(err, "status: \"links_up\" is not a non-negative integer");
	json_decref(reply);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_split_across_feeds_is_reassembled),
		cmocka_unit_test(test_line_over_one_mebibyte_is_refused),
		cmocka_unit_test(test_line_of_exactly_the_limit_is_accepted),
		cmocka_unit_test(test_invalid_json_and_non_objects_are_rejected),
		cmocka_unit_test(test_request_without_cmd_is_invalid),
		cmocka_unit_test(test_dumped_message_is_one_line),
		cmocka_unit_test(test_error_reply_carries_the_message),
		cmocka_unit_test(test_status_round_trips),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
