/* The clocks the project reads, in one place: monotonic time for timers,
 * timeouts and RTTs (never jumps), wall-clock time for what is shown or
 * stored (event timestamps, history). Signed 64-bit everywhere, so
 * differences never wrap. */
#ifndef WGM_COMMON_CLOCK_H
#define WGM_COMMON_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t wgm_clock_us(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static inline int64_t wgm_mono_us(void)
{
	return wgm_clock_us(CLOCK_MONOTONIC);
}

static inline int64_t wgm_mono_ms(void)
{
	return wgm_clock_us(CLOCK_MONOTONIC) / 1000;
}

static inline int64_t wgm_real_us(void)
{
	return wgm_clock_us(CLOCK_REALTIME);
}

#endif
