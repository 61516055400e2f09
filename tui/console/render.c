#include "tui/console/render.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tui/console/fmt.h"
#include "tui/console/graph.h"
#include "tui/console/keys.h"
#include "tui/console/layout.h"
#include "tui/console/series.h"

enum pair { PAIR_GOOD = 1, PAIR_WARN, PAIR_BAD, PAIR_DOWN, PAIR_TITLE, PAIR_OK, PAIR_ERR };

static bool use_colour;

void render_init_colours(bool colour)
{
	use_colour = colour;
	if (!colour)
		return;
	start_color();
	use_default_colors();
	init_pair(PAIR_GOOD, COLOR_GREEN, -1);
	init_pair(PAIR_WARN, COLOR_YELLOW, -1);
	init_pair(PAIR_BAD, COLOR_RED, -1);
	init_pair(PAIR_DOWN, COLOR_MAGENTA, -1);
	init_pair(PAIR_TITLE, COLOR_BLACK, COLOR_CYAN);
	init_pair(PAIR_OK, COLOR_GREEN, -1);
	init_pair(PAIR_ERR, COLOR_RED, -1);
}

/* Monochrome keeps the meaning with attributes: bad is bold, down is dim. */
static attr_t health_attr(enum link_health h)
{
	switch (h) {
	case HEALTH_GOOD:
		return use_colour ? COLOR_PAIR(PAIR_GOOD) : A_NORMAL;
	case HEALTH_WARN:
		return use_colour ? COLOR_PAIR(PAIR_WARN) : A_NORMAL;
	case HEALTH_BAD:
		return use_colour ? COLOR_PAIR(PAIR_BAD) | A_BOLD : A_BOLD;
	case HEALTH_DOWN:
		break;
	}
	return use_colour ? COLOR_PAIR(PAIR_DOWN) : A_DIM;
}

static attr_t title_attr(void)
{
	return use_colour ? COLOR_PAIR(PAIR_TITLE) : A_REVERSE;
}

/* Writes s at (y, x) cut to the window's width. */
static void put(WINDOW *w, int y, int x, const char *s)
{
	int cols = getmaxx(w);
	if (y < 0 || y >= getmaxy(w) || x >= cols)
		return;
	char cell[1024];
	size_t width = utf8_width(s);
	if ((int)width > cols - x) {
		layout_cell(cell, sizeof(cell), s, cols - x, ALIGN_LEFT);
		s = cell;
	}
	mvwaddstr(w, y, x, s);
}

/* Writes s from (y, x) on up to max_lines rows, wrapped at blanks, for a
 * message that must be read whole. */
static void put_wrapped(WINDOW *w, int y, int x, const char *s, size_t max_lines)
{
	size_t starts[8], lens[8], n;
	char row[1024];
	if (max_lines > 8)
		max_lines = 8;
	n = layout_wrap(s, getmaxx(w) - x - 1, starts, lens, max_lines);
	for (size_t i = 0; i < n; i++) {
		snprintf(row, sizeof(row), "%.*s", (int)lens[i], s + starts[i]);
		put(w, y + (int)i, x, row);
	}
}

/* A full-width bar (title, table header). */
static void put_bar(WINDOW *w, int y, const char *s, attr_t attr)
{
	char line[1024];
	layout_cell(line, sizeof(line), s, getmaxx(w), ALIGN_LEFT);
	wattron(w, attr);
	mvwaddstr(w, y, 0, line);
	wattroff(w, attr);
}

/* ---- header ---- */

static void render_header(WINDOW *w, const struct ui *ui)
{
	const struct model_status *st = &ui->model.status;
	char line[512], up[32], clock[16];
	struct tm tm;
	time_t now = (time_t)ui->now;
	localtime_r(&now, &tm);
	strftime(clock, sizeof(clock), "%H:%M:%S", &tm);

	char node[96];
	if (!st->known)
		snprintf(node, sizeof(node), "node ?");
	else if (st->id < 0)
		snprintf(node, sizeof(node), "node not initialised");
	else
		snprintf(node, sizeof(node), "node %lld %s %s", (long long)st->id, st->loopback4, st->loopback6);
	char daemon[128];
	if (ui->daemon.up && !ui->daemon.note[0])
		snprintf(daemon, sizeof(daemon), "daemon: up %s", st->version);
	else if (ui->daemon.up)
		snprintf(daemon, sizeof(daemon), "daemon: %s", ui->daemon.note);
	else
		snprintf(daemon, sizeof(daemon), "daemon: %s", ui->daemon.note[0] ? ui->daemon.note : "disconnected");
	snprintf(line, sizeof(line), " wgmesh %s  %s", node, daemon);
	put_bar(w, 0, line, title_attr());
	int cols = getmaxx(w);
	/* The clock only where it does not cover the daemon's state. */
	if ((int)(utf8_width(line) + strlen(clock)) + 2 <= cols) {
		wattron(w, title_attr());
		mvwaddstr(w, 0, cols - (int)strlen(clock) - 1, clock);
		wattroff(w, title_attr());
	}

	int64_t uptime = st->known && ui->daemon.up ? st->uptime + (ui->now - ui->daemon.status_at) : -1;
	fmt_duration(up, sizeof(up), uptime);
	/* Link counts from the same model as the table (no lag behind the
	 * status refresh); sort and filter before what may be cut at 80. */
	size_t links_up = 0;
	for (size_t i = 0; i < ui->model.nlinks; i++)
		links_up += ui->model.links[i].state == WGM_CTL_LINK_UP;
	snprintf(line, sizeof(line), " links %zu/%zu up  nodes %lld  sort %s%s%s%s  BIRD %s  mesh %s  uptime %s",
		 links_up, ui->model.nlinks, (long long)st->nodes, model_sort_name(ui->model.sort),
		 ui->model.sort_desc ? " desc" : "", ui->model.filter[0] ? "  filter: " : "", ui->model.filter,
		 st->bird[0] ? st->bird : "?", st->mesh[0] ? st->mesh : "?", up);
	if (!ui->daemon.up)
		wattron(w, use_colour ? COLOR_PAIR(PAIR_ERR) | A_BOLD : A_BOLD);
	put(w, 1, 0, line);
	if (!ui->daemon.up)
		wattroff(w, use_colour ? COLOR_PAIR(PAIR_ERR) | A_BOLD : A_BOLD);
}

