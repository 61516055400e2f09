/* The command table's argument shapes: the one parser checks a command line
 * against them, and the table stays in step with its usage strings and with
 * docs/cli.md (one heading per command, showing the table's usage). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/cli/cli.h"
#include "tui/cli/usage_words.h"

#define ARGV_MAX 16

struct parsed {
	char *words[ARGV_MAX];
	char *pos[ARGV_MAX];
	char buf[512];
	struct cli_args args;
	char err[256];
};

/* Parses LINE ("token list --json") as the command line after "wgmesh". */
static int parse(const char *line, struct parsed *p)
{
	int argc = 0;
	const struct cli_command *cmd;

	snprintf(p->buf, sizeof(p->buf), "%s", line);
	for (char *save = NULL, *w = strtok_r(p->buf, " ", &save); w && argc < ARGV_MAX; w = strtok_r(NULL, " ", &save))
		p->words[argc++] = w;
	cmd = cli_find_command(p->words[0]);
	assert_non_null(cmd);
	p->err[0] = '\0';
	return cli_parse_args(cmd, argc, p->words, p->pos, &p->args, p->err, sizeof(p->err));
}

static void test_flags_may_stand_before_or_after_arguments(void **state)
{
	struct parsed p;

	assert_int_equal(parse("proximity 40 --dry-run --json", &p), 0);
	assert_int_equal(p.args.argc, 1);
	assert_string_equal(p.args.argv[0], "40");
	assert_true(cli_flag(&p.args, "--dry-run"));
	assert_true(cli_flag(&p.args, "--json"));
	assert_int_equal(parse("proximity --json 40", &p), 0);
	assert_false(cli_flag(&p.args, "--dry-run"));
	assert_string_equal(p.args.argv[0], "40");
	/* After "--" everything is a word; "-" alone always is (a token from stdin). */
	assert_int_equal(parse("disconnect -- --all", &p), 0);
	assert_false(cli_flag(&p.args, "--all"));
	assert_string_equal(p.args.argv[0], "--all");
	assert_int_equal(parse("connect http://192.0.2.10:8080 -", &p), 0);
	assert_int_equal(p.args.argc, 2);
	assert_string_equal(p.args.argv[1], "-");
	/* An alias sets its flag. */
	assert_int_equal(parse("events -f", &p), 0);
	assert_true(cli_flag(&p.args, "--follow"));
}

static void test_values_are_taken_and_a_missing_one_is_named(void **state)
{
	struct parsed p;

	assert_int_equal(parse("token --ttl 15m --label ops", &p), 0);
	assert_string_equal(p.args.sub->name, "create");
	assert_string_equal(cli_flag_value(&p.args, "--ttl"), "15m");
	assert_string_equal(cli_flag_value(&p.args, "--label"), "ops");
	assert_null(cli_flag_value(&p.args, "--uses"));
	assert_int_equal(parse("init 3 public --ipv4 none --force", &p), 0);
	assert_string_equal(cli_flag_value(&p.args, "--ipv4"), "none");
	assert_true(cli_flag(&p.args, "--force"));
	assert_int_equal(p.args.argc, 2);
	assert_int_equal(parse("token create --uses", &p), -EINVAL);
	assert_string_equal(p.err, "--uses needs a value");
	assert_int_equal(parse("init 3 --ipv4", &p), -EINVAL);
	assert_string_equal(p.err, "--ipv4 needs a value");
}

static void test_unknown_and_refused_flags_are_usage_errors(void **state)
{
	struct parsed p;

	assert_int_equal(parse("status --bogus", &p), -EINVAL);
	assert_string_equal(p.err, "unknown option '--bogus'");
	/* A flag of another command is unknown here. */
	assert_int_equal(parse("links --dry-run", &p), -EINVAL);
	assert_string_equal(p.err, "unknown option '--dry-run'");
	assert_int_equal(parse("metrics --json", &p), -EINVAL);
	assert_string_equal(p.err, "has no --json (the text is Prometheus' exposition format)");
	assert_int_equal(parse("token list --ttl 1h", &p), -EINVAL);
	assert_string_equal(p.err, "unknown option '--ttl'");
}

