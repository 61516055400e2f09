/* libFuzzer target for the kernel's netlink replies as the daemon parses
 * them (common/netlink/nl_route.c, common/wg/wg_genl.c): the input is a
 * stream of netlink messages, each given to every parser, as a dump reply
 * would arrive; the WireGuard GET parts are coalesced into one device.
 * Nothing may crash or leak, and a parsed interface name is always a
 * terminated string of the kernel's length.
 *
 * Built with clang only (CMakeLists.txt); tests/unit/test_fuzz_parsers.c
 * replays the same function on a fixed corpus under gcc. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <net/if.h>

#include "common/netlink/nl_route.h"
#include "common/wg/wg.h"
#include "common/wg/wg_genl.h"

static void parse_one(const struct nlmsghdr *nlh, struct wgm_wg_device *dev)
{
	struct wgm_nl_link link;
	struct wgm_nl_addr addr;
	struct wgm_nl_route_info route;
	uint16_t family;

	if (wgm_nl_route_parse_link(nlh, &link) == 0 && strnlen(link.name, sizeof(link.name)) >= IFNAMSIZ)
		abort();
	(void)wgm_nl_route_parse_addr(nlh, &addr);
	(void)wgm_nl_route_parse_route(nlh, &route);
	(void)wgm_wg_genl_parse_family(nlh, &family);
	if (wgm_wg_genl_parse_get(nlh, dev) == 0 && strnlen(dev->ifname, sizeof(dev->ifname)) >= IFNAMSIZ)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Netlink messages sit 4-byte aligned in a receive buffer. */
	uint32_t *buf = malloc(size + 4);
	struct wgm_wg_device *dev = calloc(1, sizeof(*dev));
	const struct nlmsghdr *nlh;
	int len = (int)size;

	if (!buf || !dev || size > 1 << 20) {
		free(buf);
		free(dev);
		return 0;
	}
	memcpy(buf, data, size);
	/* libmnl's mnl_nlmsg_ok() casts nlmsg_len to int, so a length of 2 GiB
	 * or more passes it; the kernel never sends one, but check it here. */
	for (nlh = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len) && nlh->nlmsg_len <= (uint32_t)len;
	     nlh = mnl_nlmsg_next(nlh, &len))
		parse_one(nlh, dev);
	wgm_wg_device_free(dev);
	free(buf);
	return 0;
}
