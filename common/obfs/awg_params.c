#include "common/obfs/awg_params.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "common/obfs/wg_msg.h"

/* Bounds of our own: enough junk to shape a handshake, not a flood. */
#define JC_MAX 128

static const size_t base_len[4] = { WGM_WG_INIT_LEN, WGM_WG_RESPONSE_LEN, WGM_WG_COOKIE_LEN, WGM_WG_DATA_MIN_LEN };

static int fail(char *err, size_t errlen, const char *msg)
{
	snprintf(err, errlen, "%s", msg);
	return -EINVAL;
}

int wgm_awg_params_check(const struct wgm_awg_params *p, char *err, size_t errlen)
{
	char msg[160];
	if (errlen)
		err[0] = '\0';
	if (p->version != 1 && p->version != 2)
		return fail(err, errlen, "awg.version: must be 1 or 2");
	bool v1 = p->version == 1;
	if (p->jc > JC_MAX) {
		snprintf(msg, sizeof(msg), "awg.jc: %u, at most %d", p->jc, JC_MAX);
		return fail(err, errlen, msg);
	}
	if (p->jc > 0) {
		if (p->jmin < 1)
			return fail(err, errlen, "awg.jmin: must be at least 1 when jc > 0");
		if (p->jmax < p->jmin)
			return fail(err, errlen, "awg.jmax: must be at least jmin");
		if (p->jmax > WGM_OBFS_DATAGRAM_MAX)
			return fail(err, errlen, "awg.jmax: larger than a UDP datagram");
	}
	if (v1 && (p->s3 || p->s4))
		return fail(err, errlen, "awg.s3/s4: not in AmneziaWG 1.0, must be 0");
	const uint16_t s[4] = { p->s1, p->s2, p->s3, p->s4 };
	for (int i = 0; i < 4; i++)
		if (base_len[i] + s[i] > WGM_OBFS_DATAGRAM_MAX) {
			snprintf(msg, sizeof(msg), "awg.s%d: %u makes datagrams too large", i + 1, s[i]);
			return fail(err, errlen, msg);
		}
	/* The receiver tells handshake messages apart by size first. */
	if (WGM_WG_INIT_LEN + p->s1 == WGM_WG_RESPONSE_LEN + p->s2)
		return fail(err, errlen, "awg.s1/s2: 148 + s1 equals 92 + s2");
	if (WGM_WG_INIT_LEN + p->s1 == WGM_WG_COOKIE_LEN + p->s3)
		return fail(err, errlen, "awg.s1/s3: 148 + s1 equals 64 + s3");
	if (WGM_WG_RESPONSE_LEN + p->s2 == WGM_WG_COOKIE_LEN + p->s3)
		return fail(err, errlen, "awg.s2/s3: 92 + s2 equals 64 + s3");
	for (int i = 0; i < 4; i++) {
		const struct wgm_awg_range *h = &p->h[i];
		/* 1..4 are WireGuard's own types (AWG falls back to them for values
		 * <= 4): a link must not look like plain WireGuard. */
		if (h->lo <= WGM_WG_TYPE_DATA) {
			snprintf(msg, sizeof(msg), "awg.h%d: must be above 4", i + 1);
			return fail(err, errlen, msg);
		}
		if (h->hi < h->lo) {
			snprintf(msg, sizeof(msg), "awg.h%d: range end below its start", i + 1);
			return fail(err, errlen, msg);
		}
		if (v1 && h->hi != h->lo) {
			snprintf(msg, sizeof(msg), "awg.h%d: AmneziaWG 1.0 takes a single value", i + 1);
			return fail(err, errlen, msg);
		}
		for (int j = 0; j < i; j++)
			if (h->lo <= p->h[j].hi && p->h[j].lo <= h->hi) {
				snprintf(msg, sizeof(msg), "awg.h%d: overlaps h%d", i + 1, j + 1);
				return fail(err, errlen, msg);
			}
	}
	return 0;
}

/* Uniform in [lo, hi] by rejection, from RND. */
static uint32_t uniform(wgm_obfs_random_fn rnd, uint32_t lo, uint32_t hi)
{
	uint64_t span = (uint64_t)hi - lo + 1;
	uint64_t limit = (1ull << 32) - ((1ull << 32) % span);
	for (;;) {
		uint32_t v;
		rnd(&v, sizeof(v));
		if (v < limit)
			return lo + (uint32_t)(v % span);
	}
}

#define H_WIDTH 1000000u

void wgm_awg_params_random(uint8_t version, struct wgm_awg_params *p, wgm_obfs_random_fn rnd)
{
	char err[8];
	if (!rnd)
		rnd = randombytes_buf;
	do {
		memset(p, 0, sizeof(*p));
		p->version = version == 1 ? 1 : 2;
		p->jc = (uint16_t)uniform(rnd, 3, 8);
		p->jmin = (uint16_t)uniform(rnd, 40, 120);
		p->jmax = (uint16_t)uniform(rnd, p->jmin + 1u, 200);
		p->s1 = (uint16_t)uniform(rnd, 15, 64);
		p->s2 = (uint16_t)uniform(rnd, 15, 64);
		if (p->version == 2) {
			p->s3 = (uint16_t)uniform(rnd, 15, 64);
			/* Every transport datagram carries S4: it costs MTU. */
			p->s4 = (uint16_t)uniform(rnd, 1, 16);
		}
		/* Keep handshake sizes off the transport sizes (S4 + 16 + 16k), so
		 * a data packet is never even tried as a handshake. Version 1's
		 * unpadded cookie (64) is one; AWG 1.0 tells them apart by H. */
		if ((WGM_WG_INIT_LEN + p->s1 - p->s4) % 16 == 0 || (WGM_WG_RESPONSE_LEN + p->s2 - p->s4) % 16 == 0 ||
		    (p->version == 2 && (WGM_WG_COOKIE_LEN + p->s3 - p->s4) % 16 == 0))
			continue;
		for (int i = 0; i < 4; i++) {
			uint32_t width = p->version == 2 ? H_WIDTH : 1;
			p->h[i].lo = uniform(rnd, WGM_WG_TYPE_DATA + 1, UINT32_MAX - width + 1);
			p->h[i].hi = p->h[i].lo + (width - 1);
		}
	} while (wgm_awg_params_check(p, err, sizeof(err)) < 0);
}
