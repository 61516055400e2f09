#include "daemon/api/api_guard.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

/* plen: 128 for an IPv4 host (kept v4-mapped), 64 for an IPv6 caller's /64,
 * 48 for an aggregated IPv6 /48 (bytes past the prefix are zero). */
struct guard_entry {
	struct wgm_guard_addr addr;
	uint8_t plen;
	int64_t fails[WGM_GUARD_FAIL_SLOTS]; /* times of recent failures, unordered */
	unsigned fail_count;
	int64_t blocked_until;
	int64_t last_seen;
	unsigned conns;
};

struct wgm_api_guard {
	struct wgm_api_guard_config cfg;
	size_t count;
	unsigned conns_total;
	int64_t log_window;      /* start of the current log interval */
	unsigned log_lines;      /* lines logged in it */
	unsigned log_suppressed; /* lines dropped in it */
	struct guard_entry entries[];
};

void wgm_api_guard_config_default(struct wgm_api_guard_config *cfg)
{
	cfg->fail_limit = 5;
	cfg->fail_window = 60;
	cfg->block_min = 120;
	cfg->block_max = 300;
	cfg->conns_per_addr = 4;
	cfg->conns_total = 64;
	cfg->max_addrs = 1024;
	cfg->agg48_limit = 4;
	cfg->log_burst = 5;
	cfg->log_interval = 10;
}

static void key_v4(const struct in_addr *in, struct wgm_guard_addr *addr)
{
	memset(addr, 0, sizeof(*addr));
	addr->bytes[10] = 0xff;
	addr->bytes[11] = 0xff;
	memcpy(&addr->bytes[12], in, 4);
}

static void key_v6(const struct in6_addr *in6, struct wgm_guard_addr *addr)
{
	static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	memset(addr, 0, sizeof(*addr));
	/* A v4-mapped caller on a dual-stack socket is one IPv4 host, not a /64. */
	if (memcmp(in6->s6_addr, v4mapped, sizeof(v4mapped)) == 0)
		memcpy(addr->bytes, in6->s6_addr, 16);
	else
		memcpy(addr->bytes, in6->s6_addr, 8);
}

int wgm_guard_addr_from_sockaddr(const struct sockaddr *sa, struct wgm_guard_addr *addr)
{
	memset(addr, 0, sizeof(*addr));
	if (sa->sa_family == AF_INET) {
		key_v4(&((const struct sockaddr_in *)sa)->sin_addr, addr);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		key_v6(&((const struct sockaddr_in6 *)sa)->sin6_addr, addr);
		return 0;
	}
	return -EAFNOSUPPORT;
}

/* Parsed straight into the key: a sockaddr filled through one struct type
 * and read through another is what -O2's aliasing rules let the compiler
 * reorder (the optimised build read a zero family and refused every text
 * address with -EAFNOSUPPORT). */
int wgm_guard_addr_from_text(const char *ip, struct wgm_guard_addr *addr)
{
	struct in_addr a4;
	struct in6_addr a6;

	memset(addr, 0, sizeof(*addr));
	if (ip && inet_pton(AF_INET, ip, &a4) == 1) {
		key_v4(&a4, addr);
		return 0;
	}
	if (ip && inet_pton(AF_INET6, ip, &a6) == 1) {
		key_v6(&a6, addr);
		return 0;
	}
	return -EINVAL;
}

struct wgm_api_guard *wgm_api_guard_new(const struct wgm_api_guard_config *cfg)
{
	struct wgm_api_guard_config defaults;
	struct wgm_api_guard *guard;

	if (!cfg) {
		wgm_api_guard_config_default(&defaults);
		cfg = &defaults;
	}
	if (cfg->fail_limit < 1 || cfg->fail_limit > WGM_GUARD_FAIL_SLOTS || cfg->fail_window < 1 ||
	    cfg->block_min < 1 || cfg->block_max < cfg->block_min || cfg->conns_per_addr < 1 || cfg->conns_total < 1 ||
	    cfg->max_addrs < 1 || cfg->max_addrs > (1u << 20) || cfg->agg48_limit < 2 || cfg->log_burst < 1 ||
	    cfg->log_interval < 1)
		return NULL;
	guard = calloc(1, sizeof(*guard) + cfg->max_addrs * sizeof(guard->entries[0]));
	if (!guard)
		return NULL;
	guard->cfg = *cfg;
	return guard;
}

