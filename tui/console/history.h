/* The reply to "link_history": the RTT samples the daemon keeps for one
 * link (NaN = lost probe) and its cost changes, for the detail view. */
#ifndef WGM_TUI_HISTORY_H
#define WGM_TUI_HISTORY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "tui/console/model.h"

#define HISTORY_SAMPLES_MAX 86400
#define HISTORY_COSTS_MAX 10000

struct cost_point {
	double ts;
	int64_t cost;
};

struct link_history {
	char name[MODEL_NAME_MAX];
	int64_t interval_ms;
	double *rtt_ms;
	size_t nrtt;
	struct cost_point *costs;
	size_t ncosts;
};

/* Validates and copies the reply; on error out is empty and err says why. */
int link_history_parse(const json_t *reply, struct link_history *out, char *err, size_t errlen);
void link_history_free(struct link_history *h);

#endif
