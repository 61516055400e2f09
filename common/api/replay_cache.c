/* The replay cache with per-caller marks (replay_cache.h). Linear scans: the
 * node API sees a few calls a minute, and the capacity is a few thousand. */
#include "common/api/replay_cache.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/api/api_b64.h"

#define REPLAY_FILE_VERSION 1

struct replay_entry {
	uint8_t pk[WGM_API_KEY_LEN];
	uint8_t nonce[WGM_API_NONCE_LEN];
	int64_t ts;
};

struct replay_mark {
	uint8_t pk[WGM_API_KEY_LEN];
	int64_t ts; /* newest accepted timestamp of this caller */
};

struct wgm_replay_cache {
	size_t capacity, count, n_marks;
	int64_t skew;
	struct replay_mark *marks;
	struct replay_entry entries[];
};

struct wgm_replay_cache *wgm_replay_cache_new(size_t capacity, int64_t skew)
{
	struct wgm_replay_cache *cache;

	if (capacity == 0 || capacity > (1u << 20))
		return NULL;
	cache = calloc(1, sizeof(*cache) + capacity * sizeof(cache->entries[0]));
	if (!cache)
		return NULL;
	cache->marks = calloc(capacity, sizeof(cache->marks[0]));
	if (!cache->marks) {
		free(cache);
		return NULL;
	}
	cache->capacity = capacity;
	cache->skew = skew > 0 ? skew : WGM_API_SKEW_DEFAULT;
	return cache;
}

void wgm_replay_cache_free(struct wgm_replay_cache *cache)
{
	if (!cache)
		return;
	free(cache->marks);
	free(cache);
}

static const struct replay_entry *replay_find(const struct wgm_replay_cache *cache, const uint8_t *pk,
					      const uint8_t *nonce)
{
	for (size_t i = 0; i < cache->count; i++)
		if (memcmp(cache->entries[i].nonce, nonce, WGM_API_NONCE_LEN) == 0 &&
		    memcmp(cache->entries[i].pk, pk, WGM_API_KEY_LEN) == 0)
			return &cache->entries[i];
	return NULL;
}

static struct replay_mark *mark_find(const struct wgm_replay_cache *cache, const uint8_t *pk)
{
	for (size_t i = 0; i < cache->n_marks; i++)
		if (memcmp(cache->marks[i].pk, pk, WGM_API_KEY_LEN) == 0)
			return &cache->marks[i];
	return NULL;
}

/* Raises PK's mark to TS, making room by forgetting the oldest mark. */
static void mark_raise(struct wgm_replay_cache *cache, const uint8_t *pk, int64_t ts)
{
	struct replay_mark *m = mark_find(cache, pk);

	if (!m && cache->n_marks < cache->capacity) {
		m = &cache->marks[cache->n_marks++];
	} else if (!m) {
		m = &cache->marks[0];
		for (size_t i = 1; i < cache->n_marks; i++)
			if (cache->marks[i].ts < m->ts)
				m = &cache->marks[i];
	} else {
		if (ts > m->ts)
			m->ts = ts;
		return;
	}
	memcpy(m->pk, pk, WGM_API_KEY_LEN);
	m->ts = ts;
}

bool wgm_replay_cache_seen(const struct wgm_replay_cache *cache, const uint8_t pk[WGM_API_KEY_LEN],
			   const uint8_t nonce[WGM_API_NONCE_LEN])
{
	return replay_find(cache, pk, nonce) != NULL;
}

/* Drops the nonces no longer needed; PK's mark counts as raised to TS (the
 * request being added). BY_CLOCK also drops those this node's clock refuses. */
static void prune(struct wgm_replay_cache *cache, const uint8_t *pk, int64_t ts, bool by_clock, int64_t now)
{
	size_t kept = 0;

	for (size_t i = 0; i < cache->count; i++) {
		const struct replay_entry *e = &cache->entries[i];
		const struct replay_mark *m = mark_find(cache, e->pk);
		int64_t mark = m ? m->ts : e->ts;
		if (memcmp(e->pk, pk, WGM_API_KEY_LEN) == 0 && ts > mark)
			mark = ts;
		/* Older than its caller's mark by more than skew: refused by the
		 * mark from now on, whatever either clock says. */
		bool below_mark = e->ts < mark - cache->skew;
		bool clock_refuses = by_clock && e->ts < now - cache->skew;
		if (!below_mark && !clock_refuses)
			cache->entries[kept++] = *e;
	}
	cache->count = kept;
}