void wgm_api_guard_free(struct wgm_api_guard *guard)
{
	free(guard);
}

static bool is_v4(const struct wgm_guard_addr *addr)
{
	static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return memcmp(addr->bytes, v4mapped, sizeof(v4mapped)) == 0;
}

static uint8_t key_plen(const struct wgm_guard_addr *addr)
{
	return is_v4(addr) ? 128 : 64;
}

static struct guard_entry *find_key(const struct wgm_api_guard *guard, const struct wgm_guard_addr *addr, uint8_t plen)
{
	for (size_t i = 0; i < guard->count; i++)
		if (guard->entries[i].plen == plen && memcmp(guard->entries[i].addr.bytes, addr->bytes, 16) == 0)
			return (struct guard_entry *)&guard->entries[i];
	return NULL;
}

static struct guard_entry *find(const struct wgm_api_guard *guard, const struct wgm_guard_addr *addr)
{
	return find_key(guard, addr, key_plen(addr));
}

/* The /48 entry covering an IPv6 address, if any. */
static struct guard_entry *find48(const struct wgm_api_guard *guard, const struct wgm_guard_addr *addr)
{
	struct wgm_guard_addr p = { 0 };

	if (is_v4(addr))
		return NULL;
	memcpy(p.bytes, addr->bytes, 6);
	return find_key(guard, &p, 48);
}

/* The entry to forget when the table is full: the idle unblocked one seen
 * longest ago. Blocked entries are never forgotten (else filling the table
 * with fresh addresses would lift a block), nor entries with open
 * connections (their counts must stay exact): NULL then, and the newcomer is
 * refused. */
static struct guard_entry *eviction_victim(struct wgm_api_guard *guard, int64_t now)
{
	struct guard_entry *best = NULL;

	for (size_t i = 0; i < guard->count; i++) {
		struct guard_entry *e = &guard->entries[i];
		if (e->conns || e->blocked_until > now)
			continue;
		if (!best || e->last_seen < best->last_seen)
			best = e;
	}
	return best;
}

static struct guard_entry *add_key(struct wgm_api_guard *guard, const struct wgm_guard_addr *addr, uint8_t plen,
				   int64_t now)
{
	struct guard_entry *e;

	if (guard->count < guard->cfg.max_addrs)
		e = &guard->entries[guard->count++];
	else
		e = eviction_victim(guard, now);
	if (!e)
		return NULL;
	memset(e, 0, sizeof(*e));
	e->addr = *addr;
	e->plen = plen;
	e->last_seen = now;
	return e;
}

static struct guard_entry *find_or_add(struct wgm_api_guard *guard, const struct wgm_guard_addr *addr, int64_t now)
{
	struct guard_entry *e = find(guard, addr);

	return e ? e : add_key(guard, addr, key_plen(addr), now);
}

static void remove_entry(struct wgm_api_guard *guard, struct guard_entry *e)
{
	struct guard_entry *last = &guard->entries[guard->count - 1];

	if (e != last)
		*e = *last;
	guard->count--;
}

static bool same48(const struct wgm_guard_addr *a, const struct wgm_guard_addr *b)
{
	return memcmp(a->bytes, b->bytes, 6) == 0;
}

/* After ADDR's /64 was blocked: when agg48_limit /64s of its /48 are blocked,
 * block the /48 in one entry until the latest of their ends, and forget the
 * covered idle /64 entries (so a /48 of attackers takes one slot). */
