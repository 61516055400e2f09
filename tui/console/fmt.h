/* Number formatting for the console: short, fixed-style strings that fit a
 * table cell. Pure: every function writes into the caller's buffer and
 * returns it; an unknown or invalid value prints as "-". */
#ifndef WGM_TUI_FMT_H
#define WGM_TUI_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Milliseconds: "0.45ms", "1.23ms", "12.3ms", "123ms", "1.2s", "12s".
 * NaN or negative -> "-". Also used for jitter. */
char *fmt_rtt(char *buf, size_t len, double ms);
char *fmt_jitter(char *buf, size_t len, double ms);

/* Percent: "0%", "12.5%", "50%", "100%"; a loss that rounds to 0.0 but is
 * not zero is "<0.1%" so a little loss never reads as none. */
char *fmt_loss(char *buf, size_t len, double pct);

/* Bytes (1024-based): "512 B", "1.2 KB", "12.3 MB", "123 GB". */
char *fmt_bytes(char *buf, size_t len, double bytes);
/* Bytes per second: "0 B/s", "1.2 KB/s". */
char *fmt_rate(char *buf, size_t len, double bytes_per_s);

/* Seconds: "45s", "3m12s", "2h05m", "3d04h". Negative -> "-". */
char *fmt_duration(char *buf, size_t len, int64_t seconds);

/* Age of a WireGuard handshake: "never" for 0, else the duration since it
 * (a handshake stamped in the future, a clock skew, reads "0s"). */
char *fmt_handshake_age(char *buf, size_t len, int64_t last_handshake, int64_t now);

/* Cost with marks: "12", "200*" (operator override), "65535D" (drained),
 * "200*D". Negative -> "-". */
char *fmt_cost(char *buf, size_t len, int64_t cost, bool override, bool drained);

/* Parses a duration typed by the operator: "90", "90s", "30m", "1h", "7d".
 * Returns 0, or -EINVAL for anything else, 0 or more than 10 years. */
int parse_duration(const char *s, int64_t *seconds);

#endif
