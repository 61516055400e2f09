/* Big-endian integers in byte strings: the fixed-layout records the mesh
 * signs (certificates, revocations, mesh-key hand-overs, admin grants) are
 * the same bytes on every machine. Pure. */
#ifndef WGM_COMMON_BE_H
#define WGM_COMMON_BE_H

#include <stdint.h>

static inline void wgm_put_be32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static inline void wgm_put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static inline uint32_t wgm_get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t wgm_get_be64(const uint8_t *p)
{
	return (uint64_t)wgm_get_be32(p) << 32 | wgm_get_be32(p + 4);
}

#endif
