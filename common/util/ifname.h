/* Linux network interface names, checked once: what the kernel's
 * dev_valid_name() accepts (1-15 bytes, not "." or "..", no '/', ':' or
 * white space). Callers that write a name into another language (BIRD's
 * config) narrow it further. */
#ifndef WGM_COMMON_IFNAME_H
#define WGM_COMMON_IFNAME_H

#include <net/if.h>
#include <stdbool.h>
#include <string.h>

static inline bool wgm_ifname_valid(const char *name)
{
	size_t n = name ? strnlen(name, IFNAMSIZ) : 0;

	if (n == 0 || n >= IFNAMSIZ || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (name[i] == '/' || name[i] == ':' || name[i] == ' ' || (name[i] >= '\t' && name[i] <= '\r'))
			return false;
	return true;
}

#endif
