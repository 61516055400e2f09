/* The node API's replay cache: no request is accepted twice, also across a
 * restart of the daemon and a step of either clock.
 *
 * Per caller key (the API key that sealed the request) it keeps a mark, the
 * newest timestamp accepted from that caller, and the nonces of its accepted
 * requests whose timestamps lie within SKEW of that mark. A request is refused
 * when its nonce was seen (a replay) or when its timestamp is older than the
 * caller's mark by more than SKEW (older than what was seen: its nonce may be
 * forgotten already). Nonces are forgotten by the caller's own mark, not by
 * this node's clock, so a clock step here never lets an old request in; SKEW
 * leaves room for one caller's concurrent calls arriving out of order.
 *
 * Bounded: at most CAPACITY nonces and CAPACITY marks. When the nonces are
 * full, those the clock refuses anyway (ts older than now - skew) go first;
 * when nothing can go the request is refused (-ENOSPC), never a replay
 * accepted. When the marks are full the oldest one goes.
 *
 * The daemon keeps it in stateDir (wgm_replay_cache_to_json after every
 * accepted request, written atomically; wgm_replay_cache_load at start). */
#ifndef WGM_COMMON_REPLAY_CACHE_H
#define WGM_COMMON_REPLAY_CACHE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Key and nonce sizes; api_envelope.h includes this header back, guarded. */
#include "common/api/api_envelope.h"

struct wgm_replay_cache;

struct wgm_replay_cache *wgm_replay_cache_new(size_t capacity, int64_t skew);
void wgm_replay_cache_free(struct wgm_replay_cache *cache);
bool wgm_replay_cache_seen(const struct wgm_replay_cache *cache, const uint8_t pk[WGM_API_KEY_LEN],
			   const uint8_t nonce[WGM_API_NONCE_LEN]);
/* Records an accepted request; returns 0, -EALREADY (nonce seen: a replay),
 * -ESTALE (older than the caller's mark by more than skew) or -ENOSPC. Use
 * the skew of the open opts. */
int wgm_replay_cache_add(struct wgm_replay_cache *cache, const uint8_t pk[WGM_API_KEY_LEN],
			 const uint8_t nonce[WGM_API_NONCE_LEN], int64_t ts, int64_t now);
size_t wgm_replay_cache_count(const struct wgm_replay_cache *cache);

/* {"version":1,"marks":[{"pk":B64,"ts":N}],"seen":[{"pk":B64,"nonce":B64,"ts":N}]};
 * NULL when out of memory. Holds no secret (public keys, nonces, times). */
json_t *wgm_replay_cache_to_json(const struct wgm_replay_cache *cache);
/* Replaces the cache's content with JSON's. 0, or -EINVAL with one line in
 * ERR (the cache is left empty then). Entries past the capacity are dropped. */
int wgm_replay_cache_from_json(struct wgm_replay_cache *cache, const json_t *json, char *err, size_t errlen);

#endif
