/* The per-link transform of common/obfs/obfs.h: validates the configuration
 * and dispatches each datagram to the link type's transform. For wgobfs and
 * ipt_xor it keeps the previous key after a rekey and decides between the two
 * keys by whether the decoded datagram is a plausible WireGuard message. */
#include "common/obfs/obfs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/obfs/awg.h"
#include "common/obfs/awg_params.h"
#include "common/obfs/wg_msg.h"
#include "common/obfs/wgobfs.h"
#include "common/obfs/xor.h"

/* A key in the forms the transforms use; the raw bytes are not kept. */
struct obfs_key {
	uint32_t words[8];       /* wgobfs: the expanded ChaCha key */
	struct wgm_xor_key xor ; /* ipt_xor: the key as a stream */
};

struct wgm_obfs {
	enum wgm_link_type type;
	struct obfs_key key, old_key;
	bool has_old;
	struct wgm_awg awg;
};

static void set_key(struct obfs_key *k, const uint8_t *key, size_t len)
{
	wgm_wgobfs_expand_key(key, len, k->words);
	wgm_xor_prepare(&k->xor, key, len);
}

static bool keyed(enum wgm_link_type t)
{
	return t == WGM_LINK_WGOBFS || t == WGM_LINK_IPT_XOR;
}

int wgm_obfs_new(const struct wgm_obfs_config *cfg, struct wgm_obfs **out, char *err, size_t errlen)
{
	*out = NULL;
	if (errlen)
		err[0] = '\0';
	if ((unsigned)cfg->type >= WGM_LINK_TYPE_COUNT) {
		snprintf(err, errlen, "type: unknown link type %d", (int)cfg->type);
		return -EINVAL;
	}
	if (keyed(cfg->type) && (cfg->key_len < 1 || cfg->key_len > WGM_OBFS_KEY_MAX)) {
		snprintf(err, errlen, "key: %zu bytes, must be 1..%d", cfg->key_len, WGM_OBFS_KEY_MAX);
		return -EINVAL;
	}
	if (cfg->type == WGM_LINK_AMNEZIAWG) {
		int rc = wgm_awg_params_check(&cfg->awg, err, errlen);
		if (rc < 0)
			return rc;
	}
	struct wgm_obfs *o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->type = cfg->type;
	if (keyed(cfg->type))
		set_key(&o->key, cfg->key, cfg->key_len);
	if (cfg->type == WGM_LINK_AMNEZIAWG) {
		int rc = wgm_awg_init(&o->awg, &cfg->awg, cfg->local_public, cfg->remote_public, cfg->random);
		if (rc < 0) {
			snprintf(err, errlen, "amneziawg: %s", strerror(-rc));
			wgm_obfs_free(o);
			return rc;
		}
	}
	*out = o;
	return 0;
}

void wgm_obfs_free(struct wgm_obfs *o)
{
	if (!o)
		return;
	if (o->type == WGM_LINK_AMNEZIAWG)
		wgm_awg_clear(&o->awg);
	sodium_memzero(o, sizeof(*o));
	free(o);
}

ssize_t wgm_obfs_outbound(struct wgm_obfs *o, const uint8_t *in, size_t len, uint8_t *out, size_t cap,
			  wgm_obfs_emit_fn emit, void *emit_ctx)
{
	switch (o->type) {
	case WGM_LINK_WGOBFS:
		return wgm_wgobfs_obfs(o->key.words, in, len, out, cap);
	case WGM_LINK_IPT_XOR:
		if (cap < len)
			return -EMSGSIZE;
		wgm_xor_apply(&o->key.xor, in, len, out);
		return (ssize_t)len;
	case WGM_LINK_AMNEZIAWG:
		return wgm_awg_outbound(&o->awg, in, len, out, cap, emit, emit_ctx);
	default:
		if (cap < len)
			return -EMSGSIZE;
		memmove(out, in, len);
		return (ssize_t)len;
	}
}

/* One decoding attempt with key K: the length of a plausible WireGuard
 * message in OUT, 0 when K does not give one, or -EMSGSIZE. */
static ssize_t decode_with(enum wgm_link_type t, const struct obfs_key *k, const uint8_t *in, size_t len, uint8_t *out)
{
	ssize_t n;
	if (t == WGM_LINK_WGOBFS) {
		n = wgm_wgobfs_unobfs(k->words, in, len, out, len);
	} else {
		wgm_xor_apply(&k->xor, in, len, out);
		n = (ssize_t)len;
	}
	if (n > 0 && !wg_msg_plausible(out, (size_t)n))
		n = 0;
	return n;
}

static ssize_t keyed_inbound(struct wgm_obfs *o, const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	if (len > WGM_OBFS_DATAGRAM_MAX)
		return 0;
	/* Decode straight into OUT when it holds LEN bytes and a failed attempt
	 * cannot spoil the input of the next (disjoint buffers, or no previous
	 * key); otherwise through a scratch copy. */
	bool direct = cap >= len && (out != in || !o->has_old);
	if (direct) {
		ssize_t n = decode_with(o->type, &o->key, in, len, out);
		if (n == 0 && o->has_old)
			n = decode_with(o->type, &o->old_key, in, len, out);
		return n;
	}
	uint8_t scratch[WGM_OBFS_DATAGRAM_MAX];
	ssize_t n = decode_with(o->type, &o->key, in, len, scratch);
	if (n == 0 && o->has_old)
		n = decode_with(o->type, &o->old_key, in, len, scratch);
	if (n > 0) {
		if ((size_t)n > cap)
			n = -EMSGSIZE;
		else
			memcpy(out, scratch, (size_t)n);
	}
	sodium_memzero(scratch, len);
	return n;
}

ssize_t wgm_obfs_inbound(struct wgm_obfs *o, const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	switch (o->type) {
	case WGM_LINK_WGOBFS:
	case WGM_LINK_IPT_XOR:
		return keyed_inbound(o, in, len, out, cap);
	case WGM_LINK_AMNEZIAWG:
		return wgm_awg_inbound(&o->awg, in, len, out, cap);
	default:
		if (cap < len)
			return -EMSGSIZE;
		memmove(out, in, len);
		return (ssize_t)len;
	}
}

size_t wgm_obfs_max_growth(const struct wgm_obfs_config *cfg)
{
	switch (cfg->type) {
	case WGM_LINK_WGOBFS:
		return WGM_WGOBFS_PAD_MAX_LARGE;
	case WGM_LINK_AMNEZIAWG:
		return cfg->awg.version == 2 ? cfg->awg.s4 : 0;
	default:
		return 0;
	}
}

int wgm_obfs_rekey(struct wgm_obfs *o, const uint8_t *new_key, size_t len)
{
	if (!keyed(o->type))
		return -EOPNOTSUPP;
	if (len < 1 || len > WGM_OBFS_KEY_MAX)
		return -EINVAL;
	o->old_key = o->key;
	o->has_old = true;
	set_key(&o->key, new_key, len);
	return 0;
}

void wgm_obfs_forget_old_key(struct wgm_obfs *o)
{
	sodium_memzero(&o->old_key, sizeof(o->old_key));
	o->has_old = false;
}
