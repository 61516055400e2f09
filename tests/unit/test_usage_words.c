/* What shell completion reads from a command's usage string: the flags, and
 * the words that may come next after what was typed. The real usage strings
 * of the command table are used where they show a case. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tui/cli/cli.h"
#include "tui/cli/usage_words.h"

static const char *usage_of(const char *cmd)
{
	const struct cli_command *c = cli_find_command(cmd);
	assert_non_null(c);
	return c->usage;
}

/* "list,revoke,<link>" for the candidates. */
static void describe(const struct usage_candidate *c, size_t n, char *out, size_t len)
{
	static const char *const names[] = { "", "<link>", "<token>", "<key>", "<option>", "<other>" };
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		used += (size_t)snprintf(out + used, len - used, "%s%s", i ? "," : "",
					 c[i].kind == USAGE_LITERAL ? c[i].word : names[c[i].kind]);
}

static void expect(const char *cmd, const char *const *typed, size_t n, const char *want)
{
	struct usage_candidate c[USAGE_WORDS_MAX];
	char got[512];
	size_t k = usage_candidates(cmd, usage_of(cmd), typed, n, c, USAGE_WORDS_MAX);

	describe(c, k, got, sizeof(got));
	assert_string_equal(got, want);
}

static void test_token_alternatives(void **state)
{
	const char *revoke[] = { "revoke" }, *list[] = { "list" }, *create[] = { "create" };
	(void)state;
	expect("token", NULL, 0, "create,list,revoke");
	expect("token", revoke, 1, "<token>");
	expect("token", list, 1, "");
	/* "1h" of "[--ttl 1h]" is a flag's value, not a position. */
	expect("token", create, 1, "");
}

static void test_links_keys_options(void **state)
{
	const char *one[] = { "pipe2" }, *two[] = { "pipe2", "pipe5" }, *key[] = { "basePort" };
	(void)state;
	expect("cost", NULL, 0, "<link>");
	expect("cost", one, 1, "");
	expect("drain", NULL, 0, "<link>");
	/* "[LINK...] [force]": more links, or force. */
	expect("disconnect", NULL, 0, "<link>,force");
	expect("disconnect", two, 2, "<link>,force");
	expect("set", NULL, 0, "<key>");
	expect("set", key, 1, "");
	expect("enable", NULL, 0, "<option>");
	expect("disable", NULL, 0, "<option>");
	/* init's ID is a number nobody can guess; "public" follows it. */
	expect("init", NULL, 0, "");
	expect("init", one, 1, "public");
	/* Continuation lines of connect's usage are prose, not arguments. */
	expect("connect", NULL, 0, "");
	expect("links", NULL, 0, "");
}

static void test_flags(void **state)
{
	char flags[USAGE_WORDS_MAX][USAGE_WORD_LEN];
	size_t n;
	(void)state;

	n = usage_flags(usage_of("token"), flags, USAGE_WORDS_MAX);
	assert_int_equal(n, 4);
	assert_string_equal(flags[0], "--ttl");
	assert_string_equal(flags[1], "--uses");
	assert_string_equal(flags[2], "--label");
	assert_string_equal(flags[3], "--json");
	n = usage_flags(usage_of("events"), flags, USAGE_WORDS_MAX);
	assert_int_equal(n, 2);
	assert_string_equal(flags[0], "--follow");
	assert_string_equal(flags[1], "--json");
	/* init's flags go on over three lines. */
	n = usage_flags(usage_of("init"), flags, USAGE_WORDS_MAX);
	assert_true(n >= 11);
	assert_string_equal(flags[0], "--ipv4");
	assert_string_equal(flags[n - 1], "--force");
	/* "TOKEN|-" has no flag; a lone "-" is not one. */
	assert_int_equal(usage_flags("URL TOKEN|- [LINKTYPE]", flags, USAGE_WORDS_MAX), 0);
	assert_int_equal(usage_flags("", flags, USAGE_WORDS_MAX), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_token_alternatives),
		cmocka_unit_test(test_links_keys_options),
		cmocka_unit_test(test_flags),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
