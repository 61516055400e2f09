#include "tui/cli/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/config/config.h"
#include "common/ctl/ctl_client.h"
#include "common/ctl/ctlproto.h"

int cmd_version(struct cli *cli, const struct cli_args *args);
int cmd_status(struct cli *cli, const struct cli_args *args);
int cmd_events(struct cli *cli, const struct cli_args *args);
int cmd_console(struct cli *cli, const struct cli_args *args);
int cmd_init(struct cli *cli, const struct cli_args *args);
int cmd_token_create(struct cli *cli, const struct cli_args *args);
int cmd_token_list(struct cli *cli, const struct cli_args *args);
int cmd_token_revoke(struct cli *cli, const struct cli_args *args);
int cmd_member_list(struct cli *cli, const struct cli_args *args);
int cmd_member_revoke(struct cli *cli, const struct cli_args *args);
int cmd_member_promote(struct cli *cli, const struct cli_args *args);
int cmd_member_rotate_key(struct cli *cli, const struct cli_args *args);
int cmd_connect(struct cli *cli, const struct cli_args *args);
int cmd_disconnect(struct cli *cli, const struct cli_args *args);
int cmd_peer(struct cli *cli, const struct cli_args *args);
int cmd_links(struct cli *cli, const struct cli_args *args);
int cmd_up(struct cli *cli, const struct cli_args *args);
int cmd_down(struct cli *cli, const struct cli_args *args);
int cmd_cost(struct cli *cli, const struct cli_args *args);
int cmd_drain(struct cli *cli, const struct cli_args *args);
int cmd_undrain(struct cli *cli, const struct cli_args *args);
int cmd_recover(struct cli *cli, const struct cli_args *args);
int cmd_rotate(struct cli *cli, const struct cli_args *args);
int cmd_nodes(struct cli *cli, const struct cli_args *args);
int cmd_proximity(struct cli *cli, const struct cli_args *args);
int cmd_clean(struct cli *cli, const struct cli_args *args);
int cmd_used(struct cli *cli, const struct cli_args *args);
int cmd_set(struct cli *cli, const struct cli_args *args);
int cmd_enable(struct cli *cli, const struct cli_args *args);
int cmd_disable(struct cli *cli, const struct cli_args *args);
int cmd_migrate(struct cli *cli, const struct cli_args *args);
int cmd_metrics(struct cli *cli, const struct cli_args *args);
void cmd_set_help(FILE *out);
void cmd_toggle_help(FILE *out);
/* Hidden: not in the table, so neither in --help nor completed; they read
 * their words raw. */
int cmd_complete(struct cli *cli, int argc, char **argv);
int cmd_man(struct cli *cli, int argc, char **argv);

/* Shorthands for the shapes below. */
#define FLAG(n)             \
	{                   \
		.name = (n) \
	}
#define VALUE(n)                                 \
	{                                        \
		.name = (n), .takes_value = true \
	}
#define NO_ARGS .many = "takes no arguments"
#define ARGS(lo, hi, msg) .min_args = (lo), .max_args = (hi), .few = (msg), .many = (msg)

static const struct cli_subcommand token_subs[] = {
	{ "create", cmd_token_create, { .flags = { VALUE("--ttl"), VALUE("--uses"), VALUE("--label") } } },
	{ "list", cmd_token_list, { .flags = { FLAG("--json") }, .many = "list takes no arguments" } },
	{ "revoke", cmd_token_revoke, { ARGS(1, 1, "revoke takes one token ID (see `wgmesh token list`)") } },
	{ NULL, NULL, { .flags = { { NULL } } } },
};

/* A new member subcommand is one row here and its function in cmd_member.c
 * (and its alternative in the usage string). */
static const struct cli_subcommand member_subs[] = {
	{ "list", cmd_member_list, { .flags = { FLAG("--json") }, .many = "list takes no arguments" } },
	{ "revoke", cmd_member_revoke, { ARGS(1, 1, "revoke takes one node ID") } },
	{ "promote", cmd_member_promote, { ARGS(1, 1, "promote takes one node ID") } },
	{ "rotate-key",
	  cmd_member_rotate_key,
	  { .flags = { VALUE("--grace") }, .many = "rotate-key takes only --grace SECONDS" } },
	{ NULL, NULL, { .flags = { { NULL } } } },
};

