#include "daemon/links/link_store.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "common/api/json_secret.h"
#include "common/config/statefile.h"

static int record_path(const char *state_dir, const char *name, char *path, size_t len)
{
	int n = snprintf(path, len, "%s/links/%s.json", state_dir, name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int link_store_save(const char *state_dir, const struct link_record *rec, char *err, size_t errlen)
{
	char path[512];
	json_t *json;
	int rc;

	if (record_path(state_dir, rec->name, path, sizeof(path))) {
		snprintf(err, errlen, "%s: state directory path too long", state_dir);
		return -ENAMETOOLONG;
	}
	json = link_record_to_json(rec);
	if (!json) {
		snprintf(err, errlen, "link %s: out of memory", rec->name);
		return -ENOMEM;
	}
	rc = wgm_statefile_write_json(path, json, WGM_STATEFILE_MODE_SECRET, err, errlen);
	wgm_json_decref_wiped(json);
	return rc;
}

int link_store_remove(const char *state_dir, const char *name, char *err, size_t errlen)
{
	char path[512];

	if (record_path(state_dir, name, path, sizeof(path))) {
		snprintf(err, errlen, "%s: state directory path too long", state_dir);
		return -ENAMETOOLONG;
	}
	if (unlink(path) != 0 && errno != ENOENT) {
		int rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	return 0;
}

static bool is_record_file(const char *name)
{
	size_t len = strlen(name);

	return len > 5 && len - 5 <= LINK_NAME_MAX && strcmp(name + len - 5, ".json") == 0 && name[0] != '.';
}

int link_store_load_all(const char *state_dir, struct link_record **out, size_t *count, link_store_bad_fn bad,
			void *ctx, char *err, size_t errlen)
{
	char dir_path[512], path[768], why[256];
	struct link_record *records = NULL;
	size_t n = 0, cap = 0;
	struct dirent *ent;
	DIR *dir;

	*out = NULL;
	*count = 0;
	if ((size_t)snprintf(dir_path, sizeof(dir_path), "%s/links", state_dir) >= sizeof(dir_path)) {
		snprintf(err, errlen, "%s: state directory path too long", state_dir);
		return -ENAMETOOLONG;
	}
	dir = opendir(dir_path);
	if (!dir) {
		if (errno == ENOENT)
			return 0;
		int rc = -errno;
		snprintf(err, errlen, "%s: %s", dir_path, strerror(errno));
		return rc;
	}
	while ((ent = readdir(dir))) {
		json_t *json = NULL;
		struct link_record rec;
		size_t stem;

		if (!is_record_file(ent->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir_path, ent->d_name);
		if (wgm_statefile_read_json(path, &json, why, sizeof(why)) != 0) {
			if (bad)
				bad(path, why, ctx);
			continue;
		}
		int rc = link_record_from_json(json, &rec, why, sizeof(why));
		wgm_json_decref_wiped(json);
		if (rc != 0) {
			if (bad)
				bad(path, why, ctx);
			continue;
		}
		stem = strlen(ent->d_name) - 5;
		if (strlen(rec.name) != stem || strncmp(rec.name, ent->d_name, stem) != 0) {
			if (bad)
				bad(path, "the record's name does not match its file name", ctx);
			link_record_wipe(&rec);
			continue;
		}
		if (n == cap) {
			size_t new_cap = cap ? cap * 2 : 16;
			struct link_record *grown = calloc(new_cap, sizeof(*grown));
			if (!grown) {
				link_record_wipe(&rec);
				closedir(dir);
				link_store_free_all(records, n);
				snprintf(err, errlen, "%s: out of memory", dir_path);
				return -ENOMEM;
			}
			if (n)
				memcpy(grown, records, n * sizeof(*records));
			link_store_free_all(records, n);
			records = grown;
			cap = new_cap;
		}
		records[n++] = rec;
		link_record_wipe(&rec);
	}
	closedir(dir);
	*out = records;
	*count = n;
	return 0;
}

void link_store_free_all(struct link_record *records, size_t count)
{
	if (!records)
		return;
	sodium_memzero(records, count * sizeof(*records));
	free(records);
}
