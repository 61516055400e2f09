#include "daemon/control/metrics_text.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util/err.h"
#include "daemon/mesh/buildup.h"
#include "daemon/quality/cost.h"

enum metric_id {
	M_BUILD_INFO,
	M_LINKS,
	M_LINKS_UP,
	M_MESH_STATE,
	M_BIRD_UP,
	M_ROUTED_NODES,
	M_REROUTES,
	M_PROBE_ROUNDS,
	M_JOINS_ACCEPTED,
	M_JOINS_REFUSED,
	M_API_REQUESTS,
	M_RSS,
	M_LINK_INFO,
	M_LINK_STATE,
	M_LINK_RTT,
	M_LINK_RTT_MIN,
	M_LINK_RTT_MAX,
	M_LINK_LOSS,
	M_LINK_JITTER,
	M_LINK_COST,
	M_LINK_COST_REASON,
	M_LINK_RX,
	M_LINK_TX,
	M_LINK_HANDSHAKE_AGE,
	M_COUNT,
};

struct metric_desc {
	const char *name;
	const char *type;
	const char *help;
};

/* Every metric, written once (docs/metrics.md says the same at length). */
static const struct metric_desc metrics[M_COUNT] = {
	[M_BUILD_INFO] = { "wgmesh_build_info", "gauge", "wgmeshd's version, as the label version (always 1)" },
	[M_LINKS] = { "wgmesh_links", "gauge", "Links of this node, in every state" },
	[M_LINKS_UP] = { "wgmesh_links_up", "gauge", "Links of this node that are up" },
	[M_MESH_STATE] = { "wgmesh_mesh_state", "gauge", "Mesh buildup state: 1 for the current one" },
	[M_BIRD_UP] = { "wgmesh_bird_up", "gauge", "1 when BIRD answers on its control socket" },
	[M_ROUTED_NODES] = { "wgmesh_routed_nodes", "gauge", "Nodes of the mesh BIRD routes, this one included" },
	[M_REROUTES] = { "wgmesh_reroutes_total", "counter",
			 "Times a routed node's next hop or interface changed in BIRD's routes" },
	[M_PROBE_ROUNDS] = { "wgmesh_probe_rounds_total", "counter", "Probe rounds sent over every active link" },
	[M_JOINS_ACCEPTED] = { "wgmesh_token_joins_accepted_total", "counter",
			       "Token joins this node accepted (a link was made)" },
	[M_JOINS_REFUSED] = { "wgmesh_token_joins_refused_total", "counter",
			      "Token joins this node refused, by reason" },
	[M_API_REQUESTS] = { "wgmesh_api_requests_total", "counter", "Node API requests answered, by HTTP status" },
	[M_RSS] = { "wgmesh_resident_memory_bytes", "gauge", "wgmeshd's resident memory" },
	[M_LINK_INFO] = { "wgmesh_link_info", "gauge", "A link's type and transport (always 1)" },
	[M_LINK_STATE] = { "wgmesh_link_state", "gauge", "A link's state: 1 for the current one" },
	[M_LINK_RTT] = { "wgmesh_link_rtt_seconds", "gauge", "A link's smoothed round-trip time" },
	[M_LINK_RTT_MIN] = { "wgmesh_link_rtt_min_seconds", "gauge", "A link's lowest round-trip time in the window" },
	[M_LINK_RTT_MAX] = { "wgmesh_link_rtt_max_seconds", "gauge", "A link's highest round-trip time in the window" },
	[M_LINK_LOSS] = { "wgmesh_link_loss_ratio", "gauge", "Share of a link's probes lost in the window (0-1)" },
	[M_LINK_JITTER] = { "wgmesh_link_jitter_seconds", "gauge", "Mean change between a link's successive RTTs" },
	[M_LINK_COST] = { "wgmesh_link_cost", "gauge", "A link's OSPF cost as BIRD has it (1-65535)" },
	[M_LINK_COST_REASON] = { "wgmesh_link_cost_reason", "gauge",
				 "What a link's cost is based on: 1 for the current reason" },
	[M_LINK_RX] = { "wgmesh_link_receive_bytes_total", "counter", "Bytes WireGuard received on a link" },
	[M_LINK_TX] = { "wgmesh_link_transmit_bytes_total", "counter", "Bytes WireGuard sent on a link" },
	[M_LINK_HANDSHAKE_AGE] = { "wgmesh_link_last_handshake_age_seconds", "gauge",
				   "Time since a link's last WireGuard handshake" },
};