static void test_argument_counts_use_each_commands_words(void **state)
{
	struct parsed p;

	assert_int_equal(parse("status extra", &p), -EINVAL);
	assert_string_equal(p.err, "takes no arguments");
	assert_int_equal(parse("set metricsListen", &p), -EINVAL);
	assert_string_equal(p.err, "needs a KEY and a VALUE");
	assert_int_equal(parse("set a b c", &p), -EINVAL);
	assert_string_equal(p.err, "needs a KEY and a VALUE");
	assert_int_equal(parse("cost", &p), -EINVAL);
	assert_string_equal(p.err, "needs a link name and an optional cost (1-65535)");
	assert_int_equal(parse("cost pipe2 10", &p), 0);
	assert_int_equal(parse("proximity 40 50", &p), -EINVAL);
	assert_string_equal(p.err, "takes at most one argument, CUTOFF_MS or off");
	assert_int_equal(parse("init", &p), -EINVAL);
	assert_string_equal(p.err, "needs the node's ID");
	assert_int_equal(parse("token now", &p), -EINVAL);
	assert_string_equal(p.err, "unexpected argument 'now'");
	assert_int_equal(parse("connect a b c d e", &p), -EINVAL);
	assert_string_equal(p.err, "too many arguments");
	assert_int_equal(parse("disconnect a b c d e f g h force", &p), 0);
	assert_int_equal(p.args.argc, 9);
}

static void test_subcommands_have_their_own_shapes(void **state)
{
	struct parsed p;

	assert_int_equal(parse("token list --json", &p), 0);
	assert_string_equal(p.args.sub->name, "list");
	assert_true(cli_flag(&p.args, "--json"));
	assert_int_equal(parse("token list extra", &p), -EINVAL);
	assert_string_equal(p.err, "list takes no arguments");
	assert_int_equal(parse("token revoke", &p), -EINVAL);
	assert_string_equal(p.err, "revoke takes one token ID (see `wgmesh token list`)");
	assert_int_equal(parse("token revoke 1a2b3c4d", &p), 0);
	assert_string_equal(p.args.argv[0], "1a2b3c4d");
	assert_int_equal(parse("member revoke 4", &p), 0);
	assert_string_equal(p.args.sub->name, "revoke");
	/* member has no default: the error names every subcommand. */
	assert_int_equal(parse("member", &p), -EINVAL);
	assert_string_equal(p.err, "expected list, revoke, promote or rotate-key");
	assert_int_equal(parse("member promote 2", &p), 0);
	assert_string_equal(p.args.sub->name, "promote");
	assert_int_equal(parse("member promote", &p), -EINVAL);
	assert_string_equal(p.err, "promote takes one node ID");
	assert_int_equal(parse("member frob", &p), -EINVAL);
	assert_int_equal(parse("member rotate-key --grace 30", &p), 0);
	assert_string_equal(cli_flag_value(&p.args, "--grace"), "30");
	assert_int_equal(parse("member rotate-key 30", &p), -EINVAL);
	assert_string_equal(p.err, "rotate-key takes only --grace SECONDS");
	assert_int_equal(parse("member --help", &p), CLI_PARSE_HELP);
	assert_int_equal(parse("member list --help", &p), CLI_PARSE_HELP);
	assert_int_equal(parse("token --help", &p), CLI_PARSE_HELP);
	assert_int_equal(parse("cost -h", &p), CLI_PARSE_HELP);
}

static void test_command_names_are_unique(void **state)
{
	for (const struct cli_command *a = cli_commands; a->name; a++) {
		for (const struct cli_command *b = a + 1; b->name; b++)
			if (strcmp(a->name, b->name) == 0)
				fail_msg("command %s is in the table twice", a->name);
		assert_true(a->subs ? a->fn == NULL : a->fn != NULL);
		for (const struct cli_subcommand *s = a->subs; s && s->name; s++)
			for (const struct cli_subcommand *t = s + 1; t->name; t++)
				if (strcmp(s->name, t->name) == 0)
					fail_msg("%s %s is in the table twice", a->name, s->name);
	}
}

/* Adds the shape's taken flags to LIST (distinct); returns the new count. */
static size_t shape_flags(const struct cli_shape *shape, char (*list)[USAGE_WORD_LEN], size_t n)
{
	for (size_t k = 0; k < CLI_FLAGS_MAX && shape->flags[k].name; k++) {
		bool seen = false;
		if (shape->flags[k].refusal)
			continue;
		for (size_t i = 0; i < n; i++)
			seen = seen || strcmp(list[i], shape->flags[k].name) == 0;
		if (!seen && n < USAGE_WORDS_MAX)
			snprintf(list[n++], USAGE_WORD_LEN, "%s", shape->flags[k].name);
	}
	return n;
}

