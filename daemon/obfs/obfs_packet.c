#include "daemon/obfs/obfs_packet.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

int obfs_pkt_parse(const uint8_t *pkt, size_t len, struct obfs_pkt *out)
{
	size_t ip_len, udp_len;

	if (len < 1)
		return -EINVAL;
	switch (pkt[0] >> 4) {
	case 4: {
		size_t ihl = (size_t)(pkt[0] & 0x0f) * 4;
		if (len < 20 || ihl < 20 || len < ihl + 8)
			return -EINVAL;
		if (pkt[9] != IPPROTO_UDP)
			return -EPROTONOSUPPORT;
		/* More fragments or an offset: not a whole datagram (local
		 * delivery reassembles before INPUT, so this is rare). */
		if (get16(pkt + 6) & 0x3fff)
			return -EPROTONOSUPPORT;
		ip_len = get16(pkt + 2);
		if (ip_len > len || ip_len < ihl + 8)
			return -EINVAL;
		out->family = AF_INET;
		out->hdr_len = ihl + 8;
		udp_len = get16(pkt + ihl + 4);
		if (udp_len != ip_len - ihl)
			return -EINVAL;
		break;
	}
	case 6:
		if (len < 48)
			return -EINVAL;
		/* WireGuard sends no extension headers; anything else is not ours. */
		if (pkt[6] != IPPROTO_UDP)
			return -EPROTONOSUPPORT;
		ip_len = 40 + (size_t)get16(pkt + 4);
		if (ip_len > len)
			return -EINVAL;
		out->family = AF_INET6;
		out->hdr_len = 48;
		udp_len = get16(pkt + 44);
		if (udp_len != ip_len - 40)
			return -EINVAL;
		break;
	default:
		return -EPROTONOSUPPORT;
	}
	if (udp_len < 8)
		return -EINVAL;
	out->payload_len = udp_len - 8;
	out->sport = get16(pkt + out->hdr_len - 8);
	out->dport = get16(pkt + out->hdr_len - 6);
	return 0;
}

/* One's-complement sum of LEN bytes, as big-endian 16-bit words, into a
 * 64-bit accumulator (no folding per word: fast on long payloads). */
static uint64_t sum_bytes(uint64_t acc, const uint8_t *p, size_t len)
{
	while (len >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		/* Byte order does not matter for a ones' complement sum as long
		 * as it is consistent; we swap once at the end (RFC 1071 §2B). */
		acc += (w & 0xffffffffu) + (w >> 32);
		p += 8;
		len -= 8;
	}
	while (len >= 4) {
		uint32_t w;
		memcpy(&w, p, 4);
		acc += w;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t w;
		memcpy(&w, p, 2);
		acc += w;
		p += 2;
		len -= 2;
	}
	if (len) {
		uint8_t last[2] = { p[0], 0 };
		uint16_t w;
		memcpy(&w, last, 2);
		acc += w;
	}
	return acc;
}

static uint16_t fold(uint64_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)acc;
}

uint16_t obfs_pkt_udp_checksum(const uint8_t *ip, int family, const uint8_t *udp, size_t len)
{
	uint64_t acc = 0;
	uint8_t tail[4] = { 0, 0, 0, IPPROTO_UDP };
	uint8_t lenb[4] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len };
	uint16_t sum;

	if (family == AF_INET)
		acc = sum_bytes(acc, ip + 12, 8);
	else
		acc = sum_bytes(acc, ip + 8, 32);
	acc = sum_bytes(acc, tail, 4);
	acc = sum_bytes(acc, lenb, 4);
	/* The header without its checksum field, then the payload. */
	acc = sum_bytes(acc, udp, 6);
	acc = sum_bytes(acc, udp + 8, len - 8);
	sum = (uint16_t)~fold(acc);
	/* sum is in host order of the memcpy'd words, i.e. already the byte
	 * pattern to store; 0 means "no checksum" on the wire. */
	return sum == 0 ? 0xffff : sum;
}

static uint16_t ipv4_header_checksum(const uint8_t *ip, size_t ihl)
{
	uint64_t acc = sum_bytes(0, ip, 10);

	acc = sum_bytes(acc, ip + 12, ihl - 12);
	return (uint16_t)~fold(acc);
}

size_t obfs_pkt_rebuild(uint8_t *dst, const uint8_t *orig, const struct obfs_pkt *p, size_t payload_len, int clear_qos)
{
	size_t ip_hdr = p->hdr_len - 8, total = p->hdr_len + payload_len;
	uint8_t *udp = dst + ip_hdr;
	uint16_t csum;

	if (total > 65535 || (p->family == AF_INET6 && payload_len + 8 > 65535))
		return 0;
	if (dst != orig)
		memmove(dst, orig, p->hdr_len);
	put16(udp + 4, (uint16_t)(payload_len + 8));
	put16(udp + 6, 0);
	if (p->family == AF_INET) {
		if (clear_qos)
			dst[1] = 0;
		put16(dst + 2, (uint16_t)total);
		put16(dst + 10, 0);
		csum = ipv4_header_checksum(dst, ip_hdr);
		memcpy(dst + 10, &csum, 2);
	} else {
		if (clear_qos) {
			dst[0] = 0x60;
			dst[1] = 0;
			dst[2] = 0;
			dst[3] = 0;
		}
		put16(dst + 4, (uint16_t)(payload_len + 8));
	}
	csum = obfs_pkt_udp_checksum(dst, p->family, udp, payload_len + 8);
	memcpy(udp + 6, &csum, 2);
	return total;
}
