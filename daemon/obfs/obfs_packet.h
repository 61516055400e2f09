/* The IP + UDP framing around an obfuscated link's datagram, as NFQUEUE hands
 * it over: finding the UDP payload in an IPv4 or IPv6 packet, and writing the
 * headers again for a payload of another length (lengths, the IPv4 header
 * checksum and the full UDP checksum, which the kernel does not fill in after
 * a mangled verdict: nfqnl_mangle leaves CHECKSUM_NONE). Pure functions on
 * byte buffers; no I/O. */
#ifndef WGM_DAEMON_OBFS_PACKET_H
#define WGM_DAEMON_OBFS_PACKET_H

#include <stddef.h>
#include <stdint.h>

/* Largest IP + UDP header we produce (IPv6 without extension headers). */
#define OBFS_PKT_HDR_MAX (40 + 8)

struct obfs_pkt {
	int family;         /* AF_INET or AF_INET6 */
	size_t hdr_len;     /* IP header(s) + UDP header: where the payload starts */
	size_t payload_len; /* UDP payload */
	uint16_t sport, dport;
};

/* Parses PKT (LEN bytes, starting at the IP header). -EPROTONOSUPPORT: not
 * UDP, IPv6 with extension headers, or an IPv4 fragment; -EINVAL: truncated
 * or lengths that do not add up. */
int obfs_pkt_parse(const uint8_t *pkt, size_t len, struct obfs_pkt *out);

/* Writes the headers of P (copied from ORIG, the packet P was parsed from) to
 * DST for a payload of PAYLOAD_LEN bytes that already sits at DST + hdr_len:
 * fixes the IP and UDP lengths and both checksums, clears IPv4 TOS / IPv6
 * traffic class and flow label when CLEAR_QOS (what xt_WGOBFS does, so the
 * flow label does not tie datagrams together). Returns the packet's total
 * length, or 0 when it would exceed 65535. ORIG and DST may be the same. */
size_t obfs_pkt_rebuild(uint8_t *dst, const uint8_t *orig, const struct obfs_pkt *p, size_t payload_len, int clear_qos);

/* The Internet checksum of a UDP datagram (header at UDP, LEN bytes, its
 * checksum field counted as zero) with the pseudo-header of the IP packet at
 * IP; 0 becomes 0xffff (RFC 768). Network byte order, ready to store. */
uint16_t obfs_pkt_udp_checksum(const uint8_t *ip, int family, const uint8_t *udp, size_t len);

#endif
