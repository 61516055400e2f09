#include "common/util/line_buf.h"

void wgm_line_buf_finish(struct wgm_line_buf *b, wgm_line_buf_fn fn, void *ctx)
{
	for (size_t i = 0; i < b->len; i++)
		if ((unsigned char)b->line[i] < 0x20 || b->line[i] == 0x7f)
			b->line[i] = '?';
	b->line[b->len] = '\0';
	if (b->len)
		fn(b->line, ctx);
	b->len = 0;
}

void wgm_line_buf_feed(struct wgm_line_buf *b, const char *data, size_t len, wgm_line_buf_fn fn, void *ctx)
{
	for (size_t i = 0; i < len; i++) {
		if (data[i] == '\n' || b->len == sizeof(b->line) - 1)
			wgm_line_buf_finish(b, fn, ctx);
		if (data[i] != '\n')
			b->line[b->len++] = data[i];
	}
}
