/* wgmesh rotate LINK: one XOR key rotation of LINK now (drain, swap the key
 * on both ends, restore, verify; docs/link-types.md), from its connecting
 * end. Returns when the rotation is over. */
#include <stdio.h>

#include "common/ctl/ctlproto.h"
#include "tui/cli/cli.h"

/* Settling and verifying take up to a minute each, plus retried calls. */
#define ROTATE_TIMEOUT_MS 300000

int cmd_rotate(struct cli *cli, int argc, char **argv)
{
	int first = cli_parse_flags(argc, argv, NULL, NULL, NULL), rc;
	json_t *req, *reply;

	if (first == -1)
		return CLI_OK;
	if (first == -2)
		return CLI_USAGE;
	if (argc - first != 1)
		return cli_usage_error(argv[0], "needs one LINK (see `wgmesh links`)");
	req = ctl_request_new(CTL_CMD_ROTATE);
	if (req)
		json_object_set_new(req, "link", json_string(argv[first]));
	rc = cli_call_timeout(cli, req, ROTATE_TIMEOUT_MS, &reply);
	if (rc != CLI_OK)
		return rc;
	printf("%s: key rotated on both ends\n", argv[first]);
	json_decref(reply);
	return CLI_OK;
}
