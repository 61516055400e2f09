/* AmneziaWG translation (see awg.h). Outbound: standard message -> junk,
 * prefix, H type, mac1/mac2 over the substituted bytes. Inbound: classify as
 * amneziawg-go does, verify the wire mac1 (or open the cookie reply), then
 * strip the prefix, put back the standard type and recompute what WireGuard
 * checks. Every read is bounded by the lengths checked first.
 *
 * Limits, on purpose:
 *  - A cookie reply is re-sealed only when it answers one of the last
 *    WGM_AWG_MAC1_RING handshake messages of its direction; others are
 *    dropped inbound (they could not open at the backend either) and sent
 *    unchanged outbound.
 *  - A received non-zero mac2 is remade only when it verifies with the
 *    cookie our backend last handed out on this link; any other is passed
 *    unchanged for the backend to reject (it then answers with a cookie).
 *  - No I1..I5 packets (AWG 1.5/2.0 "special junk"): optional and sender-only.
 *  - Transport is padded with S4 always, keepalives too (amneziawg-go
 *    v0.2.18+); unpadded keepalives of v0.2.15..17 peers are not recognised,
 *    as in v0.2.18+ itself. */
#include "common/obfs/awg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/obfs/blake2s.h"
#include "common/obfs/wg_msg.h"

#define COOKIE_LEN 16
#define LABEL_MAC1 "mac1----"
#define LABEL_COOKIE "cookie--"

/* HASH(label || public key), whitepaper §5.4.4 and §5.4.7. */
static void label_key(uint8_t out[32], const char *label, const uint8_t pub[32])
{
	struct wgm_blake2s s;
	wgm_blake2s_init(&s, 32, NULL, 0);
	wgm_blake2s_update(&s, label, 8);
	wgm_blake2s_update(&s, pub, 32);
	wgm_blake2s_final(&s, out);
}

static void mac16(uint8_t out[16], const uint8_t *key, size_t keylen, const uint8_t *msg, size_t len)
{
	wgm_blake2s(out, 16, key, keylen, msg, len);
}

static bool all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;
	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

/* Random bytes for the wire: the injected source, or the link's stream. */
static void awg_random(struct wgm_awg *a, void *buf, size_t len)
{
	if (a->random) {
		a->random(buf, len);
		return;
	}
	uint8_t nonce[crypto_stream_chacha20_ietf_NONCEBYTES] = { 0 };
	if (len > sizeof(a->pool)) {
		memcpy(nonce, &a->pool_nonce, sizeof(a->pool_nonce));
		a->pool_nonce++;
		crypto_stream_chacha20_ietf(buf, len, nonce, a->pool_key);
		return;
	}
	if (a->pool_left < len) {
		memcpy(nonce, &a->pool_nonce, sizeof(a->pool_nonce));
		a->pool_nonce++;
		crypto_stream_chacha20_ietf(a->pool, sizeof(a->pool), nonce, a->pool_key);
		a->pool_left = sizeof(a->pool);
	}
	/* Bytes are taken from the end and wiped once used. */
	a->pool_left -= len;
	memcpy(buf, a->pool + a->pool_left, len);
	sodium_memzero(a->pool + a->pool_left, len);
}

int wgm_awg_init(struct wgm_awg *a, const struct wgm_awg_params *p, const uint8_t local_public[32],
		 const uint8_t remote_public[32], wgm_obfs_random_fn rnd)
{
	memset(a, 0, sizeof(*a));
	a->p = *p;
	a->random = rnd;
	if (!rnd)
		randombytes_buf(a->pool_key, sizeof(a->pool_key));
	label_key(a->mac1_key_local, LABEL_MAC1, local_public);
	label_key(a->mac1_key_remote, LABEL_MAC1, remote_public);
	label_key(a->cookie_key_local, LABEL_COOKIE, local_public);
	label_key(a->cookie_key_remote, LABEL_COOKIE, remote_public);
	if (p->jc > 0 && p->jmax > 0) {
		a->junk = malloc(p->jmax);
		if (!a->junk)
			return -ENOMEM;
	}
	return 0;
}

