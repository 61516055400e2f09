/* Lines out of another program's output (a pipe read in pieces), made safe
 * for the log: control characters become '?', a line longer than
 * WGM_LINE_BUF_MAX - 1 bytes is cut into several. Pure: no I/O. */
#ifndef WGM_COMMON_LINE_BUF_H
#define WGM_COMMON_LINE_BUF_H

#include <stddef.h>

#define WGM_LINE_BUF_MAX 512

/* Zero-initialise. */
struct wgm_line_buf {
	char line[WGM_LINE_BUF_MAX];
	size_t len;
};

/* Receives each non-empty line, without its newline. */
typedef void (*wgm_line_buf_fn)(const char *line, void *ctx);

void wgm_line_buf_feed(struct wgm_line_buf *b, const char *data, size_t len, wgm_line_buf_fn fn, void *ctx);
/* The end of the output: a last line without a newline comes out. */
void wgm_line_buf_finish(struct wgm_line_buf *b, wgm_line_buf_fn fn, void *ctx);

#endif
