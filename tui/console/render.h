/* Draws the console's screens from struct ui into an ncurses window. No I/O
 * besides curses calls, so the benchmark can render into a terminal on
 * /dev/null. */
#ifndef WGM_TUI_RENDER_H
#define WGM_TUI_RENDER_H

#include <curses.h>

#include "tui/console/ui.h"

#define RENDER_MIN_COLS 80
#define RENDER_MIN_ROWS 24

/* Sets up the colour pairs when colour is on; call once after initscr. */
void render_init_colours(bool colour);

/* Draws the whole screen for ui->view into w (erased first); the caller
 * refreshes. Below 80x24 it draws only a message asking for a larger one. */
void render_frame(WINDOW *w, const struct ui *ui);

/* Rows of the links table and the events list at the current size, for
 * paging and keeping the selection visible. */
int render_table_rows(const WINDOW *w);

/* The first row to show so that `selected` is visible, moving as little as
 * possible from `top`. */
size_t render_visible_top(size_t top, size_t selected, size_t rows);

/* The token box: how many rows a token of len bytes takes at cols columns,
 * and the row it starts on. */
int render_token_rows(size_t len, int cols);
int render_token_first_row(size_t len, int rows, int cols);

/* The links table's columns (also the sort order of enum model_sort). */
size_t render_links_columns(const char **titles, size_t max);

#endif
