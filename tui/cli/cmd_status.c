/* wgmesh status: the node and the daemon at a glance. */
#include <stdio.h>

#include "common/ctl/ctlproto.h"
#include "tui/cli/cli.h"

int cmd_status(struct cli *cli, const struct cli_args *args)
{
	bool json = cli_flag(args, "--json");
	json_t *reply;
	struct wgm_ctl_status st;
	char err[256], up[32];
	int rc;

	rc = cli_call(cli, wgm_ctl_request_new(WGM_CTL_CMD_STATUS), &reply);
	if (rc != CLI_OK)
		return rc;
	if (wgm_ctl_status_parse(reply, &st, err, sizeof(err)) < 0) {
		json_decref(reply);
		return cli_fail("the daemon's %s", err);
	}
	if (json) {
		json_object_del(reply, "ok");
		json_dumpf(reply, stdout, JSON_INDENT(2));
		putchar('\n');
	} else {
		cli_format_duration(st.uptime, up, sizeof(up));
		if (st.id >= 0)
			printf("node      %lld\n", st.id);
		else
			printf("node      not initialised\n");
		printf("loopback  %s  %s\n", *st.loopback4 ? st.loopback4 : "-", *st.loopback6 ? st.loopback6 : "-");
		printf("daemon    wgmeshd %s, up %s\n", st.version, up);
		printf("bird      %s\n", st.bird);
		printf("links     %lld up of %lld\n", st.links_up, st.links_total);
		printf("nodes     %lld\n", st.nodes);
		printf("mesh      %s\n", st.mesh);
		/* Only while one is in force: the rows above are the stable ones. */
		if (st.proximity)
			printf("proximity %g ms cutoff\n", st.proximity_cutoff_ms);
	}
	json_decref(reply);
	return CLI_OK;
}
