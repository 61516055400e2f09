/* The console's key table: key -> action name. Dispatch and the help screen
 * both read this one table, so help cannot drift from what keys do. Pure. */
#ifndef WGM_TUI_KEYS_H
#define WGM_TUI_KEYS_H

#include <stddef.h>

struct key_binding {
	int key;           /* a character or an ncurses KEY_* code */
	const char *label; /* how help shows the key */
	const char *action;
	const char *help;
};

extern const struct key_binding keys_table[];
extern const size_t keys_table_len;

/* The binding for a key, or NULL. */
const struct key_binding *keys_lookup(int key);

/* Help lines (at most 35 columns, so two fit side by side at 80), one per action (keys bound to the same action share a line,
 * e.g. "Down j  move down"), in table order. Writes up to max lines of
 * linelen bytes each; returns the number of lines. */
size_t keys_help_lines(char out[][96], size_t max);

#endif
