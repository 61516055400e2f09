#include "tui/cli/text_table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int add_row(struct text_table *t, const char *const *cells)
{
	char **row;

	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 8;
		char **grown = realloc(t->cells, cap * t->ncols * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		t->cells = grown;
		t->cap = cap;
	}
	row = t->cells + t->nrows * t->ncols;
	for (size_t c = 0; c < t->ncols; c++) {
		row[c] = strdup(cells[c] && cells[c][0] ? cells[c] : "-");
		if (!row[c]) {
			while (c--)
				free(row[c]);
			return -ENOMEM;
		}
	}
	for (size_t c = 0; c < t->ncols; c++) {
		size_t len = strlen(row[c]);
		if (len > t->width[c])
			t->width[c] = len;
	}
	t->nrows++;
	return 0;
}

int text_table_init(struct text_table *t, size_t ncols, const char *const *heads, const bool *right)
{
	int rc;

	memset(t, 0, sizeof(*t));
	if (ncols == 0 || ncols > TEXT_TABLE_COLS_MAX)
		return -EINVAL;
	t->ncols = ncols;
	for (size_t c = 0; right && c < ncols; c++)
		t->right[c] = right[c];
	if ((rc = add_row(t, heads)) < 0)
		text_table_free(t);
	return rc;
}

int text_table_add(struct text_table *t, const char *const *cells)
{
	return add_row(t, cells);
}

void text_table_print(const struct text_table *t, FILE *out)
{
	for (size_t r = 0; r < t->nrows; r++) {
		char *const *row = t->cells + r * t->ncols;
		for (size_t c = 0; c < t->ncols; c++) {
			bool last = c + 1 == t->ncols;
			int w = (int)t->width[c];
			if (t->right[c])
				fprintf(out, "%*s", w, row[c]);
			else if (last)
				fputs(row[c], out);
			else
				fprintf(out, "%-*s", w, row[c]);
			fputc(last ? '\n' : ' ', out);
		}
	}
}

void text_table_free(struct text_table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}
