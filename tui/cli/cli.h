/* The wgmesh command line: global options, a table of commands (one file
 * tui/cmd_NAME.c and one row in tui/cli/cli.c each), exit codes 0/1/2. */
#ifndef WGM_TUI_CLI_H
#define WGM_TUI_CLI_H

#include <stdio.h>

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum cli_exit {
	CLI_OK = 0,
	CLI_FAIL = 1,  /* the command failed; one line on stderr says why */
	CLI_USAGE = 2, /* the command line was wrong */
};

/* How long a command waits for the daemon's reply. */
#define CLI_DAEMON_TIMEOUT_MS 10000

struct cli {
	const char *config_path; /* --config, or the default */
	bool config_given;
	const char *socket_path; /* --socket; NULL: from the config */
};

/* What a command takes, declared in its row of the table; one parser
 * (cli_parse_args) checks a command line against it. */
#define CLI_FLAGS_MAX 12
#define CLI_ARGS_MANY 0xffffu /* max_args: no bound (disconnect LINK...) */

struct cli_flag {
	const char *name;    /* "--ttl"; NULL ends the list */
	const char *alias;   /* another spelling ("-f"), or NULL */
	bool takes_value;    /* "--ttl 1h": the next word is its value */
	const char *refusal; /* set: not taken; the usage error says this instead of "unknown option" */
};

struct cli_shape {
	struct cli_flag flags[CLI_FLAGS_MAX];
	unsigned min_args, max_args; /* positional arguments */
	const char *few;             /* the usage error with fewer than min_args */
	const char *many;            /* with more than max_args; NULL: "unexpected argument 'ARG'" */
};

/* A command line parsed against a shape: positional arguments in order
 * (flags may stand anywhere before "--"), and the flags given. */
struct cli_args {
	const struct cli_command *cmd;
	const struct cli_subcommand *sub; /* the subcommand named, or NULL */
	const struct cli_shape *shape;    /* the command's, or its subcommand's */
	const char *value[CLI_FLAGS_MAX]; /* per shape flag: its value, "" for one without; NULL: not given */
	unsigned argc;
	char **argv; /* the positional arguments (argc of them) */
};

/* Returns an enum cli_exit. */
typedef int (*cli_command_fn)(struct cli *cli, const struct cli_args *args);

/* A subcommand (`token list`, `member revoke ID`): its own shape. */
struct cli_subcommand {
	const char *name;
	cli_command_fn fn;
	struct cli_shape shape;
};

struct cli_command {
	const char *name;
	cli_command_fn fn;   /* NULL when the command has subcommands */
	const char *summary; /* one line for `wgmesh --help` */
	const char *usage;   /* the arguments, for `wgmesh CMD --help` */
	struct cli_shape shape;
	/* Subcommands: the first word names one (NULL name ends the list);
	 * without one, default_sub (`token` alone creates), or a usage error
	 * naming them all. */
	const struct cli_subcommand *subs;
	const char *default_sub;
	void (*help_more)(FILE *out); /* what `--help` prints after the usage (set: the keys) */
};

extern const struct cli_command cli_commands[];

/* The global options and the program's description, for --help and the man
 * page (wgmesh __man). NULL-terminated; help may hold "\n". */
struct cli_option {
	const char *name;
	const char *help;
};
extern const struct cli_option cli_global_options[];
extern const char cli_description[];

/* The whole program: parses global options and runs a command. */
int cli_main(int argc, char **argv);

/* "wgmesh: <message>" on stderr; returns CLI_FAIL. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "wgmesh CMD: <message>" and the command's usage line; returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints `wgmesh CMD --help` text to stdout. */
void cli_print_command_help(const struct cli_command *cmd);
const struct cli_command *cli_find_command(const char *name);

/* Parses ARGV (ARGV[0] the command's name) against CMD's shape, or its
 * subcommand's, into OUT; positional words are collected in POS (room for
 * argc pointers), which OUT->argv then points to. Returns 0; CLI_PARSE_HELP
 * for --help/-h (OUT says which shape); or -EINVAL with the one-line reason
 * in ERR. Pure: prints nothing. */
#define CLI_PARSE_HELP 1
int cli_parse_args(const struct cli_command *cmd, int argc, char **argv, char **pos, struct cli_args *out, char *err,
		   size_t errlen);
/* Whether flag NAME was given; its value (NULL when not given). NAME must be
 * one the shape declares. */
bool cli_flag(const struct cli_args *args, const char *name);
const char *cli_flag_value(const struct cli_args *args, const char *name);

/* The socket to talk to: --socket, else "socket" from the config (the
 * default path when the default config file does not exist). */
int cli_socket_path(const struct cli *cli, char *out, size_t outlen, char *err, size_t errlen);

/* Sends {"cmd":NAME,...} (req is consumed) and waits for the reply. On
 * failure prints the one-line reason and returns CLI_FAIL with *reply NULL. */
int cli_call(const struct cli *cli, json_t *req, json_t **reply);
/* The same with its own timeout, for commands that take long (connect). */
int cli_call_timeout(const struct cli *cli, json_t *req, int timeout_ms, json_t **reply);

/* Pure formatting, unit-tested. */
/* What `wgmesh connect` joins with, resolved from its arguments (URL TOKEN
 * [LINKTYPE] [PORT] | TOKEN [LINKTYPE] [PORT]). The token may also be "-"
 * (one line read from IN) or left out when ENV_TOKEN (WGMESH_TOKEN) is set,
 * so it need not sit in argv (/proc, shell history). 0, or -EINVAL with a
 * one-line err. The token buffer is secret: wipe it after use. */
struct cli_connect_args {
	const char *url; /* NULL: the token carries it; else normalised, in url_buf */
	char url_buf[300];
	char token[512];
	const char *link_type; /* NULL: the default */
	const char *port;      /* NULL: the server's choice */
};
int cli_connect_resolve(int n, const char *const *args, const char *env_token, FILE *in, struct cli_connect_args *out,
			char *err, size_t errlen);
/* The positional arguments of `connect` or `peer` into CA, resolved as
 * above: CLI_CONNECT_GO to go on, else the exit status (a usage error). */
#define CLI_CONNECT_GO (-100)
int cli_connect_parse(const struct cli_args *args, struct cli_connect_args *ca);
/* "LEAD ID: LINK..." from a connect or peer reply. */
void cli_connect_print(const json_t *reply, const char *lead);

/* The --json of `links` and `nodes` (docs/cli.md#json-output): the reply's
 * array KEY, as it always was (`jq '.[]'` works), with the reply's "schema"
 * put into each record, so every record says which schema it follows.
 * Returns the array (borrowed from reply, changed in place); NULL when the
 * reply has no such array. */
json_t *cli_json_records(json_t *reply, const char *key);
/* Prints that, indented; CLI_OK, or CLI_FAIL with one line. */
int cli_print_records(json_t *reply, const char *key);

void cli_format_duration(long long seconds, char *out, size_t outlen);
/* A JSON array of node IDs as text, joined by SEP ("0>4>2", "2, 5"); EMPTY
 * for an empty array; cut short where OUT ends. */
void cli_format_ids(const json_t *ids, const char *sep, const char *empty, char *out, size_t outlen);
/* One human-readable line for an event: "HH:MM:SS KIND details", whole
 * (malloc'd; NULL when out of memory). */
char *cli_event_line(const json_t *event);
/* The same, cut to outlen. */
void cli_format_event(const json_t *event, char *out, size_t outlen);

#endif
