#include "daemon/api/api_guard.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

struct guard_entry {
	struct wgm_guard_addr addr;
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
}

int wgm_guard_addr_from_sockaddr(const struct sockaddr *sa, struct wgm_guard_addr *addr)
{
	memset(addr, 0, sizeof(*addr));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		addr->bytes[10] = 0xff;
		addr->bytes[11] = 0xff;
		memcpy(&addr->bytes[12], &in->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
		/* A v4-mapped caller on a dual-stack socket is one IPv4 host, not a /64. */
		if (memcmp(in6->sin6_addr.s6_addr, v4mapped, sizeof(v4mapped)) == 0)
			memcpy(addr->bytes, in6->sin6_addr.s6_addr, 16);
		else
			memcpy(addr->bytes, in6->sin6_addr.s6_addr, 8);
		return 0;
	}
	return -EAFNOSUPPORT;
}

int wgm_guard_addr_from_text(const char *ip, struct wgm_guard_addr *addr)
{
	/* Storage big enough for either family: the compiler checks the reads
	 * of both branches against the object passed in. */
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

	memset(addr, 0, sizeof(*addr));
	if (ip && inet_pton(AF_INET, ip, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		return wgm_guard_addr_from_sockaddr((struct sockaddr *)&ss, addr);
	}
	if (ip && inet_pton(AF_INET6, ip, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		return wgm_guard_addr_from_sockaddr((struct sockaddr *)&ss, addr);
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
	    cfg->block_min < 1 || cfg->block_max < cfg->block_min || cfg->conns_per_addr < 1 ||
	    cfg->conns_total < 1 || cfg->max_addrs < 1 || cfg->max_addrs > (1u << 20))
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

static struct guard_entry *find(const struct wgm_api_guard *guard, const struct wgm_guard_addr *addr)
{
	for (size_t i = 0; i < guard->count; i++)
		if (memcmp(guard->entries[i].addr.bytes, addr->bytes, 16) == 0)
			return (struct guard_entry *)&guard->entries[i];
	return NULL;
}

/* The entry to forget when the table is full: an idle unblocked one seen
 * longest ago, else the idle blocked one whose block ends first. Entries with
 * open connections are never forgotten: their counts must stay exact. */
static struct guard_entry *eviction_victim(struct wgm_api_guard *guard, int64_t now)
{
	struct guard_entry *best = NULL;
	bool best_blocked = true;

	for (size_t i = 0; i < guard->count; i++) {
		struct guard_entry *e = &guard->entries[i];
		bool blocked = e->blocked_until > now;
		if (e->conns)
			continue;
		if (!best || (best_blocked && !blocked) ||
		    (best_blocked == blocked &&
		     (blocked ? e->blocked_until < best->blocked_until : e->last_seen < best->last_seen))) {
			best = e;
			best_blocked = blocked;
		}
	}
	return best;
}

static struct guard_entry *find_or_add(struct wgm_api_guard *guard, const struct wgm_guard_addr *addr, int64_t now)
{
	struct guard_entry *e = find(guard, addr);

	if (e)
		return e;
	if (guard->count < guard->cfg.max_addrs)
		e = &guard->entries[guard->count++];
	else
		e = eviction_victim(guard, now);
	if (!e)
		return NULL;
	memset(e, 0, sizeof(*e));
	e->addr = *addr;
	e->last_seen = now;
	return e;
}

bool wgm_api_guard_blocked(const struct wgm_api_guard *guard, const struct wgm_guard_addr *addr, int64_t now,
			   int64_t *until_out)
{
	const struct guard_entry *e = find(guard, addr);

	if (!e || e->blocked_until <= now)
		return false;
	if (until_out)
		*until_out = e->blocked_until;
	return true;
}

bool wgm_api_guard_fail(struct wgm_api_guard *guard, const struct wgm_guard_addr *addr, int64_t now,
			uint32_t random)
{
	struct guard_entry *e = find_or_add(guard, addr, now);
	unsigned kept = 0;
	int64_t span;

	if (!e)
		return false;
	e->last_seen = now;
	if (e->blocked_until > now)
		return false;
	for (unsigned i = 0; i < e->fail_count; i++)
		if (e->fails[i] > now - guard->cfg.fail_window)
			e->fails[kept++] = e->fails[i];
	e->fail_count = kept;
	e->fails[e->fail_count++] = now;
	if (e->fail_count < guard->cfg.fail_limit)
		return false;
	span = guard->cfg.block_max - guard->cfg.block_min + 1;
	e->blocked_until = now + guard->cfg.block_min + (int64_t)(random % (uint64_t)span);
	e->fail_count = 0;
	return true;
}

int wgm_api_guard_conn_open(struct wgm_api_guard *guard, const struct wgm_guard_addr *addr, int64_t now)
{
	struct guard_entry *e;

	if (wgm_api_guard_blocked(guard, addr, now, NULL))
		return -EPERM;
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

size_t wgm_api_guard_tracked(const struct wgm_api_guard *guard)
{
	return guard->count;
}

unsigned wgm_api_guard_conns(const struct wgm_api_guard *guard)
{
	return guard->conns_total;
}
