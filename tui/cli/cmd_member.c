/* wgmesh member list [--json] | revoke ID | promote ID | rotate-key
 * The mesh's member identities (docs/api.md "Mesh authority"). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "common/ctl/ctlproto.h"
#include "tui/cli/cli.h"

static void print_key_state(const json_t *reply)
{
	const json_t *old_until = json_object_get(reply, "old_mesh_key_until");
	char when[32] = "?";

	printf("mesh key: epoch %lld", (long long)json_integer_value(json_object_get(reply, "mesh_key_epoch")));
	if (json_is_integer(old_until)) {
		time_t t = (time_t)json_integer_value(old_until);
		struct tm tm;
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime_r(&t, &tm));
		printf(" (epoch %lld still accepted until %s)",
		       (long long)json_integer_value(json_object_get(reply, "old_mesh_key_epoch")), when);
	}
	putchar('\n');
}

int cmd_member_list(struct cli *cli, const struct cli_args *args)
{
	bool json = cli_flag(args, "--json");
	json_t *reply, *members, *m;
	size_t i;
	int rc;

	rc = cli_call(cli, wgm_ctl_request_new(WGM_CTL_CMD_MEMBER_LIST), &reply);
	if (rc != CLI_OK)
		return rc;
	members = json_object_get(reply, "members");
	if (json) {
		json_dumpf(members, stdout, JSON_INDENT(2));
		putchar('\n');
	} else {
		printf("%-4s %-16s %-11s %-20s %s\n", "ID", "FINGERPRINT", "ADMITTED_BY", "ADMITTED", "STATE");
		json_array_foreach (members, i, m) {
			const json_t *by = json_object_get(m, "admitted_by"), *at = json_object_get(m, "admitted");
			char when[32] = "-", who[16] = "-";
			const char *state = json_string_value(json_object_get(m, "state"));
			char state_text[64];

			if (json_is_integer(at)) {
				time_t t = (time_t)json_integer_value(at);
				struct tm tm;
				strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime_r(&t, &tm));
			}
			if (json_is_integer(by))
				snprintf(who, sizeof(who), "%lld", (long long)json_integer_value(by));
			snprintf(state_text, sizeof(state_text), "%s%s%s", state ? state : "?",
				 json_is_true(json_object_get(m, "self")) ? " (this node)" : "",
				 json_is_true(json_object_get(m, "admin")) ? " admin" : "");
			printf("%-4lld %-16s %-11s %-20s %s\n", (long long)json_integer_value(json_object_get(m, "id")),
			       json_string_value(json_object_get(m, "fingerprint")), who, when, state_text);
		}
		print_key_state(reply);
	}
	json_decref(reply);
	return CLI_OK;
}

/* VERB ID: CMD {"id": ID} to the daemon. */
static int id_call(struct cli *cli, const struct cli_args *args, const char *verb, const char *cmd, long *id)
{
	const char *arg = args->argv[0];
	json_t *req, *reply;
	char *end;
	int rc;

	*id = strtol(arg, &end, 10);
	if (!*arg || *end || *id < 0 || *id > 255)
		return cli_usage_error("member", "%s %s: not a node ID (0-255)", verb, arg);
	req = wgm_ctl_request_new(cmd);
	json_object_set_new(req, "id", json_integer(*id));
	rc = cli_call(cli, req, &reply);
	if (rc == CLI_OK)
		json_decref(reply);
	return rc;
}

int cmd_member_revoke(struct cli *cli, const struct cli_args *args)
{
	long id;
	int rc = id_call(cli, args, "revoke", WGM_CTL_CMD_MEMBER_REVOKE, &id);

	if (rc == CLI_OK)
		fprintf(stderr, "node %ld revoked: its links go on every node as the revocation arrives\n", id);
	return rc;
}

int cmd_member_promote(struct cli *cli, const struct cli_args *args)
{
	long id;
	int rc = id_call(cli, args, "promote", WGM_CTL_CMD_MEMBER_PROMOTE, &id);

	if (rc == CLI_OK)
		fprintf(stderr,
			"node %ld promoted: it holds the mesh signing key as the grant arrives, and every "
			"node learns it is an admin\n",
			id);
	return rc;
}

int cmd_member_rotate_key(struct cli *cli, const struct cli_args *args)
{
	const char *grace_arg = cli_flag_value(args, "--grace");
	json_t *req, *reply;
	char *end;
	long grace = -1;
	int rc;

	if (grace_arg) {
		grace = strtol(grace_arg, &end, 10);
		if (!*grace_arg || *end || grace < 0 || grace > 86400)
			return cli_usage_error("member", "rotate-key --grace %s: not a number of seconds (0-86400)",
					       grace_arg);
	}
	req = wgm_ctl_request_new(WGM_CTL_CMD_MEMBER_ROTATE_KEY);
	if (grace >= 0)
		json_object_set_new(req, "grace", json_integer(grace));
	rc = cli_call(cli, req, &reply);
	if (rc != CLI_OK)
		return rc;
	{
		time_t t = (time_t)json_integer_value(json_object_get(reply, "grace_until"));
		char when[32] = "?";
		struct tm tm;

		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime_r(&t, &tm));
		fprintf(stderr,
			"mesh key rotated to epoch %lld and handed to %lld members; the previous key is "
			"accepted until %s\n",
			(long long)json_integer_value(json_object_get(reply, "epoch")),
			(long long)json_integer_value(json_object_get(reply, "handed_to")), when);
	}
	json_decref(reply);
	return CLI_OK;
}
