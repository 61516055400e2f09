/* wgmesh clean [--dry-run] [--json]: removes links dead for cleanAfter
 * seconds whose other end does not answer on the underlay either
 * (docs/cli.md#clean). */
#include <stdio.h>
#include <string.h>

#include "common/ctl/ctlproto.h"
#include "tui/cli/cli.h"

/* A removal waits for the other end's answer (it gets none) before this
 * end goes: DISCONNECT_RETRY_FOR_MS of tries. */
#define CLEAN_CLI_TIMEOUT_MS 60000

int cmd_clean(struct cli *cli, const struct cli_args *args)
{
	bool json = cli_flag(args, "--json"), dry_run = cli_flag(args, "--dry-run");
	json_t *req, *reply = NULL, *links, *l;
	size_t i;
	int rc;

	req = wgm_ctl_request_new(WGM_CTL_CMD_CLEAN);
	json_object_set_new(req, "dry_run", json_boolean(dry_run));
	rc = cli_call_timeout(cli, req, CLEAN_CLI_TIMEOUT_MS, &reply);
	if (rc != CLI_OK)
		return rc;
	links = json_object_get(reply, "links");
	if (json) {
		json_object_del(reply, "ok");
		json_dumpf(reply, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(reply);
		return CLI_OK;
	}
	if (json_array_size(links) == 0)
		printf("no link has been dead for %llds\n",
		       (long long)json_integer_value(json_object_get(reply, "clean_after")));
	json_array_foreach (links, i, l) {
		const char *addr = json_string_value(json_object_get(l, "address"));
		const char *note = json_string_value(json_object_get(l, "note"));
		const char *result = json_string_value(json_object_get(l, "result"));
		const char *action = json_string_value(json_object_get(l, "action"));
		bool remove = action && strcmp(action, "remove") == 0;
		const char *verdict = !remove   ? (addr ? "kept: its endpoint answers" : "kept")
				      : dry_run ? "would remove"
				      : result  ? result
						: "removed";

		printf("%-14s node %-3lld %-26s %s", json_string_value(json_object_get(l, "link")),
		       (long long)json_integer_value(json_object_get(l, "node")), addr ? addr : "-", verdict);
		if (note)
			printf(" (endpoint: %s)", note);
		putchar('\n');
	}
	json_decref(reply);
	return CLI_OK;
}
