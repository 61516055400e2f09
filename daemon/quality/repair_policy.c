#include "daemon/quality/repair_policy.h"

bool repair_due(const struct repair_params *p, const struct repair_input *in, struct repair_track *track,
		int64_t now_ms)
{
	bool bad = in->dead || (p->loss_pct > 0 && in->loss_pct >= p->loss_pct);

	if (!bad) {
		track->bad_since_ms = 0;
		return false;
	}
	if (track->bad_since_ms == 0)
		track->bad_since_ms = now_ms;
	if (p->after_ms <= 0 || !in->client || !in->remote_reachable_elsewhere)
		return false;
	if (now_ms - track->bad_since_ms < p->after_ms)
		return false;
	return track->last_repair_ms == 0 || now_ms - track->last_repair_ms >= p->cooldown_ms;
}
