/* VXLAN over the mesh (DESIGN.md section 3): vxlan1 (VNI 1, UDP 1789, local
 * 10.0.ID.1, 10.0.251.ID/24) and vxlan1v6 (VNI 2, UDP 1790, local
 * fd10:0:ID::1, fd10:251::ID/64), with a forwarding entry
 * `00:00:00:00:00:00 dst LOOPBACK` for every other node BIRD routes. The
 * entries follow the routes: added for new nodes, removed for gone ones.
 * `disable vxlan` deletes both devices (and so every entry). All netlink
 * work runs on the worker. */
#ifndef WGM_DAEMON_VXLAN_H
#define WGM_DAEMON_VXLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "common/config/addrplan.h"
#include "common/config/config.h"
#include "common/netlink/nl_sock.h"
#include "daemon/mesh/mesh_nodes.h"
#include "daemon/core/worker.h"

#define VXLAN4_IFNAME "vxlan1"
#define VXLAN6_IFNAME "vxlan1v6"

/* Pure: the forwarding entries node self_id wants for a routed set.
 * want4[id] / want6[id]: an entry towards node id's IPv4 / IPv6 loopback. */
void vxlan_wanted(unsigned self_id, const struct mesh_nodes *nodes, bool *want4, bool *want6);

struct vxlan;

struct vxlan_deps {
	struct worker *worker;
	struct wgm_nl_sock *route;    /* used on the worker only */
	const struct wgm_config *cfg; /* vxlan read live */
	const struct wgm_addrplan *plan;
};

int vxlan_new(const struct vxlan_deps *deps, struct vxlan **out);
/* A reconcile in flight finishes on the worker and is dropped. */
void vxlan_free(struct vxlan *v);

/* Every answered `show route` (from bird_watch). */
void vxlan_on_routes(struct vxlan *v, const struct mesh_nodes *nodes);
/* `enable vxlan` / `disable vxlan` took effect in cfg. */
void vxlan_config_changed(struct vxlan *v);

#endif
