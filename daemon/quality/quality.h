/* Path quality in the daemon: the prober, per-link statistics and the cost
 * engine wired into the loop (docs/path-quality.md).
 *
 * Every active link is probed each probeInterval (its remote /31 address,
 * through its interface); WireGuard's counters and last handshake are read on
 * the worker (how often: quality_wg_read_due in daemon/quality/quality_params.h). Each probe round computes every link's
 * cost and asks the cost scheduler whether BIRD should get new costs; a push
 * goes through the apply function (routing), and the costs are committed when
 * BIRD accepted them. The control socket gets the metrics (links, the
 * "metrics", "link_state" and "cost" events, link_history) and the operator
 * commands cost, drain and undrain (kept in the link's record). In bandwidth
 * mode (operationMode 2) the base cost comes from an iperf3 run per link
 * instead of the RTT (docs/path-quality.md, "Bandwidth mode"). */
#ifndef WGM_DAEMON_QUALITY_H
#define WGM_DAEMON_QUALITY_H

#include <stdbool.h>
#include <stddef.h>

#include "common/config/config.h"
#include "common/wg/wg.h"
#include "daemon/core/counters.h"
#include "daemon/core/ctl_server.h"
#include "daemon/links/links.h"
#include "daemon/core/loop.h"
#include "daemon/quality/notify.h"
#include "daemon/core/worker.h"

/* Cost changes remembered per link for link_history. */
#define QUALITY_COST_HISTORY 256

struct quality_deps {
	struct loop *loop;
	struct worker *worker;
	struct links *links;
	struct ctl_server *ctl;    /* events; may be NULL */
	struct wgm_wg_backend *wg; /* read on the worker only */
	const struct wgm_config *cfg;
	struct notify *notify;     /* link up/down, reroutes, errors; may be NULL */
	struct counters *counters; /* probe rounds; may be NULL */
};

/* Asks BIRD to take the current costs (quality_bird_cost); done runs on the
 * loop with BIRD's verdict (rc 0 = accepted). Returns 0 once queued. */
typedef void (*quality_apply_done_fn)(int rc, const char *err, void *ctx);
typedef int (*quality_apply_fn)(bool urgent, quality_apply_done_fn done, void *done_ctx, void *ctx);

struct quality;

/* Opens the prober (raw ICMP sockets: needs CAP_NET_RAW), hooks into the
 * link table and starts the probe rounds. err gets one line. */
int quality_new(const struct quality_deps *deps, struct quality **out, char *err, size_t errlen);
/* NULL is ignored. Call before the link table is freed. */
void quality_free(struct quality *q);

/* Without an apply function, costs are computed and shown but never pushed. */
void quality_set_apply(struct quality *q, quality_apply_fn fn, void *ctx);

/* The cost BIRD should have for link: the one being pushed or announced,
 * 1..65535 (dead or unmeasured links get the computed value). */
unsigned quality_bird_cost(const struct link *link);

/* What XOR key rotation (daemon/mesh/rotation.h) reads of a link: its
 * traffic between the last two WireGuard readings, and the probes answered
 * so far. false (and zeros) for a link that is not probed. */
struct quality_link_view {
	uint64_t rx_bytes_per_s, tx_bytes_per_s;
	uint64_t probes_answered;
	double loss_pct;
};
bool quality_link_view(const struct link *link, struct quality_link_view *out);

/* A link's figures for the metrics (docs/metrics.md), in the units of
 * `links --json` (ms, %). false (and zeros) for a link that is not probed. */
struct quality_link_metrics {
	const char *state; /* "up", "down", "dead", as `links` shows it */
	bool has_rtt;
	double rtt_ms, rtt_min_ms, rtt_max_ms; /* min/max 0 when no answer in the window */
	double loss_pct, jitter_ms;
	unsigned cost;          /* quality_bird_cost */
	const char *cost_basis; /* cost_basis_name of that cost: "measured", "override", ... */
	uint64_t rx_bytes, tx_bytes;
	int64_t last_handshake; /* unix seconds, 0 = never */
};
bool quality_link_metrics(const struct link *link, struct quality_link_metrics *out);
/* How long LINK has been dead (probes unanswered, as `links` shows "dead")
 * in ms, or -1 when it is not dead. A link that is not probed (down,
 * failed) is not counted as dead here. */
int64_t quality_link_dead_ms(const struct link *link);

/* A config key changed in the running daemon (deps.cfg holds the new value).
 * The cost keys (bird.reloadPercentage, bird.minReloadInterval,
 * bird.reloadInterval, costEventWindow, jitterThreshold) count from the next
 * round; probeInterval changes the pace of the rounds and starts every link's
 * figures over with a ring sized for it. operationMode and the bandwidth*
 * keys start or stop bandwidth mode's iperf3 processes and recompute the
 * costs at once (quality_bw.c). Other keys are ignored. */
void quality_config_changed(struct quality *q, const char *key);

/* Registers link_history, cost, drain, undrain on the control socket. */
int quality_register(struct quality *q, struct ctl_server *ctl);

#endif
