/* wgmesh disconnect [LINK...] [force]: take links down on both ends (all
 * links when none is named). force removes this end even when the other
 * node does not answer. */
#include <stdio.h>
#include <string.h>

#include "common/ctl/ctlproto.h"
#include "tui/cli/cli.h"

#define DISCONNECT_TIMEOUT_MS 30000

int cmd_disconnect(struct cli *cli, int argc, char **argv)
{
	int first = cli_parse_flags(argc, argv, NULL, NULL, NULL), rc;
	json_t *req, *names, *reply, *v;
	bool force = false;
	size_t i;

	if (first == -1)
		return CLI_OK;
	if (first == -2)
		return CLI_USAGE;
	req = ctl_request_new(CTL_CMD_DISCONNECT);
	names = json_array();
	for (int k = first; k < argc; k++) {
		if (strcmp(argv[k], "force") == 0)
			force = true;
		else
			json_array_append_new(names, json_string(argv[k]));
	}
	json_object_set_new(req, "links", names);
	json_object_set_new(req, "force", json_boolean(force));
	rc = cli_call_timeout(cli, req, DISCONNECT_TIMEOUT_MS, &reply);
	if (rc != CLI_OK)
		return rc;
	json_array_foreach(json_object_get(reply, "removed"), i, v)
		printf("removed %s\n", json_string_value(v));
	json_decref(reply);
	return CLI_OK;
}
