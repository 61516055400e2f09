/* stateDir/replay.json (replay_store.h). */
#include "daemon/api/replay_store.h"

#include <errno.h>
#include <stdio.h>

#include "common/config/statefile.h"

static int path_of(const char *state_dir, char *path, size_t len, char *err, size_t errlen)
{
	int n = snprintf(path, len, "%s/%s", state_dir, REPLAY_STORE_FILE);

	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "replay cache: state directory path too long");
		return -ENAMETOOLONG;
	}
	return 0;
}

int replay_store_load(const char *state_dir, struct wgm_replay_cache *cache, char *err, size_t errlen)
{
	char path[4096];
	json_t *json = NULL;
	int rc = path_of(state_dir, path, sizeof(path), err, errlen);

	if (rc)
		return rc;
	rc = wgm_statefile_read_json(path, &json, err, errlen);
	if (rc == -ENOENT)
		return 0;
	if (rc)
		return rc;
	rc = wgm_replay_cache_from_json(cache, json, err, errlen);
	json_decref(json);
	return rc;
}

int replay_store_save(const char *state_dir, const struct wgm_replay_cache *cache, char *err, size_t errlen)
{
	char path[4096];
	json_t *json;
	int rc = path_of(state_dir, path, sizeof(path), err, errlen);

	if (rc)
		return rc;
	json = wgm_replay_cache_to_json(cache);
	if (!json) {
		snprintf(err, errlen, "replay cache: out of memory");
		return -ENOMEM;
	}
	/* Unsynced: a restart of the daemon keeps the page cache, and after a
	 * power loss and reboot every captured request is older than the
	 * timestamp window (60 s) unless the machine is back within it. */
	rc = wgm_statefile_write_json_unsynced(path, json, WGM_STATEFILE_MODE_SECRET, err, errlen);
	json_decref(json);
	return rc;
}
