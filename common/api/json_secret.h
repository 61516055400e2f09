/* JSON that held secrets: jansson frees strings without clearing them, so
 * objects that carried keys are scrubbed before release. */
#ifndef WGM_COMMON_JSON_SECRET_H
#define WGM_COMMON_JSON_SECRET_H

#include <jansson.h>

/* Zeroes every string value in JSON (recursively), then drops the reference.
 * NULL is ignored. Use only on values this code owns alone. */
void wgm_json_decref_wiped(json_t *json);

#endif