/* The usage string (what --help and completion show) names exactly the
 * flags the parser takes. */
static void test_usage_names_the_flags_the_shape_takes(void **state)
{
	for (const struct cli_command *c = cli_commands; c->name; c++) {
		char usage[USAGE_WORDS_MAX][USAGE_WORD_LEN], shape[USAGE_WORDS_MAX][USAGE_WORD_LEN];
		size_t nu = usage_flags(c->usage, usage, USAGE_WORDS_MAX), ns = shape_flags(&c->shape, shape, 0);

		for (const struct cli_subcommand *s = c->subs; s && s->name; s++)
			ns = shape_flags(&s->shape, shape, ns);
		for (size_t i = 0; i < nu; i++) {
			bool found = false;
			for (size_t k = 0; k < ns; k++)
				found = found || strcmp(usage[i], shape[k]) == 0;
			if (!found)
				fail_msg("%s: the usage shows %s, the shape does not take it", c->name, usage[i]);
		}
		if (nu != ns)
			fail_msg("%s: the shape takes %zu flags, the usage shows %zu", c->name, ns, nu);
	}
}

/* What docs/cli.md's heading shows for C: "NAME USAGE", the usage's lines
 * joined where they go on with flags, without prose (a parenthesis, or a
 * line that explains). */
static void heading_synopsis(const struct cli_command *c, char *out, size_t outlen)
{
	size_t used = (size_t)snprintf(out, outlen, "%s", c->name);

	for (const char *line = c->usage, *end; *line; line = *end ? end + 1 : end) {
		const char *paren;
		size_t len;

		line += strspn(line, " ");
		end = line + strcspn(line, "\n");
		if (line != c->usage + strspn(c->usage, " ") && *line != '[' && *line != '-')
			break;
		paren = memchr(line, '(', (size_t)(end - line));
		len = (size_t)((paren ? paren : end) - line);
		while (len && line[len - 1] == ' ')
			len--;
		if (len && used < outlen)
			used += (size_t)snprintf(out + used, outlen - used, " %.*s", (int)len, line);
	}
}

static void test_docs_have_one_heading_per_command_with_its_usage(void **state)
{
	const char *src = getenv("WGM_SRC_DIR");
	char path[512], line[1024];
	bool in_commands = false;
	unsigned found[64] = { 0 };
	size_t ncmd = 0;
	FILE *f;

	for (const struct cli_command *c = cli_commands; c->name; c++)
		ncmd++;
	assert_true(ncmd <= 64);
	assert_non_null(src);
	snprintf(path, sizeof(path), "%s/docs/cli.md", src);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "## ", 3) == 0)
			in_commands = strncmp(line, "## Commands", 11) == 0;
		if (!in_commands || strncmp(line, "### ", 4) != 0)
			continue;
		/* Each `span` of the heading that starts with a command's name. */
		for (char *open = strchr(line, '`'), *close; open && (close = strchr(open + 1, '`'));
		     open = strchr(close + 1, '`')) {
			char span[512];
			size_t i = 0;

			snprintf(span, sizeof(span), "%.*s", (int)(close - open - 1), open + 1);
			for (const struct cli_command *c = cli_commands; c->name; c++, i++) {
				size_t n = strlen(c->name);
				char want[512];
				if (strncmp(span, c->name, n) != 0 || (span[n] != '\0' && span[n] != ' '))
					continue;
				heading_synopsis(c, want, sizeof(want));
				if (strcmp(span, want) != 0)
					fail_msg("docs/cli.md heading `%s`: the table's usage is `%s`", span, want);
				found[i]++;
			}
		}
	}
	fclose(f);
	for (size_t i = 0; i < ncmd; i++)
		if (found[i] != 1)
			fail_msg("docs/cli.md has %u headings for `%s`, want one", found[i], cli_commands[i].name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flags_may_stand_before_or_after_arguments),
		cmocka_unit_test(test_values_are_taken_and_a_missing_one_is_named),
		cmocka_unit_test(test_unknown_and_refused_flags_are_usage_errors),
		cmocka_unit_test(test_argument_counts_use_each_commands_words),
		cmocka_unit_test(test_subcommands_have_their_own_shapes),
		cmocka_unit_test(test_command_names_are_unique),
		cmocka_unit_test(test_usage_names_the_flags_the_shape_takes),
		cmocka_unit_test(test_docs_have_one_heading_per_command_with_its_usage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
