#include "tui/console/layout.h"

#include <string.h>

static int used_width(size_t n, const int *widths, int gap)
{
	int sum = 0, shown = 0;
	for (size_t i = 0; i < n; i++) {
		if (widths[i] > 0) {
			sum += widths[i];
			shown++;
		}
	}
	return shown ? sum + gap * (shown - 1) : 0;
}

/* The shown column that goes first: highest priority number, rightmost on ties. */
static long next_to_drop(const struct layout_col *cols, size_t n, const int *widths)
{
	long pick = -1;
	for (size_t i = 0; i < n; i++) {
		if (widths[i] > 0 && (pick < 0 || cols[i].priority >= cols[pick].priority))
			pick = (long)i;
	}
	return pick;
}

size_t layout_fit(const struct layout_col *cols, size_t n, int total, int gap, int *widths)
{
	for (size_t i = 0; i < n; i++)
		widths[i] = cols[i].min_width > 0 ? cols[i].min_width : 1;
	while (used_width(n, widths, gap) > total) {
		long drop = next_to_drop(cols, n, widths);
		if (drop < 0)
			break;
		widths[drop] = 0;
	}
	/* Share what is left one column at a time, most important first, so
	 * growth is spread instead of going to one column. */
	int spare = total - used_width(n, widths, gap);
	bool grew = true;
	while (spare > 0 && grew) {
		grew = false;
		for (int prio = 0; spare > 0; prio++) {
			bool any_at_or_above = false;
			for (size_t i = 0; i < n && spare > 0; i++) {
				if (cols[i].priority >= prio)
					any_at_or_above = true;
				if (cols[i].priority != prio || widths[i] == 0 || widths[i] >= cols[i].max_width)
					continue;
				widths[i]++;
				spare--;
				grew = true;
			}
			if (!any_at_or_above)
				break;
		}
	}
	size_t shown = 0;
	for (size_t i = 0; i < n; i++)
		shown += widths[i] > 0;
	return shown;
}

size_t utf8_width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xC0) != 0x80;
	return w;
}

/* Byte length of the first `cols` code points of s. */
static size_t utf8_prefix_bytes(const char *s, size_t cols)
{
	size_t i = 0, seen = 0;
	while (s[i]) {
		if (((unsigned char)s[i] & 0xC0) != 0x80) {
			if (seen == cols)
				break;
			seen++;
		}
		i++;
	}
	return i;
}

size_t layout_cell(char *out, size_t outlen, const char *s, int width, enum layout_align align)
{
	size_t pos = 0;
	if (outlen == 0)
		return 0;
	if (width <= 0) {
		out[0] = '\0';
		return 0;
	}
	size_t w = utf8_width(s);
	size_t keep_cols = w > (size_t)width ? (size_t)width - 1 : w;
	size_t keep = utf8_prefix_bytes(s, keep_cols);
	size_t pad = (size_t)width - keep_cols - (w > (size_t)width ? 1 : 0);
	if (keep + pad + 2 > outlen) {
		out[0] = '\0';
		return 0;
	}
	if (align == ALIGN_RIGHT) {
		memset(out, ' ', pad);
		pos = pad;
	}
	memcpy(out + pos, s, keep);
	pos += keep;
	if (w > (size_t)width)
		out[pos++] = '~';
	if (align == ALIGN_LEFT) {
		memset(out + pos, ' ', pad);
		pos += pad;
	}
	out[pos] = '\0';
	return pos;
}

size_t layout_wrap(const char *s, int width, size_t *starts, size_t *lens, size_t max)
{
	size_t n = 0, pos = 0, total = strlen(s);
	if (max == 0)
		return 0;
	if (width < 1)
		width = 1;
	do {
		size_t end = pos + utf8_prefix_bytes(s + pos, (size_t)width);
		size_t next = end;
		if (end < total) {
			/* Back to the last blank inside the line, if there is one. */
			size_t b = end;
			while (b > pos && s[b] != ' ')
				b--;
			if (b > pos) {
				end = b;
				next = b + 1;
			}
		}
		starts[n] = pos;
		lens[n] = end - pos;
		n++;
		pos = next;
	} while (pos < total && n < max);
	return n;
}
