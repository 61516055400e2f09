/* The node's metrics (docs/metrics.md): a snapshot of the links, path
 * quality, routing and the event counters, rendered as Prometheus text
 * (metrics_text.h) for the control command `metrics` and, when
 * metricsListen is set, for GET /metrics on a small HTTP server of its own
 * (never the node API's: other limits, other port, read-only). */
#ifndef WGM_DAEMON_METRICS_H
#define WGM_DAEMON_METRICS_H

#include <stddef.h>

#include "common/config/config.h"
#include "common/ctl/ctlproto.h"
#include "daemon/core/counters.h"
#include "daemon/core/ctl_server.h"
#include "daemon/core/loop.h"
#include "daemon/links/links.h"

struct metrics_deps {
	struct loop *loop;
	const struct wgm_config *cfg; /* metricsListen is read at start only */
	struct links *links;
	const struct counters *counters;
	/* The node's figures as `status` has them (links, BIRD, mesh, nodes). */
	void (*fill_status)(struct wgm_ctl_status *st, void *ctx);
	void *ctx;
};

struct metrics;

/* Listens on metricsListen when it is set; err gets one line naming the
 * address (a busy port, an address this host lacks). */
int metrics_new(const struct metrics_deps *deps, struct metrics **out, char *err, size_t errlen);
/* NULL is ignored. */
void metrics_free(struct metrics *m);
/* Registers `metrics` on the control socket. */
int metrics_register(struct metrics *m, struct ctl_server *ctl);

#endif
