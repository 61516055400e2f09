#include "common/wg/wg.h"

#include "common/util/prefix.h"

#include <arpa/inet.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void peer_wipe(struct wgm_wg_peer *peer)
{
	free(peer->allowed_ips);
	sodium_memzero(peer, sizeof(*peer));
}

void wgm_wg_device_free(struct wgm_wg_device *dev)
{
	if (!dev)
		return;
	for (size_t i = 0; i < dev->n_peers; i++)
		peer_wipe(&dev->peers[i]);
	free(dev->peers);
	sodium_memzero(dev, sizeof(*dev));
	free(dev);
}

struct wgm_wg_peer *wgm_wg_device_add_peer(struct wgm_wg_device *dev)
{
	struct wgm_wg_peer *grown = calloc(dev->n_peers + 1, sizeof(*grown));

	if (!grown)
		return NULL;
	/* No realloc: the old block holds preshared keys and must be wiped. */
	if (dev->n_peers) {
		memcpy(grown, dev->peers, dev->n_peers * sizeof(*grown));
		sodium_memzero(dev->peers, dev->n_peers * sizeof(*grown));
	}
	free(dev->peers);
	dev->peers = grown;
	return &dev->peers[dev->n_peers++];
}

struct wgm_wg_allowed_ip *wgm_wg_peer_add_allowed_ip(struct wgm_wg_peer *peer)
{
	struct wgm_wg_allowed_ip *grown = realloc(peer->allowed_ips, (peer->n_allowed_ips + 1) * sizeof(*grown));

	if (!grown)
		return NULL;
	peer->allowed_ips = grown;
	memset(&grown[peer->n_allowed_ips], 0, sizeof(*grown));
	return &grown[peer->n_allowed_ips++];
}

int wgm_wg_allowed_ip_parse(const char *text, struct wgm_wg_allowed_ip *out)
{
	struct wgm_prefix prefix;

	memset(out, 0, sizeof(*out));
	if (wgm_prefix_parse(text, AF_UNSPEC, &prefix) < 0)
		return -EINVAL;
	out->family = prefix.family;
	if (prefix.family == AF_INET)
		out->addr.v4 = prefix.addr.v4;
	else
		out->addr.v6 = prefix.addr.v6;
	out->cidr = (uint8_t)prefix.len;
	return 0;
}

/* An IPv6 zone: "%eth0" or "%3" (wireguard-go writes link-local endpoints
 * with one). 0 and *SCOPE, or -EINVAL for an interface this namespace lacks. */
static int zone_parse(const char *zone, uint32_t *scope)
{
	unsigned long n;
	char *end;

	if (!*zone || strlen(zone) >= IF_NAMESIZE)
		return -EINVAL;
	if (*zone >= '0' && *zone <= '9') {
		errno = 0;
		n = strtoul(zone, &end, 10);
		if (errno || *end || n > UINT32_MAX)
			return -EINVAL;
		*scope = (uint32_t)n;
		return 0;
	}
	*scope = if_nametoindex(zone);
	return *scope ? 0 : -EINVAL;
}

int wgm_wg_endpoint_parse(const char *text, struct wgm_wg_peer *peer)
{
	char host[INET6_ADDRSTRLEN + IF_NAMESIZE + 1];
	const char *port_text;
	char *zone = NULL;
	unsigned long port;
	uint32_t scope = 0;
	char *end;
	size_t n;

	if (!text)
		return -EINVAL;
	if (text[0] == '[') {
		const char *close = strchr(text, ']');
		if (!close || close[1] != ':')
			return -EINVAL;
		n = (size_t)(close - text - 1);
		port_text = close + 2;
		text++;
	} else {
		const char *colon = strrchr(text, ':');
		if (!colon || strchr(text, ':') != colon)
			return -EINVAL;
		n = (size_t)(colon - text);
		port_text = colon + 1;
	}
	if (n == 0 || n >= sizeof(host) || port_text[0] < '0' || port_text[0] > '9')
		return -EINVAL;
	memcpy(host, text, n);
	host[n] = '\0';
	zone = strchr(host, '%');
	if (zone) {
		*zone++ = '\0';
		if (zone_parse(zone, &scope) < 0)
			return -EINVAL;
	}
	errno = 0;
	port = strtoul(port_text, &end, 10);
	if (errno || *end || port == 0 || port > 65535)
		return -EINVAL;
	memset(&peer->endpoint, 0, sizeof(peer->endpoint));
	if (!zone && inet_pton(AF_INET, host, &peer->endpoint.v4.sin_addr) == 1) {
		peer->endpoint.v4.sin_family = AF_INET;
		peer->endpoint.v4.sin_port = htons((uint16_t)port);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &peer->endpoint.v6.sin6_addr) == 1) {
		peer->endpoint.v6.sin6_family = AF_INET6;
		peer->endpoint.v6.sin6_port = htons((uint16_t)port);
		peer->endpoint.v6.sin6_scope_id = scope;
		return 0;
	}
	memset(&peer->endpoint, 0, sizeof(peer->endpoint));
	return -EINVAL;
}

void wgm_wg_endpoint_format(const struct wgm_wg_peer *peer, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];

	if (!len)
		return;
	buf[0] = '\0';
	if (peer->endpoint.addr.sa_family == AF_INET) {
		inet_ntop(AF_INET, &peer->endpoint.v4.sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, ntohs(peer->endpoint.v4.sin_port));
	} else if (peer->endpoint.addr.sa_family == AF_INET6 && peer->endpoint.v6.sin6_scope_id) {
		inet_ntop(AF_INET6, &peer->endpoint.v6.sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s%%%u]:%u", host, (unsigned)peer->endpoint.v6.sin6_scope_id,
			 ntohs(peer->endpoint.v6.sin6_port));
	} else if (peer->endpoint.addr.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &peer->endpoint.v6.sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, ntohs(peer->endpoint.v6.sin6_port));
	}
}

static const char *const kind_names[] = {
	[WGM_WG_BACKEND_AUTO] = "auto",
	[WGM_WG_BACKEND_KERNEL] = "kernel",
	[WGM_WG_BACKEND_USERSPACE] = "userspace",
};

int wgm_wg_backend_kind_from_name(const char *name, enum wgm_wg_backend_kind *out)
{
	for (size_t i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++) {
		if (name && strcmp(name, kind_names[i]) == 0) {
			*out = (enum wgm_wg_backend_kind)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *wgm_wg_backend_kind_name(enum wgm_wg_backend_kind kind)
{
	if ((size_t)kind >= sizeof(kind_names) / sizeof(kind_names[0]))
		return "unknown";
	return kind_names[kind];
}
