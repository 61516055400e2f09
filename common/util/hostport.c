#include "common/util/hostport.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_port(const char *text, uint16_t *port, char *err, size_t errlen)
{
	unsigned long v = 0;

	if (!*text || strlen(text) > 5 || strspn(text, "0123456789") != strlen(text)) {
		snprintf(err, errlen, "port '%s' is not a number", text);
		return -EINVAL;
	}
	v = strtoul(text, NULL, 10);
	if (v < 1 || v > 65535) {
		snprintf(err, errlen, "port %lu is out of range (1-65535)", v);
		return -EINVAL;
	}
	*port = (uint16_t)v;
	return 0;
}

int wgm_hostport_parse(const char *text, struct wgm_hostport *out, char *err, size_t errlen)
{
	unsigned char buf[sizeof(struct in6_addr)];
	const char *host, *colon;
	size_t host_len;

	memset(out, 0, sizeof(*out));
	if (text[0] == '[') {
		const char *close = strchr(text, ']');
		if (!close || close[1] != ':') {
			snprintf(err, errlen, "'%s' is not [IPv6]:PORT", text);
			return -EINVAL;
		}
		host = text + 1;
		host_len = (size_t)(close - host);
		colon = close + 1;
		out->family = AF_INET6;
	} else {
		colon = strchr(text, ':');
		if (!colon || strchr(colon + 1, ':')) {
			snprintf(err, errlen, "'%s' is not ADDRESS:PORT (an IPv6 address goes in brackets: [::1]:9586)",
				 text);
			return -EINVAL;
		}
		host = text;
		host_len = (size_t)(colon - text);
		out->family = AF_INET;
	}
	if (host_len == 0 || host_len >= sizeof(out->host)) {
		snprintf(err, errlen, "'%s' has no address", text);
		return -EINVAL;
	}
	memcpy(out->host, host, host_len);
	out->host[host_len] = '\0';
	if (inet_pton(out->family, out->host, buf) != 1) {
		snprintf(err, errlen, "'%s' is not an IPv%d address", out->host, out->family == AF_INET ? 4 : 6);
		return -EINVAL;
	}
	return parse_port(colon + 1, &out->port, err, errlen);
}
