/* Probe series as the console sees them: RTT samples in ms, NaN for a lost
 * probe. Pure helpers that reduce a series to fewer points for a given screen
 * width, and derive loss and jitter from it. */
#ifndef WGM_TUI_SERIES_H
#define WGM_TUI_SERIES_H

#include <stddef.h>

struct series_stats {
	size_t samples; /* values that are not gaps */
	size_t gaps;
	double min, avg, max; /* NaN when there is no sample */
};

void series_stats(const double *v, size_t n, struct series_stats *out);

/* Reduces v[0..n) to `width` buckets (oldest first). With fewer samples than
 * width, out[i] = v[i] for i < n and the return value is n (no stretching: one
 * column per probe); otherwise each bucket takes the mean of its samples, and
 * is a gap (NaN) only if every sample in it was lost. Returns the number of
 * values written. */
size_t series_bucket_mean(const double *v, size_t n, double *out, size_t width);

/* Same buckets, each holding the percentage of lost probes in it. */
size_t series_bucket_loss(const double *v, size_t n, double *out, size_t width);

/* Same buckets, each holding the mean absolute difference between successive
 * RTTs (RFC 3550 style, unsmoothed), counting the step from the last sample
 * before the bucket; NaN where there is no such step. */
size_t series_bucket_jitter(const double *v, size_t n, double *out, size_t width);

#endif