/* ---- links table ---- */

enum col_id {
	COL_NAME,
	COL_NODE,
	COL_ENDPOINT,
	COL_TRANSPORT,
	COL_TYPE,
	COL_STATE,
	COL_RTT,
	COL_LOSS,
	COL_JITTER,
	COL_COST,
	COL_WHY,
	COL_CARRY,
	COL_OSPF,
	COL_AVG,
	COL_RX,
	COL_TX,
	COL_HANDSHAKE,
	COL_SPARK,
	COL_COUNT,
};

/* Priorities: what must stay at 80 columns (name, state, RTT, loss, cost
 * with its marks and reason, traffic, the RTT history) is 0-2; the
 * endpoint and the link's static details go first. */
static const struct layout_col link_cols[COL_COUNT] = {
	[COL_NAME] = { "NAME", 0, 8, 15, ALIGN_LEFT },
	[COL_NODE] = { "NODE", 1, 4, 5, ALIGN_RIGHT },
	[COL_ENDPOINT] = { "ENDPOINT", 5, 15, 40, ALIGN_LEFT },
	[COL_TRANSPORT] = { "TR", 6, 2, 2, ALIGN_LEFT },
	[COL_TYPE] = { "TYPE", 7, 9, 12, ALIGN_LEFT }, /* "amneziawg" whole */
	[COL_STATE] = { "STATE", 0, 5, 5, ALIGN_LEFT },
	[COL_RTT] = { "RTT", 0, 7, 8, ALIGN_RIGHT },
	[COL_LOSS] = { "LOSS", 1, 5, 6, ALIGN_RIGHT },
	[COL_JITTER] = { "JITTER", 3, 7, 8, ALIGN_RIGHT },
	[COL_COST] = { "COST", 1, 7, 7, ALIGN_RIGHT }, /* "65000*D" whole */
	[COL_WHY] = { "WHY", 1, 4, 4, ALIGN_LEFT },
	[COL_CARRY] = { "FWD", 1, 3, 8, ALIGN_LEFT },
	[COL_OSPF] = { "OSPF", 3, 5, 8, ALIGN_LEFT },
	[COL_AVG] = { "AVG", 3, 7, 8, ALIGN_RIGHT },
	[COL_RX] = { "RX", 4, 9, 10, ALIGN_RIGHT },
	[COL_TX] = { "TX", 4, 9, 10, ALIGN_RIGHT },
	[COL_HANDSHAKE] = { "HSHAKE", 6, 6, 6, ALIGN_RIGHT },
	[COL_SPARK] = { "HISTORY", 2, 10, 60, ALIGN_LEFT },
};

/* The column each sort order marks in the header. */
static const enum col_id sort_col[SORT_COUNT] = {
	[SORT_NAME] = COL_NAME,
	[SORT_REMOTE] = COL_NODE,
	[SORT_ENDPOINT] = COL_ENDPOINT,
	[SORT_TRANSPORT] = COL_TRANSPORT,
	[SORT_TYPE] = COL_TYPE,
	[SORT_STATE] = COL_STATE,
	[SORT_RTT] = COL_RTT,
	[SORT_LOSS] = COL_LOSS,
	[SORT_JITTER] = COL_JITTER,
	[SORT_COST] = COL_COST,
	[SORT_RX] = COL_RX,
	[SORT_TX] = COL_TX,
	[SORT_HANDSHAKE] = COL_HANDSHAKE,
	[SORT_AVG] = COL_AVG,
};

size_t render_links_columns(const char **titles, size_t max)
{
	size_t n = 0;
	for (; n < COL_COUNT && n < max; n++)
		titles[n] = link_cols[n].title;
	return n;
}

static void link_cell(const struct ui *ui, const struct model_link *l, enum col_id c, int width, char *out,
		      size_t outlen)
{
	switch (c) {
	case COL_NAME:
		snprintf(out, outlen, "%s", l->name);
		break;
	case COL_NODE:
		snprintf(out, outlen, "%lld", (long long)l->remote_id);
		break;
	case COL_ENDPOINT:
		snprintf(out, outlen, "%s", l->endpoint);
		break;
	case COL_TRANSPORT:
		snprintf(out, outlen, "%s", l->transport);
		break;
	case COL_TYPE:
		snprintf(out, outlen, "%s", l->link_type);
		break;
	case COL_STATE:
		snprintf(out, outlen, "%s", wgm_ctl_link_state_name(l->state));
		break;
	case COL_RTT:
		fmt_rtt(out, outlen, model_link_rtt_now(l));
		break;
	case COL_LOSS:
		fmt_loss(out, outlen, model_link_loss_now(l));
		break;
	case COL_AVG:
		fmt_rtt(out, outlen, l->rtt_ms);
		break;
	case COL_WHY:
		model_cost_tag(l, out, outlen);
		break;
	case COL_CARRY:
		/* The nodes whose traffic leaves through this link now. */
		if (!l->has_carries)
			out[0] = '\0'; /* an older daemon does not say */
		else
			model_ids_text(out, outlen, l->carries,
				       l->ncarries < MODEL_IDS_MAX ? l->ncarries : MODEL_IDS_MAX, ",");
		break;
	case COL_OSPF:
		snprintf(out, outlen, "%s", !l->has_ospf ? "" : l->ospf[0] ? l->ospf : "-");
		break;
	case COL_JITTER:
		fmt_jitter(out, outlen, l->jitter_ms);
		break;
	case COL_COST:
		fmt_cost(out, outlen, l->cost, l->has_override, l->drained);
		break;
	case COL_RX:
		fmt_rate(out, outlen, l->rx_rate);
		break;
	case COL_TX:
		fmt_rate(out, outlen, l->tx_rate);
		break;
	case COL_HANDSHAKE:
		fmt_handshake_age(out, outlen, l->last_handshake, ui->now);
		break;
	case COL_SPARK:
		if (sparkline_render(l->rtt_recent, l->rtt_recent_n, (size_t)width, ui->glyphs, out, outlen) < 0)
			out[0] = '\0';
		break;
	case COL_COUNT:
		out[0] = '\0';
		break;
	}
}

