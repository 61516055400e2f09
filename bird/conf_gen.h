/* Renders the whole BIRD 2 configuration of a node from its model. */
#ifndef WGM_BIRD_CONF_GEN_H
#define WGM_BIRD_CONF_GEN_H

#include <stddef.h>

#include "bird/conf_model.h"

/* Pure: validates the model and renders it. On success returns 0 and sets
 * *out to a NUL-terminated string the caller frees with free(). On a bad
 * model returns -EINVAL and writes one line naming the field to err; on
 * allocation failure returns -ENOMEM. *out is NULL on any error. */
int bird_conf_render(const struct bird_conf_model *model, char **out, char *err, size_t errlen);

#endif
