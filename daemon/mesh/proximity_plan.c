#include "daemon/mesh/proximity_plan.h"

#include <stdlib.h>
#include <string.h>

const char *proximity_action_name(enum proximity_action a)
{
	switch (a) {
	case PROXIMITY_NONE:
		return "none";
	case PROXIMITY_CONNECT:
		return "connect";
	case PROXIMITY_DISCONNECT:
		return "disconnect";
	case PROXIMITY_KEEP_LAST:
		return "keep_last_path";
	}
	return "?";
}

static int by_latency(const void *pa, const void *pb)
{
	const struct proximity_entry *a = pa, *b = pb;

	if (a->has_rtt != b->has_rtt)
		return a->has_rtt ? -1 : 1;
	if (a->has_rtt && a->rtt_ms != b->rtt_ms)
		return a->rtt_ms < b->rtt_ms ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

void proximity_sort(struct proximity_entry *e, size_t n)
{
	if (n > 1)
		qsort(e, n, sizeof(*e), by_latency);
}

/* Marks in seen[] every node reachable from self over usable edges, leaving
 * out the edges between self and cut[] nodes. */
static void reach(const struct mesh_graph *g, unsigned self, const bool *cut, bool *seen)
{
	unsigned queue[MESH_NODES_MAX];
	size_t head = 0, tail = 0;

	memset(seen, 0, MESH_NODES_MAX * sizeof(*seen));
	seen[self] = true;
	queue[tail++] = self;
	while (head < tail) {
		unsigned a = queue[head++];
		for (unsigned b = 0; b < MESH_NODES_MAX; b++) {
			if (seen[b] || !mesh_graph_usable(g, a, b))
				continue;
			if ((a == self && cut[b]) || (b == self && cut[a]))
				continue;
			seen[b] = true;
			queue[tail++] = b;
		}
	}
}

static bool still_reaches(const bool *before, const bool *after)
{
	for (unsigned id = 0; id < MESH_NODES_MAX; id++)
		if (before[id] && !after[id])
			return false;
	return true;
}

size_t proximity_plan(unsigned self_id, bool self_client, double cutoff_ms, const struct mesh_graph *graph,
		      struct proximity_entry *e, size_t n)
{
	bool cut[MESH_NODES_MAX] = { false }, before[MESH_NODES_MAX], after[MESH_NODES_MAX];
	size_t changes = 0;

	for (size_t i = 0; i < n; i++)
		e[i].action = PROXIMITY_NONE;
	if (cutoff_ms < 0 || self_id >= MESH_NODES_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (e[i].id == self_id || !e[i].has_rtt || e[i].linked || e[i].rtt_ms > cutoff_ms)
			continue;
		if (self_client || addrplan_is_client(e[i].id))
			continue;
		e[i].action = PROXIMITY_CONNECT;
		changes++;
	}
	reach(graph, self_id, cut, before);
	/* Farthest first, so when two far links cover each other the nearer
	 * one is the one kept. */
	for (;;) {
		size_t far = n;
		for (size_t i = 0; i < n; i++) {
			if (e[i].id == self_id || e[i].id >= MESH_NODES_MAX || !e[i].has_rtt || !e[i].linked ||
			    e[i].rtt_ms <= cutoff_ms || e[i].action != PROXIMITY_NONE)
				continue;
			if (far == n || e[i].rtt_ms > e[far].rtt_ms)
				far = i;
		}
		if (far == n)
			break;
		cut[e[far].id] = true;
		reach(graph, self_id, cut, after);
		/* A node reached through nothing now keeps its link: it may be the
		 * one path that comes back. */
		if (before[e[far].id] && still_reaches(before, after)) {
			e[far].action = PROXIMITY_DISCONNECT;
			changes++;
		} else {
			cut[e[far].id] = false;
			e[far].action = PROXIMITY_KEEP_LAST;
		}
	}
	return changes;
}