int render_table_rows(const WINDOW *w)
{
	/* header 2, table title 1, status line 1, key hints 1 */
	int rows = getmaxy(w) - 5;
	return rows > 0 ? rows : 0;
}

size_t render_visible_top(size_t top, size_t selected, size_t rows)
{
	if (rows == 0)
		return 0;
	if (selected < top)
		return selected;
	if (selected >= top + rows)
		return selected - rows + 1;
	return top;
}

/* Lost probes in the history cell stand out (red/bold), not only as a
 * letter among the bars. */
static void mark_losses(WINDOW *w, int y, const int *widths, const struct model_link *l, const struct ui *ui,
			attr_t reverse)
{
	if (!widths[COL_SPARK])
		return;
	int x = 0;
	for (int c = 0; c < COL_SPARK; c++)
		x += widths[c] ? widths[c] + 1 : 0;
	char cells[1024];
	if (sparkline_render(l->rtt_recent, l->rtt_recent_n, (size_t)widths[COL_SPARK], ui->glyphs, cells,
			     sizeof(cells)) < 0)
		return;
	attr_t attr = (use_colour ? COLOR_PAIR(PAIR_BAD) : A_NORMAL) | A_BOLD | reverse;
	int col = 0;
	for (const char *p = cells; *p && x + col < getmaxx(w); p++) {
		if (((unsigned char)*p & 0xC0) == 0x80)
			continue;
		if (strncmp(p, SPARK_LOST, strlen(SPARK_LOST)) == 0) {
			wattron(w, attr);
			mvwaddstr(w, y, x + col, SPARK_LOST);
			wattroff(w, attr);
		}
		col++;
	}
}

/* Columns of fields an older daemon does not send (no link has them) take
 * no room. */
static bool col_has_data(const struct model *m, enum col_id c)
{
	for (size_t i = 0; i < m->nlinks; i++) {
		const struct model_link *l = &m->links[i];
		if ((c == COL_WHY && l->cost_reason[0]) || (c == COL_CARRY && l->has_carries) ||
		    (c == COL_OSPF && l->has_ospf) || (c == COL_AVG && l->has_rtt_last))
			return true;
	}
	return c != COL_WHY && c != COL_CARRY && c != COL_OSPF && c != COL_AVG;
}

static void fit_link_cols(const struct model *m, int total, int *widths)
{
	struct layout_col shown[COL_COUNT];
	int idx[COL_COUNT], fit[COL_COUNT];
	size_t n = 0;
	for (int c = 0; c < COL_COUNT; c++) {
		widths[c] = 0;
		if (col_has_data(m, (enum col_id)c)) {
			idx[n] = c;
			shown[n++] = link_cols[c];
		}
	}
	layout_fit(shown, n, total, 1, fit);
	for (size_t i = 0; i < n; i++)
		widths[idx[i]] = fit[i];
}

static void render_links(WINDOW *w, const struct ui *ui)
{
	int widths[COL_COUNT];
	fit_link_cols(&ui->model, getmaxx(w) - 1, widths);
	char line[2048], cell[512], text[512];

	size_t pos = 0;
	line[0] = '\0';
	for (int c = 0; c < COL_COUNT; c++) {
		if (!widths[c])
			continue;
		bool sorted = sort_col[ui->model.sort] == (enum col_id)c;
		snprintf(text, sizeof(text), "%s%s", link_cols[c].title,
			 sorted ? (ui->model.sort_desc ? "v" : "^") : "");
		pos += layout_cell(line + pos, sizeof(line) - pos, text, widths[c], link_cols[c].align);
		pos += (size_t)snprintf(line + pos, sizeof(line) - pos, " ");
	}
	put_bar(w, 2, line, A_BOLD | A_UNDERLINE);

	const struct model *m = &ui->model;
	size_t rows = (size_t)render_table_rows(w), n = model_view_count(m);
	size_t top = render_visible_top(ui->scroll.links_top, model_selected_row(m), rows);
	if (n == 0) {
		put(w, 3, 1,
		    m->nlinks ? "no link matches the filter (/ to change it)"
			      : "no links yet: press c to connect to a node, t to issue a token");
		return;
	}
	for (size_t r = 0; r < rows && top + r < n; r++) {
		const struct model_link *l = model_view_link(m, top + r);
		pos = 0;
		line[0] = '\0';
		for (int c = 0; c < COL_COUNT; c++) {
			if (!widths[c])
				continue;
			link_cell(ui, l, (enum col_id)c, widths[c], text, sizeof(text));
			layout_cell(cell, sizeof(cell), text, widths[c], link_cols[c].align);
			pos += (size_t)snprintf(line + pos, sizeof(line) - pos, "%s ", cell);
		}
		attr_t attr = health_attr(model_link_health(l));
		if (top + r == model_selected_row(m))
			attr |= A_REVERSE;
		wattron(w, attr);
		put(w, 3 + (int)r, 0, line);
		wattroff(w, attr);
		mark_losses(w, 3 + (int)r, widths, l, ui, attr & A_REVERSE);
	}
}

/* ---- link detail ---- */

static void render_graph(WINDOW *w, int y, int height, const char *title, const double *v, size_t n,
			 graph_label_fn label, bool zero_based, const struct ui *ui)
{
	char storage[16][1024];
	char *lines[16];
	if (height > 16)
		height = 16;
	for (int i = 0; i < height; i++)
		lines[i] = storage[i];
	struct graph_opts o = { .width = (size_t)getmaxx(w) - 1,
				.height = (size_t)height,
				.glyphs = ui->glyphs,
				.label = label,
				.zero_based = zero_based };
	struct series_stats st;
	char mn[16], av[16], mx[16], hdr[256];
	if (graph_render(v, n, &o, lines, sizeof(storage[0]), &st) < 0)
		return;
	snprintf(hdr, sizeof(hdr), "%s  min %s  avg %s  max %s", title, label(mn, sizeof(mn), st.min),
		 label(av, sizeof(av), st.avg), label(mx, sizeof(mx), st.max));
	wattron(w, A_BOLD);
	put(w, y, 0, hdr);
	wattroff(w, A_BOLD);
	for (int i = 0; i < height; i++)
		put(w, y + 1 + i, 0, lines[i]);
}

