/* What `wgmesh proximity CUTOFF_MS` changes, decided from values alone: the
 * measured latency to each node's public address, the nodes this node has
 * a direct link to, and the mesh's router graph (OSPF's, as BIRD shows it).
 *
 * Close nodes (RTT <= cutoff) without a link get one. Links to far nodes
 * (RTT > cutoff) go, farthest first, but only while every node this node
 * reaches now stays reachable over the links that remain: a link that is
 * the last path to some node is kept. A node whose latency is unknown is
 * neither connected to nor cut off. Clients (ID >= 200) are never
 * connected to, and a client node connects to nobody (as mesh buildup). */
#ifndef WGM_DAEMON_PROXIMITY_PLAN_H
#define WGM_DAEMON_PROXIMITY_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "daemon/mesh/mesh_graph.h"

enum proximity_action {
	PROXIMITY_NONE,       /* nothing to do (no cutoff, or on the right side of it) */
	PROXIMITY_CONNECT,    /* close, no link: connect */
	PROXIMITY_DISCONNECT, /* far, and reachable without the direct link */
	PROXIMITY_KEEP_LAST,  /* far, but the direct link is the last path to a node */
};

const char *proximity_action_name(enum proximity_action a);

struct proximity_entry {
	unsigned id;
	bool has_rtt;
	double rtt_ms;
	bool linked;                  /* a direct link exists (any state) */
	enum proximity_action action; /* out */
};

/* Sorts entries by latency (measured ones first, ascending; then by ID). */
void proximity_sort(struct proximity_entry *e, size_t n);

/* Fills every entry's action for CUTOFF_MS (< 0: no cutoff, all NONE).
 * graph is the mesh as it is now (edges of self included); it is not
 * changed. Returns how many entries got CONNECT or DISCONNECT. */
size_t proximity_plan(unsigned self_id, bool self_client, double cutoff_ms, const struct mesh_graph *graph,
		      struct proximity_entry *e, size_t n);

#endif
