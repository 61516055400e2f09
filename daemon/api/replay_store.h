/* The node API's replay cache in stateDir/replay.json, so a request captured
 * before a restart is still refused after it (common/api/replay_cache.h).
 * Written atomically after every accepted request, before it acts (without
 * fsync: see replay_store_save). */
#ifndef WGM_DAEMON_REPLAY_STORE_H
#define WGM_DAEMON_REPLAY_STORE_H

#include <stddef.h>

#include "common/api/replay_cache.h"

#define REPLAY_STORE_FILE "replay.json"

/* Fills CACHE from STATE_DIR's file. 0 (also when there is none yet), or a
 * negative errno with one line in ERR; the cache is empty then. */
int replay_store_load(const char *state_dir, struct wgm_replay_cache *cache, char *err, size_t errlen);
/* 0 or a negative errno with one line in ERR. */
int replay_store_save(const char *state_dir, const struct wgm_replay_cache *cache, char *err, size_t errlen);

#endif