const char *metrics_name(size_t index)
{
	return index < M_COUNT ? metrics[index].name : NULL;
}

const char *metrics_type(size_t index)
{
	return index < M_COUNT ? metrics[index].type : NULL;
}

/* A label value: backslash, double quote and newline escaped. */
static void put_label_value(FILE *f, const char *v)
{
	for (const char *p = v ? v : ""; *p; p++) {
		if (*p == '\\')
			fputs("\\\\", f);
		else if (*p == '"')
			fputs("\\\"", f);
		else if (*p == '\n')
			fputs("\\n", f);
		else
			fputc(*p, f);
	}
}

/* HELP text: backslash and newline escaped. */
static void put_help(FILE *f, const char *v)
{
	for (const char *p = v; *p; p++) {
		if (*p == '\\')
			fputs("\\\\", f);
		else if (*p == '\n')
			fputs("\\n", f);
		else
			fputc(*p, f);
	}
}

static void put_header(FILE *f, enum metric_id id)
{
	fprintf(f, "# HELP %s ", metrics[id].name);
	put_help(f, metrics[id].help);
	fprintf(f, "\n# TYPE %s %s\n", metrics[id].name, metrics[id].type);
}

static void put_double(FILE *f, double v)
{
	if (isnan(v))
		fputs("NaN", f);
	else if (isinf(v))
		fputs(v > 0 ? "+Inf" : "-Inf", f);
	else
		fprintf(f, "%.15g", v);
}

/* name{k="v",...} for up to three pairs (NULL key ends) and the link's labels first when link is set. */
struct label {
	const char *key;
	const char *value;
};

static void put_name_labels(FILE *f, enum metric_id id, const struct metrics_link *link, const struct label *extra,
			    size_t n_extra)
{
	bool first = true;
	char node[16];

	fputs(metrics[id].name, f);
	if (!link && n_extra == 0)
		return;
	fputc('{', f);
	if (link) {
		snprintf(node, sizeof(node), "%u", link->node);
		const struct label base[] = { { "link", link->name }, { "node", node }, { "type", link->type } };
		for (size_t i = 0; i < WGM_ARRAY_LEN(base); i++) {
			fprintf(f, "%s%s=\"", first ? "" : ",", base[i].key);
			put_label_value(f, base[i].value);
			fputc('"', f);
			first = false;
		}
	}
	for (size_t i = 0; i < n_extra; i++) {
		fprintf(f, "%s%s=\"", first ? "" : ",", extra[i].key);
		put_label_value(f, extra[i].value);
		fputc('"', f);
		first = false;
	}
	fputc('}', f);
}

static void sample_double(FILE *f, enum metric_id id, const struct metrics_link *link, const struct label *extra,
			  size_t n_extra, double v)
{
	put_name_labels(f, id, link, extra, n_extra);
	fputc(' ', f);
	put_double(f, v);
	fputc('\n', f);
}

static void sample_u64(FILE *f, enum metric_id id, const struct metrics_link *link, const struct label *extra,
		       size_t n_extra, uint64_t v)
{
	put_name_labels(f, id, link, extra, n_extra);
	fprintf(f, " %" PRIu64 "\n", v);
}

