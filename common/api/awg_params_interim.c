/* Interim bodies of wgm_awg_params_check and wgm_awg_params_random, so this
 * branch builds and tests before common/obfs/awg_params.{h,c} (branch
 * obfs-core) lands; this file goes away at that merge. The rules are
 * amneziawg-go's (../shared/obfuscation.md section 4), tightened to sizes a
 * 1500-byte underlay carries. */
#include "common/api/api_awg.h"

#ifndef WGM_COMMON_AWG_PARAMS_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#define PAD_MAX 64     /* S1..S4 */
#define JUNK_MAX 1280  /* Jmax */
#define JUNK_COUNT_MAX 128

static int bad(char *err, size_t errlen, const char *field, const char *why)
{
	if (err && errlen)
		snprintf(err, errlen, "%s: %s", field, why);
	return -EINVAL;
}

static bool overlap(const struct wgm_awg_range *a, const struct wgm_awg_range *b)
{
	return a->lo <= b->hi && b->lo <= a->hi;
}

int wgm_awg_params_check(const struct wgm_awg_params *p, char *err, size_t errlen)
{
	const uint16_t s[4] = { p->s1, p->s2, p->s3, p->s4 };
	static const char *const sn[4] = { "s1", "s2", "s3", "s4" };
	static const char *const hn[4] = { "h1", "h2", "h3", "h4" };

	if (p->version != 1 && p->version != 2)
		return bad(err, errlen, "version", "must be 1 (AWG 1.0) or 2 (AWG 2.0)");
	if (p->jc > JUNK_COUNT_MAX)
		return bad(err, errlen, "jc", "at most 128 junk datagrams");
	if (p->jc && (p->jmin == 0 || p->jmax < p->jmin || p->jmax > JUNK_MAX))
		return bad(err, errlen, "jmax", "junk lengths need 1 <= jmin <= jmax <= 1280");
	for (int i = 0; i < 4; i++)
		if (s[i] > PAD_MAX)
			return bad(err, errlen, sn[i], "at most 64 bytes of padding");
	if (148 + p->s1 == 92 + p->s2)
		return bad(err, errlen, "s2", "148+s1 must differ from 92+s2");
	for (int i = 0; i < 4; i++) {
		if (p->h[i].hi < p->h[i].lo)
			return bad(err, errlen, hn[i], "LO above HI");
		if (p->h[i].lo <= 4)
			return bad(err, errlen, hn[i], "must be above 4 (1-4 are WireGuard's own types)");
		if (p->version == 1 && p->h[i].lo != p->h[i].hi)
			return bad(err, errlen, hn[i], "AWG 1.0 takes one value, not a range");
		for (int k = 0; k < i; k++)
			if (overlap(&p->h[i], &p->h[k]))
				return bad(err, errlen, hn[i], "overlaps another H value");
	}
	if (p->version == 1 && (p->s3 || p->s4))
		return bad(err, errlen, p->s3 ? "s3" : "s4", "AWG 1.0 has no cookie or transport padding");
	return 0;
}

static uint32_t uniform(wgm_obfs_random_fn random, uint32_t n)
{
	uint32_t v;

	if (n <= 1)
		return 0;
	if (!random)
		return randombytes_uniform(n);
	random(&v, sizeof(v));
	return v % n;
}

void wgm_awg_params_random(struct wgm_awg_params *p, unsigned version, wgm_obfs_random_fn random)
{
	uint32_t order[4] = { 0, 1, 2, 3 };
	/* Four disjoint quarters of the type space above 4, assigned to H1..H4
	 * in random order, so no H value says which message it stands for. */
	const uint32_t quarter = (UINT32_MAX - 5) / 4;

	memset(p, 0, sizeof(*p));
	p->version = version == 1 ? 1 : 2;
	p->jc = (uint16_t)(3 + uniform(random, 8));
	p->jmin = (uint16_t)(40 + uniform(random, 40));
	p->jmax = (uint16_t)(p->jmin + 1 + uniform(random, 70));
	p->s1 = (uint16_t)(15 + uniform(random, 40));
	do
		p->s2 = (uint16_t)(15 + uniform(random, 40));
	while (148 + p->s1 == 92 + p->s2);
	if (p->version == 2) {
		p->s3 = (uint16_t)(8 + uniform(random, 24));
		p->s4 = (uint16_t)(uniform(random, 16));
	}
	for (uint32_t i = 3; i > 0; i--) {
		uint32_t k = uniform(random, i + 1), t = order[i];
		order[i] = order[k];
		order[k] = t;
	}
	for (int i = 0; i < 4; i++) {
		uint32_t base = 5 + order[i] * quarter;
		uint32_t width = p->version == 2 ? uniform(random, 1u << 20) : 0;
		p->h[i].lo = base + uniform(random, quarter - width - 1);
		p->h[i].hi = p->h[i].lo + width;
	}
}

#endif