void wgm_awg_clear(struct wgm_awg *a)
{
	if (a->junk)
		sodium_memzero(a->junk, a->p.jmax);
	free(a->junk);
	sodium_memzero(a, sizeof(*a));
}

static uint32_t uniform(struct wgm_awg *a, uint32_t lo, uint32_t hi)
{
	uint64_t span = (uint64_t)hi - lo + 1;
	if (span == 1)
		return lo;
	uint64_t limit = (1ull << 32) - ((1ull << 32) % span);
	for (;;) {
		uint32_t v;
		awg_random(a, &v, sizeof(v));
		if (v < limit)
			return lo + (uint32_t)(v % span);
	}
}

static uint16_t prefix_len(const struct wgm_awg_params *p, uint32_t type)
{
	switch (type) {
	case WGM_WG_TYPE_INIT:
		return p->s1;
	case WGM_WG_TYPE_RESPONSE:
		return p->s2;
	case WGM_WG_TYPE_COOKIE:
		return p->version == 2 ? p->s3 : 0;
	default:
		return p->version == 2 ? p->s4 : 0;
	}
}

static void remember(struct wgm_awg_mac1_pair *ring, unsigned *next, const uint8_t std[16], const uint8_t wire[16])
{
	struct wgm_awg_mac1_pair *e = &ring[*next % WGM_AWG_MAC1_RING];
	memcpy(e->std, std, 16);
	memcpy(e->wire, wire, 16);
	e->used = true;
	*next = (*next + 1) % WGM_AWG_MAC1_RING;
}

/* A cookie reply sealed with KEY over the mac1 its sender saw (FROM side of
 * a pair in RING) is re-sealed over the other side's mac1, in place in MSG.
 * The cookie goes to COOKIE. False when no remembered mac1 opens it. */
static bool reseal_cookie(uint8_t *msg, const uint8_t key[32], const struct wgm_awg_mac1_pair *ring, bool from_wire,
			  uint8_t cookie[COOKIE_LEN])
{
	const uint8_t *nonce = msg + WGM_WG_COOKIE_NONCE;
	uint8_t *sealed = msg + WGM_WG_COOKIE_ENC;
	for (int i = 0; i < WGM_AWG_MAC1_RING; i++) {
		const struct wgm_awg_mac1_pair *e = &ring[i];
		if (!e->used)
			continue;
		const uint8_t *ad_from = from_wire ? e->wire : e->std;
		const uint8_t *ad_to = from_wire ? e->std : e->wire;
		if (crypto_aead_xchacha20poly1305_ietf_decrypt(cookie, NULL, NULL, sealed, WGM_WG_COOKIE_ENC_LEN,
							       ad_from, 16, nonce, key) != 0)
			continue;
		crypto_aead_xchacha20poly1305_ietf_encrypt(sealed, NULL, cookie, COOKIE_LEN, ad_to, 16, NULL, nonce,
							   key);
		return true;
	}
	return false;
}

static int emit_junk(struct wgm_awg *a, wgm_obfs_emit_fn emit, void *ctx)
{
	const struct wgm_awg_params *p = &a->p;
	if (!emit || p->jc == 0 || !a->junk)
		return 0;
	for (unsigned i = 0; i < p->jc; i++) {
		size_t n;
		if (p->version == 1)
			/* AWG 1.0: Jmin + rand(Jmax - Jmin), with Jmax raised by one
			 * when equal to Jmin: [Jmin, Jmax - 1], or Jmin. */
			n = p->jmax == p->jmin ? p->jmin : uniform(a, p->jmin, p->jmax - 1u);
		else
			n = uniform(a, p->jmin, p->jmax);
		awg_random(a, a->junk, n);
		int rc = emit(ctx, a->junk, n);
		if (rc != 0)
			return rc < 0 ? rc : -ECANCELED;
	}
	return 0;
}