static void render_detail(WINDOW *w, const struct ui *ui)
{
	const struct model_link *l = model_find_link(&ui->model, ui->detail.link);
	char line[1024], a[32], b[32], c[32], d[32];
	size_t pos0;
	if (!l) {
		snprintf(line, sizeof(line), "link %s is gone (Esc: back)", ui->detail.link);
		put(w, 2, 1, line);
		return;
	}
	snprintf(line, sizeof(line), " %s  node %lld  %s  %s %s  %s %s  port %lld", l->name, (long long)l->remote_id,
		 wgm_ctl_link_state_name(l->state), l->endpoint, l->transport, l->link_type, l->role,
		 (long long)l->port);
	wattron(w, health_attr(model_link_health(l)) | A_BOLD);
	put(w, 2, 0, line);
	wattroff(w, health_attr(model_link_health(l)) | A_BOLD);
	snprintf(line, sizeof(line), " local %s  remote %s  handshake %s  rx %s  tx %s", l->local_addr, l->remote_addr,
		 fmt_handshake_age(a, sizeof(a), l->last_handshake, ui->now), fmt_rate(b, sizeof(b), l->rx_rate),
		 fmt_rate(c, sizeof(c), l->tx_rate));
	put(w, 3, 0, line);
	/* mtr-style: the last probe, the smoothed figure, best and worst. */
	char g[32], f[32];
	snprintf(line, sizeof(line), " rtt %s%s%savg %s  best %s  worst %s  jitter %s", l->has_rtt_last ? "last " : "",
		 l->has_rtt_last ? fmt_rtt(a, sizeof(a), l->rtt_last_ms) : "", l->has_rtt_last ? "  " : "",
		 fmt_rtt(b, sizeof(b), l->rtt_ms), fmt_rtt(c, sizeof(c), l->rtt_min_ms),
		 fmt_rtt(d, sizeof(d), l->rtt_max_ms), fmt_jitter(g, sizeof(g), l->jitter_ms));
	put(w, 4, 0, line);
	pos0 = (size_t)snprintf(line, sizeof(line), " loss");
	if (!isnan(l->loss_window_pct))
		pos0 += (size_t)snprintf(line + pos0, sizeof(line) - pos0, " %s of last %lld probes (cost window)",
					 fmt_loss(a, sizeof(a), l->loss_window_pct), (long long)l->loss_window_probes);
	if (!isnan(l->loss_minute_pct))
		pos0 += (size_t)snprintf(line + pos0, sizeof(line) - pos0, "  %s over 1 min",
					 fmt_loss(b, sizeof(b), l->loss_minute_pct));
	snprintf(line + pos0, sizeof(line) - pos0, "%s%s average", pos0 > 5 ? "  " : " ",
		 fmt_loss(c, sizeof(c), l->loss_pct));
	put(w, 5, 0, line);
	pos0 = (size_t)snprintf(line, sizeof(line), " cost %s",
				fmt_cost(d, sizeof(d), l->cost, l->has_override, l->drained));
	if (l->cost_reason[0] || l->cost_detail[0])
		pos0 += (size_t)snprintf(line + pos0, sizeof(line) - pos0, " (%s%s%s)", l->cost_reason,
					 l->cost_reason[0] && l->cost_detail[0] ? ": " : "", l->cost_detail);
	if (l->cost_measured >= 0 && l->cost_measured != l->cost && pos0 < sizeof(line))
		pos0 += (size_t)snprintf(line + pos0, sizeof(line) - pos0, "  measured %lld",
					 (long long)l->cost_measured);
	if (l->penalty_until > 0 && pos0 < sizeof(line)) {
		struct tm tm;
		time_t t = (time_t)l->penalty_until;
		localtime_r(&t, &tm);
		strftime(f, sizeof(f), "%H:%M:%S", &tm);
		pos0 += (size_t)snprintf(line + pos0, sizeof(line) - pos0, "  penalty until %s (in %s)", f,
					 fmt_duration(g, sizeof(g), l->penalty_until - ui->now));
	}
	if (l->has_ospf && pos0 < sizeof(line))
		pos0 += (size_t)snprintf(line + pos0, sizeof(line) - pos0, "  OSPF %s",
					 l->ospf[0] ? l->ospf : "no neighbour");
	if (l->has_carries && pos0 < sizeof(line)) {
		model_ids_text(g, sizeof(g), l->carries, l->ncarries < MODEL_IDS_MAX ? l->ncarries : MODEL_IDS_MAX,
			       ",");
		snprintf(line + pos0, sizeof(line) - pos0, "  carries %s", l->ncarries ? g : "no routes");
	}
	put(w, 6, 0, line);

	/* Whatever the daemon keeps, or the recent samples until it answers. */
	const double *v = ui->detail.history_loaded ? ui->detail.history.rtt_ms : l->rtt_recent;
	size_t n = ui->detail.history_loaded ? ui->detail.history.nrtt : l->rtt_recent_n;
	int plot = getmaxx(w) - 1 - GRAPH_LABEL_COLS;
	double loss[1024], jitter[1024];
	size_t nb = plot > 0 ? (size_t)(plot < 1024 ? plot : 1024) : 0;
	size_t nloss = series_bucket_loss(v, n, loss, nb);
	size_t njit = series_bucket_jitter(v, n, jitter, nb);

	/* Rows: 7 above, time axis 1, cost 1, events >= 2, status + hints 2; the rest to graphs 2:1:1. */
	int avail = getmaxy(w) - 7 - 1 - 1 - 2 - 2 - 3;
	int g_rtt = avail / 2, g_loss = (avail - g_rtt) / 2, g_jit = avail - g_rtt - g_loss;
	int y = 7;
	char title[96];
	int64_t secs = (int64_t)n * (ui->detail.history_loaded ? ui->detail.history.interval_ms : 1000) / 1000;
	snprintf(title, sizeof(title), " RTT over %s%s", fmt_duration(a, sizeof(a), secs),
		 ui->detail.history_loaded        ? ""
		 : ui->daemon.history_unsupported ? " (recent samples; the daemon keeps no history)"
						  : " (loading history)");
	render_graph(w, y, g_rtt, title, v, n, fmt_rtt, true, ui);
	y += g_rtt + 1;
	/* A time axis under the RTT graph: where the plotted span starts, its
	 * middle and now (newest on the right, as in the graphs). */
	if (plot > 20) {
		char axis[1024], left[40], mid[40];
		int used = (int)(n < (size_t)plot ? n : (size_t)plot);
		int start = GRAPH_LABEL_COLS + plot - used;
		snprintf(left, sizeof(left), "-%s", fmt_duration(a, sizeof(a), secs));
		snprintf(mid, sizeof(mid), "-%s", fmt_duration(b, sizeof(b), secs / 2));
		memset(axis, ' ', sizeof(axis));
		int width = GRAPH_LABEL_COLS + plot;
		if (width > (int)sizeof(axis) - 1)
			width = (int)sizeof(axis) - 1;
		axis[width] = '\0';
		memcpy(axis + start, left, strlen(left) < (size_t)(width - start) ? strlen(left) : 0);
		int xm = start + used / 2 - (int)strlen(mid) / 2;
		if (used > 30 && xm > start + (int)strlen(left) + 1 && xm + (int)strlen(mid) < width - 4)
			memcpy(axis + xm, mid, strlen(mid));
		memcpy(axis + width - 3, "now", 3);
		put(w, y++, 0, axis);
	}
	render_graph(w, y, g_loss, " loss", loss, nloss, fmt_loss, true, ui);
	y += g_loss + 1;
	render_graph(w, y, g_jit, " jitter", jitter, njit, fmt_jitter, true, ui);
	y += g_jit + 1;

	size_t pos = (size_t)snprintf(line, sizeof(line), " cost history:");
	if (!ui->detail.history_loaded || ui->detail.history.ncosts == 0)
		snprintf(line + pos, sizeof(line) - pos, " %s", ui->detail.history_loaded ? "no changes kept" : "-");
	for (size_t i = ui->detail.history.ncosts > 8 ? ui->detail.history.ncosts - 8 : 0;
	     ui->detail.history_loaded && i < ui->detail.history.ncosts && pos < sizeof(line); i++) {
		struct tm tm;
		time_t t = (time_t)ui->detail.history.costs[i].ts;
		char hm[16];
		localtime_r(&t, &tm);
		strftime(hm, sizeof(hm), "%H:%M", &tm);
		pos += (size_t)snprintf(line + pos, sizeof(line) - pos, " %s %lld", hm,
					(long long)ui->detail.history.costs[i].cost);
	}
	put(w, y++, 0, line);

	/* This link's newest events, as many as fit. */
	int last = getmaxy(w) - 3;
	size_t count = model_event_count(&ui->model), shown = 0;
	for (size_t i = count; i > 0 && last - (int)shown >= y; i--) {
		const struct model_event *e = model_event_at(&ui->model, i - 1);
		if (strcmp(e->link, l->name) != 0)
			continue;
		struct tm tm;
		time_t t = (time_t)e->ts;
		char hms[16];
		localtime_r(&t, &tm);
		strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
		snprintf(line, sizeof(line), " %s %.*s", hms, (int)(sizeof(line) - 16), e->text);
		put(w, last - (int)shown, 0, line);
		shown++;
	}
	if (shown == 0)
		put(w, y, 0, " no events for this link yet");
}

