/* Half-made links: a link this node accepted (/connect answered, interface
 * up) whose other end never came, because the joining node failed after the
 * reply (its own link could not be made, the reply was lost, it crashed).
 * Such a link carries nothing and holds a port, a /31 and an OSPF interface.
 *
 * Rule: an accepted link whose peer has never completed a WireGuard handshake
 * (rec.handshaked, kept across restarts) is removed once it has been active
 * for handshakeTimeout seconds in this run of the daemon and a WireGuard
 * reading taken after that still shows no handshake. A link that ever
 * handshaked is never removed by this rule; links this node made itself
 * (client role) are the operator's and stay. The removal is announced as a
 * link_expired event (and a log line) saying why, then goes the usual way
 * (interface, record, BIRD config). */
#ifndef WGM_DAEMON_LINK_EXPIRY_H
#define WGM_DAEMON_LINK_EXPIRY_H

#include <stdbool.h>

#include "common/config/config.h"
#include "daemon/core/ctl_server.h"
#include "daemon/links/links.h"
#include "daemon/core/loop.h"

/* How often the rule is checked, ms. */
#define LINK_EXPIRY_CHECK_MS 2000

/* Pure: whether LINK is due for removal under the rule with TIMEOUT_S
 * (0 = never). Reads role, phase, rec.handshaked, active_since_ms, seen_ms. */
bool link_expiry_due(const struct link *link, unsigned timeout_s);

struct link_expiry_deps {
	struct loop *loop;
	struct links *links;
	const struct wgm_config *cfg; /* handshakeTimeout, read at every check */
	struct ctl_server *ctl;       /* events; may be NULL */
};

struct link_expiry;

int link_expiry_new(const struct link_expiry_deps *deps, struct link_expiry **out);
/* NULL is ignored. */
void link_expiry_free(struct link_expiry *le);

#endif
