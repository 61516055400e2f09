/* The console's terminal: curses set up for an SSH session (no echo, keypad,
 * no delay, UTF-8 or ASCII glyphs, colour unless NO_COLOR), and given back
 * clean on every way out: a normal exit, SIGINT/SIGTERM/SIGHUP (which ask the
 * loop to quit), and a crash (a prepared reset sequence written from the
 * signal handler, which may not call into curses). */
#ifndef WGM_TUI_TERMINAL_H
#define WGM_TUI_TERMINAL_H

#include <stdbool.h>

#include "tui/console/ui.h"

/* -ENOTTY, with one line on stderr, when stdin/stdout is no terminal or TERM
 * is unusable. Sets UI's glyphs and colour. */
int terminal_start(struct ui *ui);
/* Idempotent; also registered with atexit. */
void terminal_restore(void);
/* Writes TOKEN (shown in the token box) again as one run, so a terminal
 * copies it as one line; see terminal.c. */
void terminal_token_soft_wrap(const char *token);
/* A quit signal arrived. */
bool terminal_quit_requested(void);

#endif
