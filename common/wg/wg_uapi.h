/* The text protocol of wireguard-go's UAPI socket, as pure functions:
 * "set=1" requests built from a struct wgm_wg_device, "get=1" replies parsed
 * into one. Keys are hex on this protocol. */
#ifndef WGM_COMMON_WG_UAPI_H
#define WGM_COMMON_WG_UAPI_H

#include <stddef.h>

#include "common/wg/wg.h"

/* The whole request, "set=1\n...\n\n", with replace_peers and
 * replace_allowed_ips. *OUT holds secrets: free it with wgm_wg_uapi_text_free.
 * 0, -EINVAL (bad device) or -ENOMEM. */
int wgm_wg_uapi_format_set(const struct wgm_wg_device *dev, char **out, size_t *len);
void wgm_wg_uapi_text_free(char *text, size_t len);

/* A get=1 reply (without or with its final blank line) into DEV, which the
 * caller zeroed. Unknown keys are skipped (forks such as amneziawg-go add
 * their own). Returns 0, -N for "errno=N" with N != 0, or -EPROTO when the
 * reply is malformed; ERR names the offending line. */
int wgm_wg_uapi_parse_get(const char *text, size_t len, struct wgm_wg_device *dev, char *err, size_t errlen);

/* A set=1 reply: "errno=N". 0, -N, or -EPROTO. */
int wgm_wg_uapi_parse_set_reply(const char *text, size_t len, char *err, size_t errlen);

#endif
