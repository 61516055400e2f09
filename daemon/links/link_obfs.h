/* A link record seen by the obfuscation engine: the transform configuration
 * it implies (type, key, AmneziaWG parameters, both WireGuard public keys),
 * its MTU with room for the transform's growth, and the bring-up / removal
 * steps link_apply runs around the WireGuard interface. Worker thread. */
#ifndef WGM_DAEMON_OBFS_LINK_H
#define WGM_DAEMON_OBFS_LINK_H

#include <stdbool.h>
#include <stddef.h>

#include "common/obfs/obfs.h"
#include "daemon/links/link_record.h"
#include "daemon/obfs/obfs_engine.h"

bool obfs_link_obfuscated(const struct link_record *rec);

/* Fills CFG from REC (pure). The caller wipes CFG (it holds the key). */
void obfs_link_config(const struct link_record *rec, struct wgm_obfs_config *cfg);

/* The tunnel MTU for REC: its stored MTU minus the transform's largest
 * growth of a full-size data message (pure). */
unsigned obfs_link_mtu(const struct link_record *rec);

/* Before the interface exists or changes: the engine gets the link (with
 * rec.obfs_key_next accepted inbound when a rotation staged one) and its
 * flow is queued (default type: removed from the engine). ENGINE NULL: an
 * obfuscated link fails with a message, a plain one is fine. */
int obfs_link_up(struct obfs_engine *engine, const struct link_record *rec, char *err, size_t errlen);

/* After the interface is gone. */
int obfs_link_down(struct obfs_engine *engine, const char *name, char *err, size_t errlen);

#endif
