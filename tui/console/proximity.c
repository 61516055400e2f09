#include "tui/console/proximity.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/console/layout.h"
#include "tui/console/model_parse.h"

/* NODE, RTT, LINKS and ACTION are the view's point; at 80 columns the
 * note is cut with '~' before the address goes. */
static const struct layout_col prox_cols[PCOL_COUNT] = {
	[PCOL_NODE] = { "NODE", 0, 5, 6, ALIGN_RIGHT },
	[PCOL_ADDR] = { "PUBLIC ADDRESS", 1, 15, 39, ALIGN_LEFT },
	[PCOL_RTT] = { "RTT", 0, 9, 10, ALIGN_RIGHT },
	[PCOL_LINKS] = { "LINKS", 0, 26, 40, ALIGN_LEFT }, /* "pipe2 (up), pipe2v6 (dead)" */
	[PCOL_ACTION] = { "ACTION", 0, 10, 14, ALIGN_LEFT },
	[PCOL_NOTE] = { "NOTE", 2, 8, 200, ALIGN_LEFT },
};

void proximity_free(struct proximity *p)
{
	free(p->rows);
	memset(p, 0, sizeof(*p));
}

static const char *const actions[] = { "none", "connect", "disconnect", "keep_last_path" };

static int parse_links(const json_t *row, const char *where, char *out, size_t outlen, char *err, size_t errlen)
{
	const json_t *links = json_object_get(row, "links"), *l;
	size_t i, used = 0;
	out[0] = '\0';
	if (!links || json_is_null(links))
		return 0;
	if (!json_is_array(links))
		return model_json_err(err, errlen, where, "links", "is not an array");
	json_array_foreach (links, i, l) {
		char name[16], state[16], at[96];
		snprintf(at, sizeof(at), "%s.links[%zu]", where, i);
		if (!json_is_object(l))
			return model_json_err(err, errlen, at, "", "is not an object");
		if (model_json_str(l, at, "name", true, name, sizeof(name), err, errlen) < 0 ||
		    model_json_str(l, at, "state", false, state, sizeof(state), err, errlen) < 0)
			return -EINVAL;
		/* A long list is cut; the row says so with "..." rather than
		 * refusing the reply. */
		int w = snprintf(out + used, outlen - used, "%s%s (%s)", used ? ", " : "", name,
				 state[0] ? state : "?");
		if (w < 0 || (size_t)w >= outlen - used) {
			snprintf(out + (used < outlen - 4 ? used : outlen - 4), 4, "...");
			break;
		}
		used += (size_t)w;
	}
	return 0;
}

static int parse_row(const json_t *v, size_t i, struct prox_row *r, char *err, size_t errlen)
{
	char where[32];
	snprintf(where, sizeof(where), "nodes[%zu]", i);
	memset(r, 0, sizeof(*r));
	if (!json_is_object(v))
		return model_json_err(err, errlen, where, "", "is not an object");
	if (model_json_int(v, where, "node", true, 0, 65535, &r->node, err, errlen) < 0 ||
	    model_json_str(v, where, "address", false, r->address, sizeof(r->address), err, errlen) < 0 ||
	    model_json_num(v, where, "rtt_ms", 0, 1e7, &r->rtt_ms, err, errlen) < 0 ||
	    model_json_text(v, where, "note", false, r->note, sizeof(r->note), err, errlen) < 0 ||
	    model_json_text(v, where, "result", false, r->result, sizeof(r->result), err, errlen) < 0 ||
	    model_json_str(v, where, "action", true, r->action, sizeof(r->action), err, errlen) < 0 ||
	    parse_links(v, where, r->links, sizeof(r->links), err, errlen) < 0)
		return -EINVAL;
	for (size_t a = 0; a < sizeof(actions) / sizeof(actions[0]); a++) {
		if (strcmp(r->action, actions[a]) == 0)
			return 0;
	}
	return model_json_err(err, errlen, where, "action", "is not none, connect, disconnect or keep_last_path");
}

