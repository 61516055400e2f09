/* Drives common/'s netlink and WireGuard code from the end-to-end tests:
 *   wgm-linktool create IFNAME [--backend B] [--binary PATH] --private-key-file F
 *                [--port P] [--peer PUB --endpoint ADDR:PORT [--psk-file F]
 *                [--allowed-ip CIDR]... [--keepalive S]] [--addr CIDR]... [--mtu N] [--up]
 *   wgm-linktool show IFNAME [--backend B]
 *   wgm-linktool delete IFNAME [--backend B]
 *   wgm-linktool links            (name ifindex kind up mtu, one per line)
 *   wgm-linktool route ADDR       (dev, src, gateway, mtu)
 *   wgm-linktool vxlan IFNAME --vni N --port P --local ADDR [--dev DEV]
 *   wgm-linktool fdb-append|fdb-delete IFNAME --dst ADDR
 *   wgm-linktool link-delete IFNAME   (any kind, straight through rtnetlink)
 * Exit 0 on success, 1 with one line on stderr otherwise. */
#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/netlink/nl_route.h"
#include "common/netlink/nl_sock.h"
#include "common/wg/wg.h"

#define MAX_ADDRS 8

struct options {
	const char *command, *ifname;
	struct wgm_wg_backend_options backend;
	const char *private_key_file, *psk_file, *peer, *endpoint;
	const char *allowed_ips[8];
	size_t n_allowed_ips;
	const char *addrs[MAX_ADDRS];
	size_t n_addrs;
	unsigned long port, keepalive, mtu, vni;
	const char *local, *dev, *dst;
	bool up;
};

static int die(const char *msg)
{
	fprintf(stderr, "wgm-linktool: %s\n", msg);
	return 1;
}

static int read_key_file(const char *path, uint8_t key[WGM_WG_KEY_LEN], char *err, size_t errlen)
{
	char text[128] = "";
	FILE *f = fopen(path, "r");
	int e = 0;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	if (!fgets(text, sizeof(text), f))
		text[0] = '\0';
	fclose(f);
	text[strcspn(text, "\r\n")] = '\0';
	if (wgm_key_from_base64(key, text) < 0) {
		snprintf(err, errlen, "%s: not a base64 WireGuard key", path);
		e = -EINVAL;
	}
	sodium_memzero(text, sizeof(text));
	return e;
}

static int parse_number(const char *text, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(text, &end, 10);
	return (errno || !*text || *end || *out > max) ? -EINVAL : 0;
}

static int parse_args(int argc, char **argv, struct options *o, char *err, size_t errlen)
{
	int i = 1;

	memset(o, 0, sizeof(*o));
	if (argc < 2) {
		snprintf(err, errlen, "usage: wgm-linktool create|show|delete IFNAME [options] | links | route ADDR");
		return -EINVAL;
	}
	o->command = argv[i++];
	if (strcmp(o->command, "links") != 0) {
		if (i >= argc) {
			snprintf(err, errlen, "%s: missing argument", o->command);
			return -EINVAL;
		}
		o->ifname = argv[i++];
	}
	for (; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--up")) {
			o->up = true;
			continue;
		}
		if (!v) {
			snprintf(err, errlen, "%s: missing value", a);
			return -EINVAL;
		}
		i++;
		if (!strcmp(a, "--backend")) {
			if (wgm_wg_backend_kind_from_name(v, &o->backend.kind) < 0) {
				snprintf(err, errlen, "--backend: %s is not auto, kernel or userspace", v);
				return -EINVAL;
			}
		} else if (!strcmp(a, "--binary")) {
			o->backend.userspace_binary = v;
		} else if (!strcmp(a, "--local")) {
			o->local = v;
		} else if (!strcmp(a, "--dev")) {
			o->dev = v;
		} else if (!strcmp(a, "--dst")) {
			o->dst = v;
		} else if (!strcmp(a, "--vni")) {
			if (parse_number(v, UINT32_MAX, &o->vni) < 0) {
				snprintf(err, errlen, "--vni: %s is not a number", v);
				return -EINVAL;
			}
		} else if (!strcmp(a, "--private-key-file")) {
			o->private_key_file = v;
		} else if (!strcmp(a, "--psk-file")) {
			o->psk_file = v;
		} else if (!strcmp(a, "--peer")) {
			o->peer = v;
		} else if (!strcmp(a, "--endpoint")) {
			o->endpoint = v;
		} else if (!strcmp(a, "--allowed-ip") && o->n_allowed_ips < 8) {
			o->allowed_ips[o->n_allowed_ips++] = v;
		} else if (!strcmp(a, "--addr") && o->n_addrs < MAX_ADDRS) {
			o->addrs[o->n_addrs++] = v;
		} else if (!strcmp(a, "--port")) {
			if (parse_number(v, 65535, &o->port) < 0) {
				snprintf(err, errlen, "--port: %s is not a port (0-65535)", v);
				return -EINVAL;
			}
		} else if (!strcmp(a, "--keepalive")) {
			if (parse_number(v, 65535, &o->keepalive) < 0) {
				snprintf(err, errlen, "--keepalive: %s is not 0-65535 seconds", v);
				return -EINVAL;
			}
		} else if (!strcmp(a, "--mtu")) {
			if (parse_number(v, 65535, &o->mtu) < 0) {
				snprintf(err, errlen, "--mtu: %s is not an MTU", v);
				return -EINVAL;
			}
		} else {
			snprintf(err, errlen, "%s: unknown option", a);
			return -EINVAL;
		}
	}
	return 0;
}

