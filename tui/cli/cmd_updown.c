/* wgmesh up | down: every link's interface up again, or down (kept). */
#include "common/ctl/ctlproto.h"
#include "tui/cli/cli.h"

static int admin(struct cli *cli, const struct cli_args *args)
{
	json_t *reply;
	int rc = cli_call_timeout(cli, wgm_ctl_request_new(args->cmd->name), 60000, &reply);

	if (rc == CLI_OK)
		json_decref(reply);
	return rc;
}

int cmd_up(struct cli *cli, const struct cli_args *args)
{
	return admin(cli, args);
}

int cmd_down(struct cli *cli, const struct cli_args *args)
{
	return admin(cli, args);
}
