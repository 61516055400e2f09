/* The link table's key rotation steps (links_hooks obfs_key_staged /
 * obfs_key_changed / obfs_key_settled, on the loop) carried to the engine:
 * each becomes a worker job, so the loop never waits for the engine thread
 * and the steps stay in order with the link's other changes. */
#ifndef WGM_DAEMON_OBFS_HOOKS_H
#define WGM_DAEMON_OBFS_HOOKS_H

#include "daemon/core/worker.h"
#include "daemon/links/links.h"
#include "daemon/obfs/obfs_engine.h"

struct obfs_hooks {
	struct worker *worker;
	struct obfs_engine *engine;
};

/* H must outlive the link table's hooks. 0 or negative errno. */
int obfs_hooks_register(struct obfs_hooks *h, struct links *links);

#endif