/* ---- nodes ---- */

enum node_col {
	NCOL_ID,
	NCOL_LO4,
	NCOL_LO6,
	NCOL_HOP,
	NCOL_VIA,
	NCOL_HOPNODE,
	NCOL_PATH,
	NCOL_METRIC,
	NCOL_ROUTE,
	NCOL_COUNT
};

static const struct layout_col node_cols[NCOL_COUNT] = {
	[NCOL_ID] = { "NODE", 0, 5, 6, ALIGN_RIGHT },        [NCOL_LO4] = { "LOOPBACK4", 1, 10, 15, ALIGN_LEFT },
	[NCOL_LO6] = { "LOOPBACK6", 3, 14, 39, ALIGN_LEFT }, [NCOL_HOP] = { "NEXT HOP", 2, 10, 39, ALIGN_LEFT },
	[NCOL_VIA] = { "VIA", 0, 8, 15, ALIGN_LEFT },        [NCOL_HOPNODE] = { "HOP", 0, 4, 5, ALIGN_RIGHT },
	[NCOL_PATH] = { "PATH", 0, 10, 30, ALIGN_LEFT },     [NCOL_METRIC] = { "METRIC", 1, 6, 7, ALIGN_RIGHT },
	[NCOL_ROUTE] = { "ROUTE", 0, 11, 11, ALIGN_LEFT }, /* "unreachable" whole */
};

/* The daemon's route_state when it sends one; an older daemon only says
 * whether a direct link exists, which is not where the route goes. */
static const char *node_route(const struct model_node *nd)
{
	if (nd->route_state[0])
		return nd->route_state;
	return nd->self ? "self" : nd->direct ? "direct?" : "via mesh";
}

