/* ICMP echo prober for link quality (I/O; never blocks).
 *
 * One raw socket per address family (IPPROTO_ICMP, IPPROTO_ICMPV6) serves
 * every link: requests carry the prober's identifier and a sequence number
 * that indexes a table of probes in flight, and each request leaves through
 * its link's interface (IP_PKTINFO / IPV6_PKTINFO with the ifindex on
 * sendmsg). A reply counts only if its identifier, sequence number, payload
 * nonce, source address and arrival interface all match the probe, so
 * replies to other programs' pings and strays never become samples.
 * Raw sockets need CAP_NET_RAW (the daemon runs as root).
 *
 * Times are monotonic microseconds. The prober reads CLOCK_MONOTONIC itself
 * when it sends and receives, so RTTs do not depend on how fresh the
 * caller's `now_us` is; `now_us` only decides timeouts.
 *
 * Wiring into the daemon's loop:
 *   prober_new(&params, on_result, ctx, &p, err, sizeof(err));
 *   watch prober_fd4(p) and prober_fd6(p) (when >= 0) for EPOLLIN
 *       -> prober_on_readable(p, fd, now_us)
 *   every probeInterval -> prober_send_round(p, now_us)
 *   (optional, for timeouts shorter than the interval) a timer at
 *       prober_next_expiry(p) -> prober_expire(p, now_us)
 *   on_result() feeds link_stats: SENT -> link_stats_on_sent,
 *       ANSWERED -> link_stats_on_answer, LOST -> link_stats_on_lost.
 */
#ifndef WGM_DAEMON_PROBER_H
#define WGM_DAEMON_PROBER_H

#include <stddef.h>
#include <stdint.h>

/* Probes in flight across all targets; a probe still unanswered when its
 * slot is needed again counts as lost. 200 links at 100 ms with a 1 s
 * timeout need 2000. */
#define PROBER_MAX_IN_FLIGHT 4096

struct prober_params {
	int64_t timeout_us;   /* unanswered after this = lost (1 s; keep <= probeInterval for 1 probe in flight) */
	uint32_t payload_len; /* ICMP payload bytes, >= 24 (the prober's own header) and <= 1400 (56) */
};

struct prober_params prober_params_default(void);

enum probe_outcome {
	PROBE_SENT,     /* a request left; sent_us set */
	PROBE_ANSWERED, /* sent_us and rtt_us set */
	PROBE_LOST,     /* timed out, or could not be sent (error = positive errno) */
};

struct probe_result {
	uint32_t target_id;
	enum probe_outcome outcome;
	int64_t sent_us;
	uint32_t rtt_us;
	int error;
};

/* Called from prober_send_round, prober_on_readable and prober_expire.
 * It may add or remove targets (also the one reported). */
typedef void (*prober_result_fn)(void *ctx, const struct probe_result *r);

struct prober;

/* Opens the sockets. An address family the host lacks (no IPv6) leaves that
 * fd at -1; failing both is an error. Returns 0 or a negative errno with one
 * line in err. */
int prober_new(const struct prober_params *params, prober_result_fn on_result, void *ctx, struct prober **out,
	       char *err, size_t errlen);
void prober_free(struct prober *p);

/* -1 when that family is unavailable. Watch for EPOLLIN. */
int prober_fd4(const struct prober *p);
int prober_fd6(const struct prober *p);

/* remote_addr: IPv4 or IPv6 literal, the link's remote address (IPv6
 * link-local and fe82:: addresses get the interface as their scope). The
 * interface must exist. Returns 0 and *id (never reused), -EINVAL (bad
 * address), -ENODEV (no such interface), -EAFNOSUPPORT (family unavailable)
 * or -ENOMEM; err gets one line. */
int prober_add_target(struct prober *p, const char *ifname, const char *remote_addr, uint32_t *id, char *err,
		      size_t errlen);
/* Probes in flight for it are forgotten (no callback). 0 or -ENOENT. */
int prober_remove_target(struct prober *p, uint32_t id);
size_t prober_target_count(const struct prober *p);

/* Expires overdue probes, then sends one request to every target. */
void prober_send_round(struct prober *p, int64_t now_us);
/* Sends one request to one target (for staggered rounds). 0 or -ENOENT. */
int prober_send_one(struct prober *p, uint32_t id, int64_t now_us);

/* Reads what is queued on fd (one of the prober's); never blocks. */
void prober_on_readable(struct prober *p, int fd, int64_t now_us);

/* Reports probes older than timeout as lost. */
void prober_expire(struct prober *p, int64_t now_us);
/* Send time + timeout of the oldest probe in flight; 0 when none. */
int64_t prober_next_expiry(const struct prober *p);

struct prober_counters {
	uint64_t sent, answered, lost, send_errors;
	uint64_t rejected; /* echo replies that matched no probe (others' pings, late, forged, wrong interface) */
};

void prober_get_counters(const struct prober *p, struct prober_counters *out);

/* Times (sent_us and friends) are wgm_mono_us(), common/util/clock.h. */

#endif
