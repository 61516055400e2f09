#include "common/obfs/xor.h"

#include <string.h>

void wgm_xor_prepare(struct wgm_xor_key *k, const uint8_t *key, size_t key_len)
{
	/* A chunk that holds whole periods keeps the key phase at its end. */
	k->period = (WGM_XOR_STREAM / key_len) * key_len;
	for (size_t i = 0; i < WGM_XOR_STREAM; i++)
		k->stream[i] = key[i % key_len];
}

void wgm_xor_apply(const struct wgm_xor_key *k, const uint8_t *in, size_t len, uint8_t *out)
{
	size_t done = 0;
	while (done < len) {
		size_t n = len - done < k->period ? len - done : k->period;
		size_t i = 0;
		for (; i + 8 <= n; i += 8) {
			uint64_t a, b;
			memcpy(&a, in + done + i, 8);
			memcpy(&b, k->stream + i, 8);
			a ^= b;
			memcpy(out + done + i, &a, 8);
		}
		for (; i < n; i++)
			out[done + i] = in[done + i] ^ k->stream[i];
		done += n;
	}
}
