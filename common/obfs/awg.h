/* AmneziaWG 1.0 / 2.0 on the wire (obfuscation.md §4.1, §4.3): a link's
 * translation state between standard WireGuard messages and AWG datagrams
 * (junk before initiations, S1..S4 prefixes, H1..H4 type values, mac1 and
 * mac2 recomputed over the substituted type, cookie replies re-sealed for
 * the other side's mac1). Owned by one struct wgm_obfs; holds secrets (the
 * cookies) and wipes them in wgm_awg_clear. */
#ifndef WGM_COMMON_OBFS_AWG_H
#define WGM_COMMON_OBFS_AWG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/obfs/obfs.h"

/* The recent handshake messages of one direction: their mac1 as the backend
 * computed or checked it and as it crossed the wire, so that a cookie reply
 * (sealed with the mac1 its sender saw as AAD) can be re-sealed. */
#define WGM_AWG_MAC1_RING 4
struct wgm_awg_mac1_pair {
	uint8_t std[16], wire[16];
	bool used;
};

struct wgm_awg {
	struct wgm_awg_params p;
	wgm_obfs_random_fn random; /* NULL: the pool below */
	/* Without an injected source, prefixes and H values come from a
	 * ChaCha20 stream keyed once from randombytes_buf: a getrandom call per
	 * datagram costs microseconds. */
	uint8_t pool_key[32];
	uint64_t pool_nonce;
	uint8_t pool[256];
	size_t pool_left;
	/* BLAKE2s-256("mac1----" || pub) and BLAKE2s-256("cookie--" || pub). */
	uint8_t mac1_key_local[32], mac1_key_remote[32];
	uint8_t cookie_key_local[32], cookie_key_remote[32];
	struct wgm_awg_mac1_pair sent[WGM_AWG_MAC1_RING], received[WGM_AWG_MAC1_RING];
	unsigned sent_next, received_next;
	/* The cookie the remote gave us (our outbound mac2) and the one our
	 * backend gave the remote (its inbound mac2). */
	uint8_t cookie_ours[16], cookie_theirs[16];
	bool have_cookie_ours, have_cookie_theirs;
	uint8_t *junk; /* jmax bytes: junk is made here, so IN == OUT works */
};

/* P must pass wgm_awg_params_check; RND NULL = libsodium's generator. 0 or
 * -ENOMEM. */
int wgm_awg_init(struct wgm_awg *a, const struct wgm_awg_params *p, const uint8_t local_public[32],
		 const uint8_t remote_public[32], wgm_obfs_random_fn rnd);
void wgm_awg_clear(struct wgm_awg *a);

/* The two directions, with wgm_obfs_outbound / wgm_obfs_inbound's contract.
 * Outbound takes a standard WireGuard message (else -EINVAL). */
ssize_t wgm_awg_outbound(struct wgm_awg *a, const uint8_t *in, size_t len, uint8_t *out, size_t cap,
			 wgm_obfs_emit_fn emit, void *emit_ctx);
ssize_t wgm_awg_inbound(struct wgm_awg *a, const uint8_t *in, size_t len, uint8_t *out, size_t cap);

#endif
