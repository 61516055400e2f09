#include "common/api/json_secret.h"

#include <sodium.h>
#include <string.h>

static void wipe_strings(json_t *json)
{
	const char *key;
	json_t *value;
	size_t index;

	if (json_is_string(json)) {
		/* jansson owns the buffer; its length stays valid while we hold the value. */
		sodium_memzero((char *)json_string_value(json), json_string_length(json));
	} else if (json_is_object(json)) {
		json_object_foreach (json, key, value)
			wipe_strings(value);
	} else if (json_is_array(json)) {
		json_array_foreach (json, index, value)
			wipe_strings(value);
	}
}

void wgm_json_decref_wiped(json_t *json)
{
	if (!json)
		return;
	if (json->refcount == 1)
		wipe_strings(json);
	json_decref(json);
}
