#include "daemon/quality/notify_fold.h"

#include <stdio.h>
#include <string.h>

#define MINUTE_US (60 * 1000000LL)

struct notify_fold_params notify_fold_params_default(void)
{
	return (struct notify_fold_params){ .fold_us = 3 * 1000000LL, .max_per_minute = 6 };
}

void notify_fold_add(struct notify_fold *f, const char *line, int64_t now_us)
{
	size_t n = strlen(line);

	if (f->opened_us == 0) {
		f->opened_us = now_us > 0 ? now_us : 1;
		f->lines = 0;
		f->omitted = 0;
		f->len = 0;
		f->text[0] = '\0';
	}
	/* Room for the line, its newline and the NUL. */
	if (f->len + n + 2 > sizeof(f->text)) {
		f->omitted++;
		return;
	}
	if (f->len)
		f->text[f->len++] = '\n';
	memcpy(f->text + f->len, line, n + 1);
	f->len += n;
	f->lines++;
}

static unsigned cap(const struct notify_fold_params *p)
{
	unsigned c = p->max_per_minute;

	if (c < 1)
		c = 1;
	return c > NOTIFY_FOLD_MAX_PER_MINUTE ? NOTIFY_FOLD_MAX_PER_MINUTE : c;
}

/* The send that leaves the cap's window last: the cap-th most recent. */
static int64_t oldest_counted_send(const struct notify_fold *f, const struct notify_fold_params *p)
{
	unsigned c = cap(p);
	unsigned at = (f->sent_next + NOTIFY_FOLD_MAX_PER_MINUTE - c) % NOTIFY_FOLD_MAX_PER_MINUTE;

	return f->sent_us[at];
}

int64_t notify_fold_due(const struct notify_fold *f, const struct notify_fold_params *p)
{
	int64_t due, oldest;

	if (f->opened_us == 0)
		return 0;
	due = f->opened_us + p->fold_us;
	oldest = oldest_counted_send(f, p);
	if (oldest && oldest + MINUTE_US > due)
		due = oldest + MINUTE_US;
	return due;
}

bool notify_fold_take(struct notify_fold *f, const struct notify_fold_params *p, int64_t now_us, char *message,
		      size_t len, unsigned *lines)
{
	int64_t due = notify_fold_due(f, p);

	if (due == 0 || now_us < due)
		return false;
	if (f->omitted)
		snprintf(message, len, "%s\n(and %u more)", f->text, f->omitted);
	else
		snprintf(message, len, "%s", f->text);
	*lines = f->lines + f->omitted;
	f->sent_us[f->sent_next] = now_us;
	f->sent_next = (f->sent_next + 1) % NOTIFY_FOLD_MAX_PER_MINUTE;
	f->opened_us = 0;
	return true;
}
