/* libFuzzer target for control-socket input (common/ctl/ctlproto.c): the
 * first byte says where to split the rest, which arrives in two reads as a
 * client's bytes would; every complete line is parsed and validated as a
 * request. Nothing may crash or leak; a line never exceeds WGM_CTL_LINE_MAX.
 *
 * Built with clang only (CMakeLists.txt); tests/unit/test_fuzz_parsers.c
 * replays the same function on a fixed corpus under gcc. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "common/ctl/ctlproto.h"

static void drain(struct wgm_ctl_line_reader *r)
{
	const char *line, *cmd;
	size_t len;
	char err[256];

	while (wgm_ctl_line_reader_next(r, &line, &len) == 1) {
		json_t *msg = NULL;
		if (len > WGM_CTL_LINE_MAX)
			abort();
		if (wgm_ctl_message_parse(line, len, &msg, err, sizeof(err)) == 0) {
			(void)wgm_ctl_request_validate(msg, &cmd, err, sizeof(err));
			(void)wgm_ctl_reply_check(msg, err, sizeof(err));
			json_decref(msg);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wgm_ctl_line_reader r;
	size_t split;

	if (size < 1)
		return 0;
	split = size > 1 ? data[0] % size : 0;
	wgm_ctl_line_reader_init(&r);
	if (wgm_ctl_line_reader_feed(&r, (const char *)data + 1, split ? split - 1 : 0) == 0) {
		drain(&r);
		if (wgm_ctl_line_reader_feed(&r, (const char *)data + (split ? split : 1),
					     size - (split ? split : 1)) == 0)
			drain(&r);
	}
	wgm_ctl_line_reader_free(&r);
	return 0;
}
