/* Old config layouts to the current one, step by step (the original
 * Python tool's version-less file is step 0). Works on the JSON, before it
 * is parsed. */
#include "common/config/config_table.h"

#include "common/util/err.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The original wrote bird.loglevel into BIRD's config verbatim: "all" or a
 * set of log classes such as "{ info, remote, warning, error, auth, fatal,
 * bug }". We keep one level; the least severe class in the set picks it. */
static int migrate_bird_loglevel(json_t *json, char *err, size_t errlen)
{
	static const struct {
		const char *bird_class, *level;
	} classes[] = {
		{ "all", "debug" },   { "debug", "debug" },     { "trace", "debug" },  { "info", "info" },
		{ "remote", "info" }, { "warning", "warning" }, { "auth", "warning" }, { "error", "err" },
		{ "fatal", "err" },   { "bug", "err" },
	};
	json_t *bird = json_object_get(json, "bird");
	json_t *v = json_object_get(bird, "loglevel");
	const char *level = NULL;

	if (!json_is_string(v) || wgm_config_check_bird_loglevel(json_string_value(v)))
		return 0;
	/* The table runs from least to most severe, so the first hit wins. */
	for (size_t i = 0; i < WGM_ARRAY_LEN(classes) && !level; i++) {
		const char *text = json_string_value(v);
		const char *hit = strstr(text, classes[i].bird_class);
		size_t len = strlen(classes[i].bird_class);
		/* Whole words only: "error" must not match inside another name. */
		while (hit && ((hit > text && isalpha((unsigned char)hit[-1])) || isalpha((unsigned char)hit[len])))
			hit = strstr(hit + 1, classes[i].bird_class);
		if (hit)
			level = classes[i].level;
	}
	if (!level) {
		snprintf(err, errlen, "bird.loglevel: '%s' names no BIRD log class", json_string_value(v));
		return -EINVAL;
	}
	if (json_object_set_new(bird, "loglevel", json_string(level)) < 0) {
		snprintf(err, errlen, "bird.loglevel: out of memory");
		return -ENOMEM;
	}
	return 0;
}

/* Version-less configs come from the original Python tool. It kept the ID as
 * the string given on the command line in early releases, stored false for a
 * missing public address, and `wgmesh geo` added a "geo" object we have no use
 * for. Keys it never wrote simply take our defaults. */
static int migrate_original(json_t *json, char *err, size_t errlen)
{
	static const char *const numeric[] = { "id", "listenPort", "basePort", "operationMode", "vxlanOffset" };
	json_t *conn, *v;
	int ret;

	json_object_del(json, "geo");
	for (size_t i = 0; i < WGM_ARRAY_LEN(numeric); i++) {
		v = json_object_get(json, numeric[i]);
		if (!json_is_string(v))
			continue;
		const char *s = json_string_value(v);
		char *end;
		errno = 0;
		long long n = strtoll(s, &end, 10);
		if (errno || end == s || *end || n < 0) {
			snprintf(err, errlen, "%s: '%s' is not a number", numeric[i], s);
			return -EINVAL;
		}
		if (json_object_set_new(json, numeric[i], json_integer(n)) < 0) {
			snprintf(err, errlen, "%s: out of memory", numeric[i]);
			return -ENOMEM;
		}
	}
	ret = migrate_bird_loglevel(json, err, errlen);
	if (ret < 0)
		return ret;
	conn = json_object_get(json, "connectivity");
	if (json_is_object(conn)) {
		static const char *const families[] = { "ipv4", "ipv6" };
		for (size_t i = 0; i < WGM_ARRAY_LEN(families); i++) {
			v = json_object_get(conn, families[i]);
			if (json_is_false(v) || (json_is_string(v) && json_string_value(v)[0] == '\0'))
				if (json_object_set_new(conn, families[i], json_null()) < 0) {
					snprintf(err, errlen, "connectivity.%s: out of memory", families[i]);
					return -ENOMEM;
				}
		}
	}
	return 0;
}

struct migration_step {
	unsigned from; /* the version this step upgrades; the result is from + 1 */
	int (*apply)(json_t *json, char *err, size_t errlen);
};

static const struct migration_step migration_steps[] = {
	{ 0, migrate_original },
};

int wgm_config_migrate(json_t *json, bool *changed, char *err, size_t errlen)
{
	json_t *jversion;
	json_int_t version = 0;

	if (changed)
		*changed = false;
	if (!json_is_object(json)) {
		snprintf(err, errlen, "config: must be a JSON object");
		return -EINVAL;
	}
	jversion = json_object_get(json, "version");
	if (jversion) {
		if (!json_is_integer(jversion) || json_integer_value(jversion) < 0) {
			snprintf(err, errlen, "version: must be a whole number");
			return -EINVAL;
		}
		version = json_integer_value(jversion);
	}
	if (version > WGM_CONFIG_VERSION) {
		snprintf(err, errlen, "version: %lld is newer than this program understands (%d)", (long long)version,
			 WGM_CONFIG_VERSION);
		return -EINVAL;
	}
	for (size_t i = 0; i < WGM_ARRAY_LEN(migration_steps); i++) {
		const struct migration_step *step = &migration_steps[i];
		if (step->from != (unsigned)version)
			continue;
		int ret = step->apply(json, err, errlen);
		if (ret < 0)
			return ret;
		version = step->from + 1;
		if (json_object_set_new(json, "version", json_integer(version)) < 0) {
			snprintf(err, errlen, "version: out of memory");
			return -ENOMEM;
		}
		if (changed)
			*changed = true;
	}
	if (version != WGM_CONFIG_VERSION) {
		snprintf(err, errlen, "version: no migration from %lld", (long long)version);
		return -EINVAL;
	}
	return 0;
}
