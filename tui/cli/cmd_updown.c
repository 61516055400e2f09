/* wgmesh up | down: every link's interface up again, or down (kept). */
#include <string.h>

#include "common/ctl/ctlproto.h"
#include "tui/cli/cli.h"

static int admin(struct cli *cli, int argc, char **argv)
{
	int first = cli_parse_flags(argc, argv, NULL, NULL, NULL);
	json_t *reply;
	int rc;

	if (first == -1)
		return CLI_OK;
	if (first == -2)
		return CLI_USAGE;
	if (first < argc)
		return cli_usage_error(argv[0], "takes no arguments");
	rc = cli_call_timeout(cli, ctl_request_new(argv[0]), 60000, &reply);
	if (rc == CLI_OK)
		json_decref(reply);
	return rc;
}

int cmd_up(struct cli *cli, int argc, char **argv)
{
	return admin(cli, argc, argv);
}

int cmd_down(struct cli *cli, int argc, char **argv)
{
	return admin(cli, argc, argv);
}
