/* Logging: levels, journald-friendly lines on stderr, an optional sink. */
#ifndef WGM_COMMON_LOG_H
#define WGM_COMMON_LOG_H

#include <stdarg.h>

/* Values are syslog priorities, so "<N>" prefixes are what journald expects. */
enum wgm_log_level {
	WGM_LOG_ERR = 3,
	WGM_LOG_WARNING = 4,
	WGM_LOG_NOTICE = 5,
	WGM_LOG_INFO = 6,
	WGM_LOG_DEBUG = 7,
};

/* Lines above this level are dropped. Default: WGM_LOG_INFO. */
void wgm_log_set_level(enum wgm_log_level level);
enum wgm_log_level wgm_log_get_level(void);

/* Parses "err", "warning", "notice", "info", "debug". Returns 0 or -EINVAL. */
int wgm_log_level_from_name(const char *name, enum wgm_log_level *level);
const char *wgm_log_level_name(enum wgm_log_level level);

/* A sink also receives every line that passes the level filter (the daemon
 * forwards them to console subscribers). The line has no trailing newline. */
typedef void (*wgm_log_sink_fn)(enum wgm_log_level level, const char *line, void *ctx);
void wgm_log_set_sink(wgm_log_sink_fn sink, void *ctx);

/* Never pass a secret (key, token, PSK) as an argument: log lines reach
 * journald, the console and notifications. */
void wgm_log(enum wgm_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void wgm_vlog(enum wgm_log_level level, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

#define log_err(...) wgm_log(WGM_LOG_ERR, __VA_ARGS__)
#define log_warn(...) wgm_log(WGM_LOG_WARNING, __VA_ARGS__)
#define log_notice(...) wgm_log(WGM_LOG_NOTICE, __VA_ARGS__)
#define log_info(...) wgm_log(WGM_LOG_INFO, __VA_ARGS__)
#define log_debug(...) wgm_log(WGM_LOG_DEBUG, __VA_ARGS__)

#endif