static void render_node(FILE *f, const struct metrics_snapshot *s)
{
	const struct label version = { "version", s->version };
	char status[8];

	put_header(f, M_BUILD_INFO);
	sample_u64(f, M_BUILD_INFO, NULL, &version, 1, 1);
	put_header(f, M_LINKS);
	sample_u64(f, M_LINKS, NULL, NULL, 0, s->links_total);
	put_header(f, M_LINKS_UP);
	sample_u64(f, M_LINKS_UP, NULL, NULL, 0, s->links_up);
	put_header(f, M_MESH_STATE);
	for (enum buildup_state b = BUILDUP_OFF; b <= BUILDUP_DONE; b++) {
		const struct label state = { "state", buildup_state_name(b) };
		sample_u64(f, M_MESH_STATE, NULL, &state, 1, s->mesh_state && strcmp(s->mesh_state, state.value) == 0);
	}
	put_header(f, M_BIRD_UP);
	sample_u64(f, M_BIRD_UP, NULL, NULL, 0, s->bird_up);
	put_header(f, M_ROUTED_NODES);
	sample_u64(f, M_ROUTED_NODES, NULL, NULL, 0, s->routed_nodes);
	put_header(f, M_REROUTES);
	sample_u64(f, M_REROUTES, NULL, NULL, 0, s->counters.reroutes);
	put_header(f, M_PROBE_ROUNDS);
	sample_u64(f, M_PROBE_ROUNDS, NULL, NULL, 0, s->counters.probe_rounds);
	put_header(f, M_JOINS_ACCEPTED);
	sample_u64(f, M_JOINS_ACCEPTED, NULL, NULL, 0, s->counters.joins_accepted);
	put_header(f, M_JOINS_REFUSED);
	for (enum counters_join_refusal r = 0; r < COUNTERS_JOIN_REFUSALS; r++) {
		const struct label reason = { "reason", counters_join_refusal_name(r) };
		sample_u64(f, M_JOINS_REFUSED, NULL, &reason, 1, s->counters.joins_refused[r]);
	}
	put_header(f, M_API_REQUESTS);
	for (size_t i = 0; i < WGM_ARRAY_LEN(s->counters.api_requests); i++) {
		const struct label code = { "status", status };
		if (!s->counters.api_requests[i])
			continue;
		snprintf(status, sizeof(status), "%zu", i + COUNTERS_STATUS_MIN);
		sample_u64(f, M_API_REQUESTS, NULL, &code, 1, s->counters.api_requests[i]);
	}
	if (s->counters.api_requests_other) {
		const struct label code = { "status", "other" };
		sample_u64(f, M_API_REQUESTS, NULL, &code, 1, s->counters.api_requests_other);
	}
	put_header(f, M_RSS);
	if (s->has_rss)
		sample_u64(f, M_RSS, NULL, NULL, 0, s->rss_bytes);
}

/* One metric over every link: the header once, then a sample per link. */
static void render_links(FILE *f, const struct metrics_snapshot *s, enum metric_id id)
{
	static const char *const states[] = { "up", "down", "dead" };

	put_header(f, id);
	for (size_t i = 0; i < s->n_links; i++) {
		const struct metrics_link *l = &s->links[i];
		switch (id) {
		case M_LINK_INFO: {
			const struct label tp = { "transport", l->transport };
			sample_u64(f, id, l, &tp, 1, 1);
			break;
		}
		case M_LINK_STATE:
			for (size_t k = 0; k < WGM_ARRAY_LEN(states); k++) {
				const struct label state = { "state", states[k] };
				sample_u64(f, id, l, &state, 1, l->state && strcmp(l->state, states[k]) == 0);
			}
			break;
		case M_LINK_RTT:
			if (l->measured && l->has_rtt)
				sample_double(f, id, l, NULL, 0, l->rtt_s);
			break;
		case M_LINK_RTT_MIN:
			if (l->measured && l->rtt_min_s > 0)
				sample_double(f, id, l, NULL, 0, l->rtt_min_s);
			break;
		case M_LINK_RTT_MAX:
			if (l->measured && l->rtt_max_s > 0)
				sample_double(f, id, l, NULL, 0, l->rtt_max_s);
			break;
		case M_LINK_LOSS:
			if (l->measured)
				sample_double(f, id, l, NULL, 0, l->loss_ratio);
			break;
		case M_LINK_JITTER:
			if (l->measured)
				sample_double(f, id, l, NULL, 0, l->jitter_s);
			break;
		case M_LINK_COST:
			if (l->measured)
				sample_u64(f, id, l, NULL, 0, l->cost);
			break;
		case M_LINK_COST_REASON:
			for (enum cost_basis b = COST_BASIS_MEASURED; l->measured && b <= COST_BASIS_DEAD; b++) {
				const struct label reason = { "reason", cost_basis_name(b) };
				sample_u64(f, id, l, &reason, 1,
					   l->cost_reason && strcmp(l->cost_reason, reason.value) == 0);
			}
			break;
		case M_LINK_RX:
			sample_u64(f, id, l, NULL, 0, l->rx_bytes);
			break;
		case M_LINK_TX:
			sample_u64(f, id, l, NULL, 0, l->tx_bytes);
			break;
		case M_LINK_HANDSHAKE_AGE:
			if (l->has_handshake)
				sample_double(f, id, l, NULL, 0, l->handshake_age_s);
			break;
		default:
			break;
		}
	}
}

char *metrics_render(const struct metrics_snapshot *snap, size_t *len)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	if (!f)
		return NULL;
	render_node(f, snap);
	for (enum metric_id id = M_LINK_INFO; id < M_COUNT; id++)
		render_links(f, snap, id);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	if (len)
		*len = size;
	return text;
}
