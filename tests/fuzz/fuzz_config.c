/* libFuzzer target for the config file (common/config/config_parse.c, config_migrate.c): the input
 * is a config.json as found on disk, migrated from older versions, read and
 * validated. Anything accepted must serialise again. Nothing may crash.
 *
 * Built with clang only (CMakeLists.txt); tests/unit/test_fuzz_parsers.c
 * replays the same function on a fixed corpus under gcc. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "common/config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wgm_config *cfg;
	char err[512];
	bool changed;
	json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);

	if (!j)
		return 0;
	cfg = malloc(sizeof(*cfg));
	if (cfg && wgm_config_migrate(j, &changed, err, sizeof(err)) == 0 &&
	    wgm_config_from_json(j, cfg, err, sizeof(err)) == 0) {
		json_t *back = wgm_config_to_json(cfg);
		if (!back)
			abort();
		(void)wgm_config_validate(cfg, err, sizeof(err));
		json_decref(back);
	}
	free(cfg);
	json_decref(j);
	return 0;
}
