/* wgmesh nodes [--json]: every node of the mesh as BIRD routes it.
 * wgmesh used [--json]: the node IDs in use. */
#include <stdio.h>
#include <string.h>

#include "common/ctl/ctlproto.h"
#include "tui/cli/cli.h"

static const char *str_or_dash(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s && *s ? s : "-";
}

static void print_route(const json_t *route)
{
	char metric[16];

	if (!json_is_object(route)) {
		printf(" %-26s %-10s %7s", "-", "-", "-");
		return;
	}
	snprintf(metric, sizeof(metric), "%lld", (long long)json_integer_value(json_object_get(route, "metric")));
	printf(" %-26s %-10s %7s", str_or_dash(route, "nexthop"), str_or_dash(route, "via"), metric);
}

static int query(struct cli *cli, int argc, char **argv, json_t **reply, bool *json)
{
	int first = cli_parse_flags(argc, argv, json, NULL, NULL);

	if (first == -1)
		return -1;
	if (first == -2)
		return CLI_USAGE;
	if (first < argc)
		return cli_usage_error(argv[0], "takes no arguments");
	return cli_call(cli, ctl_request_new(argv[0]), reply);
}

int cmd_nodes(struct cli *cli, int argc, char **argv)
{
	bool json = false;
	json_t *reply = NULL, *nodes, *n;
	size_t i;
	int rc = query(cli, argc, argv, &reply, &json);

	if (rc != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	nodes = json_object_get(reply, "nodes");
	if (json) {
		json_dumpf(nodes, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(reply);
		return CLI_OK;
	}
	if (strcmp(str_or_dash(reply, "bird"), "up") != 0)
		fprintf(stderr, "wgmesh: BIRD does not answer; only this node is listed\n");
	printf("%5s %-12s %-6s %-26s %-10s %7s %-26s %-10s %7s\n", "NODE", "LOOPBACK", "DIRECT", "IPV4 NEXT HOP",
	       "VIA", "METRIC", "IPV6 NEXT HOP", "VIA", "METRIC");
	json_array_foreach(nodes, i, n) {
		bool self = json_is_true(json_object_get(n, "self"));

		printf("%5lld %-12s %-6s", (long long)json_integer_value(json_object_get(n, "id")),
		       str_or_dash(n, "loopback4"),
		       self ? "self" : json_is_true(json_object_get(n, "direct")) ? "yes" : "no");
		print_route(json_object_get(n, "ipv4"));
		print_route(json_object_get(n, "ipv6"));
		putchar('\n');
	}
	json_decref(reply);
	return CLI_OK;
}

int cmd_used(struct cli *cli, int argc, char **argv)
{
	bool json = false;
	json_t *reply = NULL, *ids, *id;
	size_t i;
	int rc = query(cli, argc, argv, &reply, &json);

	if (rc != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	ids = json_object_get(reply, "ids");
	if (json) {
		json_dumpf(ids, stdout, 0);
		putchar('\n');
	} else {
		json_array_foreach(ids, i, id)
			printf("%s%lld", i ? " " : "", (long long)json_integer_value(id));
		putchar('\n');
	}
	json_decref(reply);
	return CLI_OK;
}
