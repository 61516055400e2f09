/* wgmesh metrics: the node's metrics in the Prometheus text format, the
 * same text wgmeshd serves on metricsListen (docs/metrics.md). */
#include <stdio.h>

#include "common/ctl/ctlproto.h"
#include "tui/cli/cli.h"

int cmd_metrics(struct cli *cli, const struct cli_args *args)
{
	json_t *reply;
	const char *text;
	int rc;

	(void)args;
	rc = cli_call(cli, wgm_ctl_request_new(WGM_CTL_CMD_METRICS), &reply);
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
