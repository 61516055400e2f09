/* wgmesh connect URL [TOKEN|-] [LINKTYPE] [PORT]: join the node at URL (or the
 * one a token names) and build the first link(s) to it. The token can come
 * from stdin ("-") or WGMESH_TOKEN instead of argv. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/ctl/ctlproto.h"
#include "common/api/token.h"
#include "common/util/url.h"
#include "common/util/err.h"
#include "tui/cli/cli.h"

/* A join takes a /connectivity and a /connect per transport, each bounded by
 * the daemon's 10 s HTTP timeout, plus starting the interfaces. */
#define CONNECT_TIMEOUT_MS 60000

static bool is_token(const char *s)
{
	return s && strncmp(s, WGM_TOKEN_PREFIX, strlen(WGM_TOKEN_PREFIX)) == 0;
}

/* One line from IN, without its line end and surrounding blanks. */
static int read_token_line(FILE *in, char *out, size_t outlen, char *err, size_t errlen)
{
	size_t n, start = 0;

	if (!in || !fgets(out, (int)outlen, in)) {
		snprintf(err, errlen, "token: nothing on standard input");
		return -EINVAL;
	}
	n = strlen(out);
	if (n == outlen - 1 && out[n - 1] != '\n') {
		snprintf(err, errlen, "token: the line on standard input is too long for a token");
		return -EINVAL;
	}
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r' || out[n - 1] == ' ' || out[n - 1] == '\t'))
		out[--n] = '\0';
	while (out[start] == ' ' || out[start] == '\t')
		start++;
	memmove(out, out + start, n - start + 1);
	return 0;
}

int cli_connect_resolve(int n, const char *const *args, const char *env_token, FILE *in, struct cli_connect_args *out,
			char *err, size_t errlen)
{
	int k = 0;

	memset(out, 0, sizeof(*out));
	if (env_token && !*env_token)
		env_token = NULL;
	if (n > 0 && !is_token(args[0]) && strcmp(args[0], "-") != 0)
		out->url = args[k++];
	if (k < n && strcmp(args[k], "-") == 0) {
		k++;
		if (read_token_line(in, out->token, sizeof(out->token), err, errlen) < 0)
			return -EINVAL;
	} else if (k < n && is_token(args[k])) {
		snprintf(out->token, sizeof(out->token), "%s", args[k++]);
	} else if (env_token) {
		snprintf(out->token, sizeof(out->token), "%s", env_token);
	} else {
		snprintf(err, errlen,
			 n == 0 ? "needs the URL of a node and a token (or - to read it, or WGMESH_TOKEN)"
				: "needs a token after the URL (`wgmesh token` on that node), - to read it "
				  "from standard input, or WGMESH_TOKEN");
		return -EINVAL;
	}
	if (!is_token(out->token)) {
		memset(out->token, 0, sizeof(out->token));
		snprintf(err, errlen, "token: does not start with %s", WGM_TOKEN_PREFIX);
		return -EINVAL;
	}
	if (k < n)
		out->link_type = args[k++];
	if (k < n)
		out->port = args[k++];
	if (k < n) {
		memset(out->token, 0, sizeof(out->token));
		snprintf(err, errlen, "too many arguments");
		return -EINVAL;
	}
	return 0;
}

int cli_connect_parse(const struct cli_args *args, struct cli_connect_args *ca)
{
	const char *name = args->cmd->name;
	char err[256];

	if (cli_connect_resolve((int)args->argc, (const char *const *)args->argv, getenv("WGMESH_TOKEN"), stdin, ca,
				err, sizeof(err)) < 0)
		return cli_usage_error(name, "%s", err);
	/* HOST, HOST:PORT, [v6]:PORT or a URL, as the console's field takes it. */
	if (ca->url) {
		if (wgm_url_normalise(ca->url, ca->url_buf, sizeof(ca->url_buf), err, sizeof(err)) < 0) {
			sodium_memzero(ca->token, sizeof(ca->token));
			return cli_usage_error(name, "URL %s", err);
		}
		ca->url = ca->url_buf;
	}
	return CLI_CONNECT_GO;
}

void cli_connect_print(const json_t *reply, const char *lead)
{
	const json_t *v;
	size_t i;

	printf("%s %lld:", lead, (long long)json_integer_value(json_object_get(reply, "remote_id")));
	json_array_foreach (json_object_get(reply, "links"), i, v)
		printf(" %s", json_string_value(v));
	printf("\n");
}

int cmd_connect(struct cli *cli, const struct cli_args *args)
{
	struct cli_connect_args ca;
	json_t *req, *reply;
	int rc = cli_connect_parse(args, &ca);

	if (rc != CLI_CONNECT_GO)
		return rc;
	req = wgm_ctl_request_new(WGM_CTL_CMD_CONNECT);
	if (ca.url)
		json_object_set_new(req, "url", json_string(ca.url));
	json_object_set_new(req, "token", json_string(ca.token));
	sodium_memzero(ca.token, sizeof(ca.token));
	if (ca.link_type)
		json_object_set_new(req, "link_type", json_string(ca.link_type));
	if (ca.port) {
		char *end;
		long port = strtol(ca.port, &end, 10);
		if (*end || port < 1 || port > 65535) {
			json_decref(req);
			return cli_usage_error(args->cmd->name, "port %s: not a port (1-65535)", ca.port);
		}
		json_object_set_new(req, "port", json_integer(port));
	}
	rc = cli_call_timeout(cli, req, CONNECT_TIMEOUT_MS, &reply);
	if (rc != CLI_OK)
		return rc;
	cli_connect_print(reply, "connected to node");
	json_decref(reply);
	return CLI_OK;
}