const struct cli_command cli_commands[] = {
	{ "init", cmd_init, "initialise this node: write its config and make its keys (no daemon needed)",
	  "ID [public] [--ipv4 ADDR|none] [--ipv6 ADDR|none] [--subnet CIDR] [--backend auto|kernel|userspace]\n"
	  "       [--state-dir DIR] [--socket PATH] [--bird-config PATH] [--bird-socket PATH]\n"
	  "       [--listen-port PORT] [--wireguard-go PATH] [--force]",
	  .shape = { .flags = { VALUE("--ipv4"), VALUE("--ipv6"), VALUE("--subnet"), VALUE("--backend"),
				VALUE("--state-dir"), VALUE("--socket"), VALUE("--bird-config"), VALUE("--bird-socket"),
				VALUE("--listen-port"), VALUE("--wireguard-go"), FLAG("--force") },
		     .min_args = 1,
		     .max_args = 2,
		     .few = "needs the node's ID" } },
	{ "token", NULL, "issue a join token (printed alone on stdout); list or revoke tokens",
	  "[create] [--ttl 1h] [--uses N] [--label TEXT] | list [--json] | revoke ID", .subs = token_subs,
	  .default_sub = "create" },
	{ "member", NULL,
	  "list the mesh's member identities; revoke or promote one, or rotate the mesh key (on an admin)",
	  "list [--json] | revoke ID | promote ID | rotate-key [--grace SECONDS]", .subs = member_subs },
	{ "connect", cmd_connect, "join the node at URL with its token and build the first link(s)",
	  "URL TOKEN|- [LINKTYPE] [PORT] | TOKEN|- (when it carries the URL)\n"
	  "       TOKEN may be - (read from standard input) or left out when WGMESH_TOKEN is set,\n"
	  "       so that it does not show in the process list or shell history",
	  .shape = { .max_args = 4, .many = "too many arguments" } },
	{ "disconnect", cmd_disconnect, "take links down on both ends (every link only with --all)",
	  "LINK... [force] | --all [force]", .shape = { .flags = { FLAG("--all") }, .max_args = CLI_ARGS_MANY } },
	{ "links", cmd_links, "list this node's links: what they carry, OSPF, RTT, loss, cost and why",
	  "[--wide] [--json]", .shape = { .flags = { FLAG("--wide"), FLAG("--json") }, NO_ARGS } },
	{ "peer", cmd_peer, "make a BGP peering link to a node of another network with that node's token",
	  "URL TOKEN|- (TOKEN also from WGMESH_TOKEN; only AllowedPeers prefixes are taken from it)",
	  .shape = { .max_args = 2, .many = "too many arguments" } },
	{ "cost", cmd_cost, "set a link's OSPF cost (1-65535), or go back to the measured one", "LINK [COST]",
	  .shape = { ARGS(1, 2, "needs a link name and an optional cost (1-65535)") } },
	{ "drain", cmd_drain, "move traffic off a link at once (its cost goes to 65000)", "LINK",
	  .shape = { ARGS(1, 1, "needs one link name") } },
	{ "undrain", cmd_undrain, "let a drained link carry traffic again (its measured cost)", "LINK",
	  .shape = { ARGS(1, 1, "needs one link name") } },
	{ "rotate", cmd_rotate, "rotate an ipt_xor or wgobfs link's key now, on both ends (waits for the end)", "LINK",
	  .shape = { ARGS(1, 1, "needs one LINK (see `wgmesh links`)") } },
	{ "up", cmd_up, "bring every link's interface up again", "", .shape = { NO_ARGS } },
	{ "down", cmd_down, "take every link's interface down (links are kept)", "", .shape = { NO_ARGS } },
	{ "nodes", cmd_nodes,
	  "list every node of the mesh: route state (direct/rerouted/...), next-hop node, link, path", "[--json]",
	  .shape = { .flags = { FLAG("--json") }, NO_ARGS } },
	{ "used", cmd_used, "list the node IDs in use in the mesh", "[--json]",
	  .shape = { .flags = { FLAG("--json") }, NO_ARGS } },
	{ "proximity", cmd_proximity,
	  "latency to every node's public address (outside the tunnels), sorted; with CUTOFF_MS connect to the "
	  "close ones and cut links to the far ones (never a node's last path), kept across restarts; off lifts it",
	  "[CUTOFF_MS|off] [--dry-run] [--json]",
	  .shape = { .flags = { FLAG("--dry-run"), FLAG("--json") },
		     .max_args = 1,
		     .many = "takes at most one argument, CUTOFF_MS or off" } },
	{ "clean", cmd_clean,
	  "remove links dead for cleanAfter seconds whose other end does not answer on the underlay either",
	  "[--dry-run] [--json]", .shape = { .flags = { FLAG("--dry-run"), FLAG("--json") }, NO_ARGS } },
	{ "recover", cmd_recover, "regenerate BIRD's config and apply it now (BIRD's verdict is printed)", "",
	  .shape = { NO_ARGS } },
	{ "set", cmd_set, "change a config key (saved; applied at once where the daemon can)", "KEY VALUE",
	  .shape = { ARGS(2, 2, "needs a KEY and a VALUE") }, .help_more = cmd_set_help },
	{ "enable", cmd_enable, "turn an option on (mesh, vxlan, ospfv2, ospfv3, client, ...)", "OPTION",
	  .shape = { ARGS(1, 1, "needs one OPTION") }, .help_more = cmd_toggle_help },
	{ "disable", cmd_disable, "turn an option off", "OPTION", .shape = { ARGS(1, 1, "needs one OPTION") },
	  .help_more = cmd_toggle_help },
	{ "migrate", cmd_migrate, "upgrade the config file to the current layout (no daemon needed)", "",
	  .shape = { .many = "takes no arguments (the file is --config)" } },
	{ "status", cmd_status, "show the node and daemon state", "[--json]",
	  .shape = { .flags = { FLAG("--json") }, NO_ARGS } },
	{ "metrics", cmd_metrics, "print the node's metrics in the Prometheus text format", "",
	  .shape = { .flags = { { .name = "--json",
				  .refusal = "has no --json (the text is Prometheus' exposition format)" } },
		     NO_ARGS } },
	{ "events", cmd_events,
	  "print recent daemon events (metrics only with --json); --follow keeps printing new ones",
	  "[--follow] [--json]",
	  .shape = { .flags = { { .name = "--follow", .alias = "-f" }, FLAG("--json") }, NO_ARGS } },
	{ "console", cmd_console, "the interactive console (also `wgmesh` alone on a terminal)", "",
	  .shape = { NO_ARGS } },
	{ "version", cmd_version, "print the version of wgmesh (and of the daemon when it runs)", "[--json]",
	  .shape = { .flags = { FLAG("--json") }, NO_ARGS } },
	{ NULL, NULL, NULL, NULL, .shape = { .flags = { { NULL } } } },
};

