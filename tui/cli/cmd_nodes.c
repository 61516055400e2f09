/* wgmesh nodes [--json]: every node of the mesh as BIRD routes it: the
 * route's state (direct, rerouted, indirect...), the node the next hop
 * belongs to, the link it leaves on and the path (docs/cli.md).
 * wgmesh used [--json]: the node IDs in use. */
#include <stdio.h>
#include <string.h>

#include "common/ctl/ctlproto.h"
#include "common/util/err.h"
#include "tui/cli/cli.h"
#include "tui/cli/text_table.h"

static const char *str_or_dash(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s && *s ? s : "-";
}

/* A daemon without route_state: what its "direct" flag can say. */
static const char *state_of(const json_t *n)
{
	const char *st = json_string_value(json_object_get(n, "route_state"));

	if (st)
		return st;
	if (json_is_true(json_object_get(n, "self")))
		return "self";
	return json_is_true(json_object_get(n, "direct")) ? "linked" : "-";
}

static int print_table(const json_t *nodes)
{
	static const char *const heads[] = { "NODE", "LOOPBACK", "STATE", "NEXT HOP", "VIA", "METRIC", "PATH" };
	static const bool right[] = { true, false, false, true, false, true, false };
	struct text_table table;
	const json_t *n;
	size_t i;
	int rc = text_table_init(&table, WGM_ARRAY_LEN(heads), heads, right);

	if (rc < 0)
		return cli_fail("cannot lay out the nodes: %s", strerror(-rc));
	json_array_foreach (nodes, i, n) {
		const json_t *nh = json_object_get(n, "next_hop_id"), *metric = json_object_get(n, "metric");
		char id[16], hop[16], met[16], path[160]; /* ROUTE_PATH_MAX IDs of up to 3 digits */

		snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(json_object_get(n, "id")));
		snprintf(hop, sizeof(hop), json_is_integer(nh) ? "%lld" : "-", (long long)json_integer_value(nh));
		snprintf(met, sizeof(met), json_is_integer(metric) ? "%lld" : "-",
			 (long long)json_integer_value(metric));
		cli_format_ids(json_object_get(n, "path"), ">", "-", path, sizeof(path));
		if ((rc = text_table_add(&table, (const char *const[]){ id, str_or_dash(n, "loopback4"), state_of(n),
									hop, str_or_dash(n, "via"), met, path })) < 0) {
			text_table_free(&table);
			return cli_fail("cannot lay out the nodes: %s", strerror(-rc));
		}
	}
	text_table_print(&table, stdout);
	text_table_free(&table);
	return CLI_OK;
}

int cmd_nodes(struct cli *cli, const struct cli_args *args)
{
	bool json = cli_flag(args, "--json");
	json_t *reply = NULL, *nodes;
	int rc = cli_call(cli, wgm_ctl_request_new(args->cmd->name), &reply);

	if (rc != CLI_OK)
		return rc;
	nodes = json_object_get(reply, "nodes");
	if (json) {
		rc = cli_print_records(reply, "nodes");
		json_decref(reply);
		return rc;
	}
	if (strcmp(str_or_dash(reply, "bird"), "up") != 0)
		fprintf(stderr, "wgmesh: BIRD does not answer; only this node is listed\n");
	rc = print_table(nodes);
	json_decref(reply);
	return rc;
}

int cmd_used(struct cli *cli, const struct cli_args *args)
{
	bool json = cli_flag(args, "--json");
	json_t *reply = NULL, *ids, *id;
	size_t i;
	int rc = cli_call(cli, wgm_ctl_request_new(args->cmd->name), &reply);

	if (rc != CLI_OK)
		return rc;
	ids = json_object_get(reply, "ids");
	if (json) {
		json_dumpf(ids, stdout, 0);
		putchar('\n');
	} else {
		json_array_foreach (ids, i, id)
			printf("%s%lld", i ? " " : "", (long long)json_integer_value(id));
		putchar('\n');
	}
	json_decref(reply);
	return CLI_OK;
}
