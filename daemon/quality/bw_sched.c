#include "daemon/quality/bw_sched.h"

long bw_sched_pick(const struct bw_sched_link *links, size_t n, bool running, int64_t now_us, int64_t *wake_us)
{
	long best = -1;
	int64_t wake = 0;

	if (wake_us)
		*wake_us = 0;
	if (running)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct bw_sched_link *l = &links[i];
		if (!l->eligible)
			continue;
		if (l->due_us > now_us) {
			if (wake == 0 || l->due_us < wake)
				wake = l->due_us;
			continue;
		}
		if (best < 0 || l->due_us < links[best].due_us)
			best = (long)i;
	}
	if (best < 0 && wake_us)
		*wake_us = wake;
	return best;
}

void bw_sched_done(struct bw_sched_link *link, bool ok, const struct bw_sched_params *p, int64_t now_us)
{
	int64_t wait = p->interval_us;

	if (!ok && p->retry_us < wait)
		wait = p->retry_us;
	link->due_us = now_us + wait;
}