static int build_device(const struct options *o, struct wgm_wg_device *dev, char *err, size_t errlen)
{
	struct wgm_wg_peer *peer;
	int e;

	snprintf(dev->ifname, sizeof(dev->ifname), "%s", o->ifname);
	if (!o->private_key_file) {
		snprintf(err, errlen, "create: --private-key-file is required");
		return -EINVAL;
	}
	e = read_key_file(o->private_key_file, dev->private_key, err, errlen);
	if (e < 0)
		return e;
	dev->has_private_key = true;
	dev->listen_port = (uint16_t)o->port;
	if (!o->peer)
		return 0;
	peer = wgm_wg_device_add_peer(dev);
	if (!peer)
		return -ENOMEM;
	if (wgm_key_from_base64(peer->public_key, o->peer) < 0) {
		snprintf(err, errlen, "--peer: %s is not a base64 WireGuard key", o->peer);
		return -EINVAL;
	}
	if (o->psk_file) {
		e = read_key_file(o->psk_file, peer->preshared_key, err, errlen);
		if (e < 0)
			return e;
		peer->has_preshared_key = true;
	}
	if (o->endpoint && wgm_wg_endpoint_parse(o->endpoint, peer) < 0) {
		snprintf(err, errlen, "--endpoint: %s is not ADDR:PORT or [ADDR6]:PORT", o->endpoint);
		return -EINVAL;
	}
	peer->persistent_keepalive = (uint16_t)o->keepalive;
	{
		static const char *const everything[] = { "0.0.0.0/0", "::/0" };
		const char *const *list = o->n_allowed_ips ? o->allowed_ips : everything;
		size_t n = o->n_allowed_ips ? o->n_allowed_ips : 2;
		for (size_t i = 0; i < n; i++) {
			struct wgm_wg_allowed_ip *a = wgm_wg_peer_add_allowed_ip(peer);
			if (!a)
				return -ENOMEM;
			if (wgm_wg_allowed_ip_parse(list[i], a) < 0) {
				snprintf(err, errlen, "--allowed-ip: %s is not ADDR/CIDR", list[i]);
				return -EINVAL;
			}
		}
	}
	return 0;
}

static int do_create(struct wgm_wg_backend *b, struct wgm_nl_sock *rt, const struct options *o, char *err,
		     size_t errlen)
{
	struct wgm_wg_device *dev = calloc(1, sizeof(*dev));
	int e;

	if (!dev)
		return -ENOMEM;
	e = build_device(o, dev, err, errlen);
	if (e < 0)
		goto out;
	e = wg_create(b, o->ifname, err, errlen);
	if (e < 0)
		goto out;
	e = wg_set_device(b, dev, err, errlen);
	if (e < 0)
		goto out;
	if (o->mtu) {
		e = wgm_nl_route_link_set_mtu(rt, o->ifname, (uint32_t)o->mtu, err, errlen);
		if (e < 0)
			goto out;
	}
	for (size_t i = 0; i < o->n_addrs; i++) {
		struct wgm_nl_ip ip;
		unsigned int len;
		if (wgm_nl_ip_prefix_parse(o->addrs[i], &ip, &len) < 0) {
			snprintf(err, errlen, "--addr: %s is not ADDR/LEN", o->addrs[i]);
			e = -EINVAL;
			goto out;
		}
		e = wgm_nl_route_addr_add(rt, o->ifname, &ip, len, NULL, err, errlen);
		if (e < 0)
			goto out;
	}
	if (o->up)
		e = wgm_nl_route_link_set_up(rt, o->ifname, true, err, errlen);
out:
	wgm_wg_device_free(dev);
	return e;
}

static int do_show(struct wgm_wg_backend *b, const char *ifname, char *err, size_t errlen)
{
	struct wgm_wg_device *dev = NULL;
	char key[WGM_KEY_B64_SIZE];
	int e = wg_get_device(b, ifname, &dev, err, errlen);

	if (e < 0)
		return e;
	printf("interface %s\n", dev->ifname);
	if (dev->has_public_key) {
		wgm_key_to_base64(key, dev->public_key);
		printf("public_key %s\n", key);
	}
	printf("listen_port %u\n", dev->listen_port);
	for (size_t i = 0; i < dev->n_peers; i++) {
		const struct wgm_wg_peer *p = &dev->peers[i];
		char endpoint[64];
		wgm_key_to_base64(key, p->public_key);
		wgm_wg_endpoint_format(p, endpoint, sizeof(endpoint));
		printf("peer %s\n", key);
		printf("preshared_key %s\n", p->has_preshared_key ? "(set)" : "(none)");
		printf("endpoint %s\n", endpoint[0] ? endpoint : "(none)");
		printf("allowed_ips %zu\n", p->n_allowed_ips);
		printf("last_handshake_sec %" PRId64 "\n", p->last_handshake_sec);
		printf("rx_bytes %" PRIu64 "\n", p->rx_bytes);
		printf("tx_bytes %" PRIu64 "\n", p->tx_bytes);
	}
	wgm_wg_device_free(dev);
	return 0;
}

