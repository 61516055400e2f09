/* AmneziaWG per-link parameters: the validity rules (obfuscation.md §4.1 for
 * version 1, §4.3 for version 2, plus what keeps our classification of a
 * received datagram unambiguous) and a random choice that always passes
 * them. Pure functions. */
#ifndef WGM_COMMON_OBFS_AWG_PARAMS_H
#define WGM_COMMON_OBFS_AWG_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "common/obfs/obfs.h"

/* 0, or -EINVAL with one line in ERR naming the field. */
int wgm_awg_params_check(const struct wgm_awg_params *p, char *err, size_t errlen);

/* Valid random parameters of VERSION (1 or 2): Jc 3..8, Jmin/Jmax within
 * 40..200, S1..S3 15..64, S4 (costs MTU) 1..16 on version 2, H ranges of
 * width about 1e6 (version 2) or single values (version 1) above 4, handshake
 * sizes off the transport sizes. RND NULL = libsodium's randombytes_buf. */
void wgm_awg_params_random(uint8_t version, struct wgm_awg_params *p, wgm_obfs_random_fn rnd);

#endif
