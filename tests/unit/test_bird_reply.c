/* BIRD reply parser on replies captured from a real BIRD 2.0.12
 * (tests/data/bird/replies/: the welcome followed by one reply). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bird/reply.h"

struct capture {
	char data[16384];
	size_t len;
};

static void load(struct capture *c, const char *name)
{
	char path[512];
	const char *dir = getenv("WGM_TEST_DATA");
	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/bird/replies/%s", dir, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	c->len = fread(c->data, 1, sizeof(c->data), f);
	fclose(f);
	assert_true(c->len > 0 && c->len < sizeof(c->data));
}

struct expect {
	const char *file;
	int code;
	size_t n_lines;
	const char *message;
};

static const struct expect captures[] = {
	{ "show-route-a.txt", 0, 18, "" },
	{ "show-route-b.txt", 0, 18, "" },
	{ "show-route-master6.txt", 0, 7, "" },
	{ "show-route-not-found.txt", 8001, 1, "Network not found" },
	{ "show-ospf-neighbors-ospf4.txt", 0, 4, "" },
	{ "show-ospf-neighbors-ospf6.txt", 0, 4, "" },
	{ "show-ospf-neighbors-all.txt", 0, 8, "" },
	{ "show-protocols.txt", 0, 11, "" },
	{ "configure-check-ok.txt", 20, 2, "Configuration OK" },
	{ "configure-check-bad.txt", 8002, 2, "/tmp/bcap/bad.conf:105:9 syntax error, unexpected CF_SYM_UNDEFINED" },
	{ "configure-check-missing.txt", 8002, 2, "/tmp/bcap/missing.conf: No such file or directory" },
	{ "configure-ok.txt", 3, 2, "Reconfigured" },
	{ "parse-error.txt", 9001, 1, "syntax error, unexpected CF_SYM_UNDEFINED" },
};

static void check_welcome_and_reply(struct bird_reply_parser *p, const struct expect *e)
{
	struct bird_reply *welcome = bird_reply_parser_next(p);
	struct bird_reply *reply = bird_reply_parser_next(p);
	assert_non_null(welcome);
	assert_int_equal(welcome->code, 1);
	assert_string_equal(bird_reply_message(welcome), "BIRD 2.0.12 ready.");
	assert_non_null(reply);
	assert_int_equal(reply->code, e->code);
	assert_int_equal(reply->n_lines, e->n_lines);
	assert_int_equal(reply->error, e->code >= 8000);
	assert_string_equal(bird_reply_message(reply), e->message);
	assert_null(bird_reply_parser_next(p));
	assert_false(bird_reply_parser_busy(p));
	bird_reply_free(welcome);
	bird_reply_free(reply);
}

/* A read can end anywhere: every split point of every capture gives the
 * same two replies. */
static void test_captures_parse_at_every_split(void **state)
{
	static struct capture c;
	for (size_t i = 0; i < sizeof(captures) / sizeof(captures[0]); i++) {
		load(&c, captures[i].file);
		for (size_t cut = 0; cut <= c.len; cut++) {
			struct bird_reply_parser p;
			bird_reply_parser_init(&p);
			assert_int_equal(bird_reply_parser_feed(&p, c.data, cut), 0);
			assert_int_equal(bird_reply_parser_feed(&p, c.data + cut, c.len - cut), 0);
			check_welcome_and_reply(&p, &captures[i]);
			bird_reply_parser_free(&p);
		}
	}
}

static void test_captures_parse_byte_by_byte(void **state)
{
	static struct capture c;
	for (size_t i = 0; i < sizeof(captures) / sizeof(captures[0]); i++) {
		struct bird_reply_parser p;
		load(&c, captures[i].file);
		bird_reply_parser_init(&p);
		for (size_t k = 0; k < c.len; k++)
			assert_int_equal(bird_reply_parser_feed(&p, c.data + k, 1), 0);
		check_welcome_and_reply(&p, &captures[i]);
		bird_reply_parser_free(&p);
	}
}

static void test_continuation_lines_carry_previous_code(void **state)
{
	static struct capture c;
	struct bird_reply_parser p;
	load(&c, "show-protocols.txt");
	bird_reply_parser_init(&p);
	assert_int_equal(bird_reply_parser_feed(&p, c.data, c.len), 0);
	bird_reply_free(bird_reply_parser_next(&p));
	struct bird_reply *r = bird_reply_parser_next(&p);
	assert_non_null(r);
	assert_int_equal(r->lines[0].code, 2002);
	assert_int_equal(r->lines[1].code, 1002);
	assert_int_equal(strncmp(r->lines[1].text, "device1 ", 8), 0);
	assert_int_equal(r->lines[2].code, 1002);
	assert_int_equal(strncmp(r->lines[2].text, "mesh_direct ", 12), 0);
	assert_int_equal(r->lines[10].code, 0);
	bird_reply_free(r);
	bird_reply_parser_free(&p);
}

