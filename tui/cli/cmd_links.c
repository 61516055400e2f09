/* wgmesh links [--json]: every link of this node. */
#include <stdio.h>
#include <string.h>

#include "common/ctl/ctlproto.h"
#include "tui/cli/cli.h"

static void print_number(const json_t *v, int decimals, const char *unit)
{
	char buf[32];

	if (json_is_number(v))
		snprintf(buf, sizeof(buf), "%.*f", decimals, json_number_value(v));
	else
		snprintf(buf, sizeof(buf), "-");
	printf(" %8s%s", buf, json_is_number(v) ? unit : " ");
}

int cmd_links(struct cli *cli, int argc, char **argv)
{
	bool json = false;
	json_t *reply, *links, *l;
	size_t i;
	int first = cli_parse_flags(argc, argv, &json, NULL, NULL), rc;

	if (first == -1)
		return CLI_OK;
	if (first == -2)
		return CLI_USAGE;
	if (first < argc)
		return cli_usage_error(argv[0], "takes no arguments");
	rc = cli_call(cli, ctl_request_new(CTL_CMD_LINKS), &reply);
	if (rc != CLI_OK)
		return rc;
	links = json_object_get(reply, "links");
	if (json) {
		json_dumpf(links, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(reply);
		return CLI_OK;
	}
	if (json_array_size(links) == 0) {
		printf("no links (connect with `wgmesh connect URL TOKEN`)\n");
		json_decref(reply);
		return CLI_OK;
	}
	printf("%-12s %5s %-4s %-9s %-6s %-9s %-15s %-24s %9s %9s %9s %7s\n", "LINK", "NODE", "TP", "TYPE", "ROLE",
	       "STATE", "LOCAL", "ENDPOINT", "RTT", "LOSS", "JITTER", "COST");
	json_array_foreach(links, i, l) {
		const json_t *cost = json_object_get(l, "cost");
		const char *endpoint = json_string_value(json_object_get(l, "endpoint"));
		char cost_text[24];
		/* A peering link (BGP to another network) has no OSPF cost. */
		bool peer = json_is_true(json_object_get(l, "peer"));

		printf("%-12s %5lld %-4s %-9s %-6s %-9s %-15s %-24s", json_string_value(json_object_get(l, "name")),
		       (long long)json_integer_value(json_object_get(l, "remote_id")),
		       json_string_value(json_object_get(l, "transport")),
		       json_string_value(json_object_get(l, "link_type")),
		       peer ? "peer" : json_string_value(json_object_get(l, "role")),
		       json_string_value(json_object_get(l, "state")), json_string_value(json_object_get(l, "local_addr")),
		       endpoint && *endpoint ? endpoint : "-");
		print_number(json_object_get(l, "rtt_ms"), 2, "ms");
		print_number(json_object_get(l, "loss_pct"), 1, "%");
		print_number(json_object_get(l, "jitter_ms"), 2, "ms");
		if (peer)
			snprintf(cost_text, sizeof(cost_text), "BGP");
		else if (json_is_integer(cost))
			snprintf(cost_text, sizeof(cost_text), "%lld%s%s", (long long)json_integer_value(cost),
				 json_is_integer(json_object_get(l, "override")) ? "*" : "",
				 json_is_true(json_object_get(l, "drained")) ? "D" : "");
		else
			snprintf(cost_text, sizeof(cost_text), "-");
		printf(" %7s\n", cost_text);
	}
	json_decref(reply);
	return CLI_OK;
}
