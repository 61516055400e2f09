/* The Prometheus text exposition (format 0.0.4) of a node's metrics
 * (docs/metrics.md), rendered from a snapshot: pure, no I/O, no clock.
 * daemon/control/metrics.c fills the snapshot from the running daemon. */
#ifndef WGM_DAEMON_METRICS_TEXT_H
#define WGM_DAEMON_METRICS_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/core/counters.h"

#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* One link; strings are borrowed for the render. Figures in base units. */
struct metrics_link {
	const char *name;      /* label link */
	unsigned node;         /* label node: the other end's ID */
	const char *type;      /* label type: default, wgobfs, ipt_xor, amneziawg */
	const char *transport; /* v4 or v6 (wgmesh_link_info) */
	const char *state;     /* "up", "down", "dead"; NULL: not known yet */
	bool measured;         /* false: not probed, no figures below but bytes */
	bool has_rtt;
	double rtt_s, rtt_min_s, rtt_max_s; /* min/max 0: no answer in the window */
	double loss_ratio;                  /* 0-1 */
	double jitter_s;
	unsigned cost;
	const char *cost_reason; /* a cost_basis_name */
	uint64_t rx_bytes, tx_bytes;
	bool has_handshake;
	double handshake_age_s;
};

struct metrics_snapshot {
	const char *version;
	const struct metrics_link *links;
	size_t n_links;
	unsigned links_up, links_total;
	const char *mesh_state; /* a buildup_state_name */
	bool bird_up;
	unsigned routed_nodes;
	struct counters counters;
	bool has_rss;
	uint64_t rss_bytes;
};

/* The text (NUL-terminated, caller frees), or NULL when out of memory. */
char *metrics_render(const struct metrics_snapshot *snap, size_t *len);

/* The metric names the renderer can write, one table (the docs test checks
 * docs/metrics.md and docs/grafana-dashboard.json against it). NULL past
 * the end. */
const char *metrics_name(size_t index);
/* "gauge" or "counter" of the metric at index; NULL past the end. */
const char *metrics_type(size_t index);

#endif
