/* wgmesh init ID [public] [options]: writes the node's config and makes its
 * identity (API key pair, mesh key). Works before any daemon exists and
 * never reaches the network: public addresses come from --ipv4/--ipv6 or the
 * source address of the default route. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config/config.h"
#include "common/netlink/nl_route.h"
#include "common/config/node_identity.h"
#include "common/config/statefile.h"
#include "common/util/err.h"
#include "tui/cli/cli.h"

/* Options that set a config string: flag, destination, its size. */
struct init_string_opt {
	const char *flag;
	size_t offset;
	size_t size;
};

static const struct init_string_opt string_opts[] = {
	{ "--ipv4", offsetof(struct wgm_config, connectivity_ipv4),
	  sizeof(((struct wgm_config *)0)->connectivity_ipv4) },
	{ "--ipv6", offsetof(struct wgm_config, connectivity_ipv6),
	  sizeof(((struct wgm_config *)0)->connectivity_ipv6) },
	{ "--subnet", offsetof(struct wgm_config, subnet), sizeof(((struct wgm_config *)0)->subnet) },
	{ "--state-dir", offsetof(struct wgm_config, state_dir), sizeof(((struct wgm_config *)0)->state_dir) },
	{ "--socket", offsetof(struct wgm_config, socket), sizeof(((struct wgm_config *)0)->socket) },
	{ "--bird-config", offsetof(struct wgm_config, bird_config), sizeof(((struct wgm_config *)0)->bird_config) },
	{ "--bird-socket", offsetof(struct wgm_config, bird_socket), sizeof(((struct wgm_config *)0)->bird_socket) },
	{ "--wireguard-go", offsetof(struct wgm_config, wireguard_go), sizeof(((struct wgm_config *)0)->wireguard_go) },
};

/* The source address the kernel would use towards a documentation address:
 * the default route's, without sending anything. */
static void default_route_source(int family, char *out, size_t len)
{
	struct wgm_nl_sock sock;
	struct wgm_nl_route_info info;
	struct wgm_nl_ip dst;
	char err[256];

	out[0] = '\0';
	if (wgm_nl_ip_parse(family == AF_INET ? "198.51.100.1" : "2001:db8::1", &dst) < 0)
		return;
	if (wgm_nl_sock_open(&sock, NETLINK_ROUTE, err, sizeof(err)) < 0)
		return;
	if (wgm_nl_route_get(&sock, &dst, &info, err, sizeof(err)) == 0 && info.gateway.family != AF_UNSPEC &&
	    info.src.family == family)
		wgm_nl_ip_format(&info.src, out, len);
	wgm_nl_sock_close(&sock);
}

int cmd_init(struct cli *cli, const struct cli_args *args)
{
	const char *backend = cli_flag_value(args, "--backend"), *listen_port = cli_flag_value(args, "--listen-port");
	const char *id_arg = args->argv[0];
	struct wgm_config cfg, old;
	struct wgm_node_identity id;
	bool force = cli_flag(args, "--force");
	bool ipv4_given = cli_flag(args, "--ipv4"), ipv6_given = cli_flag(args, "--ipv6");
	char err[512], *end;
	long node_id;
	int rc;

	node_id = strtol(id_arg, &end, 10);
	if (*end || end == id_arg || node_id < 0 || node_id > 255)
		return cli_usage_error("init", "ID %s: not a number from 0 to 255", id_arg);
	wgm_config_defaults(&cfg);
	cfg.id = (unsigned)node_id;
	if (args->argc > 1) {
		if (strcmp(args->argv[1], "public") != 0)
			return cli_usage_error("init", "unexpected argument '%s'", args->argv[1]);
		cfg.listen = WGM_LISTEN_PUBLIC;
	}
	for (size_t k = 0; k < WGM_ARRAY_LEN(string_opts); k++) {
		const char *v = cli_flag_value(args, string_opts[k].flag);
		if (!v)
			continue;
		if (strlen(v) >= string_opts[k].size)
			return cli_usage_error("init", "%s: value too long", string_opts[k].flag);
		snprintf((char *)&cfg + string_opts[k].offset, string_opts[k].size, "%s", v);
	}
	if (backend && wgm_backend_from_name(backend, &cfg.backend) < 0)
		return cli_usage_error("init", "--backend %s: must be auto, kernel or userspace", backend);
	if (listen_port) {
		long port = strtol(listen_port, &end, 10);
		if (*end || port < 1 || port > 65535)
			return cli_usage_error("init", "--listen-port %s: not a port (1-65535)", listen_port);
		cfg.listen_port = (uint16_t)port;
	}
	/* "none" says: this node has no public address of that family. */
	if (strcmp(cfg.connectivity_ipv4, "none") == 0)
		cfg.connectivity_ipv4[0] = '\0';
	else if (!ipv4_given)
		default_route_source(AF_INET, cfg.connectivity_ipv4, sizeof(cfg.connectivity_ipv4));
	if (strcmp(cfg.connectivity_ipv6, "none") == 0)
		cfg.connectivity_ipv6[0] = '\0';
	else if (!ipv6_given)
		default_route_source(AF_INET6, cfg.connectivity_ipv6, sizeof(cfg.connectivity_ipv6));
	if (wgm_config_validate(&cfg, err, sizeof(err)) < 0)
		return cli_fail("%s", err);

	rc = wgm_config_load(cli->config_path, &old, err, sizeof(err));
	if (rc == 0 && old.id != cfg.id && !force)
		return cli_fail("%s already holds node %u; add --force to re-initialise it as node %u (keys are kept)",
				cli->config_path, old.id, cfg.id);
	if (rc < 0 && rc != -ENOENT)
		return cli_fail("%s", err);

	if (wgm_statefile_ensure_dir(cfg.state_dir, WGM_STATEFILE_DIR_MODE, err, sizeof(err)) < 0)
		return cli_fail("%s", err);
	rc = wgm_node_identity_load(cfg.state_dir, &id, err, sizeof(err));
	if (rc == -ENOENT) {
		if (wgm_node_identity_generate(&id) < 0)
			return cli_fail("cannot generate the node's keys");
		rc = wgm_node_identity_save(cfg.state_dir, &id, err, sizeof(err));
	}
	wgm_node_identity_wipe(&id);
	if (rc < 0)
		return cli_fail("%s", err);
	if (wgm_config_save(cli->config_path, &cfg, err, sizeof(err)) < 0)
		return cli_fail("%s", err);
	fprintf(stderr, "node %u initialised%s: config %s, state %s\n", cfg.id,
		cfg.listen == WGM_LISTEN_PUBLIC ? " (API public)" : "", cli->config_path, cfg.state_dir);
	fprintf(stderr, "public addresses: IPv4 %s, IPv6 %s\n",
		cfg.connectivity_ipv4[0] ? cfg.connectivity_ipv4 : "none",
		cfg.connectivity_ipv6[0] ? cfg.connectivity_ipv6 : "none");
	fprintf(stderr,
		"next: start wgmeshd (systemctl start wgmeshd), then `wgmesh token` here or `wgmesh connect URL TOKEN`\n");
	return CLI_OK;
}
