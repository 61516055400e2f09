#include "daemon/links/link_obfs.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "common/wg/keys.h"

bool obfs_link_obfuscated(const struct link_record *rec)
{
	return rec->link_type != WGM_LINK_DEFAULT;
}

void obfs_link_config(const struct link_record *rec, struct wgm_obfs_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->type = rec->link_type;
	if (rec->has_obfs_key) {
		memcpy(cfg->key, rec->obfs_key, LINK_KEY_LEN);
		cfg->key_len = LINK_KEY_LEN;
	}
	cfg->awg = rec->awg;
	wgm_key_public(cfg->local_public, rec->private_key);
	memcpy(cfg->remote_public, rec->peer_public_key, WGM_OBFS_PUBKEY_LEN);
}

unsigned obfs_link_mtu(const struct link_record *rec)
{
	struct wgm_obfs_config cfg;
	size_t growth;

	if (!obfs_link_obfuscated(rec) || !rec->mtu)
		return rec->mtu;
	obfs_link_config(rec, &cfg);
	growth = wgm_obfs_max_growth(&cfg);
	sodium_memzero(&cfg, sizeof(cfg));
	return growth < rec->mtu ? rec->mtu - (unsigned)growth : rec->mtu;
}

int obfs_link_up(struct obfs_engine *engine, const struct link_record *rec, char *err, size_t errlen)
{
	struct wgm_obfs_config cfg;
	int rc;

	if (!engine) {
		if (!obfs_link_obfuscated(rec))
			return 0;
		snprintf(err, errlen,
			 "%s: link type %s needs the obfuscation engine, which did not start (see the log)", rec->name,
			 wgm_link_type_name(rec->link_type));
		return -ENOTSUP;
	}
	obfs_link_config(rec, &cfg);
	/* A rotation in progress (a restart mid-way, or the staging step):
	 * send with the current key, accept the staged one too. */
	rc = obfs_engine_link_up_staged(engine, rec->name, rec->listen_port, &cfg,
					rec->has_obfs_key_next ? rec->obfs_key_next : NULL,
					rec->has_obfs_key_next ? LINK_KEY_LEN : 0, err, errlen);
	sodium_memzero(&cfg, sizeof(cfg));
	return rc;
}

int obfs_link_down(struct obfs_engine *engine, const char *name, char *err, size_t errlen)
{
	return engine ? obfs_engine_link_down(engine, name, err, errlen) : 0;
}
