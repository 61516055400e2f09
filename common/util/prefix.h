/* IP prefixes as text ("10.0.0.0/16", "fd10:0:2::/48"), parsed once for the
 * config, the address plan, BIRD's routes, WireGuard's allowed IPs and the
 * node API. Pure. */
#ifndef WGM_COMMON_PREFIX_H
#define WGM_COMMON_PREFIX_H

#include <netinet/in.h>
#include <stdbool.h>

struct wgm_prefix {
	int family; /* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
		unsigned char bytes[16];
	} addr;
	unsigned len;
};

/* TEXT is ADDRESS/LENGTH, the length 1-3 digits within the family's bits.
 * FAMILY AF_UNSPEC takes either. 0, or -EINVAL for anything else. */
int wgm_prefix_parse(const char *text, int family, struct wgm_prefix *out);

/* Bits set past the length ("10.0.0.1/16"): an address, not a network. */
bool wgm_prefix_has_host_bits(const struct wgm_prefix *p);

#endif
