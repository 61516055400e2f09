/* wgmesh token [create] [--ttl DURATION] [--uses N] [--label TEXT]
 * wgmesh token list [--json] | wgmesh token revoke ID
 * `wgmesh token` prints the token alone on stdout, so T=$(wgmesh token) works. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "common/ctl/ctlproto.h"
#include "tui/cli/cli.h"
#include "tui/console/fmt.h"

int cmd_token_create(struct cli *cli, const struct cli_args *args)
{
	const char *ttl_arg = cli_flag_value(args, "--ttl"), *uses_arg = cli_flag_value(args, "--uses");
	const char *label = cli_flag_value(args, "--label");
	json_t *req, *reply;
	int64_t ttl = 3600;
	long long uses = 1;
	int rc;

	if (ttl_arg && (parse_duration(ttl_arg, &ttl) < 0 || ttl > 366LL * 86400))
		return cli_usage_error("token", "--ttl %s: not a duration (90s, 15m, 1h, 7d)", ttl_arg);
	if (uses_arg) {
		char *end;
		uses = strtoll(uses_arg, &end, 10);
		if (*end || uses < 1 || uses > 1000000)
			return cli_usage_error("token", "--uses %s: not a count from 1 to 1000000", uses_arg);
	}
	req = wgm_ctl_request_new(WGM_CTL_CMD_TOKEN_CREATE);
	json_object_set_new(req, "ttl", json_integer(ttl));
	json_object_set_new(req, "uses", json_integer(uses));
	if (label)
		json_object_set_new(req, "label", json_string(label));
	rc = cli_call(cli, req, &reply);
	if (rc != CLI_OK)
		return rc;
	printf("%s\n", json_string_value(json_object_get(reply, "token")));
	fprintf(stderr,
		"token %s: valid for %lld s, %lld use%s; give it to the joining node:\n"
		"  wgmesh connect URL TOKEN\n",
		json_string_value(json_object_get(reply, "id")), (long long)ttl, uses, uses == 1 ? "" : "s");
	json_decref(reply);
	return CLI_OK;
}

int cmd_token_list(struct cli *cli, const struct cli_args *args)
{
	bool json = cli_flag(args, "--json");
	json_t *reply, *tokens, *t;
	size_t i;
	int rc;

	rc = cli_call(cli, wgm_ctl_request_new(WGM_CTL_CMD_TOKEN_LIST), &reply);
	if (rc != CLI_OK)
		return rc;
	tokens = json_object_get(reply, "tokens");
	if (json) {
		json_dumpf(tokens, stdout, JSON_INDENT(2));
		putchar('\n');
	} else {
		printf("%-9s %-8s %-6s %-20s %s\n", "ID", "STATE", "USES", "EXPIRES", "LABEL");
		json_array_foreach (tokens, i, t) {
			time_t exp = (time_t)json_integer_value(json_object_get(t, "expires"));
			char when[32];
			struct tm tm;
			const char *state = json_is_true(json_object_get(t, "revoked"))                ? "revoked"
					    : exp <= time(NULL)                                        ? "expired"
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

int cmd_token_revoke(struct cli *cli, const struct cli_args *args)
{
	json_t *req, *reply;
	int rc;

	req = wgm_ctl_request_new(WGM_CTL_CMD_TOKEN_REVOKE);
	json_object_set_new(req, "id", json_string(args->argv[0]));
	rc = cli_call(cli, req, &reply);
	if (rc != CLI_OK)
		return rc;
	fprintf(stderr, "token %s revoked\n", args->argv[0]);
	json_decref(reply);
	return CLI_OK;
}
