#include "tui/console/fmt.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>

static char *dash(char *buf, size_t len)
{
	snprintf(buf, len, "-");
	return buf;
}

/* Thresholds compare against the value as it will be rounded, so 9.999 ms
 * prints "10.0ms", never "10.00ms". */
char *fmt_rtt(char *buf, size_t len, double ms)
{
	if (!isfinite(ms) || ms < 0)
		return dash(buf, len);
	if (ms < 9.995)
		snprintf(buf, len, "%.2fms", ms);
	else if (ms < 99.95)
		snprintf(buf, len, "%.1fms", ms);
	else if (ms < 999.5)
		snprintf(buf, len, "%.0fms", ms);
	else if (ms < 9950.0)
		snprintf(buf, len, "%.1fs", ms / 1000.0);
	else
		snprintf(buf, len, "%.0fs", ms / 1000.0);
	return buf;
}

char *fmt_jitter(char *buf, size_t len, double ms)
{
	return fmt_rtt(buf, len, ms);
}

char *fmt_loss(char *buf, size_t len, double pct)
{
	if (!isfinite(pct) || pct < 0)
		return dash(buf, len);
	if (pct > 100.0)
		pct = 100.0;
	double tenths = round(pct * 10.0);
	if (pct > 0 && tenths == 0)
		snprintf(buf, len, "<0.1%%");
	else if (fmod(tenths, 10.0) == 0)
		snprintf(buf, len, "%.0f%%", tenths / 10.0);
	else
		snprintf(buf, len, "%.1f%%", tenths / 10.0);
	return buf;
}

static char *fmt_scaled(char *buf, size_t len, double bytes, const char *suffix)
{
	static const char *const units[] = { "B", "KB", "MB", "GB", "TB", "PB" };
	const size_t nunits = sizeof(units) / sizeof(units[0]);
	if (!isfinite(bytes) || bytes < 0)
		return dash(buf, len);
	size_t u = 0;
	double v = bytes;
	while (v >= 999.5 && u + 1 < nunits) {
		v /= 1024.0;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%.0f %s%s", v, units[u], suffix);
	else if (v < 99.95)
		snprintf(buf, len, "%.1f %s%s", v, units[u], suffix);
	else
		snprintf(buf, len, "%.0f %s%s", v, units[u], suffix);
	return buf;
}

char *fmt_bytes(char *buf, size_t len, double bytes)
{
	return fmt_scaled(buf, len, bytes, "");
}

char *fmt_rate(char *buf, size_t len, double bytes_per_s)
{
	return fmt_scaled(buf, len, bytes_per_s, "/s");
}

char *fmt_duration(char *buf, size_t len, int64_t s)
{
	if (s < 0)
		return dash(buf, len);
	if (s < 60)
		snprintf(buf, len, "%" PRId64 "s", s);
	else if (s < 3600)
		snprintf(buf, len, "%" PRId64 "m%02" PRId64 "s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%" PRId64 "h%02" PRId64 "m", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, len, "%" PRId64 "d%02" PRId64 "h", s / 86400, s % 86400 / 3600);
	return buf;
}

char *fmt_handshake_age(char *buf, size_t len, int64_t last_handshake, int64_t now)
{
	if (last_handshake <= 0) {
		snprintf(buf, len, "never");
		return buf;
	}
	int64_t age = now - last_handshake;
	return fmt_duration(buf, len, age < 0 ? 0 : age);
}

char *fmt_cost(char *buf, size_t len, int64_t cost, bool override, bool drained)
{
	if (cost < 0)
		return dash(buf, len);
	snprintf(buf, len, "%" PRId64 "%s%s", cost, override ? "*" : "", drained ? "D" : "");
	return buf;
}

int parse_duration(const char *s, int64_t *seconds)
{
	int64_t v = 0;
	const char *p = s;
	if (!s || !*s)
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (*p - '0');
		if (v > 10LL * 366 * 86400)
			return -EINVAL;
	}
	if (p == s)
		return -EINVAL;
	int64_t unit = 1;
	if (*p == 'm')
		unit = 60;
	else if (*p == 'h')
		unit = 3600;
	else if (*p == 'd')
		unit = 86400;
	else if (*p != 's' && *p != '\0')
		return -EINVAL;
	if (*p && p[1])
		return -EINVAL;
	v *= unit;
	if (v <= 0 || v > 10LL * 366 * 86400)
		return -EINVAL;
	*seconds = v;
	return 0;
}
