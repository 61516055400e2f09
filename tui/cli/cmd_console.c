/* wgmesh console (and wgmesh alone on a terminal): the interactive console. */
#include <stdio.h>

#include "tui/cli/cli.h"
#include "tui/console/console.h"

int cmd_console(struct cli *cli, const struct cli_args *args)
{
	char path[256], err[256];

	(void)args;
	if (cli_socket_path(cli, path, sizeof(path), err, sizeof(err)) < 0)
		return cli_fail("%s", err);
	return console_run(path) == 0 ? CLI_OK : CLI_FAIL;
}