static void node_row(const struct model_node *nd, const int *widths, char *line, size_t len)
{
	char text[160], cell[256];
	size_t pos = 0;
	line[0] = '\0';
	for (int c = 0; c < NCOL_COUNT; c++) {
		if (!widths[c])
			continue;
		if (!nd)
			snprintf(text, sizeof(text), "%s", node_cols[c].title);
		else if (c == NCOL_ID)
			snprintf(text, sizeof(text), "%lld", (long long)nd->id);
		else if (c == NCOL_LO4)
			snprintf(text, sizeof(text), "%s", nd->loopback4);
		else if (c == NCOL_LO6)
			snprintf(text, sizeof(text), "%s", nd->loopback6);
		else if (c == NCOL_HOP)
			snprintf(text, sizeof(text), "%s", nd->next_hop[0] ? nd->next_hop : "-");
		else if (c == NCOL_VIA)
			snprintf(text, sizeof(text), "%s", nd->via[0] ? nd->via : "-");
		else if (c == NCOL_HOPNODE && nd->next_hop_id >= 0)
			snprintf(text, sizeof(text), "%lld", (long long)nd->next_hop_id);
		else if (c == NCOL_HOPNODE)
			snprintf(text, sizeof(text), "-");
		else if (c == NCOL_PATH)
			snprintf(text, sizeof(text), "%s",
				 nd->npath ? model_ids_text(cell, sizeof(cell), nd->path, nd->npath, ">") : "-");
		else if (c == NCOL_METRIC)
			snprintf(text, sizeof(text), "%lld", (long long)nd->metric);
		else
			snprintf(text, sizeof(text), "%s", node_route(nd));
		layout_cell(cell, sizeof(cell), text, widths[c], node_cols[c].align);
		pos += (size_t)snprintf(line + pos, pos < len ? len - pos : 0, "%s ", cell);
		if (pos >= len)
			break;
	}
}

/* HOP and PATH take no room when the daemon does not send them. */
static void fit_node_cols(const struct model *m, int total, int *widths)
{
	struct layout_col shown[NCOL_COUNT];
	int idx[NCOL_COUNT], fit[NCOL_COUNT];
	bool routes = false;
	size_t n = 0;
	for (size_t i = 0; i < m->nnodes; i++)
		routes |= m->nodes[i].route_state[0] != '\0';
	for (int c = 0; c < NCOL_COUNT; c++) {
		widths[c] = 0;
		if (routes || (c != NCOL_HOPNODE && c != NCOL_PATH)) {
			idx[n] = c;
			shown[n++] = node_cols[c];
		}
	}
	layout_fit(shown, n, total, 1, fit);
	for (size_t i = 0; i < n; i++)
		widths[idx[i]] = fit[i];
}

static void render_nodes(WINDOW *w, const struct ui *ui)
{
	char line[1024];
	int widths[NCOL_COUNT];
	fit_node_cols(&ui->model, getmaxx(w) - 1, widths);
	node_row(NULL, widths, line, sizeof(line));
	put_bar(w, 2, line, A_BOLD | A_UNDERLINE);
	const struct model *m = &ui->model;
	if (m->nnodes == 0) {
		put(w, 3, 1,
		    ui->daemon.nodes_unsupported ? "the daemon does not report nodes (no \"nodes\" command)"
						 : "no nodes known yet");
		return;
	}
	size_t rows = (size_t)render_table_rows(w);
	size_t top = ui->scroll.nodes_top < m->nnodes ? ui->scroll.nodes_top : 0;
	for (size_t r = 0; r < rows && top + r < m->nnodes; r++) {
		node_row(&m->nodes[top + r], widths, line, sizeof(line));
		put(w, 3 + (int)r, 0, line);
	}
}

/* ---- proximity ---- */

static void render_proximity(WINDOW *w, const struct ui *ui)
{
	char line[1024];
	int widths[PCOL_COUNT];
	const struct proximity *p = &ui->prox.reply;
	proximity_fit(p, getmaxx(w) - 1, widths);
	proximity_line(NULL, widths, line, sizeof(line));
	put_bar(w, 2, line, A_BOLD | A_UNDERLINE);
	if (!ui->prox.loaded || p->nrows == 0) {
		put(w, 3, 1,
		    ui->prox.measuring ? "measuring..."
		    : ui->prox.loaded  ? "no other nodes known"
				       : "not measured yet: p measures");
		return;
	}
	int fit = render_table_rows(w) - 1; /* and a line saying what the table shows */
	size_t rows = fit > 0 ? (size_t)fit : 0;
	size_t top = ui->prox.top < p->nrows ? ui->prox.top : 0, r;
	for (r = 0; r < rows && top + r < p->nrows; r++) {
		proximity_line(&p->rows[top + r], widths, line, sizeof(line));
		put(w, 3 + (int)r, 0, line);
	}
	if (ui->prox.measuring)
		snprintf(line, sizeof(line), "measuring...");
	else if (p->has_cutoff)
		snprintf(line, sizeof(line), "cutoff %g ms, %s", p->cutoff_ms,
			 p->dry_run ? "plan only (dry run): nothing changed" : "applied");
	else
		snprintf(line, sizeof(line), "RTT to each node's public address outside the tunnels, nearest first");
	put(w, 3 + (int)r, 1, line);
}

/* ---- members ---- */

static void render_members(WINDOW *w, const struct ui *ui)
{
	char line[1024];
	int widths[MCOL_COUNT];
	const struct ui_members *mv = &ui->members;
	const struct members *list = &mv->list;
	members_fit(getmaxx(w) - 1, widths);
	members_line(NULL, widths, line, sizeof(line));
	put_bar(w, 2, line, A_BOLD | A_UNDERLINE);
	if (!mv->loaded) {
		/* No authority (an earlier mesh version) or no such command: the
		 * daemon's words instead of a table, wrapped so they read whole. */
		put_wrapped(w, 3, 1, mv->unavailable[0] ? mv->unavailable : "asking the daemon...", 4);
		return;
	}
	int fit = render_table_rows(w) - 1; /* and a line saying who may revoke */
	size_t rows = fit > 0 ? (size_t)fit : 0, r;
	size_t top = render_visible_top(mv->top, mv->selected, rows);
	for (r = 0; r < rows && top + r < list->nrows; r++) {
		const struct member_row *row = &list->rows[top + r];
		attr_t attr = row->revoked ? health_attr(HEALTH_DOWN) : row->self ? A_BOLD : A_NORMAL;
		if (top + r == mv->selected)
			attr |= A_REVERSE;
		members_line(row, widths, line, sizeof(line));
		wattron(w, attr);
		put(w, 3 + (int)r, 0, line);
		wattroff(w, attr);
	}
	int admin = members_self_admin(list);
	if (mv->unavailable[0]) {
		snprintf(line, sizeof(line), "refresh failed: %s", mv->unavailable);
		put_wrapped(w, 3 + (int)r, 1, line, 3 + (int)r + 1 < getmaxy(w) - 2 ? 2 : 1);
		return;
	}
	if (list->nrows == 0)
		snprintf(line, sizeof(line), "no member identities known");
	else if (admin == 0)
		snprintf(line, sizeof(line), "this node is not an admin: revocation needs an admin");
	else if (admin == 1)
		snprintf(line, sizeof(line), "%zu identities; R revokes the selected one (type its ID to confirm)",
			 list->nrows);
	else
		snprintf(line, sizeof(line), "%zu identities", list->nrows);
	put(w, 3 + (int)r, 1, line);
}

