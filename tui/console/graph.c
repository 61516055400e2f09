#include "tui/console/graph.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Partial cells: eighths with block elements, halves in ASCII. */
static const char *const utf8_eighths[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };

static int sub_levels(enum glyphs g)
{
	return g == GLYPHS_UTF8 ? 8 : 2;
}

static const char *cell_glyph(enum glyphs g, int filled)
{
	int sub = sub_levels(g);
	if (filled <= 0)
		return " ";
	if (filled >= sub)
		return g == GLYPHS_UTF8 ? "█" : "#";
	return g == GLYPHS_UTF8 ? utf8_eighths[filled - 1] : ".";
}

/* Height of a value in sub-cell units, at least 1 so the smallest sample
 * still shows; a flat non-zero series sits at half height, a flat zero on
 * the floor. */
static int value_units(double v, double lo, double hi, int units)
{
	if (!(hi > lo))
		return v > 0 && units >= 2 ? units / 2 : 1;
	int h = 1 + (int)lround((v - lo) / (hi - lo) * (units - 1));
	return h < 1 ? 1 : (h > units ? units : h);
}

static int put(char *line, size_t linelen, size_t *pos, const char *s)
{
	size_t l = strlen(s);
	if (*pos + l + 1 > linelen)
		return -ENOSPC;
	memcpy(line + *pos, s, l);
	*pos += l;
	line[*pos] = '\0';
	return 0;
}

static void row_label(const struct graph_opts *o, size_t row, size_t avg_row, const struct series_stats *st, char *buf,
		      size_t len)
{
	char val[32] = "";
	double floor_value = o->zero_based ? 0.0 : st->min;
	/* A flat series has one value: label it once, on the floor. */
	if (st->samples && row == 0 && (st->max > floor_value || o->height == 1))
		o->label(val, sizeof(val), st->max);
	else if (st->samples && row == o->height - 1)
		o->label(val, sizeof(val), floor_value);
	else if (st->samples && row == avg_row && st->max > floor_value)
		o->label(val, sizeof(val), st->avg);
	snprintf(buf, len, "%*.*s %s", GRAPH_LABEL_COLS - 2, GRAPH_LABEL_COLS - 2, val,
		 o->glyphs == GLYPHS_UTF8 ? "│" : "|");
}

int graph_render(const double *v, size_t n, const struct graph_opts *o, char **lines, size_t linelen,
		 struct series_stats *stats)
{
	if (o->height == 0 || o->width <= GRAPH_LABEL_COLS)
		return -EINVAL;
	size_t plot = o->width - GRAPH_LABEL_COLS;
	double *cells = calloc(plot, sizeof(*cells));
	if (!cells)
		return -ENOMEM;
	size_t used = series_bucket_mean(v, n, cells, plot);
	struct series_stats st;
	series_stats(cells, used, &st);
	if (stats)
		*stats = st;

	double lo = o->zero_based ? 0.0 : st.min, hi = st.max;
	int sub = sub_levels(o->glyphs);
	int units = (int)o->height * sub;
	size_t avg_row = o->height;
	if (st.samples) {
		int avg_units = value_units(st.avg, lo, hi, units);
		avg_row = o->height - 1 - (size_t)((avg_units - 1) / sub);
	}

	int rc = 0;
	for (size_t row = 0; row < o->height && rc == 0; row++) {
		char label[64];
		size_t pos = 0;
		row_label(o, row, avg_row, &st, label, sizeof(label));
		lines[row][0] = '\0';
		rc = put(lines[row], linelen, &pos, label);
		int row_from_bottom = (int)(o->height - 1 - row);
		for (size_t i = used; i < plot && rc == 0; i++)
			rc = put(lines[row], linelen, &pos, " ");
		for (size_t i = 0; i < used && rc == 0; i++) {
			int filled = 0;
			if (!isnan(cells[i]))
				filled = value_units(cells[i], lo, hi, units) - row_from_bottom * sub;
			rc = put(lines[row], linelen, &pos, cell_glyph(o->glyphs, filled));
		}
	}
	free(cells);
	return rc;
}
