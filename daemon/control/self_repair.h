/* Self-repair by port change, the shell of daemon/quality/repair_policy.h:
 * every SELF_REPAIR_TICK_MS it looks at the links this node made; one due
 * for repair gets a new random port on the other end through a member
 * PATCH /update (sent through the mesh, which still reaches that node), and
 * on success this end points its endpoint there. Each repair is logged,
 * published as a link_repaired event and notified (gotifyDiag). The
 * cooldown is kept in memory: a restart forgets it. */
#ifndef WGM_DAEMON_SELF_REPAIR_H
#define WGM_DAEMON_SELF_REPAIR_H

#include "common/config/addrplan.h"
#include "common/config/config.h"
#include "common/config/node_identity.h"
#include "daemon/api/http_client.h"
#include "daemon/core/ctl_server.h"
#include "daemon/core/loop.h"
#include "daemon/links/links.h"
#include "daemon/quality/notify.h"
#include "daemon/routing/bird_watch.h"

#define SELF_REPAIR_TICK_MS 2000

struct self_repair_deps {
	struct loop *loop;
	const struct wgm_config *cfg; /* repair keys read live */
	const struct wgm_addrplan *plan;
	struct wgm_node_identity *identity;
	struct links *links;
	struct http_client *http;
	struct bird_watch *bird;
	struct ctl_server *ctl; /* events; may be NULL */
	struct notify *notify;  /* may be NULL */
};

struct self_repair;

int self_repair_new(const struct self_repair_deps *deps, struct self_repair **out);
/* Before the HTTP client goes: replies still to come are ignored. */
void self_repair_stop(struct self_repair *sr);
void self_repair_free(struct self_repair *sr);

#endif
