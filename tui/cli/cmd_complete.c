/* wgmesh __complete WHAT ...: the words bash completion offers
 * (packaging/completion/wgmesh). Commands, their flags and their literal
 * arguments come from the command table's usage strings, so a new command
 * completes with no edit here; link names and token IDs are asked from the
 * daemon, config keys and options from the key table. It never fails loudly:
 * a completion that prints errors into the operator's prompt is worse than
 * none, so every failure prints nothing and exits 0. */
#include <stdio.h>
#include <string.h>

#include "common/config/config.h"
#include "common/ctl/ctl_client.h"
#include "common/ctl/ctlproto.h"
#include "tui/cli/cli.h"
#include "tui/cli/usage_words.h"

/* A TAB must not hang on a stuck daemon. */
#define COMPLETE_DAEMON_TIMEOUT_MS 1000

/* Prints FIELD of every object in the reply's array ARRAY. */
static void print_from_daemon(const struct cli *cli, const char *cmd, const char *array, const char *field)
{
	char path[WGM_CONFIG_SOCKET_PATH_MAX], err[512];
	json_t *req = wgm_ctl_request_new(cmd), *reply = NULL, *item;
	size_t i;

	if (req && cli_socket_path(cli, path, sizeof(path), err, sizeof(err)) == 0 &&
	    wgm_ctl_call(path, req, COMPLETE_DAEMON_TIMEOUT_MS, &reply, err, sizeof(err)) == 0) {
		json_array_foreach (json_object_get(reply, array), i, item) {
			const char *v = json_string_value(json_object_get(item, field));
			if (v)
				puts(v);
		}
	}
	json_decref(reply);
	json_decref(req);
}

static void print_keys(bool options)
{
	struct wgm_config_key_info k;
	char names[1024];

	if (options) {
		/* Options include the link types, which are not keys. */
		wgm_config_names(WGM_CONFIG_OPTIONS, names, sizeof(names));
		for (char *save = NULL, *w = strtok_r(names, ", ", &save); w; w = strtok_r(NULL, ", ", &save))
			puts(w);
		return;
	}
	for (size_t i = 0; wgm_config_key_info(i, &k) == 0; i++)
		if (k.settable)
			puts(k.name);
}

static void print_kind(const struct cli *cli, enum usage_word_kind kind, const char *literal)
{
	switch (kind) {
	case USAGE_LITERAL:
		puts(literal);
		break;
	case USAGE_LINK:
		print_from_daemon(cli, WGM_CTL_CMD_LINKS, "links", "name");
		break;
	case USAGE_TOKEN_ID:
		print_from_daemon(cli, WGM_CTL_CMD_TOKEN_LIST, "tokens", "id");
		break;
	case USAGE_KEY:
		print_keys(false);
		break;
	case USAGE_OPTION:
		print_keys(true);
		break;
	case USAGE_OTHER:
		break;
	}
}

int cmd_complete(struct cli *cli, int argc, char **argv)
{
	const struct cli_command *c;

	if (argc < 2)
		return CLI_OK;
	if (strcmp(argv[1], "commands") == 0) {
		for (c = cli_commands; c->name; c++)
			puts(c->name);
		return CLI_OK;
	}
	if (argc < 3 || !(c = cli_find_command(argv[2])))
		return CLI_OK;
	if (strcmp(argv[1], "flags") == 0) {
		char flags[USAGE_WORDS_MAX][USAGE_WORD_LEN];
		size_t n = usage_flags(c->usage, flags, USAGE_WORDS_MAX);
		for (size_t i = 0; i < n; i++)
			puts(flags[i]);
		puts("--help");
	} else if (strcmp(argv[1], "args") == 0) {
		struct usage_candidate cand[USAGE_WORDS_MAX];
		size_t n = usage_candidates(c->name, c->usage, (const char *const *)argv + 3, (size_t)(argc - 3), cand,
					    USAGE_WORDS_MAX);
		for (size_t i = 0; i < n; i++)
			print_kind(cli, cand[i].kind, cand[i].word);
	}
	return CLI_OK;
}
