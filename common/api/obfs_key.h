/* The per-link obfuscation key of wgobfs and ipt_xor links as wgmesh makes,
 * sends and stores it: 32 base64url characters from 24 random bytes, the
 * same shape as the original's secrets.token_urlsafe(24), so the very string
 * can be given to an xt_WGOBFS (--key) or ipt_xor (--keys) node. The key
 * bytes the transforms use are those 32 ASCII characters.
 *
 * Links made before this format hold 32 raw random bytes, written as standard
 * base64 (44 characters); they are read and written back unchanged. The two
 * text forms cannot be confused: they differ in length. */
#ifndef WGM_COMMON_OBFS_KEY_H
#define WGM_COMMON_OBFS_KEY_H

#include <stddef.h>
#include <stdint.h>

#define WGM_OBFS_KEY_LEN 32      /* bytes, both forms */
#define WGM_OBFS_KEY_TEXT_MAX 45 /* the longer (legacy) form and its NUL */

/* A fresh key of the current form. 0 or -EIO. */
int wgm_obfs_key_generate(uint8_t key[WGM_OBFS_KEY_LEN]);

/* The text form of KEY: itself when it is 32 base64url characters, else
 * standard base64 (legacy raw keys). OUT holds WGM_OBFS_KEY_TEXT_MAX. */
void wgm_obfs_key_to_text(const uint8_t key[WGM_OBFS_KEY_LEN], char out[WGM_OBFS_KEY_TEXT_MAX]);

/* Parses either form. 0, or -EINVAL with KEY zeroed. */
int wgm_obfs_key_from_text(const char *text, uint8_t key[WGM_OBFS_KEY_LEN]);

#endif
