/* Validating JSON field readers shared by the model and the link history
 * parser. Each returns 0 or -EINVAL with "WHERE.FIELD: reason" in err. An
 * absent or null optional field leaves the default (strings "", numbers NaN
 * for jnum, untouched for jint, false for jbool). */
#ifndef WGM_TUI_MODEL_PARSE_H
#define WGM_TUI_MODEL_PARSE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tui/console/model.h"

int model_json_err(char *err, size_t errlen, const char *where, const char *field, const char *why);
int model_json_str(const json_t *obj, const char *where, const char *key, bool required, char *out, size_t outlen,
		   char *err, size_t errlen);
int model_json_int(const json_t *obj, const char *where, const char *key, bool required, int64_t min, int64_t max,
		   int64_t *out, char *err, size_t errlen);
int model_json_num(const json_t *obj, const char *where, const char *key, double min, double max, double *out,
		   char *err, size_t errlen);
/* A text shown to the operator (a log line, a detail): longer than out is
 * cut with "..." at a character boundary, control characters become
 * blanks, instead of refusing the whole event. */
int model_json_text(const json_t *obj, const char *where, const char *key, bool required, char *out, size_t outlen,
		    char *err, size_t errlen);
/* An array of node IDs (0-65535); keeps the first max, *n counts all. */
int model_json_ids(const json_t *obj, const char *where, const char *key, int64_t *out, size_t max, size_t *n,
		   char *err, size_t errlen);
int jbool(const json_t *obj, const char *where, const char *key, bool *out, char *err, size_t errlen);
int jsamples(const json_t *obj, const char *where, const char *key, double *out, size_t max, size_t *n, char *err,
	     size_t errlen);

int model_link_parse_at(const json_t *obj, const char *where, struct model_link *out, char *err, size_t errlen);
int model_link_state_parse(const json_t *obj, const char *where, enum wgm_ctl_link_state *out, char *err,
			   size_t errlen);
int model_links_parse(const json_t *obj, const char *what, struct model_link **out, size_t *n, char *err,
		      size_t errlen);
int model_node_parse(const json_t *obj, const char *where, struct model_node *nd, char *err, size_t errlen);
int model_status_parse(const json_t *obj, const char *where, struct model_status *st, char *err, size_t errlen);

#endif
