#include "daemon/quality/quality_params.h"

static size_t probes_for(unsigned seconds, unsigned interval_ms)
{
	return ((size_t)seconds * 1000 + interval_ms - 1) / interval_ms;
}

static size_t at_least(size_t v, size_t min)
{
	return v < min ? min : v;
}

struct link_stats_params quality_stats_params(unsigned probe_interval_ms)
{
	struct link_stats_params p = link_stats_params_default();
	unsigned ms = probe_interval_ms ? probe_interval_ms : 1000;

	p.capacity = at_least(probes_for(QUALITY_RING_SECONDS, ms), p.capacity);
	/* Slow probing still needs a few probes per window to mean anything. */
	p.window = at_least(probes_for(QUALITY_WINDOW_SECONDS, ms), 10);
	p.recent_window = at_least(probes_for(QUALITY_RECENT_SECONDS, ms), 5);
	if (p.recent_window > p.window)
		p.recent_window = p.window;
	if (p.window > p.capacity)
		p.window = p.capacity;
	/* down_after / dead_after stay counts of probes: probing faster is how
	 * an operator asks for faster death detection. */
	return p;
}

struct cost_params quality_cost_params(const struct wgm_config *cfg)
{
	struct cost_params p = cost_params_default();

	p.reload_percentage = cfg->bird.reload_percentage;
	p.min_reload_interval_us = (int64_t)cfg->bird.min_reload_interval * 1000000;
	p.reload_interval_us = (int64_t)cfg->bird.reload_interval * 1000000;
	p.event_window_us = (int64_t)cfg->cost_event_window_s * 1000000;
	p.jitter_event_us = cfg->jitter_threshold_ms * 1000;
	p.hop_cost = cfg->hop_cost;
	/* Clean means the whole fast-loss window answered: about 10 s of probes. */
	p.loss_clean_probes = (unsigned)quality_stats_params(cfg->probe_interval_ms).recent_window;
	return p;
}

bool quality_wg_read_due(const struct quality_wg_view *v, int64_t now_us)
{
	if (v->watched || !v->up || v->failing || now_us - v->since_us < (int64_t)QUALITY_WG_YOUNG_MS * 1000)
		return true;
	return now_us >= v->next_us;
}
