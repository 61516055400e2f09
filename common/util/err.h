/* Error messages as values: a function that fails writes one line into the
 * caller's buffer (naming the input and the reason) and returns a negative
 * errno. This is the one helper for the writing; ERR may be NULL. */
#ifndef WGM_COMMON_ERR_H
#define WGM_COMMON_ERR_H

#include <stddef.h>

/* Formats into ERR (when ERR and ERRLEN are set) and returns RC. */
__attribute__((format(printf, 4, 5))) int wgm_err(int rc, char *err, size_t errlen, const char *fmt, ...);

#define WGM_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
