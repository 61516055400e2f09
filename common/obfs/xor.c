#include "common/obfs/xor.h"

void wgm_xor_apply(const uint8_t *key, size_t key_len, const uint8_t *in, size_t len, uint8_t *out)
{
	/* Index by a running key position rather than i % key_len: a division
	 * per byte would dominate the cost. */
	size_t k = 0;
	for (size_t i = 0; i < len; i++) {
		out[i] = in[i] ^ key[k];
		if (++k == key_len)
			k = 0;
	}
}