int wgm_replay_cache_add(struct wgm_replay_cache *cache, const uint8_t pk[WGM_API_KEY_LEN],
			 const uint8_t nonce[WGM_API_NONCE_LEN], int64_t ts, int64_t now)
{
	const struct replay_mark *m = mark_find(cache, pk);
	struct replay_entry *e;

	if (replay_find(cache, pk, nonce))
		return -EALREADY;
	if (m && ts < m->ts - cache->skew)
		return -ESTALE;
	prune(cache, pk, ts, false, now);
	if (cache->count == cache->capacity)
		prune(cache, pk, ts, true, now);
	if (cache->count == cache->capacity)
		return -ENOSPC;
	e = &cache->entries[cache->count++];
	memcpy(e->pk, pk, WGM_API_KEY_LEN);
	memcpy(e->nonce, nonce, WGM_API_NONCE_LEN);
	e->ts = ts;
	mark_raise(cache, pk, ts);
	return 0;
}

size_t wgm_replay_cache_count(const struct wgm_replay_cache *cache)
{
	return cache->count;
}

static json_t *b64_json(const uint8_t *bin, size_t len)
{
	char text[WGM_B64_LEN(WGM_API_KEY_LEN) + 1]; /* the longer of key and nonce */

	if (wgm_b64_encode(bin, len, text, sizeof(text)) < 0)
		return NULL;
	return json_string(text);
}

json_t *wgm_replay_cache_to_json(const struct wgm_replay_cache *cache)
{
	json_t *root = json_object(), *marks = json_array(), *seen = json_array();
	bool ok = root && marks && seen;

	for (size_t i = 0; ok && i < cache->n_marks; i++)
		ok = json_array_append_new(marks,
					   json_pack("{s:o?,s:I}", "pk", b64_json(cache->marks[i].pk, WGM_API_KEY_LEN),
						     "ts", (json_int_t)cache->marks[i].ts)) == 0;
	for (size_t i = 0; ok && i < cache->count; i++) {
		const struct replay_entry *e = &cache->entries[i];
		ok = json_array_append_new(seen, json_pack("{s:o?,s:o?,s:I}", "pk", b64_json(e->pk, WGM_API_KEY_LEN),
							   "nonce", b64_json(e->nonce, WGM_API_NONCE_LEN), "ts",
							   (json_int_t)e->ts)) == 0;
	}
	ok = ok && json_object_set_new(root, "version", json_integer(REPLAY_FILE_VERSION)) == 0;
	ok = ok && json_object_set(root, "marks", marks) == 0 && json_object_set(root, "seen", seen) == 0;
	json_decref(marks);
	json_decref(seen);
	if (!ok) {
		json_decref(root);
		return NULL;
	}
	return root;
}

static int bad(struct wgm_replay_cache *cache, char *err, size_t errlen, const char *what, size_t i)
{
	cache->count = 0;
	cache->n_marks = 0;
	snprintf(err, errlen, "replay cache: %s[%zu] is not a valid entry", what, i);
	return -EINVAL;
}

int wgm_replay_cache_from_json(struct wgm_replay_cache *cache, const json_t *json, char *err, size_t errlen)
{
	const json_t *marks = json_object_get(json, "marks"), *seen = json_object_get(json, "seen");
	const json_t *item;
	size_t i;

	cache->count = 0;
	cache->n_marks = 0;
	if (json_integer_value(json_object_get(json, "version")) != REPLAY_FILE_VERSION || !json_is_array(marks) ||
	    !json_is_array(seen)) {
		snprintf(err, errlen, "replay cache: not a version %d file with marks and seen", REPLAY_FILE_VERSION);
		return -EINVAL;
	}
	json_array_foreach (marks, i, item) {
		struct replay_mark m;
		const json_t *ts = json_object_get(item, "ts");
		if (!json_is_integer(ts) ||
		    wgm_b64_decode_exact(json_string_value(json_object_get(item, "pk")), m.pk, WGM_API_KEY_LEN))
			return bad(cache, err, errlen, "marks", i);
		m.ts = json_integer_value(ts);
		if (cache->n_marks < cache->capacity)
			cache->marks[cache->n_marks++] = m;
	}
	json_array_foreach (seen, i, item) {
		struct replay_entry e;
		const json_t *ts = json_object_get(item, "ts");
		if (!json_is_integer(ts) ||
		    wgm_b64_decode_exact(json_string_value(json_object_get(item, "pk")), e.pk, WGM_API_KEY_LEN) ||
		    wgm_b64_decode_exact(json_string_value(json_object_get(item, "nonce")), e.nonce, WGM_API_NONCE_LEN))
			return bad(cache, err, errlen, "seen", i);
		e.ts = json_integer_value(ts);
		if (cache->count < cache->capacity)
			cache->entries[cache->count++] = e;
	}
	return 0;
}
