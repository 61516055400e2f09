/* Drives bird/ for the end-to-end tests against a real BIRD:
 *
 *   bird_ctl render ID LINK COST DIR   print the config of node ID with one
 *                                      ptp link LINK (includes under DIR)
 *   bird_ctl SOCK cmd WORDS...         one command through the non-blocking
 *                                      path (epoll), reply lines on stdout
 *   bird_ctl SOCK apply FINAL NEWFILE  bird_apply_config() with NEWFILE's text
 *   bird_ctl SOCK routes|neighbors|protocols   parsed, one row per line
 *
 * Exit 0 on success, 1 with a one-line message on stderr. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "bird/client.h"
#include "bird/conf_gen.h"
#include "bird/parse.h"
#include "common/config/addrplan.h"

#define TIMEOUT_MS 5000

static int render(int argc, char **argv)
{
	char lo4[32], lo6[48], stat[512], bgp[512], err[256], *out = NULL;
	if (argc != 6)
		return 2;
	unsigned id = (unsigned)strtoul(argv[2], NULL, 10);
	snprintf(lo4, sizeof(lo4), "10.0.%u.1", id);
	snprintf(lo6, sizeof(lo6), "fd10:0:%u::1", id);
	snprintf(stat, sizeof(stat), "%s/static.conf", argv[5]);
	snprintf(bgp, sizeof(bgp), "%s/bgp.conf", argv[5]);
	struct bird_conf_iface link = {
		.ifname = argv[3],
		.cost = (uint32_t)strtoul(argv[4], NULL, 10),
		.type = BIRD_CONF_PTP,
	};
	struct bird_conf_area area = { .id = 0, .ifaces = &link, .n_ifaces = 1 };
	/* The route filters of the default address plan, as the daemon renders them. */
	struct wgm_addrplan plan;
	struct wgm_addrplan_range plan_ranges[WGM_ADDRPLAN_RANGES_MAX];
	struct bird_conf_range ranges[WGM_ADDRPLAN_RANGES_MAX];
	if (wgm_addrplan_init(&plan, "10.0.0.0/16", "fe82:", "10.0.251.0/24", "172.31.0.0/16", "pipe", 0, err,
			      sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	size_t n_ranges = wgm_addrplan_mesh_ranges(&plan, plan_ranges);
	for (size_t i = 0; i < n_ranges; i++)
		ranges[i] = (struct bird_conf_range){ .prefix = plan_ranges[i].prefix,
						      .min_len = plan_ranges[i].min_len,
						      .max_len = plan_ranges[i].max_len };
	struct bird_conf_model m = {
		.node_id = id,
		.loopback4 = lo4,
		.loopback6 = lo6,
		.mesh_subnet4 = "10.0.0.0/16",
		.mesh_subnet6 = "fd10::/32",
		.ospfv2 = true,
		.ospfv3 = true,
		.client = id >= 200,
		.tick = 1,
		.loglevel = BIRD_CONF_LOG_INFO,
		.log_target = BIRD_CONF_LOG_STDERR,
		.areas = &area,
		.n_areas = 1,
		.static_conf_path = stat,
		.bgp_conf_path = bgp,
		.mesh_ranges = ranges,
		.n_mesh_ranges = n_ranges,
	};
	if (bird_conf_render(&m, &out, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	fputs(out, stdout);
	free(out);
	return 0;
}

/* The daemon's way: non-blocking socket in epoll, reply assembled from
 * readable events. */
static int command_via_epoll(const char *sock, const char *command)
{
	struct bird_client c;
	struct bird_reply *reply = NULL;
	char err[256];
	int rc, ep = -1;

	bird_client_init(&c);
	rc = bird_client_open(&c, sock, err, sizeof(err));
	if (rc)
		goto out;
	rc = bird_client_send(&c, command, err, sizeof(err));
	if (rc)
		goto out;
	ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN };
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, bird_client_fd(&c), &ev) < 0) {
		rc = -errno;
		snprintf(err, sizeof(err), "epoll: %s", strerror(errno));
		goto out;
	}
	while ((rc = bird_client_on_readable(&c, &reply, err, sizeof(err))) == 0) {
		if (epoll_wait(ep, &ev, 1, TIMEOUT_MS) == 0) {
			rc = -ETIMEDOUT;
			snprintf(err, sizeof(err), "no reply from BIRD");
			goto out;
		}
	}
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < reply->n_lines; i++)
		printf("%04d %s\n", reply->lines[i].code, reply->lines[i].text);
	rc = bird_reply_status(reply);
	if (rc)
		snprintf(err, sizeof(err), "bird: %s", bird_reply_message(reply));
