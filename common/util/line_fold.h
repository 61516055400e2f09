/* Folding of repeated log lines (pure: no I/O; the caller passes the time).
 *
 * A line whose text, with every run of digits taken as the same (so
 * timestamps and counters do not count), matches one of the last
 * WGM_LINE_FOLD_SLOTS different lines is not repeated: it is counted. The
 * count comes out as "LINE ... repeated N times (first HH:MM:SS, last
 * HH:MM:SS)" (times of the first and last folded repeat) when its slot is
 * needed for another line, at each wgm_line_fold_tick (the caller's period, 60 s
 * in the daemon) and at wgm_line_fold_flush. A slot without repeats over a whole
 * period is freed, so the line is shown again when it comes back. So each
 * distinct line yields at most one line, plus one summary per period, plus
 * one when it ends. */
#ifndef WGM_COMMON_LINE_FOLD_H
#define WGM_COMMON_LINE_FOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WGM_LINE_FOLD_SLOTS 8
/* Lines are compared and kept up to this many bytes. */
#define WGM_LINE_FOLD_TEXT 240

struct wgm_line_fold_slot {
	bool used;
	bool seen_this_period;
	unsigned long count;       /* folded repeats not yet reported */
	int64_t first_ms, last_ms; /* wall clock of the first and last folded repeat */
	int64_t used_ms;           /* last time the line came (for eviction) */
	char text[WGM_LINE_FOLD_TEXT];
};

/* Zero-initialise. */
struct wgm_line_fold {
	struct wgm_line_fold_slot slots[WGM_LINE_FOLD_SLOTS];
};

/* Receives each line to log (no newline), in order. */
typedef void (*wgm_line_fold_emit_fn)(const char *line, void *ctx);

/* One line (no newline) at wall-clock now_ms (ms since the epoch): emits it
 * unless it is a repeat; may first emit the summary of an evicted slot. */
void wgm_line_fold_add(struct wgm_line_fold *f, const char *line, int64_t now_ms, wgm_line_fold_emit_fn emit,
		       void *ctx);
/* The period's end: summaries of every counted repeat; frees slots that
 * saw no line this period. */
void wgm_line_fold_tick(struct wgm_line_fold *f, wgm_line_fold_emit_fn emit, void *ctx);
/* The end of the stream: every summary; empties F. */
void wgm_line_fold_flush(struct wgm_line_fold *f, wgm_line_fold_emit_fn emit, void *ctx);

/* True when the two lines are the same but for digits. */
bool wgm_line_fold_same(const char *a, const char *b);

#endif
