/* wgmesh events [--follow] [--json]: the daemon's recent events, and with
 * --follow every new one until interrupted or the daemon stops. Human lines
 * by default, without the once-a-second metrics; --json writes every event
 * whole, one JSON object per line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ctl/ctl_client.h"
#include "common/ctl/ctlproto.h"
#include "tui/cli/cli.h"

static void print_event(const json_t *event, bool json)
{
	const char *kind = wgm_ctl_event_kind(event);
	char *line;

	if (json) {
		json_dumpf(event, stdout, JSON_COMPACT | WGM_CTL_JSON_REAL);
		putchar('\n');
	} else if (!kind || strcmp(kind, WGM_CTL_EVENT_METRICS) != 0) {
		line = cli_event_line(event);
		puts(line ? line : "(out of memory)");
		free(line);
	}
	fflush(stdout);
}

static int follow(const struct cli *cli, bool json)
{
	char path[256], err[512];
	struct wgm_ctl_client *c = NULL;
	json_t *req = wgm_ctl_request_new(WGM_CTL_CMD_SUBSCRIBE), *msg = NULL;
	int rc;

	json_object_set_new(req, "replay", json_true());
	rc = cli_socket_path(cli, path, sizeof(path), err, sizeof(err));
	if (rc == 0)
		rc = wgm_ctl_client_connect(path, &c, err, sizeof(err));
	if (rc == 0)
		rc = wgm_ctl_client_call(c, req, CLI_DAEMON_TIMEOUT_MS, &msg, err, sizeof(err));
	json_decref(req);
	json_decref(msg);
	while (rc == 0) {
		rc = wgm_ctl_client_read(c, -1, &msg, err, sizeof(err));
		if (rc == 0) {
			if (wgm_ctl_event_kind(msg))
				print_event(msg, json);
			json_decref(msg);
		}
	}
	wgm_ctl_client_free(c);
	if (rc == -ECONNRESET)
		return cli_fail("the daemon stopped (connection closed)");
	return cli_fail("%s", err);
}

int cmd_events(struct cli *cli, const struct cli_args *args)
{
	bool json = cli_flag(args, "--json");
	json_t *reply, *events, *ev;
	size_t i;
	int rc;

	if (cli_flag(args, "--follow"))
		return follow(cli, json);
	rc = cli_call(cli, wgm_ctl_request_new(WGM_CTL_CMD_EVENTS), &reply);
	if (rc != CLI_OK)
		return rc;
	events = json_object_get(reply, "events");
	if (!json_is_array(events)) {
		json_decref(reply);
		return cli_fail("the daemon's reply to events has no \"events\" list");
	}
	json_array_foreach (events, i, ev)
		print_event(ev, json);
	json_decref(reply);
	return CLI_OK;
}
