/* Makes the system match a link record: the WireGuard interface, its peer,
 * addresses, MTU and state. Blocking calls: run these on the worker thread,
 * never on the loop. */
#ifndef WGM_DAEMON_LINK_APPLY_H
#define WGM_DAEMON_LINK_APPLY_H

#include <stddef.h>

#include "common/netlink/nl_sock.h"
#include "common/wg/wg.h"
#include "daemon/links/link_record.h"
#include "daemon/links/link_sources.h"

/* WireGuard keepalive of the connecting side: keeps NAT mappings open. */
#define LINK_KEEPALIVE_S 25
/* Used when the path MTU to the endpoint is unknown. */
#define LINK_MTU_DEFAULT 1420

struct obfs_engine;

struct link_system {
	struct wgm_wg_backend *wg;
	struct wgm_nl_sock *route;
	/* Obfuscated link types (daemon/obfs/); NULL when the engine could not
	 * start: such links then fail to come up, plain ones are unaffected. */
	struct obfs_engine *obfs;
};

/* The device a record describes, its peer's allowed IPs from SRC (pure).
 * *out is the caller's: wgm_wg_device_free. */
int link_record_to_wg_device(const struct link_record *rec, const struct link_sources *src, struct wgm_wg_device **out);

/* Tunnel MTU from the underlay's: minus 60 for IPv4 transport, 80 for IPv6
 * (outer IP + UDP + WireGuard headers), LINK_MTU_DEFAULT when unknown (pure). */
unsigned link_mtu_from_underlay(unsigned underlay_mtu, enum wgm_transport transport);

/* The tunnel MTU towards ENDPOINT_IP ("192.0.2.1", "2001:db8::1") from the
 * route the kernel would use; LINK_MTU_DEFAULT when there is none. */
unsigned link_mtu_towards(struct link_system *sys, const char *endpoint_ip, enum wgm_transport transport);

/* Hands an obfuscated link to the engine and queues its flow first (so its
 * first handshake already goes out transformed), then creates the interface if needed (a wireguard-go that died is started
 * again), sets key, port and the one peer, addresses and MTU, and brings it up.
 * Idempotent. 0 or negative errno; err one line. */
int link_apply_up(struct link_system *sys, const struct link_record *rec, const struct link_sources *src, char *err,
		  size_t errlen);

/* Sets the allowed IPs of a running link's peer from SRC, nothing else: the
 * session, endpoint and traffic go on. 0 or negative errno; err one line. */
int link_apply_sources(struct link_system *sys, const struct link_record *rec, const struct link_sources *src,
		       char *err, size_t errlen);

/* Deletes the interface (and its wireguard-go), then the link's
 * obfuscation rules and state. Nothing there is success. */
int link_apply_delete(struct link_system *sys, const char *name, char *err, size_t errlen);

/* Takes the interface down without deleting it (`wgmesh down`). */
int link_apply_set_admin(struct link_system *sys, const char *name, bool up, char *err, size_t errlen);

#endif
