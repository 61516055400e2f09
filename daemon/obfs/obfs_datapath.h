/* The engine thread's packet path: takes a batch of queued packets, finds
 * each one's link by its local port, runs the link's transform over the UDP
 * payload straight into the verdict message, rewrites the IP and UDP headers
 * and issues the verdicts; extra datagrams (AmneziaWG junk) go out on raw
 * sockets whose fwmark the rules let pass unqueued. Everything here belongs
 * to the engine thread. */
#ifndef WGM_DAEMON_OBFS_DATAPATH_H
#define WGM_DAEMON_OBFS_DATAPATH_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "common/obfs/obfs.h"
#include "daemon/obfs/obfs_nfq.h"

#define OBFS_DP_LINKS_MAX 512

/* Counters of one link, read by other threads (relaxed atomics). */
struct obfs_dp_stats {
	_Atomic uint64_t out_packets, in_packets, out_dropped, in_dropped, extra_sent;
};

struct obfs_dp_link {
	uint16_t port;
	enum wgm_link_type type;
	struct wgm_obfs *obfs; /* owned */
	struct obfs_dp_stats *stats;
};

struct obfs_dp {
	struct obfs_nfq *queue;
	int raw4, raw6; /* -1 when not available */
	struct obfs_dp_link links[OBFS_DP_LINKS_MAX];
	size_t n_links;
	uint64_t unknown_port; /* packets of a queued port with no link */
	uint64_t malformed;
	uint8_t scratch[65536]; /* an extra datagram with its headers */
};

/* Opens the raw sockets (marked OBFS_RULES_MARK). The queue is the caller's. */
int obfs_dp_init(struct obfs_dp *dp, struct obfs_nfq *queue, char *err, size_t errlen);
/* Frees every link's transform and closes the raw sockets. */
void obfs_dp_free(struct obfs_dp *dp);

struct obfs_dp_link *obfs_dp_find(struct obfs_dp *dp, uint16_t port);
/* Adds or replaces the link on PORT; takes OBFS. -ENOSPC when full. */
int obfs_dp_set(struct obfs_dp *dp, uint16_t port, enum wgm_link_type type, struct wgm_obfs *obfs,
		struct obfs_dp_stats *stats);
void obfs_dp_remove(struct obfs_dp *dp, uint16_t port);

/* Receives and handles one batch. Returns the packets handled (0: the queue
 * was empty), negative errno on a socket error. */
int obfs_dp_run_batch(struct obfs_dp *dp);

#endif
