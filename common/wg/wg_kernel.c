/* The kernel backend: links via rtnetlink kind "wireguard", configuration via
 * the "wireguard" generic netlink family. No `wg` or `ip` processes. */
#include "common/wg/wg.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/netlink/nl_route.h"
#include "common/netlink/nl_sock.h"
#include "common/wg/wg_genl.h"

/* The kernel's own size for one request, as wireguard-tools uses. */
#define SET_MSG_MAX 8192

struct wg_kernel {
	struct wgm_wg_backend base;
	struct wgm_nl_sock *route;
	struct wgm_nl_sock genl;
	uint16_t family_id;
};

static int family_cb(const struct nlmsghdr *nlh, void *ctx)
{
	int e = wgm_wg_genl_parse_family(nlh, ctx);
	return e == -ENOMSG ? 0 : e;
}

static int kernel_create(struct wgm_wg_backend *b, const char *ifname, char *err, size_t errlen)
{
	struct wg_kernel *k = (struct wg_kernel *)b;
	struct wgm_nl_link link;
	char ignored[8];
	int e = wgm_nl_route_link_create(k->route, ifname, "wireguard", err, errlen);

	if (e != -EEXIST)
		return e;
	/* Already there: fine if it is ours to configure, an error otherwise. */
	if (wgm_nl_route_link_get(k->route, ifname, &link, ignored, sizeof(ignored)) == 0 &&
	    strcmp(link.kind, "wireguard") == 0)
		return 0;
	snprintf(err, errlen, "create link %s: exists and is not a WireGuard interface", ifname);
	return -EEXIST;
}

static int kernel_delete(struct wgm_wg_backend *b, const char *ifname, char *err, size_t errlen)
{
	struct wg_kernel *k = (struct wg_kernel *)b;
	int e = wgm_nl_route_link_delete(k->route, ifname, err, errlen);

	return e == -ENODEV ? 0 : e;
}

static int kernel_set_device(struct wgm_wg_backend *b, const struct wgm_wg_device *dev, char *err, size_t errlen)
{
	struct wg_kernel *k = (struct wg_kernel *)b;
	char *buf = malloc(SET_MSG_MAX);
	struct wgm_wg_set_cursor cur = { 0 };
	char what[64];
	int more, e = 0;

	if (!buf)
		return -ENOMEM;
	snprintf(what, sizeof(what), "configure WireGuard %s", dev->ifname);
	do {
		struct nlmsghdr *nlh;
		more = wgm_wg_genl_build_set(buf, SET_MSG_MAX, k->family_id, dev, &cur, &nlh);
		if (more < 0) {
			e = more;
			snprintf(err, errlen, "%s: %s", what, more == -EINVAL ? "invalid device" : strerror(-more));
			break;
		}
		e = wgm_nl_sock_request(&k->genl, nlh, NULL, NULL, what, err, errlen);
		sodium_memzero(buf, SET_MSG_MAX);
	} while (e == 0 && more > 0);
	sodium_memzero(buf, SET_MSG_MAX);
	free(buf);
	return e;
}

static int get_cb(const struct nlmsghdr *nlh, void *ctx)
{
	return wgm_wg_genl_parse_get(nlh, ctx);
}

static int kernel_get_device(struct wgm_wg_backend *b, const char *ifname, struct wgm_wg_device **out, char *err,
			     size_t errlen)
{
	struct wg_kernel *k = (struct wg_kernel *)b;
	char buf[256] __attribute__((aligned(4)));
	struct nlmsghdr *nlh = wgm_wg_genl_build_get(buf, k->family_id, ifname);
	struct wgm_wg_device *dev;
	char what[64];
	int e;

	snprintf(what, sizeof(what), "read WireGuard %s", ifname ? ifname : "");
	if (!nlh) {
		snprintf(err, errlen, "%s: invalid interface name", what);
		return -EINVAL;
	}
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	e = wgm_nl_sock_request(&k->genl, nlh, get_cb, dev, what, err, errlen);
	if (e < 0) {
		wgm_wg_device_free(dev);
		return e;
	}
	*out = dev;
	return 0;
}

static void kernel_close(struct wgm_wg_backend *b)
{
	struct wg_kernel *k = (struct wg_kernel *)b;

	wgm_nl_sock_close(&k->genl);
	free(k);
}

static const struct wgm_wg_backend_ops kernel_ops = {
	.name = "kernel",
	.create = kernel_create,
	.delete = kernel_delete,
	.set_device = kernel_set_device,
	.get_device = kernel_get_device,
	.close = kernel_close,
};

int wgm_wg_kernel_backend_open(struct wgm_nl_sock *route, struct wgm_wg_backend **out, char *err, size_t errlen)
{
	struct wg_kernel *k = calloc(1, sizeof(*k));
	char buf[256] __attribute__((aligned(4)));
	int e;

	if (!k)
		return -ENOMEM;
	k->base.ops = &kernel_ops;
	k->route = route;
	e = wgm_nl_sock_open(&k->genl, NETLINK_GENERIC, err, errlen);
	if (e < 0) {
		free(k);
		return e;
	}
	/* Resolving the family also loads the module where modprobe can. */
	e = wgm_nl_sock_request(&k->genl, wgm_wg_genl_build_get_family(buf), family_cb, &k->family_id,
				"WireGuard kernel module (generic netlink family \"wireguard\")", err, errlen);
	if (e == 0 && k->family_id == 0) {
		snprintf(err, errlen, "WireGuard kernel module: no family id in reply");
		e = -EBADMSG;
	}
	if (e == -ENOENT)
		snprintf(err, errlen,
			 "kernel WireGuard: no wireguard module in this kernel (modprobe wireguard, "
			 "or use the userspace backend: apt install wireguard-go)");
	if (e < 0) {
		kernel_close(&k->base);
		return e;
	}
	*out = &k->base;
	return 0;
}
