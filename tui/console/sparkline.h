/* One-line graphs of a probe series, as in the links table. Pure. */
#ifndef WGM_TUI_SPARKLINE_H
#define WGM_TUI_SPARKLINE_H

#include <stddef.h>

enum glyphs {
	GLYPHS_UTF8,  /* ▁▂▃▄▅▆▇█ */
	GLYPHS_ASCII, /* .:-=+*# (SPARK_LOST is a lost probe, so no level uses it) */
};

/* A cell holding a lost probe, at any width: a bucket with one lost probe
 * among received ones is marked too, so a resample never hides loss. */
#define SPARK_LOST "x"

/* Number of distinct heights a cell can show with these glyphs. */
int glyph_levels(enum glyphs g);
/* The glyph for level 0..glyph_levels()-1 (clamped); a NUL-terminated string. */
const char *glyph_for_level(enum glyphs g, int level);
/* Level of v on a min..max scale; a flat scale (max <= min) is level 0. */
int glyph_level_of(double v, double min, double max, int levels);

/* Renders v[0..n) (NaN = lost probe, drawn as SPARK_LOST) into exactly `width`
 * cells, newest on the right: longer series are reduced to width buckets,
 * shorter ones are padded with spaces on the left. Heights scale from the
 * smallest to the largest value shown. Writes a NUL-terminated UTF-8 string;
 * returns its length in bytes, or -ENOSPC if out is too small (a UTF-8 cell
 * takes up to 3 bytes). */
int sparkline_render(const double *v, size_t n, size_t width, enum glyphs g, char *out, size_t outlen);

#endif