/* ---- events ---- */

/* Events are wrapped, never cut: a long error or log line is read whole.
 * The prefix (time and kind) is EVENT_PREFIX columns; continuation lines
 * are indented to it. */
#define EVENT_PREFIX 24
#define EVENT_LINES_MAX 16

static size_t event_lines(const struct model_event *e, int width, size_t *starts, size_t *lens)
{
	return layout_wrap(e->text, width - EVENT_PREFIX, starts, lens, EVENT_LINES_MAX);
}

static void render_events(WINDOW *w, const struct ui *ui)
{
	char line[1024];
	size_t count = model_event_count(&ui->model), rows = (size_t)render_table_rows(w);
	int width = getmaxx(w) - 1;
	snprintf(line, sizeof(line), "EVENTS  %zu kept%s", count,
		 ui->scroll.events_follow ? "  (following; Up to scroll)" : "  (scrolled; End to follow)");
	put_bar(w, 2, line, A_BOLD | A_UNDERLINE);
	/* Following: the newest at the bottom, as many older ones above as fit.
	 * Scrolled: from events_top down. */
	size_t first = ui->scroll.events_follow ? count : ui->scroll.events_top;
	if (ui->scroll.events_follow) {
		size_t used = 0;
		while (first > 0) {
			size_t st[EVENT_LINES_MAX], ln[EVENT_LINES_MAX];
			size_t k = event_lines(model_event_at(&ui->model, first - 1), width, st, ln);
			if (used + k > rows && used > 0)
				break;
			used += k;
			first--;
		}
	}
	size_t y = 0;
	for (size_t i = first; i < count && y < rows; i++) {
		const struct model_event *e = model_event_at(&ui->model, i);
		struct tm tm;
		time_t t = isnan(e->ts) ? 0 : (time_t)e->ts;
		char hms[16];
		size_t st[EVENT_LINES_MAX], ln[EVENT_LINES_MAX];
		localtime_r(&t, &tm);
		strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
		size_t k = event_lines(e, width, st, ln);
		bool error = strcmp(e->kind, "error") == 0;
		if (error)
			wattron(w, use_colour ? COLOR_PAIR(PAIR_ERR) | A_BOLD : A_BOLD);
		for (size_t j = 0; j < k && y < rows; j++, y++) {
			if (j == 0)
				snprintf(line, sizeof(line), " %s %-13.13s %.*s", hms, e->kind, (int)ln[j],
					 e->text + st[j]);
			else
				snprintf(line, sizeof(line), "%*s%.*s", EVENT_PREFIX, "", (int)ln[j], e->text + st[j]);
			put(w, 3 + (int)y, 0, line);
		}
		if (error)
			wattroff(w, use_colour ? COLOR_PAIR(PAIR_ERR) | A_BOLD : A_BOLD);
	}
}

/* ---- help ---- */

static void render_help(WINDOW *w, const struct ui *ui)
{
	char lines[64][96];
	size_t n = keys_help_lines(lines, 64);
	put_bar(w, 2, "KEYS (any key closes this help)", A_BOLD | A_UNDERLINE);
	int rows = getmaxy(w) - 5, col_w = getmaxx(w) / 2;
	for (size_t i = 0; i < n; i++) {
		char cell[128];
		int y = 3 + (int)i % rows, x = 1 + ((int)i / rows) * col_w;
		layout_cell(cell, sizeof(cell), lines[i], col_w - 2, ALIGN_LEFT);
		if ((int)i / rows < 2)
			put(w, y, x, cell);
	}
	/* The legend goes under the keys, in whichever column has room. */
	static const char *const legend_colour[] = {
		"COST marks: * override, D drained", "WHY: loss/jit penalty, ovr, drn",
		"RTT last probe, AVG smoothed",      "LOSS over the cost window",
		"FWD: nodes routed via the link",    "HISTORY: x a lost probe",
		"Rows: green ok, yellow some loss,", "  red bad or drained, magenta down"
	};
	static const char *const legend_mono[] = {
		"COST marks: * override, D drained",  "WHY: loss/jit penalty, ovr, drn", "RTT last probe, AVG smoothed",
		"LOSS over the cost window",          "FWD: nodes routed via the link",  "HISTORY: x a lost probe",
		"Rows: bold bad or drained, dim down"
	};
	const char *const *legend = use_colour ? legend_colour : legend_mono;
	int nlegend = use_colour ? 8 : 7;
	int used = (int)n <= rows ? (int)n : (int)n - rows;
	int x = 1 + ((int)n <= rows ? 0 : col_w);
	for (int i = 0; i < nlegend && 4 + used + i < getmaxy(w) - 2; i++)
		put(w, 4 + used + i, x, legend[i]);
}

/* ---- bottom: prompt or status, key hints ---- */

