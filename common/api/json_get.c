#include "common/api/json_get.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/api/api_b64.h"
#include "common/api/obfs_key.h"
#include "common/util/err.h"

int wgm_json_field_error(char *err, size_t errlen, const char *field, const char *why)
{
	return wgm_err(-EINVAL, err, errlen, "%s: %s", field, why);
}

int wgm_json_get_int(const json_t *obj, const char *field, long long lo, long long hi, long long *out, char *err,
		     size_t errlen)
{
	const json_t *v = json_object_get(obj, field);
	long long x;

	if (!v)
		return wgm_json_field_error(err, errlen, field, "missing");
	if (!json_is_integer(v))
		return wgm_json_field_error(err, errlen, field, "not an integer");
	x = json_integer_value(v);
	if (x < lo || x > hi)
		return wgm_err(-EINVAL, err, errlen, "%s: %lld is out of range (%lld-%lld)", field, x, lo, hi);
	*out = x;
	return 0;
}

int wgm_json_get_bool(const json_t *obj, const char *field, bool *out, char *err, size_t errlen)
{
	const json_t *v = json_object_get(obj, field);

	if (!v)
		return wgm_json_field_error(err, errlen, field, "missing");
	if (!json_is_boolean(v))
		return wgm_json_field_error(err, errlen, field, "not true or false");
	*out = json_is_true(v);
	return 0;
}

int wgm_json_get_string(const json_t *obj, const char *field, char *out, size_t outlen, bool allow_empty, char *err,
			size_t errlen)
{
	const json_t *v = json_object_get(obj, field);
	size_t len;

	if (!v)
		return wgm_json_field_error(err, errlen, field, "missing");
	if (!json_is_string(v))
		return wgm_json_field_error(err, errlen, field, "not a string");
	len = strlen(json_string_value(v));
	if (len >= outlen)
		return wgm_json_field_error(err, errlen, field, "too long");
	if (!allow_empty && len == 0)
		return wgm_json_field_error(err, errlen, field, "empty");
	memcpy(out, json_string_value(v), len + 1);
	return 0;
}

int wgm_json_get_addr(const json_t *obj, const char *field, int af, void *out, char *err, size_t errlen)
{
	const json_t *v = json_object_get(obj, field);

	if (!v || json_is_null(v))
		return wgm_json_field_error(err, errlen, field, "missing");
	if (!json_is_string(v) || inet_pton(af, json_string_value(v), out) != 1)
		return wgm_json_field_error(err, errlen, field,
					    af == AF_INET ? "not an IPv4 address" : "not an IPv6 address");
	return 0;
}

int wgm_json_get_key(const json_t *obj, const char *field, uint8_t *out, size_t len, char *err, size_t errlen)
{
	const json_t *v = json_object_get(obj, field);

	if (!v)
		return wgm_json_field_error(err, errlen, field, "missing");
	if (!json_is_string(v) || wgm_b64_decode_exact(json_string_value(v), out, len))
		return wgm_json_field_error(err, errlen, field,
					    len == 32 ? "not a base64 32-byte key" : "not base64 of the right length");
	return 0;
}

int wgm_json_get_obfs_key(const json_t *obj, const char *field, uint8_t out[32], char *err, size_t errlen)
{
	const json_t *v = json_object_get(obj, field);

	if (!v)
		return wgm_json_field_error(err, errlen, field, "missing");
	if (!json_is_string(v) || wgm_obfs_key_from_text(json_string_value(v), out))
		return wgm_json_field_error(err, errlen, field,
					    "not 32 base64url characters (or a base64 32-byte key)");
	return 0;
}
