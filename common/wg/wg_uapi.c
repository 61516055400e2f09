#include "common/wg/wg_uapi.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest lines, with room to spare: "preshared_key=" + 64 hex + "\n". */
#define DEVICE_TEXT_MAX 256
#define PEER_TEXT_MAX 512
#define ALLOWED_IP_TEXT_MAX 64

struct text {
	char *buf;
	size_t len, cap;
};

static void text_add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void text_add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	/* The buffer is sized from the device up front, so this cannot run out;
	 * clamp anyway rather than step past it. */
	if (n > 0)
		t->len += (size_t)n < t->cap - t->len ? (size_t)n : t->cap - t->len - 1;
}

static void text_add_key(struct text *t, const char *name, const uint8_t key[WGM_WG_KEY_LEN])
{
	char hex[WGM_WG_KEY_LEN * 2 + 1];

	sodium_bin2hex(hex, sizeof(hex), key, WGM_WG_KEY_LEN);
	text_add(t, "%s=%s\n", name, hex);
	sodium_memzero(hex, sizeof(hex));
}

int wgm_wg_uapi_format_set(const struct wgm_wg_device *dev, char **out, size_t *len)
{
	struct text t = { 0 };
	size_t cap = DEVICE_TEXT_MAX;

	for (size_t i = 0; i < dev->n_peers; i++) {
		const struct wgm_wg_peer *p = &dev->peers[i];
		if (p->endpoint.addr.sa_family != AF_UNSPEC && p->endpoint.addr.sa_family != AF_INET &&
		    p->endpoint.addr.sa_family != AF_INET6)
			return -EINVAL;
		cap += PEER_TEXT_MAX + p->n_allowed_ips * ALLOWED_IP_TEXT_MAX;
	}
	t.buf = malloc(cap);
	if (!t.buf)
		return -ENOMEM;
	t.cap = cap;
	text_add(&t, "set=1\n");
	if (dev->has_private_key && !dev->allowed_ips_only)
		text_add_key(&t, "private_key", dev->private_key);
	/* wireguard-go rebinds its socket on every listen_port line, even the
	 * same port: an allowed-IPs change sends none. */
	if (!dev->allowed_ips_only)
		text_add(&t, "listen_port=%u\nfwmark=%" PRIu32 "\nreplace_peers=true\n", dev->listen_port, dev->fwmark);
	for (size_t i = 0; i < dev->n_peers; i++) {
		const struct wgm_wg_peer *p = &dev->peers[i];
		char endpoint[INET6_ADDRSTRLEN + 16];

		text_add_key(&t, "public_key", p->public_key);
		if (dev->allowed_ips_only) {
			text_add(&t, "update_only=true\nreplace_allowed_ips=true\n");
		} else {
			if (p->has_preshared_key)
				text_add_key(&t, "preshared_key", p->preshared_key);
			wgm_wg_endpoint_format(p, endpoint, sizeof(endpoint));
			if (endpoint[0])
				text_add(&t, "endpoint=%s\n", endpoint);
			text_add(&t, "persistent_keepalive_interval=%u\nreplace_allowed_ips=true\n",
				 p->persistent_keepalive);
		}
		for (size_t j = 0; j < p->n_allowed_ips; j++) {
			const struct wgm_wg_allowed_ip *a = &p->allowed_ips[j];
			char ip[INET6_ADDRSTRLEN];
			if ((a->family != AF_INET && a->family != AF_INET6) ||
			    a->cidr > (a->family == AF_INET ? 32 : 128)) {
				wgm_wg_uapi_text_free(t.buf, t.cap);
				return -EINVAL;
			}
			inet_ntop(a->family, &a->addr, ip, sizeof(ip));
			text_add(&t, "allowed_ip=%s/%u\n", ip, a->cidr);
		}
	}
	text_add(&t, "\n");
	*out = t.buf;
	*len = t.len;
	return 0;
}

void wgm_wg_uapi_text_free(char *text, size_t len)
{
	if (!text)
		return;
	sodium_memzero(text, len);
	free(text);
}

static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

static bool parse_key_hex(const char *s, uint8_t key[WGM_WG_KEY_LEN])
{
	size_t n = 0;
	const char *end = NULL;

	if (strlen(s) != WGM_WG_KEY_LEN * 2)
		return false;
	return sodium_hex2bin(key, WGM_WG_KEY_LEN, s, WGM_WG_KEY_LEN * 2, NULL, &n, &end) == 0 && n == WGM_WG_KEY_LEN &&
	       !*end;
}

