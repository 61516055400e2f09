/* Reading one field of a JSON object that came from outside (a node's
 * message, a state file): each getter checks that the field is there, its
 * type and its range. One error convention: 0, or -EINVAL with "FIELD: why"
 * in err (err may be NULL). The message never quotes the value: it may be a
 * key. */
#ifndef WGM_COMMON_JSON_GET_H
#define WGM_COMMON_JSON_GET_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "FIELD: WHY" into err; returns -EINVAL. For a caller's own checks of a
 * field, in the same words. */
int wgm_json_field_error(char *err, size_t errlen, const char *field, const char *why);

/* An integer in lo..hi. */
int wgm_json_get_int(const json_t *obj, const char *field, long long lo, long long hi, long long *out, char *err,
		     size_t errlen);
int wgm_json_get_bool(const json_t *obj, const char *field, bool *out, char *err, size_t errlen);
/* A string that fits OUT (outlen with its NUL); empty only with allow_empty. */
int wgm_json_get_string(const json_t *obj, const char *field, char *out, size_t outlen, bool allow_empty, char *err,
			size_t errlen);
/* An address of family AF (AF_INET, AF_INET6) in text, into OUT (a struct
 * in_addr or in6_addr); null counts as missing. */
int wgm_json_get_addr(const json_t *obj, const char *field, int af, void *out, char *err, size_t errlen);
/* LEN bytes in standard base64 (a WireGuard or API key). */
int wgm_json_get_key(const json_t *obj, const char *field, uint8_t *out, size_t len, char *err, size_t errlen);
/* An obfuscation key in either text form (common/api/obfs_key.h). */
int wgm_json_get_obfs_key(const json_t *obj, const char *field, uint8_t out[32], char *err, size_t errlen);

#endif
