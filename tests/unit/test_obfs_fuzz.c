/* The libFuzzer target tests/fuzz/fuzz_obfs_inbound.c run under gcc on a
 * fixed pseudo-random corpus: random datagrams, and datagrams the other end
 * really sent, then mutated (bit flips, truncation, extension, spliced
 * prefixes). The target aborts on any wrong outcome. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../fuzz/fuzz_obfs_inbound.c"
#include "test_obfs_util.h"

#define CASES 100000

static uint8_t input[2100];

static size_t valid_wire(unsigned link, uint8_t *out, size_t cap)
{
	uint8_t msg[1500];
	size_t len = test_wg_msg(msg, 1 + test_rng_below(4), test_random_data_len(), (int)test_rng_below(2));
	ssize_t n;
	do
		n = wgm_obfs_outbound(fuzz_peer[link], msg, len, out, cap, fuzz_emit, NULL);
	while (n == 0 && (msg[16]++, 1)); /* a dropped wgobfs keepalive: vary it */
	return n > 0 ? (size_t)n : 0;
}

/* Found by fuzz.obfs_inbound: an AWG 1.0 transport datagram of 92+S2 bytes
 * with H2 at offset S2 (see fuzz_awg1_mistaken). */
static void test_awg1_transport_taken_for_a_response(void **state)
{
	static const uint8_t found[] = {
		0x03, 0x04, 0x00, 0x00, 0x00, 0xfb, 0xab, 0xd7, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xcb, 0xcb,
		0xcb, 0xcb, 0xcb, 0xcb, 0xc8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff,
		0xff, 0xff, 0xff, 0x00, 0x01, 0x00, 0xd7, 0x00, 0x00, 0x00, 0xfb, 0xab, 0xd7, 0x02, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0xcb, 0xcb, 0xcb, 0xcb, 0xcb, 0xcb, 0xcb, 0xcb, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07,
		0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x01, 0x00, 0xd7, 0xd7, 0x28, 0x85, 0x04, 0x28,
		0x29, 0x58, 0x2b, 0x28, 0xd7, 0x28, 0x85, 0x04, 0x28, 0x29, 0x58, 0x2b, 0x28, 0x2f, 0xd7, 0x2b, 0xc8,
		0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xc2, 0xd7, 0xd7, 0xa0, 0xd7,
	};

	assert_int_equal(sizeof(found) - 1, WGM_WG_RESPONSE_LEN + 20);
	assert_true(fuzz_awg1_mistaken(3, found + 1, sizeof(found) - 1));
	assert_int_equal(LLVMFuzzerTestOneInput(found, sizeof(found)), 0);
}

static void test_fixed_corpus(void **state)
{
	test_rng_seed(20261205);
	for (unsigned i = 0; i < FUZZ_LINKS; i++) {
		uint8_t b = (uint8_t)i;
		LLVMFuzzerTestOneInput(&b, 1);
	}
	for (int k = 0; k < CASES; k++) {
		unsigned link = test_rng_below(FUZZ_LINKS);
		input[0] = (uint8_t)link;
		size_t len;
		if (k % 3 == 0) {
			len = test_rng_below(1600);
			test_rng_fill(input + 1, len);
		} else {
			len = valid_wire(link, input + 1, sizeof(input) - 1);
			switch (test_rng_below(5)) {
			case 0: /* untouched */
				break;
			case 1: /* a few bit flips */
				for (int f = 1 + (int)test_rng_below(3); f > 0 && len; f--)
					input[1 + test_rng_below((uint32_t)len)] ^= (uint8_t)(1u << test_rng_below(8));
				break;
			case 2: /* truncated */
				len = test_rng_below((uint32_t)len + 1);
				break;
			case 3: { /* extended */
				size_t extra = test_rng_below(64);
				test_rng_fill(input + 1 + len, extra);
				len += extra;
				break;
			}
			default: /* a prefix of random bytes */
				for (size_t j = 0, p = test_rng_below(40); j < p && j < len; j++)
					input[1 + j] = (uint8_t)test_rng_u64();
			}
		}
		assert_int_equal(LLVMFuzzerTestOneInput(input, len + 1), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_awg1_transport_taken_for_a_response),
		cmocka_unit_test(test_fixed_corpus),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
