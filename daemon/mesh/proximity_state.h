/* The proximity decision that outlives the daemon: the cutoff `wgmesh
 * proximity CUTOFF_MS` last applied and the nodes whose links it cut, kept in
 * STATEDIR/proximity.json. Mesh buildup does not link a cut node again, after
 * a restart too, until `wgmesh proximity off` (or a later cutoff that finds
 * the node close) lets it. Converting to and from JSON is pure and strict (a
 * file that is not exactly this shape is refused whole); loading reads the
 * file. docs/scaling.md. */
#ifndef WGM_DAEMON_PROXIMITY_STATE_H
#define WGM_DAEMON_PROXIMITY_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "daemon/mesh/mesh_nodes.h"

#define PROXIMITY_STATE_FILE "proximity.json"
#define PROXIMITY_STATE_VERSION 1
#define PROXIMITY_CUTOFF_MAX_MS 60000

struct proximity_state {
	double cutoff_ms; /* < 0: no cutoff in force */
	bool cut[MESH_NODES_MAX];
};

/* No cutoff, nothing cut. */
void proximity_state_init(struct proximity_state *s);
bool proximity_state_active(const struct proximity_state *s);
size_t proximity_state_count_cut(const struct proximity_state *s);
/* The cut nodes as a JSON array of IDs, ascending (new reference). */
json_t *proximity_state_cut_json(const struct proximity_state *s);

/* {"version":1,"cutoff_ms":N|null,"cut":[ID,...]}. NULL on ENOMEM. */
json_t *proximity_state_to_json(const struct proximity_state *s);
/* The reverse, for this node (self_id may not be cut). On error (-EINVAL)
 * *out is untouched and err says which field is wrong and why. */
int proximity_state_from_json(const json_t *json, unsigned self_id, struct proximity_state *out, char *err,
			      size_t errlen);

/* STATEDIR/proximity.json into *out: 0; -ENOENT when there is none (*out
 * has no cutoff); -EBADMSG or -EINVAL when it is unreadable or invalid (*out
 * has no cutoff, err names the file and the reason). */
int proximity_state_load(const char *state_dir, unsigned self_id, struct proximity_state *out, char *err,
			 size_t errlen);
/* The path of the file in state_dir. -ENAMETOOLONG when it does not fit. */
int proximity_state_path(const char *state_dir, char *path, size_t len);

#endif