static void render_bottom(WINDOW *w, const struct ui *ui)
{
	int rows = getmaxy(w);
	char line[1024];
	if (ui->prompt.active) {
		char shown[UI_PROMPT_MAX];
		size_t len = ui->prompt.len < sizeof(shown) - 1 ? ui->prompt.len : sizeof(shown) - 1;
		if (ui->prompt.secret)
			memset(shown, '*', len);
		else
			memcpy(shown, ui->prompt.buf, len);
		shown[len] = '\0';
		size_t ll = strlen(ui->prompt.label);
		bool gap = len || (ll && ui->prompt.label[ll - 1] != ' ');
		snprintf(line, sizeof(line), "%s%s%s%s", ui->prompt.label, shown,
			 !len && ui->prompt.hint[0] && gap ? " " : "", !len ? ui->prompt.hint : "");
		wattron(w, A_BOLD);
		put(w, rows - 2, 0, line);
		wattroff(w, A_BOLD);
		if (ui->prompt.error[0]) {
			/* Refused: the reason where the key hints were; the input stays. */
			snprintf(line, sizeof(line), " %s", ui->prompt.error);
			put_bar(w, rows - 1, line,
				use_colour ? COLOR_PAIR(PAIR_ERR) | A_BOLD | A_REVERSE : A_BOLD | A_REVERSE);
			return;
		}
	} else if (ui->status.text[0]) {
		attr_t attr = ui->status.error ? (use_colour ? COLOR_PAIR(PAIR_ERR) | A_BOLD : A_BOLD)
					       : (use_colour ? COLOR_PAIR(PAIR_OK) : A_NORMAL);
		wattron(w, attr);
		/* Wider than the screen: the whole text is in the events view. */
		if (ui->status.error && (int)utf8_width(ui->status.text) > getmaxx(w) - 1) {
			char cut[512];
			layout_cell(cut, sizeof(cut), ui->status.text, getmaxx(w) - 14, ALIGN_LEFT);
			snprintf(line, sizeof(line), "%s e: whole", cut);
			put(w, rows - 2, 0, line);
		} else {
			put(w, rows - 2, 0, ui->status.text);
		}
		wattroff(w, attr);
	}
	const char *hints =
		ui->prompt.active            ? " Enter accept  Esc cancel"
		: ui->menu.sort              ? " sort: press a column's key (see the line above); the same one reverses"
		: ui->view == VIEW_PROXIMITY ? " p:measure P:cutoff (plan, y/n) Up/Down:scroll Esc:back ?:help q:quit"
		: ui->view == VIEW_MEMBERS   ? " R:revoke (type the ID) Up/Down:select m:refresh Esc:back ?:help q:quit"
		: ui->view == VIEW_DETAIL
			? " Esc:back Up/Down:other link d:disconnect r:drain C:cost ?:help q:quit"
			: " Enter:detail t:token c:conn d:disc r:drain C:cost s:sort /:filter ?:help q:quit";
	put_bar(w, rows - 1, hints, title_attr());
}

/* The token box: framed above and below, the token alone on its rows with
 * no frame beside it, so selecting it copies the token only. A token wider
 * than the terminal continues at the start of the next row (console.c then
 * rewrites it so the terminal marks those rows as one wrapped line). */
static void render_token_box(WINDOW *w, const struct ui *ui)
{
	int cols = getmaxx(w), rows = getmaxy(w);
	int token_rows = render_token_rows(strlen(ui->token.text), cols);
	int y = render_token_first_row(strlen(ui->token.text), rows, cols) - 3;
	char rule[1024];
	int n = cols - 2 < 300 ? cols - 2 : 300;
	size_t pos = 0;
	for (int i = 0; i < n; i++)
		pos += (size_t)snprintf(rule + pos, sizeof(rule) - pos, "%s", ui->glyphs == GLYPHS_UTF8 ? "─" : "-");
	for (int i = y; i < y + 7 + token_rows; i++) {
		wmove(w, i, 0);
		wclrtoeol(w);
	}
	wattron(w, A_BOLD);
	put(w, y, 1, rule);
	put(w, y + 1, 2, "Join token (shown once; copy it now):");
	wattroff(w, A_BOLD);
	mvwaddnstr(w, y + 3, 0, ui->token.text, token_rows * cols);
	put(w, y + 4 + token_rows, 2, ui->token.note);
	put(w, y + 5 + token_rows, 2, "Press any key to close; the token is not shown again.");
	wattron(w, A_BOLD);
	put(w, y + 6 + token_rows, 1, rule);
	wattroff(w, A_BOLD);
}

int render_token_rows(size_t len, int cols)
{
	if (cols <= 0)
		return 1;
	int r = (int)((len + (size_t)cols - 1) / (size_t)cols);
	return r < 1 ? 1 : r;
}

int render_token_first_row(size_t len, int rows, int cols)
{
	int y = rows / 2 - 4 - render_token_rows(len, cols) / 2;
	return (y < 2 ? 2 : y) + 3;
}

void render_frame(WINDOW *w, const struct ui *ui)
{
	werase(w);
	int rows = getmaxy(w), cols = getmaxx(w);
	if (rows < RENDER_MIN_ROWS || cols < RENDER_MIN_COLS) {
		char msg[128];
		snprintf(msg, sizeof(msg), "wgmesh console needs at least %dx%d; this terminal is %dx%d.",
			 RENDER_MIN_COLS, RENDER_MIN_ROWS, cols, rows);
		mvwaddnstr(w, 0, 0, msg, cols);
		if (rows > 1)
			mvwaddnstr(w, 1, 0, "Enlarge the window, or press q to quit.", cols);
		return;
	}
	render_header(w, ui);
	switch (ui->view) {
	case VIEW_LINKS:
		render_links(w, ui);
		break;
	case VIEW_DETAIL:
		render_detail(w, ui);
		break;
	case VIEW_NODES:
		render_nodes(w, ui);
		break;
	case VIEW_EVENTS:
		render_events(w, ui);
		break;
	case VIEW_HELP:
		render_help(w, ui);
		break;
	case VIEW_PROXIMITY:
		render_proximity(w, ui);
		break;
	case VIEW_MEMBERS:
		render_members(w, ui);
		break;
	}
	render_bottom(w, ui);
	if (ui->token.shown)
		render_token_box(w, ui);
}