int proximity_parse(const json_t *reply, struct proximity *out, char *err, size_t errlen)
{
	const json_t *nodes = json_object_get(reply, "nodes"), *v;
	struct proximity p = { 0 };
	size_t i;
	if (!json_is_array(nodes) || json_array_size(nodes) > PROX_ROWS_MAX)
		return model_json_err(err, errlen, "", "nodes", "is not an array of rows");
	if (model_json_num(reply, "", "cutoff_ms", 0, PROX_CUTOFF_MAX_MS, &p.cutoff_ms, err, errlen) < 0 ||
	    jbool(reply, "", "dry_run", &p.dry_run, err, errlen) < 0 ||
	    model_json_text(reply, "", "graph_error", false, p.graph_error, sizeof(p.graph_error), err, errlen) < 0)
		return -EINVAL;
	p.has_cutoff = !isnan(p.cutoff_ms);
	if (json_array_size(nodes)) {
		p.rows = calloc(json_array_size(nodes), sizeof(*p.rows));
		if (!p.rows)
			return model_json_err(err, errlen, "", "nodes", "out of memory");
	}
	json_array_foreach (nodes, i, v) {
		if (parse_row(v, i, &p.rows[i], err, errlen) < 0) {
			free(p.rows);
			return -EINVAL;
		}
	}
	p.nrows = json_array_size(nodes);
	proximity_free(out);
	*out = p;
	return 0;
}

int proximity_cutoff_parse(const char *text, double *out, char *err, size_t errlen)
{
	char *end = NULL;
	double v = strtod(text, &end);
	if (end == text || *end != '\0' || !(v >= 0 && v <= PROX_CUTOFF_MAX_MS)) {
		snprintf(err, errlen, "cutoff '%.32s' is not milliseconds from 0 to 60000", text);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

size_t proximity_changes(const struct proximity *p)
{
	size_t n = 0;
	for (size_t i = 0; i < p->nrows; i++)
		n += strcmp(p->rows[i].action, "connect") == 0 || strcmp(p->rows[i].action, "disconnect") == 0;
	return n;
}

void proximity_fit(const struct proximity *p, int total, int *widths)
{
	struct layout_col shown[PCOL_COUNT];
	int idx[PCOL_COUNT], fit[PCOL_COUNT];
	size_t n = 0;
	for (int c = 0; c < PCOL_COUNT; c++) {
		widths[c] = 0;
		if (c != PCOL_ACTION || p->has_cutoff) {
			idx[n] = c;
			shown[n++] = prox_cols[c];
		}
	}
	layout_fit(shown, n, total, 1, fit);
	for (size_t i = 0; i < n; i++)
		widths[idx[i]] = fit[i];
}

/* keep_last_path: far, but some node's last path, so the plan keeps it. */
static const char *action_text(const char *action)
{
	if (strcmp(action, "keep_last_path") == 0)
		return "keep";
	if (strcmp(action, "none") == 0)
		return "-";
	return action;
}

void proximity_line(const struct prox_row *row, const int *widths, char *line, size_t len)
{
	char text[320], cell[512];
	size_t pos = 0;
	line[0] = '\0';
	for (int c = 0; c < PCOL_COUNT; c++) {
		if (!widths[c])
			continue;
		if (!row)
			snprintf(text, sizeof(text), "%s", prox_cols[c].title);
		else if (c == PCOL_NODE)
			snprintf(text, sizeof(text), "%lld", (long long)row->node);
		else if (c == PCOL_ADDR)
			snprintf(text, sizeof(text), "%s", row->address[0] ? row->address : "-");
		else if (c == PCOL_RTT && !isnan(row->rtt_ms))
			snprintf(text, sizeof(text), "%.2fms", row->rtt_ms);
		else if (c == PCOL_RTT)
			snprintf(text, sizeof(text), "%s", row->address[0] ? "no answer" : "no addr");
		else if (c == PCOL_LINKS)
			snprintf(text, sizeof(text), "%s", row->links[0] ? row->links : "-");
		else if (c == PCOL_ACTION)
			snprintf(text, sizeof(text), "%s", action_text(row->action));
		else
			snprintf(text, sizeof(text), "%s%s%s", row->note, row->note[0] && row->result[0] ? "; " : "",
				 row->result);
		layout_cell(cell, sizeof(cell), text, widths[c], prox_cols[c].align);
		pos += (size_t)snprintf(line + pos, pos < len ? len - pos : 0, "%s ", cell);
		if (pos >= len)
			break;
	}
}
