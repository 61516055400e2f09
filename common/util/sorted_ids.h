/* Binary search over an array of structs kept sorted by a uint32_t id field
 * (the prober's targets, path quality's link index). Pure; the caller owns
 * the array and keeps it sorted. */
#ifndef WGM_COMMON_SORTED_IDS_H
#define WGM_COMMON_SORTED_IDS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The id of element I of an array of STRIDE-byte elements, read at OFFSET. */
static inline uint32_t wgm_sorted_id_at(const void *base, size_t stride, size_t offset, size_t i)
{
	uint32_t id;

	memcpy(&id, (const char *)base + i * stride + offset, sizeof(id));
	return id;
}

/* Index of the first element whose id is >= ID (AFTER false) or > ID (AFTER
 * true); N when there is none. */
static inline size_t wgm_sorted_ids_search(const void *base, size_t n, size_t stride, size_t offset, uint32_t id,
					   int after)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t v = wgm_sorted_id_at(base, stride, offset, mid);
		if (v < id || (after && v == id))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* ARRAY (an array of structs with a uint32_t member ID_FIELD), N elements. */
#define WGM_SORTED_LOWER_BOUND(array, n, id_field, id) \
	wgm_sorted_ids_search((array), (n), sizeof(*(array)), offsetof(__typeof__(*(array)), id_field), (id), 0)
#define WGM_SORTED_UPPER_BOUND(array, n, id_field, id) \
	wgm_sorted_ids_search((array), (n), sizeof(*(array)), offsetof(__typeof__(*(array)), id_field), (id), 1)

#endif
