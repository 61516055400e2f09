/* libFuzzer target for wireguard-go's UAPI replies (common/wg/wg_uapi.c):
 * the first byte picks a get=1 or a set=1 reply, the rest is what the
 * userspace daemon wrote back. Nothing may crash or leak.
 *
 * Built with clang only (CMakeLists.txt); tests/unit/test_fuzz_parsers.c
 * replays the same function on a fixed corpus under gcc. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "common/wg/wg.h"
#include "common/wg/wg_uapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		(void)wgm_wg_uapi_parse_set_reply((const char *)data + 1, size - 1, err, sizeof(err));
		return 0;
	}
	struct wgm_wg_device *dev = calloc(1, sizeof(*dev));
	if (!dev)
		return 0;
	(void)wgm_wg_uapi_parse_get((const char *)data + 1, size - 1, dev, err, sizeof(err));
	wgm_wg_device_free(dev);
	return 0;
}
