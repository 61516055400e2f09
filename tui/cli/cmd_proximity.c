/* wgmesh proximity [CUTOFF_MS|off] [--dry-run] [--json]: latency to every
 * node's public address outside the tunnels, sorted, with the links to each;
 * with a cutoff, connects to close nodes and cuts links to far ones that are
 * not the last path to a node, and the daemon keeps that decision across
 * restarts until `off` lifts it (docs/cli.md#proximity). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ctl/ctlproto.h"
#include "tui/cli/cli.h"

/* Measuring takes seconds; connecting and disconnecting through the mesh
 * may take the member calls' retries. */
#define PROXIMITY_CLI_TIMEOUT_MS 120000

static void print_links(const json_t *links)
{
	const json_t *l;
	size_t i;
	char text[256] = "";
	size_t used = 0;

	json_array_foreach (links, i, l) {
		int w = snprintf(text + used, sizeof(text) - used, "%s%s (%s)", i ? ", " : "",
				 json_string_value(json_object_get(l, "name")),
				 json_string_value(json_object_get(l, "state")) ?: "?");
		if (w < 0 || (size_t)w >= sizeof(text) - used)
			break;
		used += (size_t)w;
	}
	printf(" %-30s", used ? text : "-");
}

static void print_nodes(const json_t *reply)
{
	const json_t *nodes = json_object_get(reply, "nodes"), *n;
	size_t i;

	printf("%5s %-26s %10s %-30s %-15s %s\n", "NODE", "PUBLIC ADDRESS", "RTT", "LINKS", "ACTION", "NOTE");
	json_array_foreach (nodes, i, n) {
		const json_t *rtt = json_object_get(n, "rtt_ms");
		const char *addr = json_string_value(json_object_get(n, "address"));
		const char *note = json_string_value(json_object_get(n, "note"));
		const char *result = json_string_value(json_object_get(n, "result"));
		char rtt_text[32] = "-";

		if (json_is_number(rtt))
			snprintf(rtt_text, sizeof(rtt_text), "%.2fms", json_number_value(rtt));
		printf("%5lld %-26s %10s", (long long)json_integer_value(json_object_get(n, "node")), addr ? addr : "-",
		       rtt_text);
		print_links(json_object_get(n, "links"));
		printf(" %-15s %s%s%s\n", json_string_value(json_object_get(n, "action")), note ? note : "",
		       note && result ? "; " : "", result ? result : "");
	}
	if (json_is_string(json_object_get(reply, "graph_error")))
		fprintf(stderr, "wgmesh: no links changed: %s\n",
			json_string_value(json_object_get(reply, "graph_error")));
	if (json_is_true(json_object_get(reply, "dry_run")))
		printf("(dry run: nothing changed)\n");
}

/* What mesh buildup follows from now on, kept across restarts. */
static void print_in_force(const json_t *reply)
{
	const json_t *in_force = json_object_get(reply, "in_force");
	const char *state_err = json_string_value(json_object_get(reply, "state_error"));

	if (json_is_object(in_force)) {
		char ids[256];
		cli_format_ids(json_object_get(in_force, "cut"), ", ", "none", ids, sizeof(ids));
		printf("cutoff %g ms in force (after restarts too; `wgmesh proximity off` lifts it), links cut: %s\n",
		       json_number_value(json_object_get(in_force, "cutoff_ms")), ids);
	} else if (json_is_true(json_object_get(reply, "off"))) {
		char ids[256];
		cli_format_ids(json_object_get(reply, "released"), ", ", "none", ids, sizeof(ids));
		printf("no proximity cutoff in force; mesh buildup may link again: %s\n", ids);
	}
	if (state_err)
		fprintf(stderr, "wgmesh: %s\n", state_err);
}

int cmd_proximity(struct cli *cli, const struct cli_args *args)
{
	bool json = cli_flag(args, "--json"), dry_run = cli_flag(args, "--dry-run");
	const char *cutoff_arg = args->argc ? args->argv[0] : NULL;
	bool off = cutoff_arg && strcmp(cutoff_arg, "off") == 0;
	json_t *req, *reply = NULL;
	int rc;

	if (dry_run && off)
		return cli_usage_error(args->cmd->name, "off takes no --dry-run");
	if (dry_run && !cutoff_arg)
		return cli_usage_error(args->cmd->name, "--dry-run needs CUTOFF_MS (without one nothing changes)");
	req = wgm_ctl_request_new(WGM_CTL_CMD_PROXIMITY);
	if (off) {
		json_object_set_new(req, "off", json_true());
	} else if (cutoff_arg) {
		char *end;
		double cutoff = strtod(cutoff_arg, &end);
		if (end == cutoff_arg || *end != '\0' || !(cutoff >= 0 && cutoff <= 60000)) {
			json_decref(req);
			return cli_usage_error(args->cmd->name, "CUTOFF_MS '%s': want milliseconds, 0-60000",
					       cutoff_arg);
		}
		json_object_set_new(req, "cutoff_ms", json_real(cutoff));
		json_object_set_new(req, "dry_run", json_boolean(dry_run));
	}
	rc = cli_call_timeout(cli, req, PROXIMITY_CLI_TIMEOUT_MS, &reply);
	if (rc != CLI_OK)
		return rc;
	if (json) {
		json_object_del(reply, "ok");
		json_dumpf(reply, stdout, JSON_INDENT(2));
		putchar('\n');
	} else {
		if (!off)
			print_nodes(reply);
		print_in_force(reply);
	}
	json_decref(reply);
	return CLI_OK;
}
