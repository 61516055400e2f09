#include "common/util/prefix.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

int wgm_prefix_parse(const char *text, int family, struct wgm_prefix *out)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = text ? strchr(text, '/') : NULL;
	const char *digits;
	unsigned len = 0;
	size_t n;

	memset(out, 0, sizeof(*out));
	if (!slash || (size_t)(slash - text) >= sizeof(addr))
		return -EINVAL;
	digits = slash + 1;
	n = strlen(digits);
	if (n == 0 || n > 3 || strspn(digits, "0123456789") != n)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		len = len * 10 + (unsigned)(digits[i] - '0');
	memcpy(addr, text, (size_t)(slash - text));
	addr[slash - text] = '\0';
	if ((family == AF_UNSPEC || family == AF_INET) && inet_pton(AF_INET, addr, &out->addr.v4) == 1)
		out->family = AF_INET;
	else if ((family == AF_UNSPEC || family == AF_INET6) && inet_pton(AF_INET6, addr, &out->addr.v6) == 1)
		out->family = AF_INET6;
	else
		return -EINVAL;
	if (len > (out->family == AF_INET ? 32u : 128u))
		return -EINVAL;
	out->len = len;
	return 0;
}

bool wgm_prefix_has_host_bits(const struct wgm_prefix *p)
{
	unsigned bits = p->family == AF_INET ? 32 : 128;

	for (unsigned bit = p->len; bit < bits; bit++)
		if (p->addr.bytes[bit / 8] & (0x80 >> (bit % 8)))
			return true;
	return false;
}
