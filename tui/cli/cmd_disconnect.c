/* wgmesh disconnect LINK... [force] | --all [force]: take links down on both
 * ends; every link only with --all. force removes this end even when the
 * other node does not answer. */
#include <stdio.h>
#include <string.h>

#include "common/ctl/ctlproto.h"
#include "tui/cli/cli.h"

#define DISCONNECT_TIMEOUT_MS 30000

int cmd_disconnect(struct cli *cli, const struct cli_args *args)
{
	bool all = cli_flag(args, "--all"), force = false;
	json_t *req, *names, *reply, *v;
	size_t i;
	int rc;

	names = json_array();
	if (!names)
		return cli_fail("out of memory");
	for (unsigned k = 0; k < args->argc; k++) {
		if (strcmp(args->argv[k], "force") == 0)
			force = true;
		else
			json_array_append_new(names, json_string(args->argv[k]));
	}
	if (all == (json_array_size(names) > 0)) {
		json_decref(names);
		/* One line: a refusal here protects every link of the node. */
		fprintf(stderr, "wgmesh disconnect: %s\n",
			all ? "--all takes no link names" : "name a link, or use --all to remove every link");
		return CLI_USAGE;
	}
	req = wgm_ctl_request_new(WGM_CTL_CMD_DISCONNECT);
	if (req) {
		json_object_set_new(req, "links", names);
		json_object_set_new(req, "all", json_boolean(all));
		json_object_set_new(req, "force", json_boolean(force));
	} else {
		json_decref(names);
	}
	rc = cli_call_timeout(cli, req, DISCONNECT_TIMEOUT_MS, &reply);
	if (rc != CLI_OK)
		return rc;
	json_array_foreach (json_object_get(reply, "removed"), i, v)
		printf("removed %s\n", json_string_value(v));
	json_decref(reply);
	return CLI_OK;
}
