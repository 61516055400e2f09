/* wgmesh metrics: the node's metrics in the Prometheus text format, the
 * same text wgmeshd serves on metricsListen (docs/metrics.md). */
#include <stdio.h>

#include "common/ctl/ctlproto.h"
#include "tui/cli/cli.h"

int cmd_metrics(struct cli *cli, int argc, char **argv)
{
	bool json = false;
	json_t *reply;
	const char *text;
	int first = cli_parse_flags(argc, argv, &json, NULL, NULL), rc;

	if (first == -1)
		return CLI_OK;
	if (first == -2)
		return CLI_USAGE;
	if (json)
		return cli_usage_error(argv[0], "has no --json (the text is Prometheus' exposition format)");
	if (first < argc)
		return cli_usage_error(argv[0], "takes no arguments");
	rc = cli_call(cli, ctl_request_new(CTL_CMD_METRICS), &reply);
	if (rc != CLI_OK)
		return rc;
	text = json_string_value(json_object_get(reply, "text"));
	if (!text) {
		json_decref(reply);
		return cli_fail("the daemon's metrics reply has no text");
	}
	fputs(text, stdout);
	json_decref(reply);
	return CLI_OK;
}
