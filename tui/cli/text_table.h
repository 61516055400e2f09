/* A plain-text table for the CLI's listings: each column as wide as its
 * widest cell (heading included), one blank between columns, the last column
 * unpadded so no line ends in blanks. Widths follow the content, so short
 * values leave room for a long REASON and the lines stay within 80 columns
 * where fixed widths would not. Cells are copied; the table owns them. */
#ifndef WGM_TUI_TEXT_TABLE_H
#define WGM_TUI_TEXT_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define TEXT_TABLE_COLS_MAX 16

struct text_table {
	size_t ncols;
	bool right[TEXT_TABLE_COLS_MAX]; /* right-aligned (figures) */
	size_t width[TEXT_TABLE_COLS_MAX];
	char **cells; /* nrows * ncols, row 0 the headings */
	size_t nrows, cap;
};

/* heads: ncols headings; right: ncols flags, which are right-aligned (may be
 * NULL: none).
 * Returns 0 or -ENOMEM / -EINVAL (no columns, or too many). */
int text_table_init(struct text_table *t, size_t ncols, const char *const *heads, const bool *right);
/* Appends a row of ncols cells (NULL prints as "-"). 0 or -ENOMEM. */
int text_table_add(struct text_table *t, const char *const *cells);
void text_table_print(const struct text_table *t, FILE *out);
void text_table_free(struct text_table *t);

#endif
