#include "common/util/line_fold.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

bool wgm_line_fold_same(const char *a, const char *b)
{
	for (;;) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			while (isdigit((unsigned char)*a))
				a++;
			while (isdigit((unsigned char)*b))
				b++;
			continue;
		}
		if (*a != *b)
			return false;
		if (!*a)
			return true;
		a++;
		b++;
	}
}

static void clock_text(int64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(buf, len, "%H:%M:%S", &tm))
		snprintf(buf, len, "?");
}

static void report(struct wgm_line_fold_slot *s, wgm_line_fold_emit_fn emit, void *ctx)
{
	char first[16], last[16], line[WGM_LINE_FOLD_TEXT + 96];

	if (!s->count)
		return;
	clock_text(s->first_ms, first, sizeof(first));
	clock_text(s->last_ms, last, sizeof(last));
	snprintf(line, sizeof(line), "%s ... repeated %lu time%s (first %s, last %s)", s->text, s->count,
		 s->count == 1 ? "" : "s", first, last);
	s->count = 0;
	emit(line, ctx);
}

void wgm_line_fold_add(struct wgm_line_fold *f, const char *line, int64_t now_ms, wgm_line_fold_emit_fn emit, void *ctx)
{
	char text[WGM_LINE_FOLD_TEXT];
	struct wgm_line_fold_slot *slot = NULL;

	snprintf(text, sizeof(text), "%s", line);
	for (size_t i = 0; i < WGM_LINE_FOLD_SLOTS; i++) {
		struct wgm_line_fold_slot *s = &f->slots[i];
		if (s->used && wgm_line_fold_same(s->text, text)) {
			if (!s->count++)
				s->first_ms = now_ms;
			s->last_ms = s->used_ms = now_ms;
			s->seen_this_period = true;
			return;
		}
		/* A free slot, else the one whose line came longest ago. */
		if (!slot || (slot->used && (!s->used || s->used_ms < slot->used_ms)))
			slot = s;
	}
	if (slot->used)
		report(slot, emit, ctx);
	memset(slot, 0, sizeof(*slot));
	slot->used = slot->seen_this_period = true;
	slot->used_ms = now_ms;
	memcpy(slot->text, text, sizeof(text));
	emit(line, ctx);
}

void wgm_line_fold_tick(struct wgm_line_fold *f, wgm_line_fold_emit_fn emit, void *ctx)
{
	for (size_t i = 0; i < WGM_LINE_FOLD_SLOTS; i++) {
		struct wgm_line_fold_slot *s = &f->slots[i];
		if (!s->used)
			continue;
		report(s, emit, ctx);
		if (!s->seen_this_period)
			s->used = false;
		s->seen_this_period = false;
	}
}

void wgm_line_fold_flush(struct wgm_line_fold *f, wgm_line_fold_emit_fn emit, void *ctx)
{
	for (size_t i = 0; i < WGM_LINE_FOLD_SLOTS; i++) {
		if (f->slots[i].used)
			report(&f->slots[i], emit, ctx);
		f->slots[i].used = false;
	}
}
