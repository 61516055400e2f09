/* Table layout: columns with a priority and a min/max width; for a terminal
 * width, the least important columns are dropped until the rest fit, and the
 * space left is shared out so wide terminals show more. Pure. */
#ifndef WGM_TUI_LAYOUT_H
#define WGM_TUI_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

enum layout_align { ALIGN_LEFT, ALIGN_RIGHT };

struct layout_col {
	const char *title;
	int priority; /* 0 = most important; higher numbers are dropped first */
	int min_width;
	int max_width;
	enum layout_align align;
};

/* Fills widths[0..n) for a terminal `total` columns wide with `gap` spaces
 * between shown columns; a dropped column gets width 0. Among columns of
 * equal priority the rightmost is dropped first. Returns the number of
 * columns shown (0 if not even the most important one fits). */
size_t layout_fit(const struct layout_col *cols, size_t n, int total, int gap, int *widths);

/* Display width of a UTF-8 string (one column per code point: the console
 * only prints ASCII and block elements). */
size_t utf8_width(const char *s);

/* Writes s into out padded or cut to exactly `width` display columns; a cut
 * string ends in '~' so a truncated endpoint never passes for a whole one.
 * Returns the bytes written (out is NUL-terminated). */
size_t layout_cell(char *out, size_t outlen, const char *s, int width, enum layout_align align);

/* Splits s into lines of at most `width` display columns, breaking after
 * the last blank that fits (a word longer than a line is cut), for text
 * that must be read whole. Line i is s[starts[i] .. starts[i] + lens[i]),
 * without the blank it broke at. Returns the number of lines (at least 1,
 * at most max; what does not fit in max lines is left out). */
size_t layout_wrap(const char *s, int width, size_t *starts, size_t *lens, size_t max);

#endif