/* Reads one "key=value" line at a time out of a copy of the reply. */
static int parse_line(char *line, struct wgm_wg_device *dev, struct wgm_wg_peer **peer, bool *have_errno,
		      int *errno_value)
{
	char *eq = strchr(line, '=');
	const char *key, *value;
	uint64_t n;

	if (!eq)
		return -EPROTO;
	*eq = '\0';
	key = line;
	value = eq + 1;

	if (!strcmp(key, "errno")) {
		/* wireguard-go writes its errors negated ("errno=-98"). */
		if (*value == '-')
			value++;
		if (!parse_u64(value, 4095, &n))
			return -EPROTO;
		*have_errno = true;
		*errno_value = (int)n;
		return 0;
	}
	if (!strcmp(key, "private_key")) {
		if (!parse_key_hex(value, dev->private_key))
			return -EPROTO;
		dev->has_private_key = !sodium_is_zero(dev->private_key, WGM_WG_KEY_LEN);
		if (dev->has_private_key)
			dev->has_public_key = wgm_key_public(dev->public_key, dev->private_key) == 0;
		return 0;
	}
	if (!strcmp(key, "listen_port")) {
		if (!parse_u64(value, 65535, &n))
			return -EPROTO;
		dev->listen_port = (uint16_t)n;
		return 0;
	}
	if (!strcmp(key, "fwmark")) {
		if (!parse_u64(value, UINT32_MAX, &n))
			return -EPROTO;
		dev->fwmark = (uint32_t)n;
		return 0;
	}
	if (!strcmp(key, "public_key")) {
		*peer = wgm_wg_device_add_peer(dev);
		if (!*peer)
			return -ENOMEM;
		return parse_key_hex(value, (*peer)->public_key) ? 0 : -EPROTO;
	}
	if (!*peer) {
		/* Device-level keys we do not use are fine; a peer key before any
		 * public_key is not. */
		if (!strcmp(key, "preshared_key") || !strcmp(key, "endpoint") || !strcmp(key, "allowed_ip") ||
		    !strncmp(key, "last_handshake", 14) || !strcmp(key, "rx_bytes") || !strcmp(key, "tx_bytes") ||
		    !strcmp(key, "persistent_keepalive_interval"))
			return -EPROTO;
		return 0;
	}
	if (!strcmp(key, "preshared_key")) {
		if (!parse_key_hex(value, (*peer)->preshared_key))
			return -EPROTO;
		(*peer)->has_preshared_key = !sodium_is_zero((*peer)->preshared_key, WGM_WG_KEY_LEN);
		return 0;
	}
	if (!strcmp(key, "endpoint"))
		return wgm_wg_endpoint_parse(value, *peer) == 0 ? 0 : -EPROTO;
	if (!strcmp(key, "allowed_ip")) {
		struct wgm_wg_allowed_ip a;
		struct wgm_wg_allowed_ip *slot;
		if (wgm_wg_allowed_ip_parse(value, &a) < 0)
			return -EPROTO;
		slot = wgm_wg_peer_add_allowed_ip(*peer);
		if (!slot)
			return -ENOMEM;
		*slot = a;
		return 0;
	}
	if (!strcmp(key, "last_handshake_time_sec")) {
		if (!parse_u64(value, INT64_MAX, &n))
			return -EPROTO;
		(*peer)->last_handshake_sec = (int64_t)n;
		return 0;
	}
	if (!strcmp(key, "last_handshake_time_nsec")) {
		if (!parse_u64(value, 999999999, &n))
			return -EPROTO;
		(*peer)->last_handshake_nsec = (int64_t)n;
		return 0;
	}
	if (!strcmp(key, "rx_bytes") || !strcmp(key, "tx_bytes")) {
		if (!parse_u64(value, UINT64_MAX, &n))
			return -EPROTO;
		if (key[0] == 'r')
			(*peer)->rx_bytes = n;
		else
			(*peer)->tx_bytes = n;
		return 0;
	}
	if (!strcmp(key, "persistent_keepalive_interval")) {
		if (!parse_u64(value, 65535, &n))
			return -EPROTO;
		(*peer)->persistent_keepalive = (uint16_t)n;
		return 0;
	}
	return 0;
}

static int parse_reply(const char *text, size_t len, struct wgm_wg_device *dev, char *err, size_t errlen)
{
	char *copy = malloc(len + 1);
	struct wgm_wg_peer *peer = NULL;
	bool have_errno = false, ended = false;
	int errno_value = 0, result = 0;
	size_t pos = 0;

	if (!copy)
		return -ENOMEM;
	memcpy(copy, text, len);
	copy[len] = '\0';
	if (strlen(copy) != len) {
		snprintf(err, errlen, "UAPI reply: NUL byte in text");
		result = -EPROTO;
		goto out;
	}
	while (pos < len && !ended) {
		char *line = copy + pos;
		char *nl = strchr(line, '\n');
		if (!nl) {
			snprintf(err, errlen, "UAPI reply: last line has no newline");
			result = -EPROTO;
			goto out;
		}
		*nl = '\0';
		pos = (size_t)(nl - copy) + 1;
		if (!line[0]) {
			ended = true;
			break;
		}
		if (have_errno) {
			/* errno= is the last line; anything after it is garbage. */
			snprintf(err, errlen, "UAPI reply: line after errno");
			result = -EPROTO;
			goto out;
		}
		{
			char shown[48];
			/* Never echo a value: it may be a key. */
			snprintf(shown, sizeof(shown), "%.*s", (int)strcspn(line, "="), line);
			int e = dev ? parse_line(line, dev, &peer, &have_errno, &errno_value)
				    : (strncmp(line, "errno=", 6) == 0
					       ? parse_line(line, NULL, &peer, &have_errno, &errno_value)
					       : -EPROTO);
			if (e < 0) {
				snprintf(err, errlen, "UAPI reply: bad line for key '%s'", shown);
				result = e;
				goto out;
			}
		}
	}
	if (!have_errno) {
		snprintf(err, errlen, "UAPI reply: no errno line");
		result = -EPROTO;
		goto out;
	}
	if (errno_value) {
		snprintf(err, errlen, "UAPI: %s (errno=%d)", strerror(errno_value), errno_value);
		result = -errno_value;
	}
out:
	sodium_memzero(copy, len + 1);
	free(copy);
	return result;
}

int wgm_wg_uapi_parse_get(const char *text, size_t len, struct wgm_wg_device *dev, char *err, size_t errlen)
{
	return parse_reply(text, len, dev, err, errlen);
}

int wgm_wg_uapi_parse_set_reply(const char *text, size_t len, char *err, size_t errlen)
{
	return parse_reply(text, len, NULL, err, errlen);
}
