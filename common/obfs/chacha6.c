#include "common/obfs/chacha6.h"

#include <sodium.h>

#include "common/obfs/wg_msg.h"

#define ROTL32(v, n) (((v) << (n)) | ((v) >> (32 - (n))))
#define QR(a, b, c, d)             \
	do {                       \
		a += b;            \
		d ^= a;            \
		d = ROTL32(d, 16); \
		c += d;            \
		b ^= c;            \
		b = ROTL32(b, 12); \
		a += b;            \
		d ^= a;            \
		d = ROTL32(d, 8);  \
		c += d;            \
		b ^= c;            \
		b = ROTL32(b, 7);  \
	} while (0)

void wgm_chacha6_hash(const uint8_t in[16], const uint32_t key[8], uint8_t *out, unsigned nwords)
{
	uint32_t s[16], x[16];
	/* "expand 32-byte k" */
	s[0] = 0x61707865;
	s[1] = 0x3320646e;
	s[2] = 0x79622d32;
	s[3] = 0x6b206574;
	for (int i = 0; i < 8; i++)
		s[4 + i] = key[i];
	for (int i = 0; i < 4; i++)
		s[12 + i] = wg_get_le32(in + 4 * i);
	for (int i = 0; i < 16; i++)
		x[i] = s[i];
	for (int r = 0; r < 3; r++) { /* three double rounds = 6 rounds */
		QR(x[0], x[4], x[8], x[12]);
		QR(x[1], x[5], x[9], x[13]);
		QR(x[2], x[6], x[10], x[14]);
		QR(x[3], x[7], x[11], x[15]);
		QR(x[0], x[5], x[10], x[15]);
		QR(x[1], x[6], x[11], x[12]);
		QR(x[2], x[7], x[8], x[13]);
		QR(x[3], x[4], x[9], x[14]);
	}
	if (nwords > 8)
		nwords = 8;
	for (unsigned i = 0; i < nwords; i++)
		wg_put_le32(out + 4 * i, x[i] + s[i]);
	sodium_memzero(x, sizeof(x));
	sodium_memzero(s, sizeof(s));
}
