/* wgmesh peer URL TOKEN|-: a BGP peering link to a node of another network
 * (docs/routing.md#bgp-peering). The token is taken as `connect` takes it. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "common/ctl/ctlproto.h"
#include "tui/cli/cli.h"

/* One /connectivity and one /connect, each bounded by the daemon's 10 s
 * HTTP timeout, plus starting the interface. */
#define PEER_TIMEOUT_MS 60000

int cmd_peer(struct cli *cli, const struct cli_args *args)
{
	struct cli_connect_args ca;
	json_t *req, *reply;
	int rc = cli_connect_parse(args, &ca);

	if (rc != CLI_CONNECT_GO)
		return rc;
	/* A peering names the other network's node: a token alone does not say
	 * which network the operator means. */
	if (!ca.url || ca.link_type) {
		sodium_memzero(ca.token, sizeof(ca.token));
		return cli_usage_error(args->cmd->name, "%s",
				       ca.url ? "too many arguments (URL TOKEN)"
					      : "needs the URL of the other network's node before the token");
	}
	req = wgm_ctl_request_new(WGM_CTL_CMD_PEER);
	json_object_set_new(req, "url", json_string(ca.url));
	json_object_set_new(req, "token", json_string(ca.token));
	sodium_memzero(ca.token, sizeof(ca.token));
	rc = cli_call_timeout(cli, req, PEER_TIMEOUT_MS, &reply);
	if (rc != CLI_OK)
		return rc;
	cli_connect_print(reply, "peering with another network's node");
	json_decref(reply);
	return CLI_OK;
}
