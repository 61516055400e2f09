/* The one reading of a node's API address as an operator types or pastes
 * it: HOST, HOST:PORT, [V6]:PORT, a bare IPv6 literal, or a full http(s)://
 * URL (a doubled scheme such as "http://http://h" from pasting into a field
 * that had one is taken once). Used by `wgmesh connect` and the console's
 * connect prompt, so both accept the same forms. Pure. */
#ifndef WGM_UTIL_URL_H
#define WGM_UTIL_URL_H

#include <stddef.h>

/* Writes "http://HOST[:PORT]" (or https://) into out; no port means the
 * daemon's default. Surrounding blanks and one trailing "/" are dropped.
 * Returns 0, or -EINVAL with a one-line reason in err (no path, no user
 * part, port 1-65535, host of printable characters). */
int wgm_url_normalise(const char *in, char *out, size_t outlen, char *err, size_t errlen);

#endif
