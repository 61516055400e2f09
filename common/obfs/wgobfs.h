/* xt_WGOBFS's wire format (obfuscation.md §2), byte for byte: the key
 * expansion, the obfuscation of one WireGuard message and its inverse. The
 * padding and the keepalive drop are not random: they come from the PRF over
 * the packet's own bytes, so the output is a pure function of key and
 * message. IN and OUT may be the same buffer. */
#ifndef WGM_COMMON_OBFS_WGOBFS_H
#define WGM_COMMON_OBFS_WGOBFS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The largest padding: 32 bytes on messages of up to 200 bytes, 8 above. */
#define WGM_WGOBFS_PAD_MAX 32
#define WGM_WGOBFS_PAD_MAX_LARGE 8

/* A 1..32-byte key repeated cyclically to 32 bytes, read as 8 LE words
 * (what libxt_WGOBFS does with --key). LEN must be 1..32. */
void wgm_wgobfs_expand_key(const uint8_t *key, size_t len, uint32_t words[8]);

/* WireGuard message (at least 32 bytes) -> the datagram on the wire. Returns
 * its length, 0 when the module would drop it (most keepalives), -EINVAL when
 * LEN < 32, -EMSGSIZE when CAP is short of LEN + 32. */
ssize_t wgm_wgobfs_obfs(const uint32_t key[8], const uint8_t *in, size_t len, uint8_t *out, size_t cap);

/* Datagram -> message, exactly as the module's --unobfs: returns the length,
 * 0 when it would drop it (short, padding length out of range). It does not
 * check that the result is a WireGuard message: the caller does.
 * -EMSGSIZE when CAP < LEN. */
ssize_t wgm_wgobfs_unobfs(const uint32_t key[8], const uint8_t *in, size_t len, uint8_t *out, size_t cap);

#endif