ssize_t wgm_awg_outbound(struct wgm_awg *a, const uint8_t *in, size_t len, uint8_t *out, size_t cap,
			 wgm_obfs_emit_fn emit, void *emit_ctx)
{
	const struct wgm_awg_params *p = &a->p;
	uint32_t type = wg_msg_type(in, len);
	if (!type)
		return -EINVAL;
	size_t pad = prefix_len(p, type);
	if (cap < pad + len)
		return -EMSGSIZE;
	if (type == WGM_WG_TYPE_INIT) {
		int rc = emit_junk(a, emit, emit_ctx);
		if (rc < 0)
			return rc;
	}
	size_t mac1 = wg_mac1_offset(type);
	uint8_t std_mac1[16], std_mac2[16];
	if (mac1) {
		memcpy(std_mac1, in + mac1, 16);
		memcpy(std_mac2, in + mac1 + 16, 16);
	}
	memmove(out + pad, in, len);
	uint8_t *m = out + pad;
	awg_random(a, out, pad);
	const struct wgm_awg_range *h = &p->h[type - 1];
	wg_put_le32(m, p->version == 2 ? uniform(a, h->lo, h->hi) : h->lo);

	if (mac1) {
		/* The receiver checks mac1 over the substituted type. */
		mac16(m + mac1, a->mac1_key_remote, 32, m, mac1);
		/* A non-zero mac2 was made with the cookie the remote sent us,
		 * over the standard bytes: remade over the wire bytes. Without
		 * the cookie (its reply not seen by us) it stays as it is. */
		if (!all_zero(std_mac2, 16) && a->have_cookie_ours)
			mac16(m + mac1 + 16, a->cookie_ours, COOKIE_LEN, m, mac1 + 16);
		remember(a->sent, &a->sent_next, std_mac1, m + mac1);
	} else if (type == WGM_WG_TYPE_COOKIE) {
		/* Our backend sealed it over the mac1 it checked (the standard one
		 * we made inbound); the remote opens it with the one it sent. */
		uint8_t cookie[COOKIE_LEN];
		if (reseal_cookie(m, a->cookie_key_local, a->received, false, cookie)) {
			memcpy(a->cookie_theirs, cookie, COOKIE_LEN);
			a->have_cookie_theirs = true;
		}
		sodium_memzero(cookie, sizeof(cookie));
	}
	sodium_memzero(std_mac2, sizeof(std_mac2));
	return (ssize_t)(pad + len);
}

/* How to read one received datagram: the prefix length and the standard
 * type it would be. */
struct candidate {
	size_t pad;
	uint32_t type;
};

static bool in_range(const struct wgm_awg_range *r, uint32_t v)
{
	return v >= r->lo && v <= r->hi;
}

/* AWG 1.0 (obfuscation.md §4.1): the size names the expected type and its
 * prefix; if the H value is not found there, the type is read at offset 0. */
static size_t classify_v1(const struct wgm_awg_params *p, const uint8_t *in, size_t len, struct candidate *c)
{
	size_t pad = 0;
	uint32_t expect = WGM_WG_TYPE_DATA;
	if (len == WGM_WG_INIT_LEN + (size_t)p->s1) {
		pad = p->s1;
		expect = WGM_WG_TYPE_INIT;
	} else if (len == WGM_WG_RESPONSE_LEN + (size_t)p->s2) {
		pad = p->s2;
		expect = WGM_WG_TYPE_RESPONSE;
	} else if (len == WGM_WG_COOKIE_LEN) {
		expect = WGM_WG_TYPE_COOKIE;
	}
	if (len < pad + 4)
		return 0;
	if (wg_get_le32(in + pad) != p->h[expect - 1].lo)
		pad = 0;
	if (len < 4)
		return 0;
	uint32_t v = wg_get_le32(in + pad);
	for (uint32_t t = WGM_WG_TYPE_INIT; t <= WGM_WG_TYPE_DATA; t++)
		if (v == p->h[t - 1].lo) {
			c[0] = (struct candidate){ pad, t };
			return 1;
		}
	return 0;
}

/* AWG 2.0 (§4.3, DeterminePacketTypeAndPadding), in its order. Every rule
 * that matches is a candidate: one that fails its check (mac1) falls through
 * to the next instead of being dropped, which only saves packets. */
