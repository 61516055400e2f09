#include "daemon/mesh/proximity_state.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/config/statefile.h"

void proximity_state_init(struct proximity_state *s)
{
	memset(s, 0, sizeof(*s));
	s->cutoff_ms = -1;
}

bool proximity_state_active(const struct proximity_state *s)
{
	return s->cutoff_ms >= 0;
}

size_t proximity_state_count_cut(const struct proximity_state *s)
{
	size_t n = 0;

	for (unsigned id = 0; id < MESH_NODES_MAX; id++)
		n += s->cut[id];
	return n;
}

json_t *proximity_state_cut_json(const struct proximity_state *s)
{
	json_t *arr = json_array();

	for (unsigned id = 0; arr && id < MESH_NODES_MAX; id++)
		if (s->cut[id] && json_array_append_new(arr, json_integer(id)) < 0) {
			json_decref(arr);
			return NULL;
		}
	return arr;
}

json_t *proximity_state_to_json(const struct proximity_state *s)
{
	json_t *cut = proximity_state_cut_json(s);

	if (!cut)
		return NULL;
	return json_pack("{s:i,s:o,s:o}", "version", PROXIMITY_STATE_VERSION, "cutoff_ms",
			 proximity_state_active(s) ? json_real(s->cutoff_ms) : json_null(), "cut", cut);
}

/* Refuses the file with one line saying what is wrong. */
__attribute__((format(printf, 3, 4))) static int refuse(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int proximity_state_from_json(const json_t *json, unsigned self_id, struct proximity_state *out, char *err,
			      size_t errlen)
{
	const json_t *version = json_object_get(json, "version"), *cutoff = json_object_get(json, "cutoff_ms");
	const json_t *cut = json_object_get(json, "cut"), *v;
	struct proximity_state s;
	const char *key;
	size_t i;

	proximity_state_init(&s);
	if (!json_is_object(json))
		return refuse(err, errlen, "not a JSON object");
	json_object_foreach ((json_t *)json, key, v)
		if (strcmp(key, "version") != 0 && strcmp(key, "cutoff_ms") != 0 && strcmp(key, "cut") != 0)
			return refuse(err, errlen, "unknown field \"%.64s\"", key);
	if (!json_is_integer(version) || json_integer_value(version) != PROXIMITY_STATE_VERSION)
		return refuse(err, errlen, "version: want %d", PROXIMITY_STATE_VERSION);
	if (!cutoff || (!json_is_null(cutoff) && (!json_is_number(cutoff) || !(json_number_value(cutoff) >= 0) ||
						  json_number_value(cutoff) > PROXIMITY_CUTOFF_MAX_MS)))
		return refuse(err, errlen, "cutoff_ms: want null or milliseconds, 0-%d", PROXIMITY_CUTOFF_MAX_MS);
	if (!json_is_array(cut))
		return refuse(err, errlen, "cut: want a list of node IDs");
	json_array_foreach (cut, i, v) {
		json_int_t id = json_is_integer(v) ? json_integer_value(v) : -1;
		if (id < 0 || id >= MESH_NODES_MAX || (unsigned)id == self_id)
			return refuse(err, errlen, "cut: entry %zu is not another node's ID", i);
		if (s.cut[id])
			return refuse(err, errlen, "cut: node %lld twice", (long long)id);
		s.cut[id] = true;
	}
	/* Cut nodes without a cutoff: nothing would say why they stay cut. */
	if (json_is_null(cutoff) && json_array_size(cut) > 0)
		return refuse(err, errlen, "cut: %zu nodes, yet cutoff_ms is null", json_array_size(cut));
	s.cutoff_ms = json_is_null(cutoff) ? -1 : json_number_value(cutoff);
	*out = s;
	return 0;
}

int proximity_state_path(const char *state_dir, char *path, size_t len)
{
	int w = snprintf(path, len, "%s/%s", state_dir, PROXIMITY_STATE_FILE);

	return w < 0 || (size_t)w >= len ? -ENAMETOOLONG : 0;
}

int proximity_state_load(const char *state_dir, unsigned self_id, struct proximity_state *out, char *err, size_t errlen)
{
	char path[4096], why[256];
	json_t *json = NULL;
	int rc;

	proximity_state_init(out);
	if ((rc = proximity_state_path(state_dir, path, sizeof(path))) < 0) {
		snprintf(err, errlen, "%s/%s: path too long", state_dir, PROXIMITY_STATE_FILE);
		return rc;
	}
	if ((rc = wgm_statefile_read_json(path, &json, err, errlen)) < 0)
		return rc;
	rc = proximity_state_from_json(json, self_id, out, why, sizeof(why));
	if (rc < 0)
		snprintf(err, errlen, "%s: %s", path, why);
	json_decref(json);
	return rc;
}
