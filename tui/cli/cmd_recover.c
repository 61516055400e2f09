/* wgmesh recover: regenerate BIRD's config and apply it now, with BIRD's
 * verdict (a config BIRD refuses is not applied; the reason is printed). */
#include <stdio.h>

#include "common/ctl/ctlproto.h"
#include "tui/cli/cli.h"

int cmd_recover(struct cli *cli, const struct cli_args *args)
{
	json_t *reply;
	int rc;

	(void)args;
	/* Check and configure each wait up to 10 s in the daemon. */
	rc = cli_call_timeout(cli, wgm_ctl_request_new(WGM_CTL_CMD_RECOVER), 35000, &reply);
	if (rc != CLI_OK)
		return rc;
	printf("BIRD config regenerated and applied\n");
	json_decref(reply);
	return CLI_OK;
}