static int do_links(struct wgm_nl_sock *rt, char *err, size_t errlen)
{
	struct wgm_nl_link *links = NULL;
	size_t n = 0;
	int e = wgm_nl_route_list_links(rt, &links, &n, err, errlen);

	if (e < 0)
		return e;
	for (size_t i = 0; i < n; i++)
		printf("%s %d %s %s %u\n", links[i].name, links[i].ifindex, links[i].kind[0] ? links[i].kind : "-",
		       links[i].up ? "up" : "down", links[i].mtu);
	free(links);
	return 0;
}

static int do_route(struct wgm_nl_sock *rt, const char *addr, char *err, size_t errlen)
{
	struct wgm_nl_route_info ri;
	struct wgm_nl_ip ip;
	char src[INET6_ADDRSTRLEN], gw[INET6_ADDRSTRLEN];
	int e;

	if (wgm_nl_ip_parse(addr, &ip) < 0) {
		snprintf(err, errlen, "route: %s is not an address", addr);
		return -EINVAL;
	}
	e = wgm_nl_route_get(rt, &ip, &ri, err, errlen);
	if (e < 0)
		return e;
	printf("dev %s src %s gateway %s mtu %u\n", ri.oif_name,
	       ri.src.family ? wgm_nl_ip_format(&ri.src, src, sizeof(src)) : "-",
	       ri.gateway.family ? wgm_nl_ip_format(&ri.gateway, gw, sizeof(gw)) : "-", wgm_nl_route_info_mtu(&ri));
	return 0;
}

int main(int argc, char **argv)
{
	struct options o;
	struct wgm_nl_sock rt = { 0 };
	struct wgm_wg_backend *b = NULL;
	char err[512] = "";
	int e;

	if (sodium_init() < 0)
		return die("libsodium failed to initialise");
	e = parse_args(argc, argv, &o, err, sizeof(err));
	if (e < 0)
		return die(err);
	e = wgm_nl_sock_open(&rt, NETLINK_ROUTE, err, sizeof(err));
	if (e < 0)
		return die(err);
	if (!strcmp(o.command, "links")) {
		e = do_links(&rt, err, sizeof(err));
		goto out;
	}
	if (!strcmp(o.command, "route")) {
		e = do_route(&rt, o.ifname, err, sizeof(err));
		goto out;
	}
	if (!strcmp(o.command, "vxlan")) {
		struct wgm_nl_vxlan_spec spec = {
			.ifname = o.ifname, .vni = (uint32_t)o.vni, .dstport = (uint16_t)o.port, .dev = o.dev
		};
		if (wgm_nl_ip_parse(o.local, &spec.local) < 0) {
			snprintf(err, sizeof(err), "--local: %s is not an address", o.local ? o.local : "(missing)");
			e = -EINVAL;
			goto out;
		}
		e = wgm_nl_route_vxlan_create(&rt, &spec, err, sizeof(err));
		goto out;
	}
	if (!strcmp(o.command, "link-delete")) {
		e = wgm_nl_route_link_delete(&rt, o.ifname, err, sizeof(err));
		goto out;
	}
	if (!strcmp(o.command, "fdb-append") || !strcmp(o.command, "fdb-delete")) {
		struct wgm_nl_ip dst;
		if (wgm_nl_ip_parse(o.dst, &dst) < 0) {
			snprintf(err, sizeof(err), "--dst: %s is not an address", o.dst ? o.dst : "(missing)");
			e = -EINVAL;
			goto out;
		}
		e = o.command[4] == 'a' ? wgm_nl_route_fdb_append(&rt, o.ifname, &dst, err, sizeof(err))
					: wgm_nl_route_fdb_delete(&rt, o.ifname, &dst, err, sizeof(err));
		goto out;
	}
	e = wgm_wg_backend_open(&o.backend, &rt, &b, err, sizeof(err));
	if (e < 0)
		goto out;
	if (!strcmp(o.command, "create")) {
		e = do_create(b, &rt, &o, err, sizeof(err));
	} else if (!strcmp(o.command, "show")) {
		e = do_show(b, o.ifname, err, sizeof(err));
	} else if (!strcmp(o.command, "delete")) {
		e = wg_delete(b, o.ifname, err, sizeof(err));
	} else {
		snprintf(err, sizeof(err), "%s: unknown command", o.command);
		e = -EINVAL;
	}
out:
	wg_backend_close(b);
	wgm_nl_sock_close(&rt);
	if (e < 0)
		return die(err[0] ? err : strerror(-e));
	return 0;
}
