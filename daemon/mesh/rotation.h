/* XOR key rotation on the daemon's loop: the I/O shell around the pure state
 * machine of daemon/links/xor_rotate.h. It runs on the connecting (client)
 * end of each ipt_xor link every 5-7 h by default (xorRotateInterval; 0 =
 * off), and on any ipt_xor or wgobfs link when the operator asks (`wgmesh
 * rotate LINK`). Remote steps are member calls to the other end's
 * PATCH /update; local steps save the link record on the worker and tell the
 * engine through the link hooks (links.h obfs_key_*). Nothing blocks the
 * loop: a one-second tick drives settling, verifying and retries.
 *
 * Reports: the rotate_started / rotate_done / rotate_failed events
 * (common/ctl/ctlproto.h), log lines, and a gotifyError notification on
 * failure. Keys never appear in any of them. */
#ifndef WGM_DAEMON_ROTATION_H
#define WGM_DAEMON_ROTATION_H

#include "common/config/addrplan.h"
#include "common/config/config.h"
#include "common/config/node_identity.h"
#include "daemon/api/http_client.h"
#include "daemon/core/ctl_server.h"
#include "daemon/core/loop.h"
#include "daemon/links/links.h"

/* A link carrying less than this (both directions, bytes/s) has been left
 * by routed traffic: probes, BFD and keepalives remain. */
#define ROTATION_QUIET_BYTES_PER_S 16384
/* A rotation interrupted after staging its key resumes this long after the
 * link is back. */
#define ROTATION_RESUME_DELAY_MS 30000

/* What a run reads of a link's path quality: its traffic between the last
 * two WireGuard readings, and the probes answered so far. */
struct rotation_link_view {
	uint64_t rx_bytes_per_s, tx_bytes_per_s;
	uint64_t probes_answered;
};

struct rotation_deps {
	struct loop *loop;
	const struct wgm_config *cfg;
	const struct wgm_addrplan *plan;
	struct wgm_node_identity *identity;
	struct links *links;
	struct http_client *http;
	struct ctl_server *ctl; /* events; may be NULL */
	/* From path quality (daemon/quality sits beside mesh, so node.c wires
	 * it): the link's figures (false when it is not probed), the cost that
	 * drains a link, and the operator's notification of a failure. */
	bool (*link_view)(const struct link *link, struct rotation_link_view *out, void *ctx);
	void (*notify_failure)(const char *text, void *ctx);
	unsigned drain_cost;
	void *ctx;
};

struct rotation;

int rotation_new(const struct rotation_deps *deps, struct rotation **out);
/* Registers `rotate` on the control socket. */
int rotation_register(struct rotation *r, struct ctl_server *ctl);
/* xorRotateInterval changed: every idle link's next rotation is drawn again. */
void rotation_config_changed(struct rotation *r, const char *key);
/* Before the HTTP client is freed: no new step starts; the cancelled calls'
 * callbacks still find their state. */
void rotation_stop(struct rotation *r);
/* After the worker is freed (its last saves report here). NULL is ignored. */
void rotation_free(struct rotation *r);

#endif
