/* What the console does with the keys of one read, before the key table
 * sees them: pasted text is never read as commands. Bracketed paste
 * (ESC[200~ ... ESC[201~, enabled by terminal.c) marks pasted characters;
 * a terminal without it still delivers a paste as a burst of keys in one
 * read, faster than anyone types, which is dropped when no prompt is open.
 * Pure: keys in, items out. */
#ifndef WGM_TUI_INPUT_H
#define WGM_TUI_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A read with this many keys or more outside a prompt is a paste. */
#define INPUT_BURST_KEYS 6
/* After a dropped burst, keys for this long belong to it too. */
#define INPUT_BURST_QUIET_MS 150
/* Keys taken per read (a longer paste continues in the next one). */
#define INPUT_READ_MAX 4096

struct input_filter {
	bool in_paste; /* between ESC[200~ and ESC[201~ */
	int64_t quiet_until_ms;
};

struct input_item {
	int key;
	bool pasted; /* part of a bracketed paste: text, never a command */
};

/* Splits keys[0..n) (one read) into items (at most n). prompt_open: a
 * prompt takes typed text now. Keys dropped as a burst are counted in
 * *dropped (not cleared). Returns the number of items. */
size_t input_filter_run(struct input_filter *f, const int *keys, size_t n, bool prompt_open, int64_t now_ms,
			struct input_item *out, size_t *dropped);

#endif
