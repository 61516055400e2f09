/* Backend choice: "auto" takes the kernel module where it exists, else
 * wireguard-go, else says what to install. */
#include "common/wg/wg.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/util/log.h"
#include "common/netlink/nl_route.h"

/* The module may be built in but its genl family not yet registered, or be
 * loadable only through link creation: try a throwaway link as well. */
static bool kernel_module_usable(struct wgm_nl_sock *route)
{
	char name[IFNAMSIZ], ignored[256];

	snprintf(name, sizeof(name), "wgmprobe%d", (int)(getpid() % 100000));
	if (wgm_nl_route_link_create(route, name, "wireguard", ignored, sizeof(ignored)) < 0)
		return false;
	wgm_nl_route_link_delete(route, name, ignored, sizeof(ignored));
	return true;
}

int wgm_wg_backend_open(const struct wgm_wg_backend_options *opt, struct wgm_nl_sock *route,
			struct wgm_wg_backend **out, char *err, size_t errlen)
{
	const char *binary = opt->userspace_binary ? opt->userspace_binary : "wireguard-go";
	char kernel_err[256] = "", path[4096];
	int e;

	switch (opt->kind) {
	case WGM_WG_BACKEND_KERNEL:
		return wgm_wg_kernel_backend_open(route, out, err, errlen);
	case WGM_WG_BACKEND_USERSPACE:
		return wgm_wg_userspace_backend_open(opt, route, out, err, errlen);
	case WGM_WG_BACKEND_AUTO:
		break;
	default:
		snprintf(err, errlen, "backend: unknown kind %d", (int)opt->kind);
		return -EINVAL;
	}
	e = wgm_wg_kernel_backend_open(route, out, kernel_err, sizeof(kernel_err));
	if (e == 0)
		return 0;
	if (kernel_module_usable(route)) {
		e = wgm_wg_kernel_backend_open(route, out, kernel_err, sizeof(kernel_err));
		if (e == 0)
			return 0;
	}
	log_debug("kernel WireGuard unusable: %s", kernel_err);
	if (wgm_wg_userspace_binary_find(binary, path, sizeof(path)) == 0)
		return wgm_wg_userspace_backend_open(opt, route, out, err, errlen);
	snprintf(err, errlen,
		 "no WireGuard backend: the kernel has no wireguard module and %s is not installed "
		 "(apt install wireguard-go, or load the module: modprobe wireguard)",
		 binary);
	return -ENOENT;
}
