/* daemon/obfs/obfs_packet: parsing queued IPv4/IPv6 UDP packets and writing
 * their headers back for a payload of another length, with checksums checked
 * against a plain RFC 1071 reference written the slow, obvious way. */
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "daemon/obfs/obfs_packet.h"

/* Sum of big-endian 16-bit words, folded, complemented. */
static uint16_t ref_sum(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	uint32_t acc = 0;
	uint8_t *all = malloc(alen + blen + 1);

	memcpy(all, a, alen);
	memcpy(all + alen, b, blen);
	all[alen + blen] = 0;
	for (size_t i = 0; i < alen + blen; i += 2)
		acc += (uint32_t)(all[i] << 8 | all[i + 1]);
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	free(all);
	return (uint16_t)~acc;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The UDP checksum of a whole packet, recomputed from scratch. */
static uint16_t ref_udp(const uint8_t *pkt, int family)
{
	uint8_t pseudo[40], udp[65536];
	size_t plen, ulen, hdr = family == AF_INET ? 20 : 40;
	uint16_t sum;

	ulen = get16(pkt + hdr + 4);
	if (family == AF_INET) {
		memcpy(pseudo, pkt + 12, 8);
		pseudo[8] = 0;
		pseudo[9] = 17;
		pseudo[10] = (uint8_t)(ulen >> 8);
		pseudo[11] = (uint8_t)ulen;
		plen = 12;
	} else {
		memcpy(pseudo, pkt + 8, 32);
		pseudo[32] = pseudo[33] = 0;
		pseudo[34] = (uint8_t)(ulen >> 8);
		pseudo[35] = (uint8_t)ulen;
		pseudo[36] = pseudo[37] = pseudo[38] = 0;
		pseudo[39] = 17;
		plen = 40;
	}
	memcpy(udp, pkt + hdr, ulen);
	udp[6] = udp[7] = 0;
	sum = ref_sum(pseudo, plen, udp, ulen);
	return sum == 0 ? 0xffff : sum;
}

static size_t make_v4(uint8_t *pkt, size_t payload)
{
	size_t total = 28 + payload;
	memset(pkt, 0, 28);
	pkt[0] = 0x45;
	pkt[1] = 0xb8; /* DSCP EF */
	pkt[2] = (uint8_t)(total >> 8);
	pkt[3] = (uint8_t)total;
	pkt[6] = 0x40; /* DF */
	pkt[8] = 64;
	pkt[9] = 17;
	memcpy(pkt + 12, (uint8_t[]){ 192, 0, 2, 10, 192, 0, 2, 12 }, 8);
	pkt[20] = 0xca;
	pkt[21] = 0x6c; /* 51820 */
	pkt[22] = 0xca;
	pkt[23] = 0x6d;
	pkt[24] = (uint8_t)((payload + 8) >> 8);
	pkt[25] = (uint8_t)(payload + 8);
	for (size_t i = 0; i < payload; i++)
		pkt[28 + i] = (uint8_t)(i * 7 + 3);
	return total;
}

static size_t make_v6(uint8_t *pkt, size_t payload)
{
	memset(pkt, 0, 48);
	pkt[0] = 0x6b; /* traffic class and flow label set */
	pkt[1] = 0x81;
	pkt[2] = 0x23;
	pkt[3] = 0x45;
	pkt[4] = (uint8_t)((payload + 8) >> 8);
	pkt[5] = (uint8_t)(payload + 8);
	pkt[6] = 17;
	pkt[7] = 64;
	pkt[8] = 0x20;
	pkt[9] = 0x01;
	pkt[23] = 0x10;
	pkt[24] = 0x20;
	pkt[25] = 0x01;
	pkt[39] = 0x12;
	pkt[40] = 0xca;
	pkt[41] = 0x6c;
	pkt[42] = 0xca;
	pkt[43] = 0x6d;
	pkt[44] = (uint8_t)((payload + 8) >> 8);
	pkt[45] = (uint8_t)(payload + 8);
	for (size_t i = 0; i < payload; i++)
		pkt[48 + i] = (uint8_t)(i * 13 + 1);
	return 48 + payload;
}

static void test_parse(void **state)
{
	static uint8_t pkt[2000];
	struct obfs_pkt p;
	size_t len = make_v4(pkt, 148);

	assert_int_equal(obfs_pkt_parse(pkt, len, &p), 0);
	assert_int_equal(p.family, AF_INET);
	assert_int_equal(p.hdr_len, 28);
	assert_int_equal(p.payload_len, 148);
	assert_int_equal(p.sport, 51820);
	assert_int_equal(p.dport, 51821);
	len = make_v6(pkt, 92);
	assert_int_equal(obfs_pkt_parse(pkt, len, &p), 0);
	assert_int_equal(p.family, AF_INET6);
	assert_int_equal(p.hdr_len, 48);
	assert_int_equal(p.payload_len, 92);
}

static void test_parse_refuses(void **state)
{
	static uint8_t pkt[2000];
	struct obfs_pkt p;
	size_t len = make_v4(pkt, 100);

	assert_int_equal(obfs_pkt_parse(pkt, 27, &p), -EINVAL);
	pkt[9] = 6; /* TCP */
	assert_int_equal(obfs_pkt_parse(pkt, len, &p), -EPROTONOSUPPORT);
	len = make_v4(pkt, 100);
	pkt[6] = 0x20; /* more fragments */
	assert_int_equal(obfs_pkt_parse(pkt, len, &p), -EPROTONOSUPPORT);
	len = make_v4(pkt, 100);
	pkt[25] ^= 1; /* UDP length disagrees */
	assert_int_equal(obfs_pkt_parse(pkt, len, &p), -EINVAL);
	len = make_v6(pkt, 100);
	pkt[6] = 44; /* fragment header */
	assert_int_equal(obfs_pkt_parse(pkt, len, &p), -EPROTONOSUPPORT);
	len = make_v6(pkt, 100);
	assert_int_equal(obfs_pkt_parse(pkt, len - 1, &p), -EINVAL);
	pkt[0] = 0x50;
	assert_int_equal(obfs_pkt_parse(pkt, len, &p), -EPROTONOSUPPORT);
}

/* Every payload length from 0 to 1500, grown and shrunk, both families:
 * lengths right, checksums equal to the reference. */
static void test_rebuild_checksums(void **state)
{
	static uint8_t pkt[2100], out[2100];

	for (int family = 0; family < 2; family++) {
		for (size_t len = 0; len <= 1500; len += (len < 70 ? 1 : 37)) {
			size_t total = family ? make_v6(pkt, len) : make_v4(pkt, len), hdr = family ? 48 : 28;
			size_t newlen = len + (len % 33), got;
			struct obfs_pkt p;

			assert_int_equal(obfs_pkt_parse(pkt, total, &p), 0);
			for (size_t i = 0; i < newlen; i++)
				out[hdr + i] = (uint8_t)(i * 31 + len);
			got = obfs_pkt_rebuild(out, pkt, &p, newlen, (int)(len & 1));
			assert_int_equal(got, hdr + newlen);
			assert_int_equal(get16(out + hdr - 4), newlen + 8);
			if (family == 0) {
				uint16_t ipsum = ref_sum(out, 10, out + 12, 8);
				assert_int_equal(get16(out + 2), hdr + newlen);
				assert_int_equal(get16(out + 10), ipsum);
				assert_int_equal(out[1], (len & 1) ? 0 : 0xb8);
			} else {
				assert_int_equal(get16(out + 4), newlen + 8);
				if (len & 1)
					assert_memory_equal(out, "\x60\x00\x00\x00", 4);
				else
					assert_memory_equal(out, "\x6b\x81\x23\x45", 4);
			}
			assert_int_equal(get16(out + hdr - 2), ref_udp(out, family ? AF_INET6 : AF_INET));
		}
	}
}

/* In place (the inbound path): headers and payload in one buffer. */
static void test_rebuild_in_place(void **state)
{
	static uint8_t pkt[2000];
	size_t total = make_v4(pkt, 200);
	struct obfs_pkt p;

	assert_int_equal(obfs_pkt_parse(pkt, total, &p), 0);
	assert_int_equal(obfs_pkt_rebuild(pkt, pkt, &p, 180, 0), 208);
	assert_int_equal(get16(pkt + 2), 208);
	assert_int_equal(get16(pkt + 26), ref_udp(pkt, AF_INET));
	assert_int_equal(obfs_pkt_rebuild(pkt, pkt, &p, 65535, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_refuses),
		cmocka_unit_test(test_rebuild_checksums),
		cmocka_unit_test(test_rebuild_in_place),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