static bool aggregate48(struct wgm_api_guard *guard, const struct wgm_guard_addr *addr, int64_t now)
{
	struct wgm_guard_addr p = { 0 };
	struct guard_entry *e48;
	int64_t until = 0;
	unsigned blocked = 0;

	if (is_v4(addr))
		return false;
	for (size_t i = 0; i < guard->count; i++) {
		const struct guard_entry *e = &guard->entries[i];
		if (e->plen == 64 && e->blocked_until > now && same48(&e->addr, addr)) {
			blocked++;
			if (e->blocked_until > until)
				until = e->blocked_until;
		}
	}
	if (blocked < guard->cfg.agg48_limit)
		return false;
	for (size_t i = guard->count; i-- > 0;) {
		struct guard_entry *e = &guard->entries[i];
		if (e->plen == 64 && e->blocked_until > now && !e->conns && same48(&e->addr, addr))
			remove_entry(guard, e);
	}
	memcpy(p.bytes, addr->bytes, 6);
	e48 = find_key(guard, &p, 48);
	if (!e48)
		e48 = add_key(guard, &p, 48, now);
	if (!e48)
		return false;
	if (e48->blocked_until < until)
		e48->blocked_until = until;
	e48->last_seen = now;
	return true;
}

bool wgm_api_guard_blocked(const struct wgm_api_guard *guard, const struct wgm_guard_addr *addr, int64_t now,
			   int64_t *until_out)
{
	const struct guard_entry *e = find(guard, addr), *e48 = find48(guard, addr);
	int64_t until = 0;

	if (e && e->blocked_until > now)
		until = e->blocked_until;
	if (e48 && e48->blocked_until > now && e48->blocked_until > until)
		until = e48->blocked_until;
	if (!until)
		return false;
	if (until_out)
		*until_out = until;
	return true;
}

enum wgm_guard_fail_result wgm_api_guard_fail(struct wgm_api_guard *guard, const struct wgm_guard_addr *addr,
					      int64_t now, uint32_t random)
{
	struct guard_entry *e;
	unsigned kept = 0;
	int64_t span;

	/* The failures of a blocked caller do not prolong its block. */
	if (wgm_api_guard_blocked(guard, addr, now, NULL)) {
		if ((e = find(guard, addr)))
			e->last_seen = now;
		return WGM_GUARD_COUNTED;
	}
	e = find_or_add(guard, addr, now);
	if (!e)
		return WGM_GUARD_COUNTED;
	e->last_seen = now;
	for (unsigned i = 0; i < e->fail_count; i++)
		if (e->fails[i] > now - guard->cfg.fail_window)
			e->fails[kept++] = e->fails[i];
	e->fail_count = kept;
	e->fails[e->fail_count++] = now;
	if (e->fail_count < guard->cfg.fail_limit)
		return WGM_GUARD_COUNTED;
	span = guard->cfg.block_max - guard->cfg.block_min + 1;
	e->blocked_until = now + guard->cfg.block_min + (int64_t)(random % (uint64_t)span);
	e->fail_count = 0;
	return aggregate48(guard, addr, now) ? WGM_GUARD_BLOCKED_48 : WGM_GUARD_BLOCKED;
}

int wgm_api_guard_conn_open(struct wgm_api_guard *guard, const struct wgm_guard_addr *addr, int64_t now)
{
	struct guard_entry *e;

	if (guard->conns_total >= guard->cfg.conns_total)
		return -EAGAIN;
	e = find_or_add(guard, addr, now);
	if (!e)
		return -EAGAIN;
	e->last_seen = now;
	if (e->conns >= guard->cfg.conns_per_addr)
		return -EBUSY;
	e->conns++;
	guard->conns_total++;
	return 0;
}

void wgm_api_guard_conn_close(struct wgm_api_guard *guard, const struct wgm_guard_addr *addr)
{
	struct guard_entry *e = find(guard, addr);

	if (!e || e->conns == 0)
		return;
	e->conns--;
	guard->conns_total--;
}

bool wgm_api_guard_log_allow(struct wgm_api_guard *guard, int64_t now, unsigned *suppressed)
{
	if (suppressed)
		*suppressed = 0;
	if (now >= guard->log_window + guard->cfg.log_interval || now < guard->log_window) {
		if (suppressed)
			*suppressed = guard->log_suppressed;
		guard->log_window = now;
		guard->log_lines = 0;
		guard->log_suppressed = 0;
	}
	if (guard->log_lines < guard->cfg.log_burst) {
		guard->log_lines++;
		return true;
	}
	guard->log_suppressed++;
	return false;
}

size_t wgm_api_guard_tracked(const struct wgm_api_guard *guard)
{
	return guard->count;
}

unsigned wgm_api_guard_conns(const struct wgm_api_guard *guard)
{
	return guard->conns_total;
}
