/* Obfuscating link types on the wire (see docs/link-types.md): the per-link
 * transform between the WireGuard message a backend (kernel or wireguard-go)
 * sends or expects and the datagram that crosses the underlay.
 *
 * This header is the contract between three pieces:
 *   - the transforms (common/obfs/: wgobfs = xt_WGOBFS's format, ipt_xor =
 *     the XOR target's, amneziawg = AmneziaWG 1.0 / 2.0), pure functions of
 *     their inputs and an injected random source, unit-tested on vectors;
 *   - the engine (daemon/links/obfs_*), which moves UDP payloads of a link's
 *     flow through wgm_obfs_outbound / wgm_obfs_inbound (NFQUEUE) and never
 *     looks inside them;
 *   - the control plane (node API, link records, rotation), which makes and
 *     agrees the per-link parameters and calls wgm_obfs_rekey.
 *
 * A struct wgm_obfs is owned by one thread at a time; it holds secrets and is
 * wiped by wgm_obfs_free. Errors are negative errno. */
#ifndef WGM_COMMON_OBFS_H
#define WGM_COMMON_OBFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/api/api_msg.h" /* enum wgm_link_type */

/* The per-link secret of wgobfs and ipt_xor: 1..32 bytes. Keys made by
 * wgmesh are 32 base64url characters, so an xt_WGOBFS / ipt_xor node can be
 * given the same key on its iptables command line. */
#define WGM_OBFS_KEY_MAX 32
#define WGM_OBFS_PUBKEY_LEN 32
/* The largest UDP payload the engine handles, in and out. */
#define WGM_OBFS_DATAGRAM_MAX 65507

/* AmneziaWG's per-link parameters (S1..S4 and H1..H4 must match on both
 * ends; Jc/Jmin/Jmax only shape what the sender adds). Version 1 = AWG 1.0
 * (single H values: lo == hi, s3 = s4 = 0, junk lengths in [jmin, jmax - 1]);
 * version 2 = AWG 2.0 (H ranges, S3/S4, junk lengths in [jmin, jmax]). */
struct wgm_awg_range {
	uint32_t lo, hi;
};

struct wgm_awg_params {
	uint8_t version; /* 1 or 2 */
	uint16_t jc, jmin, jmax;
	uint16_t s1, s2, s3, s4;
	struct wgm_awg_range h[4]; /* H1 init, H2 response, H3 cookie, H4 transport */
};

/* Fills BUF with LEN random bytes. Production: libsodium's randombytes_buf;
 * tests pass a seeded one. */
typedef void (*wgm_obfs_random_fn)(void *buf, size_t len);

struct wgm_obfs_config {
	enum wgm_link_type type;
	uint8_t key[WGM_OBFS_KEY_MAX]; /* wgobfs, ipt_xor; secret */
	size_t key_len;                /* 1..WGM_OBFS_KEY_MAX for those types */
	struct wgm_awg_params awg;     /* amneziawg */
	/* WireGuard public keys of this end and of the peer (amneziawg: mac1 is
	 * recomputed over the substituted type field, keyed by the receiver's
	 * public key). */
	uint8_t local_public[WGM_OBFS_PUBKEY_LEN];
	uint8_t remote_public[WGM_OBFS_PUBKEY_LEN];
	wgm_obfs_random_fn random; /* NULL: randombytes_buf */
};

struct wgm_obfs;

/* Checks CFG (one line in ERR naming the field) and makes the link's state.
 * Type default is valid and makes an identity transform. */
int wgm_obfs_new(const struct wgm_obfs_config *cfg, struct wgm_obfs **out, char *err, size_t errlen);
void wgm_obfs_free(struct wgm_obfs *o);

/* Called for each extra datagram that must go on the wire before the main
 * one (AmneziaWG junk before an initiation), in order. Nonzero stops. */
typedef int (*wgm_obfs_emit_fn)(void *ctx, const uint8_t *datagram, size_t len);

/* WireGuard message IN (a UDP payload the backend sent) -> the datagram to
 * send, written to OUT (CAP bytes). Returns its length, 0 when the message
 * is to be dropped (wgobfs drops most keepalives), negative errno on error
 * (-EMSGSIZE: CAP too small). EMIT may be NULL when no extra datagrams can
 * arise. */
ssize_t wgm_obfs_outbound(struct wgm_obfs *o, const uint8_t *in, size_t len, uint8_t *out, size_t cap,
			  wgm_obfs_emit_fn emit, void *emit_ctx);

/* Datagram from the wire -> the WireGuard message to hand to the backend.
 * Returns its length, 0 when the datagram is not ours (junk, garbage, wrong
 * key, bad mac1): the engine drops it silently, so WireGuard never sees and
 * logs it. */
ssize_t wgm_obfs_inbound(struct wgm_obfs *o, const uint8_t *in, size_t len, uint8_t *out, size_t cap);

/* The most a datagram can grow on the way out, for full-size data messages:
 * the link MTU is lowered by this much. */
size_t wgm_obfs_max_growth(const struct wgm_obfs_config *cfg);

/* Key rotation (ipt_xor, wgobfs): outbound uses NEW_KEY from now on; inbound
 * accepts both the old and the new key until wgm_obfs_forget_old_key, so a
 * swap that reaches the two ends at different moments loses nothing. */
int wgm_obfs_rekey(struct wgm_obfs *o, const uint8_t *new_key, size_t len);
void wgm_obfs_forget_old_key(struct wgm_obfs *o);

#endif
