/* wgmesh set KEY VALUE | enable OPTION | disable OPTION: change the node's
 * config through the daemon (saved, applied live where it can be).
 * wgmesh migrate: upgrade the config file to the current layout (no daemon). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/config/config.h"
#include "common/ctl/ctlproto.h"
#include "tui/cli/cli.h"

static int report(json_t *reply)
{
	if (json_is_true(json_object_get(reply, "applied")))
		printf("saved and applied\n");
	else
		printf("saved; restart wgmeshd to apply\n");
	json_decref(reply);
	return CLI_OK;
}

static void list(FILE *out, const char *what, enum wgm_config_name_set set)
{
	char names[1024];

	wgm_config_names(set, names, sizeof(names));
	fprintf(out, "%s: %s\n", what, names);
}

void cmd_set_help(FILE *out)
{
	list(out, "keys", WGM_CONFIG_SET_KEYS);
}

void cmd_toggle_help(FILE *out)
{
	list(out, "options", WGM_CONFIG_OPTIONS);
}

int cmd_set(struct cli *cli, const struct cli_args *args)
{
	json_t *req, *reply;

	req = wgm_ctl_request_new(WGM_CTL_CMD_SET);
	if (req) {
		json_object_set_new(req, "key", json_string(args->argv[0]));
		json_object_set_new(req, "value", json_string(args->argv[1]));
	}
	if (cli_call(cli, req, &reply) != CLI_OK)
		return CLI_FAIL;
	return report(reply);
}

static int toggle(struct cli *cli, const struct cli_args *args)
{
	json_t *req = wgm_ctl_request_new(args->cmd->name), *reply;

	if (req)
		json_object_set_new(req, "option", json_string(args->argv[0]));
	if (cli_call(cli, req, &reply) != CLI_OK)
		return CLI_FAIL;
	return report(reply);
}

int cmd_enable(struct cli *cli, const struct cli_args *args)
{
	return toggle(cli, args);
}

int cmd_disable(struct cli *cli, const struct cli_args *args)
{
	return toggle(cli, args);
}

int cmd_migrate(struct cli *cli, const struct cli_args *args)
{
	struct wgm_config cfg;
	json_error_t jerr;
	json_t *json;
	char err[512];
	bool changed = false;
	int rc;

	(void)args;
	json = json_load_file(cli->config_path, JSON_REJECT_DUPLICATES, &jerr);
	if (!json)
		return cli_fail("%s: %s", cli->config_path, jerr.text);
	rc = wgm_config_migrate(json, &changed, err, sizeof(err));
	if (rc == 0)
		rc = wgm_config_from_json(json, &cfg, err, sizeof(err));
	json_decref(json);
	if (rc < 0)
		return cli_fail("%s: %s", cli->config_path, err);
	if (!changed) {
		printf("%s: already current (version %d), nothing changed\n", cli->config_path, WGM_CONFIG_VERSION);
		return CLI_OK;
	}
	if (wgm_config_save(cli->config_path, &cfg, err, sizeof(err)) < 0)
		return cli_fail("%s", err);
	printf("%s: migrated to version %d\n", cli->config_path, WGM_CONFIG_VERSION);
	return CLI_OK;
}
