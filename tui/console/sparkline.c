#include "tui/console/sparkline.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tui/console/series.h"

static const char *const utf8_levels[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
static const char *const ascii_levels[] = { ".", ":", "-", "=", "+", "*", "#" };

int glyph_levels(enum glyphs g)
{
	return g == GLYPHS_UTF8 ? 8 : 7;
}

const char *glyph_for_level(enum glyphs g, int level)
{
	int levels = glyph_levels(g);
	if (level < 0)
		level = 0;
	if (level >= levels)
		level = levels - 1;
	return g == GLYPHS_UTF8 ? utf8_levels[level] : ascii_levels[level];
}

int glyph_level_of(double v, double min, double max, int levels)
{
	if (!(max > min))
		return 0;
	int level = (int)lround((v - min) / (max - min) * (levels - 1));
	if (level < 0)
		return 0;
	return level >= levels ? levels - 1 : level;
}

static int append(char *out, size_t outlen, size_t *pos, const char *s)
{
	size_t l = strlen(s);
	if (*pos + l + 1 > outlen)
		return -ENOSPC;
	memcpy(out + *pos, s, l);
	*pos += l;
	out[*pos] = '\0';
	return 0;
}

int sparkline_render(const double *v, size_t n, size_t width, enum glyphs g, char *out, size_t outlen)
{
	if (outlen == 0)
		return -ENOSPC;
	out[0] = '\0';
	if (width == 0)
		return 0;
	double *cells = calloc(width, sizeof(*cells));
	if (!cells)
		return -ENOMEM;
	double *loss = calloc(width, sizeof(*loss));
	if (!loss) {
		free(cells);
		return -ENOMEM;
	}
	size_t used = series_bucket_mean(v, n, cells, width);
	series_bucket_loss(v, n, loss, width);
	struct series_stats st;
	series_stats(cells, used, &st);
	size_t pos = 0;
	int rc = 0;
	for (size_t i = used; i < width && rc == 0; i++)
		rc = append(out, outlen, &pos, " ");
	for (size_t i = 0; i < used && rc == 0; i++) {
		if (isnan(cells[i]) || loss[i] > 0)
			rc = append(out, outlen, &pos, SPARK_LOST);
		else
			rc = append(out, outlen, &pos,
				    glyph_for_level(g, glyph_level_of(cells[i], st.min, st.max, glyph_levels(g))));
	}
	free(cells);
	free(loss);
	return rc < 0 ? rc : (int)pos;
}
