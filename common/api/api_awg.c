#include "common/api/api_awg.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/api/json_get.h"

static const char *const h_names[4] = { "h1", "h2", "h3", "h4" };

static json_t *range_to_json(const struct wgm_awg_range *r)
{
	char text[32];

	if (r->lo == r->hi)
		return json_integer((json_int_t)r->lo);
	snprintf(text, sizeof(text), "%" PRIu32 "-%" PRIu32, r->lo, r->hi);
	return json_string(text);
}

json_t *wgm_awg_params_to_json(const struct wgm_awg_params *p)
{
	json_t *j = json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i}", "version", (int)p->version, "jc", (int)p->jc,
			      "jmin", (int)p->jmin, "jmax", (int)p->jmax, "s1", (int)p->s1, "s2", (int)p->s2, "s3",
			      (int)p->s3, "s4", (int)p->s4);

	if (!j)
		return NULL;
	for (int i = 0; i < 4; i++) {
		if (json_object_set_new(j, h_names[i], range_to_json(&p->h[i]))) {
			json_decref(j);
			return NULL;
		}
	}
	return j;
}

static int fail(char *err, size_t errlen, const char *field, const char *why)
{
	if (err && errlen)
		snprintf(err, errlen, "awg.%s: %s", field, why);
	return -EINVAL;
}

/* The shared getter's words, under the "awg." prefix the other checks use. */
static int get_u16(const json_t *j, const char *field, unsigned max, uint16_t *out, char *err, size_t errlen)
{
	char why[160];
	long long v;

	if (wgm_json_get_int(j, field, 0, max, &v, why, sizeof(why))) {
		if (err && errlen)
			snprintf(err, errlen, "awg.%s", why);
		return -EINVAL;
	}
	*out = (uint16_t)v;
	return 0;
}

static int parse_u32(const char *s, char **end, uint32_t *out)
{
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, end, 10);
	if (errno || v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static int get_range(const json_t *j, const char *field, struct wgm_awg_range *r, char *err, size_t errlen)
{
	const json_t *v = json_object_get(j, field);
	const char *why = "not a 32-bit number or a range \"LO-HI\" with LO <= HI";
	char *end;

	if (!v)
		return fail(err, errlen, field, "missing");
	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0 || json_integer_value(v) > (json_int_t)UINT32_MAX)
			return fail(err, errlen, field, why);
		r->lo = r->hi = (uint32_t)json_integer_value(v);
		return 0;
	}
	if (!json_is_string(v))
		return fail(err, errlen, field, why);
	if (parse_u32(json_string_value(v), &end, &r->lo) < 0)
		return fail(err, errlen, field, why);
	if (*end == '\0') {
		r->hi = r->lo;
		return 0;
	}
	if (*end != '-' || parse_u32(end + 1, &end, &r->hi) < 0 || *end || r->hi < r->lo)
		return fail(err, errlen, field, why);
	return 0;
}

int wgm_awg_params_from_json(const json_t *j, struct wgm_awg_params *p, char *err, size_t errlen)
{
	uint16_t version;
	char why[200];

	memset(p, 0, sizeof(*p));
	if (!json_is_object(j)) {
		if (err && errlen)
			snprintf(err, errlen, "awg: not a JSON object");
		return -EINVAL;
	}
	if (get_u16(j, "version", 255, &version, err, errlen) || get_u16(j, "jc", 65535, &p->jc, err, errlen) ||
	    get_u16(j, "jmin", 65535, &p->jmin, err, errlen) || get_u16(j, "jmax", 65535, &p->jmax, err, errlen) ||
	    get_u16(j, "s1", 65535, &p->s1, err, errlen) || get_u16(j, "s2", 65535, &p->s2, err, errlen) ||
	    get_u16(j, "s3", 65535, &p->s3, err, errlen) || get_u16(j, "s4", 65535, &p->s4, err, errlen))
		goto bad;
	p->version = (uint8_t)version;
	for (int i = 0; i < 4; i++)
		if (get_range(j, h_names[i], &p->h[i], err, errlen))
			goto bad;
	if (wgm_awg_params_check(p, why, sizeof(why)) < 0) {
		if (err && errlen)
			snprintf(err, errlen, "awg: %s", why);
		goto bad;
	}
	return 0;
bad:
	memset(p, 0, sizeof(*p));
	return -EINVAL;
}

int wgm_msg_connect_reply_put_awg(json_t *reply, const struct wgm_awg_params *p)
{
	json_t *awg = wgm_awg_params_to_json(p);

	if (!awg || json_object_set_new(reply, WGM_API_AWG_FIELD, awg))
		return -ENOMEM;
	return 0;
}

int wgm_msg_connect_reply_get_awg(const json_t *reply, enum wgm_link_type type, struct wgm_awg_params *p, bool *present,
				  char *err, size_t errlen)
{
	const json_t *awg = json_object_get(reply, WGM_API_AWG_FIELD);

	memset(p, 0, sizeof(*p));
	*present = false;
	if (type != WGM_LINK_AMNEZIAWG) {
		if (awg) {
			if (err && errlen)
				snprintf(err, errlen, "awg: given for a %s link", wgm_link_type_name(type));
			return -EINVAL;
		}
		return 0;
	}
	if (!awg) {
		if (err && errlen)
			snprintf(err, errlen, "awg: missing for an amneziawg link");
		return -EINVAL;
	}
	if (wgm_awg_params_from_json(awg, p, err, errlen) < 0)
		return -EINVAL;
	*present = true;
	return 0;
}

void wgm_awg_params_legacy(struct wgm_awg_params *p)
{
	memset(p, 0, sizeof(*p));
	p->version = 1;
	for (uint32_t i = 0; i < 4; i++)
		p->h[i].lo = p->h[i].hi = i + 1;
}

bool wgm_awg_params_is_legacy(const struct wgm_awg_params *p)
{
	if (p->version != 1 || p->jc || p->jmin || p->jmax || p->s1 || p->s2 || p->s3 || p->s4)
		return false;
	for (uint32_t i = 0; i < 4; i++)
		if (p->h[i].lo != i + 1 || p->h[i].hi != i + 1)
			return false;
	return true;
}
