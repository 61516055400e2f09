#include "daemon/obfs/obfs_datapath.h"

#include <errno.h>
#include <linux/netfilter.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/obfs/obfs_packet.h"
#include "daemon/obfs/obfs_rules.h"

static int raw_socket(int family)
{
	unsigned mark = OBFS_RULES_MARK;
	/* IPPROTO_RAW implies IP_HDRINCL (IPv4) and hdrincl (IPv6): we send
	 * whole packets with the link's own addresses and ports. */
	int fd = socket(family, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) < 0) {
		/* Without the mark the datagram would be queued again and
		 * transformed twice: better no junk than broken junk. */
		close(fd);
		return -1;
	}
	return fd;
}

int obfs_dp_init(struct obfs_dp *dp, struct obfs_nfq *queue, char *err, size_t errlen)
{
	dp->queue = queue;
	dp->n_links = 0;
	dp->raw4 = raw_socket(AF_INET);
	dp->raw6 = raw_socket(AF_INET6);
	if (dp->raw4 < 0 || dp->raw6 < 0) {
		int e = errno;
		snprintf(err, errlen, "raw socket for extra datagrams: %s", strerror(e));
		obfs_dp_free(dp);
		return -e;
	}
	return 0;
}

void obfs_dp_free(struct obfs_dp *dp)
{
	for (size_t i = 0; i < dp->n_links; i++)
		wgm_obfs_free(dp->links[i].obfs);
	dp->n_links = 0;
	if (dp->raw4 >= 0)
		close(dp->raw4);
	if (dp->raw6 >= 0)
		close(dp->raw6);
	dp->raw4 = dp->raw6 = -1;
}

struct obfs_dp_link *obfs_dp_find(struct obfs_dp *dp, uint16_t port)
{
	/* A node has tens of links: a scan of a small array beats a hash. */
	for (size_t i = 0; i < dp->n_links; i++)
		if (dp->links[i].port == port)
			return &dp->links[i];
	return NULL;
}

int obfs_dp_set(struct obfs_dp *dp, uint16_t port, enum wgm_link_type type, struct wgm_obfs *obfs,
		struct obfs_dp_stats *stats)
{
	struct obfs_dp_link *l = obfs_dp_find(dp, port);

	if (!l) {
		if (dp->n_links == OBFS_DP_LINKS_MAX)
			return -ENOSPC;
		l = &dp->links[dp->n_links++];
	} else {
		wgm_obfs_free(l->obfs);
	}
	*l = (struct obfs_dp_link){ .port = port, .type = type, .obfs = obfs, .stats = stats };
	return 0;
}

void obfs_dp_remove(struct obfs_dp *dp, uint16_t port)
{
	struct obfs_dp_link *l = obfs_dp_find(dp, port);

	if (!l)
		return;
	wgm_obfs_free(l->obfs);
	*l = dp->links[--dp->n_links];
}

struct emit_ctx {
	struct obfs_dp *dp;
	struct obfs_dp_link *link;
	const uint8_t *orig; /* the queued packet: addresses and ports */
	const struct obfs_pkt *pkt;
};

/* An extra datagram of the same flow, ahead of the queued one. */
static int emit_extra(void *ctx, const uint8_t *datagram, size_t len)
{
	struct emit_ctx *c = ctx;
	struct obfs_dp *dp = c->dp;
	const struct obfs_pkt *p = c->pkt;
	struct sockaddr_storage to = { 0 };
	socklen_t tolen;
	size_t total;
	int fd;

	if (len > sizeof(dp->scratch) - p->hdr_len)
		return -EMSGSIZE;
	memcpy(dp->scratch + p->hdr_len, datagram, len);
	total = obfs_pkt_rebuild(dp->scratch, c->orig, p, len, 0);
	if (!total)
		return -EMSGSIZE;
	if (p->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&to;
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, dp->scratch + 16, 4);
		/* Zero ID: the kernel picks one, as for the real datagrams. */
		dp->scratch[4] = dp->scratch[5] = 0;
		tolen = sizeof(*sin);
		fd = dp->raw4;
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&to;
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, dp->scratch + 24, 16);
		tolen = sizeof(*sin6);
		fd = dp->raw6;
	}
	if (sendto(fd, dp->scratch, total, MSG_DONTWAIT, (struct sockaddr *)&to, tolen) < 0)
		return 0; /* a lost junk datagram is what the network does too */
	atomic_fetch_add_explicit(&c->link->stats->extra_sent, 1, memory_order_relaxed);
	return 0;
}

static void handle(struct obfs_dp *dp, const struct obfs_nfq_packet *qp)
{
	bool outbound = qp->hook == NF_INET_LOCAL_OUT || qp->hook == NF_INET_POST_ROUTING;
	struct obfs_dp_link *link;
	struct obfs_pkt p;
	uint8_t *dst;
	ssize_t n;
	size_t total;

	if (obfs_pkt_parse(qp->data, qp->len, &p) < 0) {
		dp->malformed++;
		obfs_nfq_verdict(dp->queue, qp->id, NF_DROP);
		return;
	}
	link = obfs_dp_find(dp, outbound ? p.sport : p.dport);
	if (!link) {
		/* Queued but unknown: a link still being handed over, or
		 * removed. Never let it pass plain. */
		dp->unknown_port++;
		obfs_nfq_verdict(dp->queue, qp->id, NF_DROP);
		return;
	}
	dst = obfs_nfq_verdict_begin(dp->queue, qp->id, 65535 - 4);
	if (!dst) {
		obfs_nfq_verdict(dp->queue, qp->id, NF_DROP);
		return;
	}
	if (outbound) {
		struct emit_ctx ec = { .dp = dp, .link = link, .orig = qp->data, .pkt = &p };
		n = wgm_obfs_outbound(link->obfs, qp->data + p.hdr_len, p.payload_len, dst + p.hdr_len,
				      65535 - 4 - p.hdr_len, emit_extra, &ec);
	} else {
		n = wgm_obfs_inbound(link->obfs, qp->data + p.hdr_len, p.payload_len, dst + p.hdr_len,
				     65535 - 4 - p.hdr_len);
	}
	total = n > 0 ? obfs_pkt_rebuild(dst, qp->data, &p, (size_t)n, link->type == WGM_LINK_WGOBFS) : 0;
	if (!total) {
		atomic_fetch_add_explicit(outbound ? &link->stats->out_dropped : &link->stats->in_dropped, 1,
					  memory_order_relaxed);
		obfs_nfq_verdict(dp->queue, qp->id, NF_DROP);
		return;
	}
	obfs_nfq_verdict_commit(dp->queue, total);
	atomic_fetch_add_explicit(outbound ? &link->stats->out_packets : &link->stats->in_packets, 1,
				  memory_order_relaxed);
}

int obfs_dp_run_batch(struct obfs_dp *dp)
{
	struct obfs_nfq_packet pkts[OBFS_NFQ_BATCH];
	int n = obfs_nfq_receive(dp->queue, pkts, OBFS_NFQ_BATCH);

	for (int i = 0; i < n; i++)
		handle(dp, &pkts[i]);
	if (n > 0) {
		int rc = obfs_nfq_flush(dp->queue);
		if (rc < 0)
			return rc;
	}
	return n;
}
