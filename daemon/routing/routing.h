/* BIRD's config from the daemon's view of the mesh: the config keys and the
 * link table (every link interface with its cost) rendered by bird/conf_gen
 * and applied through BIRD's control socket on the worker (`configure check`
 * first: a config BIRD refuses is never applied, the last good one stays).
 * Regenerated when links become active or go, coalesced within a short
 * delay unless urgent. Failures go to the log and the events
 * ({"event":"bird",...}). */
#ifndef WGM_DAEMON_ROUTING_H
#define WGM_DAEMON_ROUTING_H

#include <stdbool.h>
#include <stddef.h>

#include "common/config/addrplan.h"
#include "common/config/config.h"
#include "daemon/core/ctl_server.h"
#include "daemon/links/links.h"
#include "daemon/core/loop.h"
#include "daemon/core/worker.h"

/* How long non-urgent requests are gathered into one apply. */
#define ROUTING_COALESCE_MS 200

struct routing;

struct routing_deps {
	struct loop *loop;
	struct worker *worker;
	const struct wgm_config *cfg; /* read at every apply: live changes count */
	const struct wgm_addrplan *plan;
	struct links *links;
	struct ctl_server *ctl; /* events; may be NULL */
};

/* Adds its hooks to the link table. */
int routing_new(const struct routing_deps *deps, struct routing **out);
/* An apply in flight finishes on the worker; its result is dropped and
 * waiting callers get -ECANCELED. NULL is ignored. */
void routing_free(struct routing *r);

/* The cost BIRD gets for a link's interface, 1..65535. Until a source is set,
 * routing uses routing_default_cost (daemon/routing/routing_model.h). */
typedef unsigned (*routing_cost_fn)(const struct link *link, void *ctx);
void routing_set_cost_source(struct routing *r, routing_cost_fn fn, void *ctx);

typedef void (*routing_done_fn)(int rc, const char *err, void *ctx);

/* Regenerate BIRD's config from the links and costs and apply it (check, then
 * configure) on the worker. urgent: now; else coalesced with others within a
 * short delay. done may be NULL; it runs on the loop with BIRD's verdict,
 * or -ENOTCONN ("BIRD is down: ...") at once while routing_bird_state says
 * BIRD is down. A failure is logged when its reason differs from the last. */
int routing_request_apply(struct routing *r, bool urgent, routing_done_fn done, void *ctx);

/* `wgmesh recover`: like an urgent request, but applied even when the text
 * is the one BIRD already runs, and tried even while BIRD is known down. */
int routing_recover(struct routing *r, routing_done_fn done, void *ctx);

/* BIRD's socket started (or stopped, err says why) answering; published as
 * a "bird" event. A BIRD that (re)appears
 * gets the current config at once: it may have started from a placeholder. */
void routing_bird_state(struct routing *r, bool up, const char *err);

/* The error of the last apply, "" after a success or before any. */
const char *routing_last_error(const struct routing *r);

#endif
