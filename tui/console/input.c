#include "tui/console/input.h"

#include <string.h>

static const char paste_start[] = "\033[200~";
static const char paste_end[] = "\033[201~";
#define MARK_LEN 6

/* Whether keys[i..] spell MARK. */
static bool at_mark(const int *keys, size_t n, size_t i, const char *mark)
{
	if (n - i < MARK_LEN)
		return false;
	for (size_t k = 0; k < MARK_LEN; k++) {
		if (keys[i + k] != (unsigned char)mark[k])
			return false;
	}
	return true;
}

size_t input_filter_run(struct input_filter *f, const int *keys, size_t n, bool prompt_open, int64_t now_ms,
			struct input_item *out, size_t *dropped)
{
	size_t nout = 0, typed = 0;
	/* Markers and pasted text first; what is left was typed (or pasted by
	 * a terminal without bracketed paste). */
	for (size_t i = 0; i < n; i++) {
		if (at_mark(keys, n, i, paste_start)) {
			f->in_paste = true;
			i += MARK_LEN - 1;
			continue;
		}
		if (at_mark(keys, n, i, paste_end)) {
			f->in_paste = false;
			i += MARK_LEN - 1;
			continue;
		}
		out[nout++] = (struct input_item){ .key = keys[i], .pasted = f->in_paste };
		typed += !f->in_paste;
	}
	bool burst = !prompt_open && typed >= INPUT_BURST_KEYS;
	if (!burst && !prompt_open && typed && now_ms < f->quiet_until_ms)
		burst = true;
	if (!burst)
		return nout;
	f->quiet_until_ms = now_ms + INPUT_BURST_QUIET_MS;
	size_t kept = 0;
	for (size_t i = 0; i < nout; i++) {
		if (out[i].pasted)
			out[kept++] = out[i];
		else
			(*dropped)++;
	}
	return kept;
}
