#include "tui/console/series.h"

#include <math.h>

void series_stats(const double *v, size_t n, struct series_stats *out)
{
	double sum = 0;
	*out = (struct series_stats){ .min = NAN, .avg = NAN, .max = NAN };
	for (size_t i = 0; i < n; i++) {
		if (isnan(v[i])) {
			out->gaps++;
			continue;
		}
		if (out->samples == 0 || v[i] < out->min)
			out->min = v[i];
		if (out->samples == 0 || v[i] > out->max)
			out->max = v[i];
		sum += v[i];
		out->samples++;
	}
	if (out->samples)
		out->avg = sum / (double)out->samples;
}

/* Bucket b covers [start, end) of the series; buckets differ in size by at
 * most one sample so no part of the history is over-weighted. */
static void bucket_range(size_t n, size_t width, size_t b, size_t *start, size_t *end)
{
	*start = b * n / width;
	*end = (b + 1) * n / width;
}

typedef double (*bucket_fn)(const double *v, size_t n);

static size_t bucket_apply(const double *v, size_t n, double *out, size_t width, bucket_fn fn)
{
	if (width == 0)
		return 0;
	size_t buckets = n < width ? n : width;
	for (size_t b = 0; b < buckets; b++) {
		size_t start, end;
		bucket_range(n, buckets, b, &start, &end);
		out[b] = fn(v + start, end - start);
	}
	return buckets;
}

static double mean_of(const double *v, size_t n)
{
	struct series_stats st;
	series_stats(v, n, &st);
	return st.avg;
}

static double loss_of(const double *v, size_t n)
{
	struct series_stats st;
	series_stats(v, n, &st);
	return n ? 100.0 * (double)st.gaps / (double)n : NAN;
}

size_t series_bucket_mean(const double *v, size_t n, double *out, size_t width)
{
	return bucket_apply(v, n, out, width, mean_of);
}

size_t series_bucket_loss(const double *v, size_t n, double *out, size_t width)
{
	return bucket_apply(v, n, out, width, loss_of);
}

/* A bucket's jitter also counts the step from the last sample before it, so
 * one probe per column still shows how much it moved. */
size_t series_bucket_jitter(const double *v, size_t n, double *out, size_t width)
{
	if (width == 0)
		return 0;
	size_t buckets = n < width ? n : width;
	double prev = NAN;
	for (size_t b = 0; b < buckets; b++) {
		size_t start, end, diffs = 0;
		double sum = 0;
		bucket_range(n, buckets, b, &start, &end);
		for (size_t i = start; i < end; i++) {
			if (isnan(v[i]))
				continue;
			if (!isnan(prev)) {
				sum += fabs(v[i] - prev);
				diffs++;
			}
			prev = v[i];
		}
		out[b] = diffs ? sum / (double)diffs : NAN;
	}
	return buckets;
}