static void test_error_codes_map_to_errors(void **state)
{
	struct bird_reply_parser p;
	bird_reply_parser_init(&p);
	assert_int_equal(
		bird_reply_parser_feed(&p, "0003 Reconfigured\n8001 Network not found\n9001 syntax error\n", 59), 0);
	struct bird_reply *ok = bird_reply_parser_next(&p);
	struct bird_reply *runtime = bird_reply_parser_next(&p);
	struct bird_reply *parse = bird_reply_parser_next(&p);
	assert_int_equal(bird_reply_status(ok), 0);
	assert_int_equal(bird_reply_status(runtime), -EIO);
	assert_int_equal(bird_reply_status(parse), -EINVAL);
	bird_reply_free(ok);
	bird_reply_free(runtime);
	bird_reply_free(parse);
	bird_reply_parser_free(&p);
}

static void test_async_notice_belongs_to_no_reply(void **state)
{
	struct bird_reply_parser p;
	const char in[] = "0002-Reading configuration from /x\n+0019 something happened\n0003 Reconfigured\n";
	bird_reply_parser_init(&p);
	assert_int_equal(bird_reply_parser_feed(&p, in, sizeof(in) - 1), 0);
	struct bird_reply *r = bird_reply_parser_next(&p);
	assert_non_null(r);
	assert_int_equal(r->n_lines, 2);
	assert_string_equal(bird_reply_message(r), "Reconfigured");
	bird_reply_free(r);
	bird_reply_parser_free(&p);
}

static void test_line_without_code_is_refused(void **state)
{
	struct bird_reply_parser p;
	bird_reply_parser_init(&p);
	assert_int_equal(bird_reply_parser_feed(&p, "HTTP/1.1 200 OK\n", 16), -EPROTO);
	bird_reply_parser_free(&p);
}

static void test_continuation_before_any_line_is_refused(void **state)
{
	struct bird_reply_parser p;
	bird_reply_parser_init(&p);
	assert_int_equal(bird_reply_parser_feed(&p, " orphan\n", 8), -EPROTO);
	bird_reply_parser_free(&p);
}

static void test_code_without_separator_is_refused(void **state)
{
	struct bird_reply_parser p;
	bird_reply_parser_init(&p);
	assert_int_equal(bird_reply_parser_feed(&p, "0001\n", 5), -EPROTO);
	bird_reply_parser_free(&p);
}

static void test_nul_inside_line_is_refused(void **state)
{
	struct bird_reply_parser p;
	bird_reply_parser_init(&p);
	assert_int_equal(bird_reply_parser_feed(&p, "0000 a\0b\n", 9), -EPROTO);
	bird_reply_parser_free(&p);
}

static void test_overlong_line_is_refused_and_failure_sticks(void **state)
{
	static char big[BIRD_REPLY_MAX_LINE + 10];
	struct bird_reply_parser p;
	memset(big, 'x', sizeof(big));
	memcpy(big, "1007-", 5);
	bird_reply_parser_init(&p);
	assert_int_equal(bird_reply_parser_feed(&p, big, sizeof(big)), -EMSGSIZE);
	assert_int_equal(bird_reply_parser_feed(&p, "0000 \n", 6), -EMSGSIZE);
	assert_null(bird_reply_parser_next(&p));
	bird_reply_parser_free(&p);
}

static void test_partial_reply_is_busy_and_released_without_leak(void **state)
{
	struct bird_reply_parser p;
	bird_reply_parser_init(&p);
	assert_int_equal(bird_reply_parser_feed(&p, "1007-Table master4:\n 10.0.0.0/16  unreach", 41), 0);
	assert_true(bird_reply_parser_busy(&p));
	assert_null(bird_reply_parser_next(&p));
	bird_reply_parser_free(&p);
	assert_false(bird_reply_parser_busy(&p));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_captures_parse_at_every_split),
		cmocka_unit_test(test_captures_parse_byte_by_byte),
		cmocka_unit_test(test_continuation_lines_carry_previous_code),
		cmocka_unit_test(test_error_codes_map_to_errors),
		cmocka_unit_test(test_async_notice_belongs_to_no_reply),
		cmocka_unit_test(test_line_without_code_is_refused),
		cmocka_unit_test(test_continuation_before_any_line_is_refused),
		cmocka_unit_test(test_code_without_separator_is_refused),
		cmocka_unit_test(test_nul_inside_line_is_refused),
		cmocka_unit_test(test_overlong_line_is_refused_and_failure_sticks),
		cmocka_unit_test(test_partial_reply_is_busy_and_released_without_leak),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
