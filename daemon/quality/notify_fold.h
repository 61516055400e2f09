/* Flood protection for notifications (pure: no I/O, no clock).
 *
 * Lines for one destination are folded: the first line opens a batch that
 * is sent fold_us later with every line that arrived meanwhile (so a burst
 * of link deaths is one message), and at most max_per_minute messages leave
 * in any 60 s; a batch that would pass the cap waits, still folding, until
 * the oldest send is a minute old. A batch keeps at most NOTIFY_FOLD_TEXT
 * bytes of lines; the rest are counted and said as "(and N more)". */
#ifndef WGM_DAEMON_NOTIFY_FOLD_H
#define WGM_DAEMON_NOTIFY_FOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NOTIFY_FOLD_TEXT 2048
#define NOTIFY_FOLD_MAX_PER_MINUTE 32

struct notify_fold_params {
	int64_t fold_us;         /* how long a batch gathers lines (3 s) */
	unsigned max_per_minute; /* messages per 60 s, 1..NOTIFY_FOLD_MAX_PER_MINUTE (6) */
};

struct notify_fold_params notify_fold_params_default(void);

/* Zero-initialise. */
struct notify_fold {
	int64_t opened_us; /* 0 = no batch */
	unsigned lines;
	unsigned omitted; /* lines that did not fit */
	size_t len;
	char text[NOTIFY_FOLD_TEXT];
	int64_t sent_us[NOTIFY_FOLD_MAX_PER_MINUTE]; /* ring of recent sends */
	unsigned sent_next;
};

/* Adds one line (no newline) to the batch, opening one if needed. */
void notify_fold_add(struct notify_fold *f, const char *line, int64_t now_us);

/* When the batch may leave (0 = nothing pending). */
int64_t notify_fold_due(const struct notify_fold *f, const struct notify_fold_params *p);

/* If the batch may leave at now_us: fills message (the lines, one per line,
 * plus "(and N more)"), *lines with how many lines it holds, records the
 * send, empties the batch and returns true. */
bool notify_fold_take(struct notify_fold *f, const struct notify_fold_params *p, int64_t now_us, char *message,
		      size_t len, unsigned *lines);

#endif
