/* Path-quality parameters from the node configuration (pure).
 *
 * The engines' defaults are for a 1 s probe interval; these scale the
 * per-link ring and windows to the configured interval so the ring always
 * keeps at least 10 minutes of probes and the windows keep their meaning in
 * time (a minute for loss %, jitter, min/max; about 10 s for fast loss). */
#ifndef WGM_DAEMON_QUALITY_PARAMS_H
#define WGM_DAEMON_QUALITY_PARAMS_H

#include "common/config.h"
#include "daemon/cost.h"
#include "daemon/link_stats.h"

#define QUALITY_RING_SECONDS 600
#define QUALITY_WINDOW_SECONDS 60
#define QUALITY_RECENT_SECONDS 10

/* probe_interval_ms: 100-60000 (as the config allows). */
struct link_stats_params quality_stats_params(unsigned probe_interval_ms);

/* bird.reloadPercentage, bird.minReloadInterval, bird.reloadInterval and
 * costEventWindow over the engine's defaults. */
struct cost_params quality_cost_params(const struct wgm_config *cfg);

#endif