out:
	if (rc)
		fprintf(stderr, "%s\n", err);
	bird_reply_free(reply);
	if (ep >= 0)
		close(ep);
	bird_client_close(&c);
	return rc ? 1 : 0;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0;
	if (!f)
		return NULL;
	buf = malloc(1 << 20);
	if (buf) {
		len = fread(buf, 1, (1 << 20) - 1, f);
		buf[len] = '\0';
	}
	fclose(f);
	return buf;
}

static void print_routes(const struct bird_reply *reply, int *rc, char *err, size_t errlen)
{
	struct bird_routes rs;
	*rc = bird_parse_routes(reply, &rs, err, errlen);
	for (size_t i = 0; !*rc && i < rs.n; i++) {
		const struct bird_route *r = &rs.items[i];
		printf("%s %s %s %s %s %u\n", r->table, r->prefix, r->proto,
		       r->n_nexthops && r->nexthops[0].gateway[0] ? r->nexthops[0].gateway : "-",
		       r->n_nexthops ? r->nexthops[0].ifname : "-", (unsigned)r->metric);
	}
	bird_routes_free(&rs);
}

static void print_neighbors(const struct bird_reply *reply, int *rc, char *err, size_t errlen)
{
	struct bird_ospf_neighbors ns;
	*rc = bird_parse_ospf_neighbors(reply, &ns, err, errlen);
	for (size_t i = 0; !*rc && i < ns.n; i++)
		printf("%s %s %s %s %s\n", ns.items[i].proto, ns.items[i].router_id, ns.items[i].state,
		       ns.items[i].ifname, ns.items[i].address);
	bird_ospf_neighbors_free(&ns);
}

static void print_protocols(const struct bird_reply *reply, int *rc, char *err, size_t errlen)
{
	struct bird_protocols ps;
	*rc = bird_parse_protocols(reply, &ps, err, errlen);
	for (size_t i = 0; !*rc && i < ps.n; i++)
		printf("%s %s %s %s\n", ps.items[i].name, ps.items[i].proto, ps.items[i].state, ps.items[i].info);
	bird_protocols_free(&ps);
}

int main(int argc, char **argv)
{
	struct bird_client c;
	struct bird_reply *reply = NULL;
	char err[512] = "";
	char *text = NULL;
	int rc;

	if (argc >= 2 && strcmp(argv[1], "render") == 0)
		return render(argc, argv);
	if (argc < 3) {
		fprintf(stderr,
			"usage: bird_ctl render ID LINK COST DIR | SOCK cmd|apply|routes|neighbors|protocols ...\n");
		return 2;
	}
	if (strcmp(argv[2], "cmd") == 0) {
		char line[BIRD_COMMAND_MAX + 1] = "";
		for (int i = 3; i < argc; i++) {
			strncat(line, argv[i], sizeof(line) - strlen(line) - 1);
			if (i + 1 < argc)
				strncat(line, " ", sizeof(line) - strlen(line) - 1);
		}
		return command_via_epoll(argv[1], line);
	}

	bird_client_init(&c);
	rc = bird_client_connect(&c, argv[1], TIMEOUT_MS, err, sizeof(err));
	if (rc)
		goto out;
	if (strcmp(argv[2], "apply") == 0 && argc == 5) {
		text = read_file(argv[4]);
		if (!text) {
			rc = -errno;
			snprintf(err, sizeof(err), "cannot read %s", argv[4]);
			goto out;
		}
		rc = bird_apply_config(&c, argv[3], text, TIMEOUT_MS, err, sizeof(err));
	} else if (strcmp(argv[2], "routes") == 0) {
		rc = bird_client_command(&c, "show route", TIMEOUT_MS, &reply, err, sizeof(err));
		if (!rc)
			print_routes(reply, &rc, err, sizeof(err));
	} else if (strcmp(argv[2], "neighbors") == 0) {
		rc = bird_client_command(&c, "show ospf neighbors", TIMEOUT_MS, &reply, err, sizeof(err));
		if (!rc)
			print_neighbors(reply, &rc, err, sizeof(err));
	} else if (strcmp(argv[2], "protocols") == 0) {
		rc = bird_client_command(&c, "show protocols", TIMEOUT_MS, &reply, err, sizeof(err));
		if (!rc)
			print_protocols(reply, &rc, err, sizeof(err));
	} else {
		fprintf(stderr, "bird_ctl: unknown command %s\n", argv[2]);
		bird_client_close(&c);
		return 2;
	}
out:
	if (rc)
		fprintf(stderr, "%s\n", err);
	free(text);
	bird_reply_free(reply);
	bird_client_close(&c);
	return rc ? 1 : 0;
}
