#include "common/obfs/awg.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/obfs/awg_params.h"

/* Placeholder until awg.c lands: the type is refused by wgm_obfs_new. */
int wgm_awg_init(struct wgm_awg *a, const struct wgm_awg_params *p, const uint8_t local_public[32],
		 const uint8_t remote_public[32], wgm_obfs_random_fn rnd)
{
	memset(a, 0, sizeof(*a));
	return -EOPNOTSUPP;
}
void wgm_awg_clear(struct wgm_awg *a)
{
}
ssize_t wgm_awg_outbound(struct wgm_awg *a, const uint8_t *in, size_t len, uint8_t *out, size_t cap,
			 wgm_obfs_emit_fn emit, void *emit_ctx)
{
	return -EOPNOTSUPP;
}
ssize_t wgm_awg_inbound(struct wgm_awg *a, const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	return 0;
}
int wgm_awg_params_check(const struct wgm_awg_params *p, char *err, size_t errlen)
{
	snprintf(err, errlen, "amneziawg: not implemented yet");
	return -EOPNOTSUPP;
}
void wgm_awg_params_random(uint8_t version, struct wgm_awg_params *p, wgm_obfs_random_fn rnd)
{
	memset(p, 0, sizeof(*p));
}
