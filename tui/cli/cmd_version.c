/* wgmesh version: this program's version, and the daemon's when it answers. */
#include <stdio.h>

#include "common/ctl/ctl_client.h"
#include "common/ctl/ctlproto.h"
#include "tui/cli/cli.h"

/* version must answer quickly even when the daemon hangs. */
#define VERSION_DAEMON_TIMEOUT_MS 2000

int cmd_version(struct cli *cli, const struct cli_args *args)
{
	char path[256], err[512];
	bool json = cli_flag(args, "--json");
	json_t *req = wgm_ctl_request_new(WGM_CTL_CMD_STATUS), *reply = NULL;
	const char *daemon_version = NULL;

	if (cli_socket_path(cli, path, sizeof(path), err, sizeof(err)) == 0 &&
	    wgm_ctl_call(path, req, VERSION_DAEMON_TIMEOUT_MS, &reply, err, sizeof(err)) == 0)
		daemon_version = json_string_value(json_object_get(reply, "version"));
	if (json) {
		json_t *out = json_pack("{s:s,s:s?}", "wgmesh", WGM_VERSION, "wgmeshd", daemon_version);
		json_dumpf(out, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(out);
	} else {
		printf("wgmesh %s\n", WGM_VERSION);
		if (daemon_version)
			printf("wgmeshd %s\n", daemon_version);
		else
			fprintf(stderr, "wgmeshd not reachable: %s\n", err);
	}
	json_decref(reply);
	json_decref(req);
	return CLI_OK;
}