static size_t classify_v2(const struct wgm_awg_params *p, const uint8_t *in, size_t len, struct candidate *c)
{
	const size_t base[3] = { WGM_WG_INIT_LEN, WGM_WG_RESPONSE_LEN, WGM_WG_COOKIE_LEN };
	const uint16_t s[4] = { p->s1, p->s2, p->s3, p->s4 };
	size_t n = 0;
	for (int i = 0; i < 3; i++)
		if (len == s[i] + base[i] && in_range(&p->h[i], wg_get_le32(in + s[i])))
			c[n++] = (struct candidate){ s[i], (uint32_t)i + 1 };
	if (len >= (size_t)p->s4 + WGM_WG_DATA_HDR_LEN && in_range(&p->h[3], wg_get_le32(in + p->s4)))
		c[n++] = (struct candidate){ p->s4, WGM_WG_TYPE_DATA };
	return n;
}

/* Checks candidate C of IN and, when it holds, writes the standard message
 * to OUT. Returns its length, 0 when C does not hold, -EMSGSIZE. */
static ssize_t try_candidate(struct wgm_awg *a, const uint8_t *in, size_t len, struct candidate c, uint8_t *out,
			     size_t cap)
{
	const uint8_t *w = in + c.pad;
	size_t n = len - c.pad;
	if (!wg_msg_size_ok(c.type, n))
		return 0;
	size_t mac1 = wg_mac1_offset(c.type);
	if (mac1) {
		uint8_t want[16], wire_mac1[16];
		mac16(want, a->mac1_key_local, 32, w, mac1);
		if (sodium_memcmp(want, w + mac1, 16) != 0)
			return 0;
		if (cap < n)
			return -EMSGSIZE;
		memcpy(wire_mac1, w + mac1, 16);
		/* A mac2 the remote made with the cookie our backend gave it is
		 * remade over the standard bytes; any other is left for the
		 * backend to reject. */
		bool remac2 = false;
		if (!all_zero(w + mac1 + 16, 16) && a->have_cookie_theirs) {
			mac16(want, a->cookie_theirs, COOKIE_LEN, w, mac1 + 16);
			remac2 = sodium_memcmp(want, w + mac1 + 16, 16) == 0;
		}
		memmove(out, w, n);
		wg_put_le32(out, c.type);
		mac16(out + mac1, a->mac1_key_local, 32, out, mac1);
		if (remac2)
			mac16(out + mac1 + 16, a->cookie_theirs, COOKIE_LEN, out, mac1 + 16);
		remember(a->received, &a->received_next, out + mac1, wire_mac1);
		return (ssize_t)n;
	}
	if (c.type == WGM_WG_TYPE_COOKIE) {
		/* Sealed over the wire mac1 we sent; only a reply that opens with
		 * one of them goes on, re-sealed over the backend's own mac1. */
		uint8_t msg[WGM_WG_COOKIE_LEN], cookie[COOKIE_LEN];
		memcpy(msg, w, WGM_WG_COOKIE_LEN);
		bool ok = reseal_cookie(msg, a->cookie_key_remote, a->sent, true, cookie);
		if (ok && cap < WGM_WG_COOKIE_LEN) {
			sodium_memzero(cookie, sizeof(cookie));
			return -EMSGSIZE;
		}
		if (ok) {
			memcpy(a->cookie_ours, cookie, COOKIE_LEN);
			a->have_cookie_ours = true;
			memcpy(out, msg, WGM_WG_COOKIE_LEN);
			wg_put_le32(out, WGM_WG_TYPE_COOKIE);
		}
		sodium_memzero(cookie, sizeof(cookie));
		return ok ? WGM_WG_COOKIE_LEN : 0;
	}
	if (cap < n)
		return -EMSGSIZE;
	memmove(out, w, n);
	wg_put_le32(out, WGM_WG_TYPE_DATA);
	return (ssize_t)n;
}

ssize_t wgm_awg_inbound(struct wgm_awg *a, const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	if (len > WGM_OBFS_DATAGRAM_MAX)
		return 0;
	struct candidate c[4];
	size_t n = a->p.version == 2 ? classify_v2(&a->p, in, len, c) : classify_v1(&a->p, in, len, c);
	for (size_t i = 0; i < n; i++) {
		ssize_t r = try_candidate(a, in, len, c[i], out, cap);
		if (r != 0)
			return r;
	}
	return 0;
}
