/* libFuzzer target for the obfuscation transforms (common/obfs/): the first
 * byte picks a link (identity, wgobfs, ipt_xor with a previous key, AWG 1.0,
 * AWG 2.0), the rest is a datagram from the wire. Inbound must return 0,
 * -EMSGSIZE or a plausible WireGuard message, in a separate buffer and in
 * place alike; the same bytes taken as a backend message must go out and
 * come back unchanged at the other end. Any other outcome aborts.
 *
 * Built with clang only (CMakeLists.txt); tests/unit/test_obfs_fuzz.c runs
 * the same function on a fixed pseudo-random corpus under gcc. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/obfs/awg_params.h"
#include "common/obfs/obfs.h"
#include "common/obfs/wg_msg.h"

#define FUZZ_LINKS 5

/* Deterministic, so a crash replays: the fuzzer's input is the only source
 * of variety. */
static uint64_t fuzz_rng = 1;
static void fuzz_random(void *buf, size_t len)
{
	uint8_t *p = buf;
	for (size_t i = 0; i < len; i++) {
		fuzz_rng = fuzz_rng * 6364136223846793005ull + 1442695040888963407ull;
		p[i] = (uint8_t)(fuzz_rng >> 56);
	}
}

static struct wgm_obfs *fuzz_link[FUZZ_LINKS], *fuzz_peer[FUZZ_LINKS];

static struct wgm_obfs *fuzz_make(unsigned i, bool peer)
{
	struct wgm_obfs_config cfg = { .random = fuzz_random, .key_len = 32 };
	memcpy(cfg.key, "0123456789abcdefghijklmnopqrstuv", 32);
	memset(peer ? cfg.remote_public : cfg.local_public, 0xa1, 32);
	memset(peer ? cfg.local_public : cfg.remote_public, 0xb2, 32);
	static const enum wgm_link_type types[FUZZ_LINKS] = { WGM_LINK_DEFAULT, WGM_LINK_WGOBFS, WGM_LINK_IPT_XOR,
							      WGM_LINK_AMNEZIAWG, WGM_LINK_AMNEZIAWG };
	cfg.type = types[i];
	if (i >= 3) {
		cfg.awg = (struct wgm_awg_params){ .version = (uint8_t)(i - 2),
						   .jc = 2,
						   .jmin = 10,
						   .jmax = 20,
						   .s1 = 15,
						   .s2 = 20,
						   .s3 = i == 4 ? 18 : 0,
						   .s4 = i == 4 ? 8 : 0,
						   .h = { { 100, 100 }, { 200, 200 }, { 300, 300 }, { 400, 400 } } };
		if (i == 4)
			cfg.awg.h[3].hi = 1000;
	}
	struct wgm_obfs *o;
	char err[128];
	if (wgm_obfs_new(&cfg, &o, err, sizeof(err)) != 0)
		abort();
	if (i == 2 && wgm_obfs_rekey(o, (const uint8_t *)"new-key", 7) != 0)
		abort();
	return o;
}

/* AWG 1.0 tells types apart by datagram size (obfuscation.md §4.1): a
 * transport datagram of exactly 148+S1 (92+S2) bytes whose bytes at S1 (S2)
 * happen to read H1 (H2) is taken for a padded initiation (response), and
 * dropped, by amneziawg-go as by us: one in 2^32 such datagrams. Link 3 has
 * S1 15, S2 20, H1 100, H2 200 (fuzz_make). */
static bool fuzz_awg1_mistaken(unsigned i, const uint8_t *wire, size_t n)
{
	return i == 3 && ((n == WGM_WG_INIT_LEN + 15 && wg_get_le32(wire + 15) == 100) ||
			  (n == WGM_WG_RESPONSE_LEN + 20 && wg_get_le32(wire + 20) == 200));
}

static uint8_t fuzz_out[WGM_OBFS_DATAGRAM_MAX + 64], fuzz_copy[WGM_OBFS_DATAGRAM_MAX + 64],
	fuzz_back[WGM_OBFS_DATAGRAM_MAX + 64];

static void fuzz_check_inbound(unsigned i, ssize_t n, const uint8_t *msg)
{
	if (n == 0 || n == -EMSGSIZE)
		return;
	if (n < 0 || (i != 0 && !wg_msg_plausible(msg, (size_t)n)))
		abort();
}

static int fuzz_emit(void *ctx, const uint8_t *d, size_t len)
{
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size - 1 > WGM_OBFS_DATAGRAM_MAX)
		return 0;
	unsigned i = data[0] % FUZZ_LINKS;
	if (!fuzz_link[i]) {
		fuzz_link[i] = fuzz_make(i, false);
		fuzz_peer[i] = fuzz_make(i, true);
	}
	const uint8_t *d = data + 1;
	size_t len = size - 1;

	/* From the wire. */
	ssize_t n = wgm_obfs_inbound(fuzz_link[i], d, len, fuzz_out, sizeof(fuzz_out));
	fuzz_check_inbound(i, n, fuzz_out);
	memcpy(fuzz_copy, d, len);
	ssize_t m = wgm_obfs_inbound(fuzz_link[i], fuzz_copy, len, fuzz_copy, len);
	fuzz_check_inbound(i, m, fuzz_copy);
	if (i != 3 && i != 4 && m != n) /* AWG keeps state: a cookie reply may open once */
		abort();
	(void)wgm_obfs_inbound(fuzz_link[i], d, len, fuzz_out, len / 2);

	/* From the backend: anything it accepts comes back unchanged. */
	n = wgm_obfs_outbound(fuzz_link[i], d, len, fuzz_out, sizeof(fuzz_out), fuzz_emit, NULL);
	if (n < 0 && n != -EINVAL && n != -EMSGSIZE)
		abort();
	if (n > 0) {
		m = wgm_obfs_inbound(fuzz_peer[i], fuzz_out, (size_t)n, fuzz_back, sizeof(fuzz_back));
		bool is_wg = wg_msg_plausible(d, len);
		/* Only plausible messages are expected back (AWG: an unopened
		 * cookie reply is dropped; wgobfs: a non-zero mac2 whose first 4
		 * bytes are zero comes back zeroed, as with the module). */
		if (is_wg && !(i >= 3 && d[0] == WGM_WG_TYPE_COOKIE) && !fuzz_awg1_mistaken(i, fuzz_out, (size_t)n)) {
			if (i == 1 && m == (ssize_t)len && memcmp(fuzz_back, d, len) != 0 &&
			    (d[0] == WGM_WG_TYPE_INIT || d[0] == WGM_WG_TYPE_RESPONSE))
				return 0;
			if (m != (ssize_t)len || memcmp(fuzz_back, d, len) != 0) {
				/* AWG recomputes mac1: compare all but mac1/mac2. */
				size_t off = wg_mac1_offset(d[0]);
				if (!(i >= 3 && off && m == (ssize_t)len && memcmp(fuzz_back, d, off) == 0))
					abort();
			}
		}
	}
	return 0;
}
