/* WireGuard message layout, written once for the obfuscation transforms:
 * the four message types, their sizes and the offsets of mac1/mac2
 * (whitepaper §5.4), and the plausibility check that decides whether a
 * decoded datagram may be handed to the backend. It owns no state; every
 * function is a pure inline helper that never reads past LEN. */
#ifndef WGM_COMMON_OBFS_WG_MSG_H
#define WGM_COMMON_OBFS_WG_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	WGM_WG_TYPE_INIT = 1,
	WGM_WG_TYPE_RESPONSE = 2,
	WGM_WG_TYPE_COOKIE = 3,
	WGM_WG_TYPE_DATA = 4,
};

#define WGM_WG_INIT_LEN 148
#define WGM_WG_RESPONSE_LEN 92
#define WGM_WG_COOKIE_LEN 64
#define WGM_WG_DATA_HDR_LEN 16 /* type, receiver, counter */
#define WGM_WG_DATA_MIN_LEN 32 /* header + Poly1305 tag: a keepalive */
#define WGM_WG_MAC_LEN 16
/* In an initiation and a response, mac1 and mac2 are the last 32 bytes. */
#define WGM_WG_INIT_MAC1 116
#define WGM_WG_INIT_MAC2 132
#define WGM_WG_RESPONSE_MAC1 60
#define WGM_WG_RESPONSE_MAC2 76
/* Cookie reply: type+reserved, receiver index, 24-byte nonce, then the
 * encrypted cookie (16 bytes + 16-byte tag). */
#define WGM_WG_COOKIE_NONCE 8
#define WGM_WG_COOKIE_NONCE_LEN 24
#define WGM_WG_COOKIE_ENC 32
#define WGM_WG_COOKIE_ENC_LEN 32

static inline uint32_t wg_get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void wg_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* The exact size rule of a message of TYPE (1..4). */
static inline bool wg_msg_size_ok(uint32_t type, size_t len)
{
	switch (type) {
	case WGM_WG_TYPE_INIT:
		return len == WGM_WG_INIT_LEN;
	case WGM_WG_TYPE_RESPONSE:
		return len == WGM_WG_RESPONSE_LEN;
	case WGM_WG_TYPE_COOKIE:
		return len == WGM_WG_COOKIE_LEN;
	case WGM_WG_TYPE_DATA:
		/* The plaintext is padded to 16 bytes, but never beyond the
		 * tunnel MTU (kernel and wireguard-go alike), so a full-size
		 * packet on a link whose MTU is not a multiple of 16 gives any
		 * length: only the minimum holds. */
		return len >= WGM_WG_DATA_MIN_LEN;
	default:
		return false;
	}
}

/* A message WireGuard would accept for parsing: type 1..4 with three zero
 * reserved bytes and that type's exact size. Everything a decoding transform
 * hands to the backend passes this, so garbage never reaches its logs. */
static inline bool wg_msg_plausible(const uint8_t *m, size_t len)
{
	if (len < 4)
		return false;
	return wg_msg_size_ok(wg_get_le32(m), len);
}

/* The type of a message (1..4) when plausible, 0 otherwise. */
static inline uint32_t wg_msg_type(const uint8_t *m, size_t len)
{
	return wg_msg_plausible(m, len) ? wg_get_le32(m) : 0;
}

/* Offset of mac1 in a message of TYPE, 0 when it carries none. */
static inline size_t wg_mac1_offset(uint32_t type)
{
	return type == WGM_WG_TYPE_INIT ? WGM_WG_INIT_MAC1 : type == WGM_WG_TYPE_RESPONSE ? WGM_WG_RESPONSE_MAC1 : 0;
}

#endif
