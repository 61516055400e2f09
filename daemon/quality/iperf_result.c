#include "daemon/quality/iperf_result.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* iperf3's error text goes into a log line: printable ASCII only, bounded. */
static void copy_printable(char *dst, size_t dstlen, const char *src)
{
	size_t n = 0;

	for (; src && *src && n + 1 < dstlen && n < 160; src++)
		dst[n++] = (*src >= 0x20 && *src < 0x7f) ? *src : '?';
	if (dstlen)
		dst[n] = '\0';
}

static int fail(char *err, size_t errlen, const char *why)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", why);
	return -EINVAL;
}

int iperf_result_parse(const char *text, size_t len, struct iperf_result *out, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root, *error, *sum, *bps, *secs;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!text || len == 0)
		return fail(err, errlen, "iperf3 printed nothing");
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		if (err && errlen)
			snprintf(err, errlen, "iperf3's output is not JSON (line %d: %.80s)", jerr.line, jerr.text);
		return -EINVAL;
	}
	if (!json_is_object(root)) {
		rc = fail(err, errlen, "iperf3's output is not a JSON object");
		goto out;
	}
	error = json_object_get(root, "error");
	if (error) {
		char msg[200];
		copy_printable(msg, sizeof(msg), json_is_string(error) ? json_string_value(error) : "(not a string)");
		if (err && errlen)
			snprintf(err, errlen, "iperf3: %s", msg);
		rc = -EINVAL;
		goto out;
	}
	sum = json_object_get(json_object_get(root, "end"), "sum_received");
	if (!json_is_object(sum)) {
		rc = fail(err, errlen, "iperf3's output has no end.sum_received");
		goto out;
	}
	bps = json_object_get(sum, "bits_per_second");
	secs = json_object_get(sum, "seconds");
	if (!json_is_number(bps) || !json_is_number(secs)) {
		rc = fail(err, errlen, "iperf3's end.sum_received lacks bits_per_second or seconds");
		goto out;
	}
	out->bits_per_second = json_number_value(bps);
	out->seconds = json_number_value(secs);
	if (!isfinite(out->bits_per_second) || out->bits_per_second < 0 ||
	    out->bits_per_second > IPERF_MAX_BITS_PER_SECOND) {
		rc = fail(err, errlen, "iperf3 reported an impossible throughput");
		goto out;
	}
	if (!isfinite(out->seconds) || out->seconds <= 0 || out->seconds > 86400) {
		rc = fail(err, errlen, "iperf3 reported an impossible duration");
		goto out;
	}
	out->mbps = (uint32_t)llround(out->bits_per_second / 1e6);
out:
	if (rc < 0)
		memset(out, 0, sizeof(*out));
	json_decref(root);
	return rc;
}
