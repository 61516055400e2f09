/* The node's mesh machinery inside the daemon: identity, the worker, netlink
 * and WireGuard, the link table, tokens, the node API, outgoing joins and
 * the control commands about them. daemon.c owns the lifecycle; this file
 * owns what a node is. */
#ifndef WGM_DAEMON_NODE_H
#define WGM_DAEMON_NODE_H

#include <stddef.h>

#include "common/config/addrplan.h"
#include "common/config/config.h"
#include "common/ctl/ctlproto.h"
#include "daemon/core/ctl_server.h"
#include "daemon/core/loop.h"

struct node;

/* cfg and plan are borrowed and must outlive the node. */
int node_start(struct loop *loop, struct ctl_server *ctl, const struct wgm_config *cfg, const struct wgm_addrplan *plan,
	       struct node **out, char *err, size_t errlen);
void node_stop(struct node *node);

/* A config key the node applies live changed (daemon/control/ctl_config.h). */
void node_config_changed(struct node *node, const char *key);

/* Fills the link and node counts of a status reply. */
void node_fill_status(struct node *node, struct wgm_ctl_status *st);

#endif
