#include "common/util/url.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define URL_HOST_MAX 200

static size_t scheme_len(const char *s)
{
	if (strncasecmp(s, "http://", 7) == 0)
		return 7;
	if (strncasecmp(s, "https://", 8) == 0)
		return 8;
	return 0;
}

static int bad(char *err, size_t errlen, const char *in, const char *why)
{
	snprintf(err, errlen, "'%.80s': %s", in, why);
	return -EINVAL;
}

static bool port_ok(const char *p, size_t n)
{
	if (n == 0 || n > 5)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			return false;
	}
	long v = strtol(p, NULL, 10);
	return v >= 1 && v <= 65535;
}

int wgm_url_normalise(const char *in, char *out, size_t outlen, char *err, size_t errlen)
{
	char buf[512];
	const char *scheme = "http://";
	size_t len, sl;
	char *s = buf;

	while (*in == ' ' || *in == '\t')
		in++;
	len = strlen(in);
	while (len > 0 && (in[len - 1] == ' ' || in[len - 1] == '\t' || in[len - 1] == '\n' || in[len - 1] == '\r'))
		len--;
	if (len == 0)
		return bad(err, errlen, in, "no address (HOST, HOST:PORT, [IPv6]:PORT or http://HOST:PORT)");
	if (len >= sizeof(buf))
		return bad(err, errlen, in, "too long");
	memcpy(buf, in, len);
	buf[len] = '\0';
	/* The last scheme wins: "http://https://h" was typed over a pre-filled one. */
	while ((sl = scheme_len(s)) != 0) {
		scheme = sl == 8 ? "https://" : "http://";
		s += sl;
	}
	len = strlen(s);
	if (len > 0 && s[len - 1] == '/')
		s[--len] = '\0';
	if (strstr(s, "://"))
		return bad(err, errlen, in, "only http:// and https:// are understood");
	if (strpbrk(s, "/?#"))
		return bad(err, errlen, in, "a node's address has no path (HOST:PORT only)");
	if (strchr(s, '@'))
		return bad(err, errlen, in, "a user part (@) is not allowed");
	for (const char *p = s; *p; p++) {
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 127)
			return bad(err, errlen, in, "the address has a blank or a character that is not allowed");
	}

	const char *host = s, *port = NULL;
	size_t host_len, port_len = 0;
	bool brackets = false;
	if (s[0] == '[') {
		char *close = strchr(s, ']');
		if (!close || close == s + 1)
			return bad(err, errlen, in, "an IPv6 address in [ ] is not closed");
		host = s + 1;
		host_len = (size_t)(close - host);
		brackets = true;
		if (close[1] == ':') {
			port = close + 2;
			port_len = strlen(port);
		} else if (close[1]) {
			return bad(err, errlen, in, "expected [IPv6]:PORT");
		}
	} else {
		char *colon = strchr(s, ':');
		if (colon && strchr(colon + 1, ':')) {
			/* Two or more colons: a bare IPv6 literal, no port. */
			host_len = strlen(s);
			brackets = true;
		} else if (colon) {
			host_len = (size_t)(colon - s);
			port = colon + 1;
			port_len = strlen(port);
		} else {
			host_len = strlen(s);
		}
	}
	if (host_len == 0)
		return bad(err, errlen, in, "no host");
	if (host_len > URL_HOST_MAX)
		return bad(err, errlen, in, "the host is too long");
	if (brackets) {
		for (size_t i = 0; i < host_len; i++) {
			if (!isxdigit((unsigned char)host[i]) && host[i] != ':' && host[i] != '.' && host[i] != '%')
				return bad(err, errlen, in, "not an IPv6 address inside [ ]");
		}
	} else {
		for (size_t i = 0; i < host_len; i++) {
			if (!isalnum((unsigned char)host[i]) && host[i] != '-' && host[i] != '.' && host[i] != '_')
				return bad(err, errlen, in, "the host has a character that is not allowed");
		}
	}
	if (port && !port_ok(port, port_len))
		return bad(err, errlen, in, "the port is not a number from 1 to 65535");
	int n = snprintf(out, outlen, "%s%s%.*s%s%s%.*s", scheme, brackets ? "[" : "", (int)host_len, host,
			 brackets ? "]" : "", port ? ":" : "", (int)port_len, port ? port : "");
	if (n < 0 || (size_t)n >= outlen)
		return bad(err, errlen, in, "too long");
	return 0;
}
