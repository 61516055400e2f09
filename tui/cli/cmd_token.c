/* wgmesh token [create] [--ttl DURATION] [--uses N] [--label TEXT]
 * wgmesh token list [--json] | wgmesh token revoke ID
 * `wgmesh token` prints the token alone on stdout, so T=$(wgmesh token) works. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/ctl/ctlproto.h"
#include "tui/cli/cli.h"
#include "tui/console/fmt.h"

static int token_create(struct cli *cli, int argc, char **argv)
{
	json_t *req = ctl_request_new(CTL_CMD_TOKEN_CREATE), *reply;
	int64_t ttl = 3600;
	long long uses = 1;
	const char *label = NULL;
	int rc;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "create") == 0 && i == 1)
			continue;
		if ((strcmp(a, "--ttl") == 0 || strcmp(a, "--uses") == 0 || strcmp(a, "--label") == 0) && i + 1 >= argc) {
			json_decref(req);
			return cli_usage_error("token", "%s needs a value", a);
		}
		if (strcmp(a, "--ttl") == 0) {
			if (parse_duration(argv[++i], &ttl) < 0 || ttl > 366LL * 86400) {
				json_decref(req);
				return cli_usage_error("token", "--ttl %s: not a duration (90s, 15m, 1h, 7d)", argv[i]);
			}
		} else if (strcmp(a, "--uses") == 0) {
			char *end;
			uses = strtoll(argv[++i], &end, 10);
			if (*end || uses < 1 || uses > 1000000) {
				json_decref(req);
				return cli_usage_error("token", "--uses %s: not a count from 1 to 1000000", argv[i]);
			}
		} else if (strcmp(a, "--label") == 0) {
			label = argv[++i];
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			json_decref(req);
			cli_print_command_help(cli_find_command("token"));
			return CLI_OK;
		} else {
			json_decref(req);
			return cli_usage_error("token", "unexpected argument '%s'", a);
		}
	}
	json_object_set_new(req, "ttl", json_integer(ttl));
	json_object_set_new(req, "uses", json_integer(uses));
	if (label)
		json_object_set_new(req, "label", json_string(label));
	rc = cli_call(cli, req, &reply);
	if (rc != CLI_OK)
		return rc;
	printf("%s\n", json_string_value(json_object_get(reply, "token")));
	fprintf(stderr, "token %s: valid for %lld s, %lld use%s; give it to the joining node:\n"
			"  wgmesh connect URL TOKEN\n",
		json_string_value(json_object_get(reply, "id")), (long long)ttl, uses, uses == 1 ? "" : "s");
	json_decref(reply);
	return CLI_OK;
}

static int token_list(struct cli *cli, int argc, char **argv)
{
	bool json = false;
	json_t *reply, *tokens, *t;
	size_t i;
	int first = cli_parse_flags(argc - 1, argv + 1, &json, NULL, NULL), rc;

	if (first == -1)
		return CLI_OK;
	if (first == -2)
		return CLI_USAGE;
	if (first < argc - 1)
		return cli_usage_error("token", "list takes no arguments");
	rc = cli_call(cli, ctl_request_new(CTL_CMD_TOKEN_LIST), &reply);
	if (rc != CLI_OK)
		return rc;
	tokens = json_object_get(reply, "tokens");
	if (json) {
		json_dumpf(tokens, stdout, JSON_INDENT(2));
		putchar('\n');
	} else {
		printf("%-9s %-8s %-6s %-20s %s\n", "ID", "STATE", "USES", "EXPIRES", "LABEL");
		json_array_foreach(tokens, i, t) {
			time_t exp = (time_t)json_integer_value(json_object_get(t, "expires"));
			char when[32];
			struct tm tm;
			const char *state = json_is_true(json_object_get(t, "revoked")) ? "revoked"
					    : exp <= time(NULL)                           ? "expired"
					    : json_integer_value(json_object_get(t, "uses_left")) == 0 ? "used"
												       : "valid";
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime_r(&exp, &tm));
			printf("%-9s %-8s %-6lld %-20s %s\n", json_string_value(json_object_get(t, "id")), state,
			       (long long)json_integer_value(json_object_get(t, "uses_left")), when,
			       json_string_value(json_object_get(t, "label")) ?: "");
		}
	}
	json_decref(reply);
	return CLI_OK;
}

static int token_revoke(struct cli *cli, int argc, char **argv)
{
	json_t *req, *reply;
	int rc;

	if (argc != 3)
		return cli_usage_error("token", "revoke takes one token ID (see `wgmesh token list`)");
	req = ctl_request_new(CTL_CMD_TOKEN_REVOKE);
	json_object_set_new(req, "id", json_string(argv[2]));
	rc = cli_call(cli, req, &reply);
	if (rc != CLI_OK)
		return rc;
	fprintf(stderr, "token %s revoked\n", argv[2]);
	json_decref(reply);
	return CLI_OK;
}

int cmd_token(struct cli *cli, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return token_list(cli, argc, argv);
	if (argc >= 2 && strcmp(argv[1], "revoke") == 0)
		return token_revoke(cli, argc, argv);
	return token_create(cli, argc, argv);
}
