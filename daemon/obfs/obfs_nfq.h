/* One netfilter queue, spoken to in nfnetlink_queue messages built and parsed
 * by hand with libmnl: bind, receive packets in batches (recvmmsg), and send
 * verdicts in batches (several messages per sendmsg), each either a plain
 * accept/drop or an accept with a replacement packet written straight into
 * the outgoing message (no copy between transform and kernel).
 *
 * Not thread-safe: the engine thread owns it. The queue is bound without
 * NFQA_CFG_F_FAIL_OPEN (a full queue drops, never lets a packet out plain) and
 * without NFQA_CFG_F_GSO (the kernel segments GSO packets before queueing, so
 * every packet we see is one datagram). */
#ifndef WGM_DAEMON_OBFS_NFQ_H
#define WGM_DAEMON_OBFS_NFQ_H

#include <stddef.h>
#include <stdint.h>

/* Packets taken per receive call. */
#define OBFS_NFQ_BATCH 32

struct obfs_nfq;

struct obfs_nfq_packet {
	uint32_t id;
	uint8_t hook;  /* NF_INET_LOCAL_OUT, NF_INET_LOCAL_IN, ... */
	uint8_t *data; /* the IP packet; valid until the next obfs_nfq_receive */
	size_t len;
};

/* Binds queue QUEUE in the current network namespace. 0 or negative errno,
 * err one line (-EPERM: another process holds the queue). */
int obfs_nfq_open(uint16_t queue, struct obfs_nfq **out, char *err, size_t errlen);
/* Unbinds and frees; the kernel then drops what reaches the queue. */
void obfs_nfq_close(struct obfs_nfq *q);
int obfs_nfq_fd(const struct obfs_nfq *q);

/* Takes up to MAX queued packets without blocking. Returns how many (0: none
 * waiting), or negative errno. Verdicts of the previous batch must have been
 * issued (the packet data lives in the receive buffers). */
int obfs_nfq_receive(struct obfs_nfq *q, struct obfs_nfq_packet *pkts, size_t max);

/* Plain verdict (NF_DROP, or NF_ACCEPT unchanged). */
void obfs_nfq_verdict(struct obfs_nfq *q, uint32_t id, uint32_t verdict);
/* Starts an accept verdict carrying a new packet of at most MAX_LEN bytes:
 * returns where to write it (NULL when MAX_LEN > 65531). Finish it with
 * obfs_nfq_verdict_commit, or abandon it by issuing another verdict. */
uint8_t *obfs_nfq_verdict_begin(struct obfs_nfq *q, uint32_t id, size_t max_len);
void obfs_nfq_verdict_commit(struct obfs_nfq *q, size_t len);
/* Sends the verdicts gathered so far. 0 or negative errno. */
int obfs_nfq_flush(struct obfs_nfq *q);

/* Netlink errors the kernel reported for our verdicts (bad id, ...). */
uint64_t obfs_nfq_errors(const struct obfs_nfq *q);

#endif
