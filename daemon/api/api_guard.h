/* Abuse limits for the node API, as pure bookkeeping with an explicit clock:
 * addresses that fail repeatedly are blocked for a while (the original:
 * 120-300 s), and open connections are counted per address and in total.
 * Memory is bounded: at most max_addrs addresses are tracked; the least
 * recently seen idle unblocked one is forgotten first, and a blocked one never
 * is (a full table refuses new addresses instead, so an attacker cannot lift
 * its own block by filling it). IPv6 callers are tracked per /64 (one host
 * owns a whole /64); when agg48_limit /64s of one /48 are blocked at once the
 * whole /48 is, in one entry. The HTTP glue asks before reading a body and
 * reports each failure; refusal log lines are rate-limited here too. */
#ifndef WGM_DAEMON_API_GUARD_H
#define WGM_DAEMON_API_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define WGM_GUARD_FAIL_SLOTS 16

struct wgm_api_guard_config {
	unsigned fail_limit;     /* failures within fail_window that block (1..16); default 5 */
	int64_t fail_window;     /* seconds; default 60 */
	int64_t block_min;       /* seconds; default 120 */
	int64_t block_max;       /* seconds; default 300 */
	unsigned conns_per_addr; /* concurrent connections per address; default 4 */
	unsigned conns_total;    /* concurrent connections in all; default 64 */
	size_t max_addrs;        /* tracked addresses; default 1024 */
	unsigned agg48_limit;    /* blocked /64s of one /48 that block the /48; default 4 */
	unsigned log_burst;      /* refusal log lines per log_interval; default 5 */
	int64_t log_interval;    /* seconds; default 10 */
};

/* Fills the defaults above. */
void wgm_api_guard_config_default(struct wgm_api_guard_config *cfg);

/* An address as the guard keys it: IPv4 as ::ffff:a.b.c.d, IPv6 cut to its /64. */
struct wgm_guard_addr {
	uint8_t bytes[16];
};
/* 0, or -EAFNOSUPPORT for a family other than AF_INET/AF_INET6. */
int wgm_guard_addr_from_sockaddr(const struct sockaddr *sa, struct wgm_guard_addr *addr);
/* The same from text ("192.0.2.1", "2001:db8::1", "::ffff:192.0.2.1"), as the
 * HTTP server's gate gets it. 0 or -EINVAL. */
int wgm_guard_addr_from_text(const char *ip, struct wgm_guard_addr *addr);

struct wgm_api_guard;

/* NULL on a bad config (zero limits, block_min > block_max, fail_limit > 16)
 * or allocation failure. NULL cfg means the defaults. */
struct wgm_api_guard *wgm_api_guard_new(const struct wgm_api_guard_config *cfg);
void wgm_api_guard_free(struct wgm_api_guard *guard);

/* Whether addr is blocked at now; until_out (may be NULL) gets the end. */
bool wgm_api_guard_blocked(const struct wgm_api_guard *guard, const struct wgm_guard_addr *addr, int64_t now,
			   int64_t *until_out);

/* What one failure did. */
enum wgm_guard_fail_result {
	WGM_GUARD_COUNTED = 0,    /* recorded (or ignored: already blocked, table full) */
	WGM_GUARD_BLOCKED = 1,    /* this failure blocked the address */
	WGM_GUARD_BLOCKED_48 = 2, /* ... and with it the whole /48 (IPv6) */
};

/* Records one failure (bad body, bad token, not a member, replay, a request
 * cut at its deadline...). random picks the block length within [block_min,
 * block_max] (pass randombytes_random()), so the guard stays pure. */
enum wgm_guard_fail_result wgm_api_guard_fail(struct wgm_api_guard *guard, const struct wgm_guard_addr *addr,
					      int64_t now, uint32_t random);

/* Connection accounting. open: 0, -EBUSY (this address has conns_per_addr
 * open) or -EAGAIN (conns_total open, or the table is full of addresses that
 * are blocked or have open connections). A blocked address's connections are
 * counted like any other (the HTTP gate answers them 403), so a blocked
 * client holds no more than conns_per_addr either. Every successful open
 * needs one close. */
int wgm_api_guard_conn_open(struct wgm_api_guard *guard, const struct wgm_guard_addr *addr, int64_t now);
void wgm_api_guard_conn_close(struct wgm_api_guard *guard, const struct wgm_guard_addr *addr);

/* Rate limit for refusal log lines: true when this refusal may be logged
 * (at most log_burst per log_interval). *suppressed (may be NULL) gets, once
 * per interval, how many lines the interval before dropped, for one summary
 * line; else 0. */
bool wgm_api_guard_log_allow(struct wgm_api_guard *guard, int64_t now, unsigned *suppressed);

size_t wgm_api_guard_tracked(const struct wgm_api_guard *guard);
unsigned wgm_api_guard_conns(const struct wgm_api_guard *guard);

#endif
