/* wgmesh cost LINK [COST] | drain LINK | undrain LINK: the operator's say
 * over a link's OSPF cost, kept in the link's record across restarts. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ctl/ctlproto.h"
#include "tui/cli/cli.h"

static void print_result(const json_t *reply)
{
	const json_t *link = json_object_get(reply, "link");
	const json_t *override = json_object_get(link, "override");
	const char *reason = json_string_value(json_object_get(link, "cost_reason"));

	printf("%s: cost %lld%s%s%s%s%s\n", json_string_value(json_object_get(link, "name")),
	       (long long)json_integer_value(json_object_get(link, "cost_wanted")),
	       json_is_integer(override) ? " (override)" : "",
	       json_is_true(json_object_get(link, "drained")) ? " (drained)" : "", reason && *reason ? " [" : "",
	       reason ? reason : "", reason && *reason ? "]" : "");
}

/* 1-65535 -> 0; anything else -> -EINVAL. */
static int parse_cost(const char *text, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || end == text || *end || v < 1 || v > 65535)
		return -EINVAL;
	*out = v;
	return 0;
}

static int call_link_command(struct cli *cli, json_t *req)
{
	json_t *reply;
	int rc = cli_call(cli, req, &reply);

	if (rc != CLI_OK)
		return rc;
	print_result(reply);
	json_decref(reply);
	return CLI_OK;
}

int cmd_cost(struct cli *cli, const struct cli_args *args)
{
	bool given = args->argc == 2;
	json_t *req;
	long cost;

	if (given && parse_cost(args->argv[1], &cost) < 0)
		return cli_usage_error(args->cmd->name, "%s: not a cost (1-65535)", args->argv[1]);
	req = wgm_ctl_request_new(WGM_CTL_CMD_COST);
	json_object_set_new(req, "name", json_string(args->argv[0]));
	json_object_set_new(req, "cost", given ? json_integer(cost) : json_null());
	return call_link_command(cli, req);
}

static int drain_command(struct cli *cli, const struct cli_args *args)
{
	json_t *req = wgm_ctl_request_new(args->cmd->name);

	json_object_set_new(req, "name", json_string(args->argv[0]));
	return call_link_command(cli, req);
}

int cmd_drain(struct cli *cli, const struct cli_args *args)
{
	return drain_command(cli, args);
}

int cmd_undrain(struct cli *cli, const struct cli_args *args)
{
	return drain_command(cli, args);
}
