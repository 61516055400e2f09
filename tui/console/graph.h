/* Multi-row graphs for the link detail view, with a label column that marks
 * max (top row), min (bottom row) and avg (the row it falls in). Pure. */
#ifndef WGM_TUI_GRAPH_H
#define WGM_TUI_GRAPH_H

#include <stdbool.h>
#include <stddef.h>

#include "tui/console/series.h"
#include "tui/console/sparkline.h"

/* Width of the label column, separator included: "123.4ms |". */
#define GRAPH_LABEL_COLS 9

typedef char *(*graph_label_fn)(char *buf, size_t len, double v);

struct graph_opts {
	size_t width;  /* columns in total, label column included */
	size_t height; /* rows */
	enum glyphs glyphs;
	graph_label_fn label; /* formats min/avg/max, e.g. fmt_rtt */
	bool zero_based;      /* scale from 0 (loss, jitter) instead of the series' minimum */
};

/* Reduces v[0..n) (NaN = gap, drawn blank) to the plot width and draws it
 * into lines[0..height), each a NUL-terminated UTF-8 string of at most
 * linelen bytes, newest on the right. stats (optional) receives min/avg/max
 * of the values drawn. Returns 0, -EINVAL if the width leaves no room to
 * plot or height is 0, -ENOSPC if linelen is too small (allow 3 bytes per
 * cell plus the label), -ENOMEM. */
int graph_render(const double *v, size_t n, const struct graph_opts *opts, char **lines, size_t linelen,
		 struct series_stats *stats);

#endif
