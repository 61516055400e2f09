/* wgmesh connect URL [TOKEN] [LINKTYPE] [PORT]: join the node at URL (or the
 * one a token names) and build the first link(s) to it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ctl/ctlproto.h"
#include "common/api/token.h"
#include "tui/cli/cli.h"

/* A join takes a /connectivity and a /connect per transport, each bounded by
 * the daemon's 10 s HTTP timeout, plus starting the interfaces. */
#define CONNECT_TIMEOUT_MS 60000

int cmd_connect(struct cli *cli, int argc, char **argv)
{
	const char *args[4] = { 0 };
	int n = 0, first = cli_parse_flags(argc, argv, NULL, NULL, NULL), rc;
	json_t *req, *reply, *names, *v;
	size_t i;

	if (first == -1)
		return CLI_OK;
	if (first == -2)
		return CLI_USAGE;
	for (int k = first; k < argc; k++) {
		if (n == 4)
			return cli_usage_error(argv[0], "too many arguments");
		args[n++] = argv[k];
	}
	if (n == 0)
		return cli_usage_error(argv[0], "needs the URL of a node and a token");
	req = ctl_request_new(CTL_CMD_CONNECT);
	/* A token that carries its node's URL may stand alone. */
	if (strncmp(args[0], WGM_TOKEN_PREFIX, strlen(WGM_TOKEN_PREFIX)) == 0) {
		json_object_set_new(req, "token", json_string(args[0]));
		memmove(args, args + 1, sizeof(args) - sizeof(args[0]));
		args[3] = NULL;
	} else if (n < 2) {
		json_decref(req);
		return cli_usage_error(argv[0], "needs a token after the URL (`wgmesh token` on that node)");
	} else {
		json_object_set_new(req, "url", json_string(args[0]));
		json_object_set_new(req, "token", json_string(args[1]));
		memmove(args, args + 2, 2 * sizeof(args[0]));
		args[2] = args[3] = NULL;
	}
	if (args[0])
		json_object_set_new(req, "link_type", json_string(args[0]));
	if (args[1]) {
		char *end;
		long port = strtol(args[1], &end, 10);
		if (*end || port < 1 || port > 65535) {
			json_decref(req);
			return cli_usage_error(argv[0], "port %s: not a port (1-65535)", args[1]);
		}
		json_object_set_new(req, "port", json_integer(port));
	}
	rc = cli_call_timeout(cli, req, CONNECT_TIMEOUT_MS, &reply);
	if (rc != CLI_OK)
		return rc;
	names = json_object_get(reply, "links");
	printf("connected to node %lld:", (long long)json_integer_value(json_object_get(reply, "remote_id")));
	json_array_foreach(names, i, v)
		printf(" %s", json_string_value(v));
	printf("\n");
	json_decref(reply);
	return CLI_OK;
}
