/* wgmesh console (and wgmesh alone on a terminal): the interactive console. */
#include <stdio.h>
#include <string.h>

#include "tui/cli/cli.h"
#include "tui/console/console.h"

int cmd_console(struct cli *cli, int argc, char **argv)
{
	char path[256], err[256];

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		cli_print_command_help(cli_find_command("console"));
		return CLI_OK;
	}
	if (argc > 1)
		return cli_usage_error("console", "takes no arguments");
	if (cli_socket_path(cli, path, sizeof(path), err, sizeof(err)) < 0)
		return cli_fail("%s", err);
	return console_run(path) == 0 ? CLI_OK : CLI_FAIL;
}
