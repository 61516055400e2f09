/* The obfuscation engine: one thread that owns the netfilter queue, the raw
 * sockets for extra datagrams and every obfuscated link's struct wgm_obfs,
 * and moves each queued packet of a link's flow through the link's transform
 * (common/obfs/obfs.h): outbound = UDP from the link's listen port, inbound =
 * UDP to it, IPv4 and IPv6 (see obfs_rules.h for the rules).
 *
 * Threads: the engine thread alone touches the queue and the transforms.
 * Link changes come from the worker thread (obfs_engine_link_*, which block
 * until the engine thread has taken them and the rules are in place); they
 * travel as commands on a mutex-protected list with an eventfd to wake the
 * engine, and carry configurations, never struct wgm_obfs pointers.
 * obfs_engine_counters may be called from any thread.
 *
 * Fail closed: a packet of a queued port with no link in the engine, one
 * that does not parse, or one the transform refuses, is dropped. */
#ifndef WGM_DAEMON_OBFS_ENGINE_H
#define WGM_DAEMON_OBFS_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/obfs/obfs.h"

struct obfs_engine;

/* Binds the queue, opens the raw sockets and starts the thread. Touches no
 * rule (obfs_engine_rules_init).
 * 0 or negative errno, err one line. */
int obfs_engine_new(struct obfs_engine **out, char *err, size_t errlen);
/* Stops the thread and frees every transform. The rules stay: until a new
 * engine binds the queue, obfuscated flows are dropped, not sent plain. */
void obfs_engine_free(struct obfs_engine *e);

/* ---- worker thread only (they run iptables-restore) ---- */

/* Start-up: renews our chains where they exist, keeping the ports queued
 * now queued (obfs_rules.h). A node without them gets them with its first
 * obfuscated link. No iptables installed: 0 (nothing of ours to keep). */
int obfs_engine_rules_init(struct obfs_engine *e, char *err, size_t errlen);
/* Hands link NAME (WireGuard listen port PORT) to the engine, then queues its
 * flow. A link already there gets the new configuration (type or key
 * changed). CFG of type default removes the link, as obfs_engine_link_down. */
int obfs_engine_link_up(struct obfs_engine *e, const char *name, uint16_t port, const struct wgm_obfs_config *cfg,
			char *err, size_t errlen);
/* As obfs_engine_link_up, but the transform also accepts ALSO_KEY inbound
 * (a staged key of a rotation in progress) while sending with cfg->key. */
int obfs_engine_link_up_staged(struct obfs_engine *e, const char *name, uint16_t port,
			       const struct wgm_obfs_config *cfg, const uint8_t *also_key, size_t also_len, char *err,
			       size_t errlen);
/* Stops queueing the link's port, then drops its transform. Unknown: 0. */
int obfs_engine_link_down(struct obfs_engine *e, const char *name, char *err, size_t errlen);
/* Rewrites the rules to queue exactly the links the engine has: removes the
 * ports of links that were removed while the daemon was down. Call once
 * every stored link has been brought up. */
int obfs_engine_rules_sync(struct obfs_engine *e, char *err, size_t errlen);
/* Key rotation (wgm_obfs_rekey / wgm_obfs_forget_old_key on the engine
 * thread). -ENOENT: no such link. A staged key (accepted, not yet sent)
 * comes with obfs_engine_link_up_staged. */
int obfs_engine_link_rekey(struct obfs_engine *e, const char *name, const uint8_t *key, size_t len, char *err,
			   size_t errlen);
int obfs_engine_link_forget_old_key(struct obfs_engine *e, const char *name);

/* ---- any thread ---- */

struct obfs_engine_counters {
	uint64_t out_packets; /* transformed on the way out */
	uint64_t in_packets;  /* transformed on the way in */
	uint64_t out_dropped; /* the transform dropped it (wgobfs keepalives) or could not */
	uint64_t in_dropped;  /* not ours: junk, garbage, wrong key */
	uint64_t extra_sent;  /* extra datagrams (AmneziaWG junk) */
};

/* false when the engine has no link NAME. */
bool obfs_engine_counters(struct obfs_engine *e, const char *name, struct obfs_engine_counters *out);

#endif
