/* Path-quality parameters from the node configuration (pure).
 *
 * The engines' defaults are for a 1 s probe interval; these scale the
 * per-link ring and windows to the configured interval so the ring always
 * keeps at least 10 minutes of probes and the windows keep their meaning in
 * time (a minute for loss %, jitter, min/max; about 10 s for fast loss). */
#ifndef WGM_DAEMON_QUALITY_PARAMS_H
#define WGM_DAEMON_QUALITY_PARAMS_H

#include <stdbool.h>
#include <stdint.h>

#include "common/config/config.h"
#include "daemon/quality/cost.h"
#include "daemon/quality/link_stats.h"

#define QUALITY_RING_SECONDS 600
#define QUALITY_WINDOW_SECONDS 60
#define QUALITY_RECENT_SECONDS 10

/* WireGuard readings (counters, last handshake; a failed one is how a dead
 * local wireguard-go is found). Each costs a UAPI round trip per link for
 * wireguard-go, so a steady link is read seldom: every QUALITY_WG_TICK_MS the
 * worker reads the links due, and an up link nobody watches is due every
 * QUALITY_WG_SLOW_MS. */
#define QUALITY_WG_TICK_MS 2000
#define QUALITY_WG_SLOW_MS 10000
/* A new link is read every tick for this long (first handshake, bytes). */
#define QUALITY_WG_YOUNG_MS 60000

struct quality_wg_view {
	bool watched;     /* someone follows the control socket's events (live rates) */
	bool up;          /* probed, and the probes say up */
	bool failing;     /* the last reading failed */
	int64_t since_us; /* when it became a probe target */
	int64_t next_us;  /* when its next slow reading is due; 0 = never read */
};

/* Whether a link is read at this tick: at every tick while it is watched,
 * not up (down, dead, not yet measured), failing or young; otherwise once
 * next_us has come. */
bool quality_wg_read_due(const struct quality_wg_view *v, int64_t now_us);

/* probe_interval_ms: 100-60000 (as the config allows). */
struct link_stats_params quality_stats_params(unsigned probe_interval_ms);

/* bird.reloadPercentage, bird.minReloadInterval, bird.reloadInterval,
 * costEventWindow and jitterThreshold over the engine's defaults. */
struct cost_params quality_cost_params(const struct wgm_config *cfg);

#endif