const char cli_description[] = "The operator's program for wgmesh: a command line that talks to wgmeshd\n"
			       "over its control socket.";

const struct cli_option cli_global_options[] = {
	{ "--config PATH", "node configuration (default " WGM_CONFIG_DEFAULT_PATH ");\n"
			   "the control socket path is read from it" },
	{ "--socket PATH", "talk to the daemon on this socket instead" },
	{ "--help", "this text; `wgmesh COMMAND --help` for one command" },
	{ "--version", "print the version of this program" },
	{ NULL, NULL },
};

static void print_usage(FILE *out)
{
	fprintf(out, "Usage: wgmesh [--config PATH] [--socket PATH] COMMAND [ARGS...]\n\n%s\n\nGlobal options:\n",
		cli_description);
	for (const struct cli_option *o = cli_global_options; o->name; o++) {
		const char *h = o->help, *nl;
		/* Continuation lines line up under the first. */
		fprintf(out, "  %-15s ", o->name);
		while ((nl = strchr(h, '\n'))) {
			fprintf(out, "%.*s\n  %-15s ", (int)(nl - h), h, "");
			h = nl + 1;
		}
		fprintf(out, "%s\n", h);
	}
	fprintf(out, "\nCommands:\n");
	for (const struct cli_command *c = cli_commands; c->name; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
	fprintf(out, "\nExit status: 0 success, 1 failure (one line on stderr), 2 usage error.\n");
}

int cli_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("wgmesh: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CLI_FAIL;
}

const struct cli_command *cli_find_command(const char *name)
{
	for (const struct cli_command *c = cli_commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	const struct cli_command *c = cli_find_command(cmd);
	va_list ap;

	fprintf(stderr, "wgmesh %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (c)
		fprintf(stderr, "Usage: wgmesh %s %s\n", c->name, c->usage);
	return CLI_USAGE;
}

void cli_print_command_help(const struct cli_command *cmd)
{
	printf("Usage: wgmesh %s %s\n\n%s\n", cmd->name, cmd->usage, cmd->summary);
}

static bool is_help(const char *a)
{
	return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

static const struct cli_subcommand *find_sub(const struct cli_command *cmd, const char *name)
{
	for (const struct cli_subcommand *s = cmd->subs; s->name; s++)
		if (strcmp(s->name, name) == 0)
			return s;
	return NULL;
}

/* "expected list or revoke": every subcommand, so that a new one is named. */
static void expected_subs(const struct cli_command *cmd, char *err, size_t errlen)
{
	size_t used = (size_t)snprintf(err, errlen, "expected");

	for (const struct cli_subcommand *s = cmd->subs; s->name && used < errlen; s++)
		used += (size_t)snprintf(err + used, errlen - used, "%s%s",
					 s == cmd->subs ? " "
					 : !s[1].name   ? " or "
							: ", ",
					 s->name);
}

/* The shape's index of flag A (its name or its alias); -1 when unknown. */
static int find_flag(const struct cli_shape *shape, const char *a)
{
	for (int k = 0; k < CLI_FLAGS_MAX && shape->flags[k].name; k++)
		if (strcmp(shape->flags[k].name, a) == 0 ||
		    (shape->flags[k].alias && strcmp(shape->flags[k].alias, a) == 0))
			return k;
	return -1;
}

int cli_parse_args(const struct cli_command *cmd, int argc, char **argv, char **pos, struct cli_args *out, char *err,
		   size_t errlen)
{
	const struct cli_shape *shape = &cmd->shape;
	bool flags_done = false;
	int i = 1;

	memset(out, 0, sizeof(*out));
	out->cmd = cmd;
	out->argv = pos;
	if (cmd->subs) {
		out->sub = argc > 1 ? find_sub(cmd, argv[1]) : NULL;
		if (out->sub)
			i = 2;
		else if (cmd->default_sub)
			out->sub = find_sub(cmd, cmd->default_sub);
		else if (argc > 1 && is_help(argv[1]))
			return CLI_PARSE_HELP;
		if (!out->sub) {
			expected_subs(cmd, err, errlen);
			return -EINVAL;
		}
		shape = &out->sub->shape;
	}
	out->shape = shape;
	for (; i < argc; i++) {
		const char *a = argv[i];
		int k;

		if (!flags_done && strcmp(a, "--") == 0) {
			flags_done = true;
			continue;
		}
		/* "-" is a word: connect's token from standard input. */
		if (flags_done || a[0] != '-' || a[1] == '\0') {
			pos[out->argc++] = argv[i];
			continue;
		}
		if (is_help(a))
			return CLI_PARSE_HELP;
		k = find_flag(shape, a);
		if (k < 0) {
			snprintf(err, errlen, "unknown option '%s'", a);
			return -EINVAL;
		}
		if (shape->flags[k].refusal) {
			snprintf(err, errlen, "%s", shape->flags[k].refusal);
			return -EINVAL;
		}
		if (!shape->flags[k].takes_value) {
			out->value[k] = "";
		} else if (i + 1 < argc) {
			out->value[k] = argv[++i];
		} else {
			snprintf(err, errlen, "%s needs a value", a);
			return -EINVAL;
		}
	}
	if (out->argc < shape->min_args) {
		snprintf(err, errlen, "%s", shape->few ? shape->few : "too few arguments");
		return -EINVAL;
	}
	if (out->argc > shape->max_args) {
		if (shape->many)
			snprintf(err, errlen, "%s", shape->many);
		else
			snprintf(err, errlen, "unexpected argument '%s'", out->argv[shape->max_args]);
		return -EINVAL;
	}
	return 0;
}

const char *cli_flag_value(const struct cli_args *args, const char *name)
{
	int k = find_flag(args->shape, name);

	return k < 0 ? NULL : args->value[k];
}

bool cli_flag(const struct cli_args *args, const char *name)
{
	return cli_flag_value(args, name) != NULL;
}

/* Parses the command line against CMD's shape and runs it: help, a usage
 * error, or the command with its parsed arguments. */
static int run_command(struct cli *cli, const struct cli_command *cmd, int argc, char **argv)
{
	char **pos = calloc((size_t)argc + 1, sizeof(*pos)), err[256];
	struct cli_args args;
	int rc;

	if (!pos)
		return cli_fail("out of memory");
	rc = cli_parse_args(cmd, argc, argv, pos, &args, err, sizeof(err));
	if (rc == CLI_PARSE_HELP) {
		cli_print_command_help(cmd);
		if (cmd->help_more)
			cmd->help_more(stdout);
		rc = CLI_OK;
	} else if (rc < 0) {
		rc = cli_usage_error(cmd->name, "%s", err);
	} else {
		rc = (args.sub ? args.sub->fn : cmd->fn)(cli, &args);
	}
	free(pos);
	return rc;
}

int cli_socket_path(const struct cli *cli, char *out, size_t outlen, char *err, size_t errlen)
{
	struct wgm_config cfg;
	int rc;

	if (cli->socket_path) {
		snprintf(out, outlen, "%s", cli->socket_path);
		return 0;
	}
	rc = wgm_config_load(cli->config_path, &cfg, err, errlen);
	/* Before `wgmesh init` there is no config; the daemon would use the
	 * defaults too. The config is root's alone (0600: it holds the Gotify
	 * tokens), so an operator in group wgmesh finds the default socket.
	 * A config named explicitly must be readable. */
	if ((rc == -ENOENT || rc == -EACCES) && !cli->config_given)
		wgm_config_defaults(&cfg);
	else if (rc < 0)
		return rc;
	snprintf(out, outlen, "%s", cfg.socket);
	return 0;
}

int cli_call(const struct cli *cli, json_t *req, json_t **reply)
{
	return cli_call_timeout(cli, req, CLI_DAEMON_TIMEOUT_MS, reply);
}

int cli_call_timeout(const struct cli *cli, json_t *req, int timeout_ms, json_t **reply)
{
	char path[WGM_CONFIG_SOCKET_PATH_MAX], err[512];
	int rc;

	*reply = NULL;
	if (!req) {
		return cli_fail("out of memory");
	}
	rc = cli_socket_path(cli, path, sizeof(path), err, sizeof(err));
	if (rc == 0)
		rc = wgm_ctl_call(path, req, timeout_ms, reply, err, sizeof(err));
	json_decref(req);
	if (rc < 0) {
		json_decref(*reply);
		*reply = NULL;
		return cli_fail("%s", err);
	}
	return CLI_OK;
}

json_t *cli_json_records(json_t *reply, const char *key)
{
	json_t *records = json_object_get(reply, key), *schema = json_object_get(reply, "schema"), *r;
	size_t i;

	if (!json_is_array(records))
		return NULL;
	/* A daemon too old to version its replies: nothing to claim. */
	if (json_is_integer(schema))
		json_array_foreach (records, i, r)
			if (json_is_object(r))
				json_object_set(r, "schema", schema);
	return records;
}

int cli_print_records(json_t *reply, const char *key)
{
	json_t *records = cli_json_records(reply, key);

	if (!records)
		return cli_fail("the daemon's reply has no \"%s\" list", key);
	json_dumpf(records, stdout, JSON_INDENT(2) | WGM_CTL_JSON_REAL);
	putchar('\n');
	return CLI_OK;
}

void cli_format_duration(long long s, char *out, size_t outlen)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(out, outlen, "%llds", s);
	else if (s < 3600)
		snprintf(out, outlen, "%lldm %llds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(out, outlen, "%lldh %lldm", s / 3600, s % 3600 / 60);
	else
		snprintf(out, outlen, "%lldd %lldh", s / 86400, s % 86400 / 3600);
}

void cli_format_ids(const json_t *ids, const char *sep, const char *empty, char *out, size_t outlen)
{
	size_t i, used = 0;
	const json_t *v;

	snprintf(out, outlen, "%s", empty);
	json_array_foreach (ids, i, v) {
		int n = snprintf(out + used, outlen - used, "%s%lld", i ? sep : "", (long long)json_integer_value(v));
		if (n < 0 || (size_t)n >= outlen - used)
			break;
		used += (size_t)n;
	}
}

/* printf into a new string; NULL when out of memory. */
static char *alloc_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *alloc_printf(const char *fmt, ...)
{
	va_list ap;
	int n;
	char *s;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !(s = malloc((size_t)n + 1)))
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* "node 2 now via node 4 (pipe4), was pipe2 [rerouted]" */
static char *route_line(const char *stamp, const json_t *ev)
{
	const json_t *nh = json_object_get(ev, "new_next_hop_id");
	const char *new_via = json_string_value(json_object_get(ev, "new_via"));
	const char *old_via = json_string_value(json_object_get(ev, "old_via"));
	const char *st = json_string_value(json_object_get(ev, "state"));
	long long node = json_integer_value(json_object_get(ev, "node"));
	char now[64], was[48];

	if (!new_via)
		snprintf(now, sizeof(now), "unreachable");
	else if (json_is_integer(nh) && json_integer_value(nh) == node)
		snprintf(now, sizeof(now), "now direct (%s)", new_via);
	else if (json_is_integer(nh))
		snprintf(now, sizeof(now), "now via node %lld (%s)", (long long)json_integer_value(nh), new_via);
	else
		snprintf(now, sizeof(now), "now via %s", new_via);
	snprintf(was, sizeof(was), old_via ? ", was %s" : "", old_via);
	return alloc_printf("%s route: node %lld %s%s [%s]", stamp, node, now, was, st ? st : "?");
}

char *cli_event_line(const json_t *event)
{
	const char *kind = wgm_ctl_event_kind(event);
	double ts = json_number_value(json_object_get(event, "ts"));
	time_t secs = (time_t)ts;
	struct tm tm;
	char stamp[16] = "--:--:--";
	json_t *rest;
	char *details, *line;

	if (ts > 0 && localtime_r(&secs, &tm))
		strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
	if (kind && strcmp(kind, WGM_CTL_EVENT_LOG) == 0) {
		const char *level = json_string_value(json_object_get(event, "level"));
		const char *msg = json_string_value(json_object_get(event, "msg"));
		return alloc_printf("%s log %s: %s", stamp, level ? level : "?", msg ? msg : "");
	}
	if (kind && strcmp(kind, WGM_CTL_EVENT_ROUTE) == 0)
		return route_line(stamp, event);
	if (kind && strcmp(kind, WGM_CTL_EVENT_TOKEN_USED) == 0) {
		char text[256];
		if (wgm_ctl_token_used_text(event, text, sizeof(text)) == 0)
			return alloc_printf("%s %s: %s", stamp, kind, text);
	}
	/* Other kinds show their fields as compact JSON: exact, and new kinds
	 * need no code here. */
	rest = json_deep_copy(event);
	json_object_del(rest, "event");
	json_object_del(rest, "ts");
	details = rest ? json_dumps(rest, JSON_COMPACT | JSON_SORT_KEYS | WGM_CTL_JSON_REAL) : NULL;
	line = alloc_printf("%s %s %s", stamp, kind ? kind : "?", details ? details : "");
	free(details);
	json_decref(rest);
	return line;
}

void cli_format_event(const json_t *event, char *out, size_t outlen)
{
	char *line = cli_event_line(event);

	snprintf(out, outlen, "%s", line ? line : "(out of memory)");
	free(line);
}

int cli_main(int argc, char **argv)
{
	struct cli cli = { .config_path = WGM_CONFIG_DEFAULT_PATH };
	const struct cli_command *cmd;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			print_usage(stdout);
			return CLI_OK;
		} else if (strcmp(a, "--version") == 0) {
			printf("wgmesh %s\n", WGM_VERSION);
			return CLI_OK;
		} else if (strcmp(a, "--config") == 0 || strcmp(a, "--socket") == 0) {
			if (i + 1 >= argc || argv[i + 1][0] == '\0') {
				fprintf(stderr, "wgmesh: %s needs a path\n", a);
				return CLI_USAGE;
			}
			if (a[2] == 'c') {
				cli.config_path = argv[++i];
				cli.config_given = true;
			} else {
				cli.socket_path = argv[++i];
			}
		} else if (a[0] == '-') {
			fprintf(stderr, "wgmesh: unknown option '%s'\n", a);
			print_usage(stderr);
			return CLI_USAGE;
		} else {
			break;
		}
	}
	if (i >= argc) {
		char *console_argv[] = { "console", NULL };
		if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
			return run_command(&cli, cli_find_command("console"), 1, console_argv);
		print_usage(stderr);
		return CLI_USAGE;
	}
	if (strcmp(argv[i], "__complete") == 0)
		return cmd_complete(&cli, argc - i, argv + i);
	if (strcmp(argv[i], "__man") == 0)
		return cmd_man(&cli, argc - i, argv + i);
	cmd = cli_find_command(argv[i]);
	if (!cmd) {
		fprintf(stderr, "wgmesh: unknown command '%s' (see wgmesh --help)\n", argv[i]);
		return CLI_USAGE;
	}
	return run_command(&cli, cmd, argc - i, argv + i);
}
