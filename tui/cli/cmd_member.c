/* wgmesh member list [--json] | wgmesh member revoke ID | wgmesh member rotate-key [--grace SECONDS]
 * The mesh's member identities (docs/api.md "Mesh authority"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static int member_list(struct cli *cli, int argc, char **argv)
{
	bool json = false;
	json_t *reply, *members, *m;
	size_t i;
	int first = cli_parse_flags(argc - 1, argv + 1, &json, NULL, NULL), rc;

	if (first == -1)
		return CLI_OK;
	if (first == -2)
		return CLI_USAGE;
	if (first < argc - 1)
		return cli_usage_error("member", "list takes no arguments");
	rc = cli_call(cli, ctl_request_new(CTL_CMD_MEMBER_LIST), &reply);
	if (rc != CLI_OK)
		return rc;
	members = json_object_get(reply, "members");
	if (json) {
		json_dumpf(members, stdout, JSON_INDENT(2));
		putchar('\n');
	} else {
		printf("%-4s %-16s %-11s %-20s %s\n", "ID", "FINGERPRINT", "ADMITTED_BY", "ADMITTED", "STATE");
		json_array_foreach(members, i, m) {
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

static int member_revoke(struct cli *cli, int argc, char **argv)
{
	json_t *req, *reply;
	char *end;
	long id;
	int rc;

	if (argc != 3)
		return cli_usage_error("member", "revoke takes one node ID");
	id = strtol(argv[2], &end, 10);
	if (!*argv[2] || *end || id < 0 || id > 255)
		return cli_usage_error("member", "revoke %s: not a node ID (0-255)", argv[2]);
	req = ctl_request_new(CTL_CMD_MEMBER_REVOKE);
	json_object_set_new(req, "id", json_integer(id));
	rc = cli_call(cli, req, &reply);
	if (rc != CLI_OK)
		return rc;
	fprintf(stderr, "node %ld revoked: its links go on every node as the revocation arrives\n", id);
	json_decref(reply);
	return CLI_OK;
}

static int member_rotate_key(struct cli *cli, int argc, char **argv)
{
	json_t *req, *reply;
	char *end;
	long grace = -1;
	int rc;

	if (argc == 4 && strcmp(argv[2], "--grace") == 0) {
		grace = strtol(argv[3], &end, 10);
		if (!*argv[3] || *end || grace < 0 || grace > 86400)
			return cli_usage_error("member", "rotate-key --grace %s: not a number of seconds (0-86400)",
					       argv[3]);
	} else if (argc != 2) {
		return cli_usage_error("member", "rotate-key takes only --grace SECONDS");
	}
	req = ctl_request_new(CTL_CMD_MEMBER_ROTATE_KEY);
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
		fprintf(stderr, "mesh key rotated to epoch %lld and handed to %lld members; the previous key is "
			"accepted until %s\n", (long long)json_integer_value(json_object_get(reply, "epoch")),
			(long long)json_integer_value(json_object_get(reply, "handed_to")), when);
	}
	json_decref(reply);
	return CLI_OK;
}

int cmd_member(struct cli *cli, int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		cli_print_command_help(cli_find_command("member"));
		return CLI_OK;
	}
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return member_list(cli, argc, argv);
	if (argc >= 2 && strcmp(argv[1], "revoke") == 0)
		return member_revoke(cli, argc, argv);
	if (argc >= 2 && strcmp(argv[1], "rotate-key") == 0)
		return member_rotate_key(cli, argc, argv);
	return cli_usage_error("member", "expected list, revoke or rotate-key");
}
