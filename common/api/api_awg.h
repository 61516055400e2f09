/* AmneziaWG link parameters on the node API and in link records: their JSON
 * form, strict decoding with a one-line reason naming the field, and where
 * they sit in a /connect reply (key "awg", present exactly for amneziawg
 * links). The parameters are secret in the sense of the issue: they travel
 * only inside sealed boxes and 0600 records, and are never logged.
 *
 * JSON: {"version":2,"jc":4,"jmin":40,"jmax":70,"s1":15,"s2":20,"s3":18,
 * "s4":8,"h1":"100000-100999","h2":...}; an H value is a number when its
 * range is one value, else "LO-HI" (amneziawg-tools' own syntax). The rules
 * (which values AmneziaWG accepts) are wgm_awg_params_check's
 * (common/obfs/awg_params.h). */
#ifndef WGM_COMMON_API_AWG_H
#define WGM_COMMON_API_AWG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/api/api_msg.h"
#include "common/obfs/awg_params.h"
#include "common/obfs/obfs.h"

#define WGM_API_AWG_FIELD "awg"
#define WGM_AWG_VERSION_DEFAULT 2

/* NULL on ENOMEM. */
json_t *wgm_awg_params_to_json(const struct wgm_awg_params *p);
/* Strict: every field present and typed, then wgm_awg_params_check. 0 or
 * -EINVAL with one line in err ("awg.h2: ..."); p zeroed on error. */
int wgm_awg_params_from_json(const json_t *j, struct wgm_awg_params *p, char *err, size_t errlen);

/* Adds "awg" to an encoded /connect reply. 0 or -ENOMEM. */
int wgm_msg_connect_reply_put_awg(json_t *reply, const struct wgm_awg_params *p);
/* Reads "awg" from a /connect reply payload: required for amneziawg links,
 * refused for any other type. *present tells which. 0 or -EINVAL. */
int wgm_msg_connect_reply_get_awg(const json_t *reply, enum wgm_link_type type, struct wgm_awg_params *p, bool *present,
				  char *err, size_t errlen);

/* The parameters an amneziawg link had before they were agreed per link
 * (AmneziaWG's own defaults: byte-identical to WireGuard). Records written
 * then read as these. */
void wgm_awg_params_legacy(struct wgm_awg_params *p);
/* Whether P are those legacy parameters, which are stored as no parameters
 * at all (the checks for agreed ones refuse them). */
bool wgm_awg_params_is_legacy(const struct wgm_awg_params *p);

#endif
