#include "common/util/log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static enum wgm_log_level current_level = WGM_LOG_INFO;
static wgm_log_sink_fn current_sink;
static void *current_sink_ctx;

static const char *const level_names[] = {
	[WGM_LOG_ERR] = "err",   [WGM_LOG_WARNING] = "warning", [WGM_LOG_NOTICE] = "notice",
	[WGM_LOG_INFO] = "info", [WGM_LOG_DEBUG] = "debug",
};

void wgm_log_set_level(enum wgm_log_level level)
{
	current_level = level;
}

enum wgm_log_level wgm_log_get_level(void)
{
	return current_level;
}

int wgm_log_level_from_name(const char *name, enum wgm_log_level *level)
{
	for (int i = WGM_LOG_ERR; i <= WGM_LOG_DEBUG; i++) {
		if (name && strcmp(name, level_names[i]) == 0) {
			*level = (enum wgm_log_level)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *wgm_log_level_name(enum wgm_log_level level)
{
	if (level < WGM_LOG_ERR || level > WGM_LOG_DEBUG)
		return "unknown";
	return level_names[level];
}

void wgm_log_set_sink(wgm_log_sink_fn sink, void *ctx)
{
	current_sink = sink;
	current_sink_ctx = ctx;
}

void wgm_vlog(enum wgm_log_level level, const char *fmt, va_list ap)
{
	char line[1024];

	if (level > current_level)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	/* Under systemd stderr is a stream to journald, which reads "<N>" as the
	 * priority; on a terminal a readable timestamp and level serve better. */
	if (isatty(STDERR_FILENO)) {
		char stamp[32];
		time_t now = time(NULL);
		struct tm tm;
		strftime(stamp, sizeof(stamp), "%H:%M:%S", localtime_r(&now, &tm));
		fprintf(stderr, "%s %s: %s\n", stamp, wgm_log_level_name(level), line);
	} else {
		fprintf(stderr, "<%d>%s\n", (int)level, line);
	}
	if (current_sink)
		current_sink(level, line, current_sink_ctx);
}

void wgm_log(enum wgm_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	wgm_vlog(level, fmt, ap);
	va_end(ap);
}
