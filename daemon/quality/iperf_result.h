/* iperf3's JSON report (`iperf3 -c ... -J`) -> the measured throughput (pure).
 *
 * A TCP run's figure is end.sum_received: what reached the server, which is
 * what the link carried (sum_sent also counts what was still queued when the
 * run ended). A report with "error" (no server, the address not assigned, a
 * run cut short) or anything malformed is a failed run: -EINVAL and one line
 * in err, never a figure. */
#ifndef WGM_DAEMON_IPERF_RESULT_H
#define WGM_DAEMON_IPERF_RESULT_H

#include <stddef.h>
#include <stdint.h>

/* Above any link this daemon will meet: a larger figure is garbage. */
#define IPERF_MAX_BITS_PER_SECOND 1e13

struct iperf_result {
	double bits_per_second;
	double seconds; /* how long the receiver measured */
	uint32_t mbps;  /* bits_per_second / 10^6, rounded to the nearest whole Mbit/s */
};

int iperf_result_parse(const char *text, size_t len, struct iperf_result *out, char *err, size_t errlen);

#endif
