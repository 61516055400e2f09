/* The link table: every link of this node, its stored record (the desired
 * state) and where it stands. All changes to interfaces go through the worker
 * (one at a time, off the loop); the table itself lives on the loop thread.
 *
 * Crash safety: a new link's record is written before its interface is made,
 * and removed only after the interface is gone; at start every record is
 * brought up and every interface of ours without a record is deleted. So a
 * crash at any point leaves, after the next start, a working link or none. */
#ifndef WGM_DAEMON_LINKS_H
#define WGM_DAEMON_LINKS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config/addrplan.h"
#include "common/config/config.h"
#include "daemon/core/ctl_server.h"
#include "daemon/links/link_apply.h"
#include "daemon/links/link_record.h"
#include "daemon/core/loop.h"
#include "daemon/core/worker.h"

enum link_phase {
	LINK_PHASE_CREATING,   /* record being written, interface being made */
	LINK_PHASE_ACTIVE,     /* interface up as the record says */
	LINK_PHASE_ADMIN_DOWN, /* `wgmesh down`: interface kept, taken down */
	LINK_PHASE_FAILED,     /* bring-up failed; retried by links_retry_failed */
	LINK_PHASE_REMOVING,   /* interface being deleted, then the record */
};

const char *link_phase_name(enum link_phase phase);

struct link {
	struct link_record rec;
	enum link_phase phase;
	char last_error[256];
	/* WireGuard's view of the other end, from the periodic device read
	 * (links_peer_seen): its endpoint now, "" until WireGuard knows one.
	 * Not stored: after a restart the connecting side, which holds the
	 * address, re-establishes it within seconds, and a learned address
	 * may be a NAT mapping that is gone by then. */
	char seen_endpoint[LINK_ENDPOINT_MAX];
	uint64_t seen_ms;         /* wgm_mono_ms() of that reading; 0 = none yet */
	uint64_t active_since_ms; /* wgm_mono_ms() when the link last became active */
	/* Drained for a key rotation (daemon/mesh/rotation.h), beside the
	 * operator's rec.drained, which it leaves alone; not stored: a restart
	 * ends the drain, and the rotation resumes later. */
	bool rotation_drained;
	/* Opaque per-link state of other parts (probing, costs), owned there:
	 * links_add_hooks tells them when a link appears and goes. */
	void *quality;
	struct link *next;
};

struct links_deps {
	struct loop *loop;
	struct worker *worker;
	struct link_system *sys; /* used on the worker only */
	const struct wgm_addrplan *plan;
	/* AllowedPrefixes and AllowedPeers, for the peers' allowed IPs
	 * (link_sources.h); read on the loop only. */
	const struct wgm_config *cfg;
	const char *state_dir;
	struct ctl_server *ctl; /* events; may be NULL */
};

/* Told when a link enters the table, becomes active, leaves it. Several
 * parts (quality, routing) each add their own set; they are called in the
 * order they were added. */
struct links_hooks {
	void (*added)(struct link *link, void *ctx);
	void (*active)(struct link *link, void *ctx);
	void (*removed)(struct link *link, void *ctx);
	/* Obfuscation key rotation (daemon/links/xor_rotate.h), for the engine
	 * (daemon/links/obfs_*), which must lose no packet across it:
	 * - obfs_key_staged: rec.obfs_key_next was set (or, when
	 *   !rec.has_obfs_key_next, dropped): accept it inbound beside
	 *   rec.obfs_key, keep sending with rec.obfs_key. Also to be honoured
	 *   when a link becomes active with rec.has_obfs_key_next (a restart
	 *   mid-rotation).
	 * - obfs_key_changed: rec.obfs_key is new (OLD_KEY the one before): send
	 *   with it, accept both inbound (wgm_obfs_rekey).
	 * - obfs_key_settled: both ends send with rec.obfs_key: forget every
	 *   other key (wgm_obfs_forget_old_key).
	 * Any of them may be NULL. Called on the loop. */
	void (*obfs_key_staged)(struct link *link, void *ctx);
	void (*obfs_key_changed)(struct link *link, const uint8_t old_key[LINK_KEY_LEN], void *ctx);
	void (*obfs_key_settled)(struct link *link, void *ctx);
	void *ctx;
};

struct links;

int links_new(const struct links_deps *deps, struct links **out);
/* Frees the table; interfaces stay (links outlive the daemon). */
void links_free(struct links *ls);
#define LINKS_HOOKS_MAX 6
/* 0, or -ENOSPC when LINKS_HOOKS_MAX sets are in already. */
int links_add_hooks(struct links *ls, const struct links_hooks *hooks);

