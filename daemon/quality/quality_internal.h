/* Path quality's private parts, shared by its three files: quality.c (probe
 * rounds, costs, the link hooks, life), quality_wg.c (reading WireGuard's
 * counters and handshakes on the worker, repairing a dead device) and
 * quality_ctl.c (the control commands link_history, cost, drain, undrain).
 * Nothing outside daemon/quality/ includes it. */
#ifndef WGM_DAEMON_QUALITY_INTERNAL_H
#define WGM_DAEMON_QUALITY_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "daemon/core/loop.h"
#include "daemon/quality/bw_sched.h"
#include "daemon/quality/cost.h"
#include "daemon/quality/link_stats.h"
#include "daemon/quality/prober.h"
#include "daemon/quality/quality.h"
#include "daemon/quality/quality_params.h"

#define RECENT_SAMPLES 60
/* A device that fails this many readings in a row is repaired. */
#define WG_FAILURES_BEFORE_REPAIR 2
#define REPAIR_BACKOFF_US (10 * 1000000LL)

struct cost_point {
	int64_t ts;
	uint16_t cost;
};

struct qlink {
	struct link *link;
	struct link_stats *stats;
	bool has_target;
	bool answered; /* a probe came back since the target was added */
	bool target_error_logged;
	uint32_t target_id;
	struct cost_link_state cost_state;
	struct cost_sched_link sched;
	struct cost_value measured;
	char reason[160];
	bool pushing; /* its target is in the push BIRD has not answered yet */
	enum link_state state;
	int64_t dead_since_us; /* when state became DEAD; 0 = not dead */
	unsigned wg_failures;
	int64_t target_since_us;
	int64_t wg_next_us; /* next slow WireGuard reading; 0 = at the next tick */
	int64_t next_repair_us;
	int64_t last_handshake; /* unix seconds, 0 = never */
	struct cost_point history[QUALITY_COST_HISTORY];
	size_t history_len, history_next;
	/* bandwidth mode (quality_bw.c) */
	struct bw_sched_link bw_sched;
	bool bw_has; /* a figure from iperf3 */
	uint32_t bw_mbps;
	int64_t bw_at;             /* unix seconds of that figure */
	int64_t bw_quiet_until_us; /* this node's run fills the link until then: no loss/jitter events */
	pid_t bw_server_pid;       /* 0 = no server */
	int64_t bw_server_since_us;
	int64_t bw_server_retry_us;
	bool bw_server_logged;
};

/* Probe results name their target: found by binary search, not by walking
 * the link list (two results per link per round). Sorted by id. */
struct target_ref {
	uint32_t id;
	struct qlink *ql;
};

/* Outlives the quality part if BIRD answers after it is gone. */
struct push_token {
	struct quality *q;
};

struct quality {
	struct quality_deps d;
	struct link_stats_params stats_params;
	struct cost_params cost_params;
	struct prober *prober;
	struct target_ref *targets;
	size_t n_targets, cap_targets;
	int64_t probe_timeout_us;
	struct loop_watch *watch4, *watch6;
	struct loop_timer *round_timer, *expire_timer, *check_timer, *wg_timer;
	struct cost_sched sched;
	int64_t check_at_us; /* what check_timer is armed for */
	quality_apply_fn apply;
	void *apply_ctx;
	struct push_token *push; /* the push in flight, NULL when none */
	bool evaluate_after_push;
	bool wg_read_running;
	char last_push_error[256];
	struct bw_run *bw_run; /* the node's one iperf3 run, NULL when none */
	struct loop_timer *bw_timer;
	bool bw_on; /* bandwidth mode's processes are managed */
};

static inline struct qlink *qlink_of(const struct link *link)
{
	return link->quality;
}

/* Works out every link's cost now and pushes to BIRD what the scheduler
 * decides (quality.c). */
void quality_evaluate(struct quality *q, int64_t now);

/* Bandwidth mode (quality_bw.c): every round starts or stops the iperf3
 * servers and the next run as the mode and the links say. */
int quality_bw_init(struct quality *q);
void quality_bw_tick(struct quality *q, int64_t now);
void quality_bw_link_gone(struct quality *q, struct qlink *ql);
void quality_bw_config_changed(struct quality *q, const char *key);
void quality_bw_free(struct quality *q);

/* The WireGuard reading timer (quality_wg.c). */
void quality_on_wg_timer(struct loop *loop, struct loop_timer *timer, void *ctx);

#endif
