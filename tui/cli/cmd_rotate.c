/* wgmesh rotate LINK: one XOR key rotation of LINK now (drain, swap the key
 * on both ends, restore, verify; docs/link-types.md), from its connecting
 * end. Returns when the rotation is over. */
#include <stdio.h>

#include "common/ctl/ctlproto.h"
#include "tui/cli/cli.h"

/* Settling and verifying take up to a minute each, plus retried calls. */
#define ROTATE_TIMEOUT_MS 300000

int cmd_rotate(struct cli *cli, const struct cli_args *args)
{
	const char *link = args->argv[0];
	json_t *req, *reply;
	int rc;

	req = wgm_ctl_request_new(WGM_CTL_CMD_ROTATE);
	if (req)
		json_object_set_new(req, "link", json_string(link));
	rc = cli_call_timeout(cli, req, ROTATE_TIMEOUT_MS, &reply);
	if (rc != CLI_OK)
		return rc;
	printf("%s: key rotated on both ends\n", link);
	json_decref(reply);
	return CLI_OK;
}