/* Loads the stored records, brings every one up and deletes interfaces of
 * ours that have no record. Runs on the worker; returns once queued. */
int links_start(struct links *ls, char *err, size_t errlen);

struct link *links_first(struct links *ls);
struct link *links_find(struct links *ls, const char *name);
/* Member links only: a peering link's remote ID belongs to another mesh. */
struct link *links_find_remote(struct links *ls, unsigned remote_id, enum wgm_transport transport);
size_t links_count(const struct links *ls);
size_t links_count_active(const struct links *ls);
/* Links to members of this mesh (every link but the peering ones). */
size_t links_count_members(const struct links *ls);

/* Result of an asynchronous change: rc 0 or negative errno, err one line. */
typedef void (*links_done_fn)(int rc, const char *err, void *ctx);

/* Adds a link: reserves its name now (links_find sees it at once, so a
 * second request for the same pair is refused atomically), then writes the
 * record and brings the interface up on the worker. On failure nothing is
 * left: no interface, no record, no entry. -EEXIST when the name is taken. */
int links_add(struct links *ls, const struct link_record *rec, links_done_fn done, void *ctx);

/* Deletes the interface, then the record. */
int links_remove(struct links *ls, const char *name, links_done_fn done, void *ctx);

/* Saves a changed record (cost override, drain) of an existing link. */
int links_save(struct links *ls, struct link *link, links_done_fn done, void *ctx);
/* Saves a changed record and applies it to the interface (listen port,
 * endpoint, keys). */
int links_update(struct links *ls, struct link *link, links_done_fn done, void *ctx);

/* Tell the hooks (obfs_key_* above) about a key rotation step; the caller
 * has changed the record (and saves it). */
void links_obfs_key_staged(struct links *ls, struct link *link);
void links_obfs_key_changed(struct links *ls, struct link *link, const uint8_t old_key[LINK_KEY_LEN]);
void links_obfs_key_settled(struct links *ls, struct link *link);

/* Brings an active link's interface back in line with its record (a
 * wireguard-go process that died is started again) without taking the link
 * out of the table; for a link whose device stopped answering. -EBUSY when
 * the link is not active. */
int links_repair(struct links *ls, struct link *link, links_done_fn done, void *ctx);

/* AllowedPrefixes or AllowedPeers changed in deps.cfg: every active link's
 * peer gets the new allowed IPs, in place (no new handshake, no gap). */
int links_sources_changed(struct links *ls);

/* `wgmesh down` / `up`: every link's interface down or up again. */
int links_set_admin_all(struct links *ls, bool up, links_done_fn done, void *ctx);

/* What the periodic WireGuard read found for LINK's peer: ENDPOINT ("" when
 * WireGuard has none) and LAST_HANDSHAKE (Unix seconds, 0 = never since the
 * device was made). A new endpoint (the peer roamed, or the accepting side
 * learned it) is published as a link_endpoint event; the first handshake is
 * saved in the record (rec.handshaked). For active links only. */
void links_peer_seen(struct links *ls, struct link *link, const char *endpoint, int64_t last_handshake);

/* The other end's endpoint as links shows it: WireGuard's when it knows one,
 * else the configured one ("" on the accepting side until the handshake). */
const char *links_endpoint(const struct link *link);

/* Slots of our block and ports in use (for allocating a new link). */
size_t links_used_slots(struct links *ls, unsigned server_id, unsigned *out, size_t max);
size_t links_used_ports(struct links *ls, uint16_t *out, size_t max);
/* Both addresses of every peering link's /31 (for allocating a new one
 * that collides with none, on this node or the other). */
size_t links_used_peer_addrs(struct links *ls, struct in_addr *out, size_t max);

/* The control-socket form of a link (docs/control-socket.md; no secrets).
 * The quality part adds its metrics through the json_extra hook. */
typedef void (*links_json_extra_fn)(const struct link *link, json_t *obj, void *ctx);
void links_set_json_extra(struct links *ls, links_json_extra_fn fn, void *ctx);
/* The routing part's: which nodes a link carries, its OSPF adjacency. */
void links_set_json_route_extra(struct links *ls, links_json_extra_fn fn, void *ctx);
json_t *links_link_json(struct links *ls, const struct link *link);
json_t *links_to_json(struct links *ls);

#endif
