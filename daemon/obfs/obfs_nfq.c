#include "daemon/obfs/obfs_nfq.h"
#include "common/netlink/nfq_msg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* One received netlink datagram holds one queued packet of up to 64 KiB
 * (a reassembled datagram) plus its attributes. */
#define RECV_SLOT_BYTES (65536 + 4096)
/* Verdicts go out when this much is gathered or the batch ends; room for
 * one more 64 KiB packet is kept free. */
#define SEND_BUF_BYTES (512 * 1024)
#define SEND_SLACK (65536 + 256)
#define SOCKET_BUFFER_BYTES (16 << 20)
/* Packets the kernel holds for us before it drops (fail closed). */
#define QUEUE_MAXLEN 8192

struct obfs_nfq {
	struct mnl_socket *nl;
	unsigned portid;
	uint16_t queue;
	uint8_t *recv_bufs; /* OBFS_NFQ_BATCH slots */
	struct mmsghdr msgs[OBFS_NFQ_BATCH];
	struct iovec iovs[OBFS_NFQ_BATCH];
	uint8_t *send_buf;
	size_t send_len;
	struct nlmsghdr *open_msg; /* a verdict_begin not yet committed */
	uint64_t errors;
};

static int bind_queue(struct obfs_nfq *q)
{
	uint8_t buf[512];
	struct nlmsghdr *nlh = wgm_nfq_msg_put(buf, NFQNL_MSG_CONFIG, q->queue);
	struct nfqnl_msg_config_cmd cmd = { .command = NFQNL_CFG_CMD_BIND, .pf = htons(AF_UNSPEC) };
	struct nfqnl_msg_config_params params = { .copy_range = htonl(0xffff), .copy_mode = NFQNL_COPY_PACKET };

	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = 1;
	mnl_attr_put(nlh, NFQA_CFG_CMD, sizeof(cmd), &cmd);
	mnl_attr_put(nlh, NFQA_CFG_PARAMS, sizeof(params), &params);
	mnl_attr_put_u32(nlh, NFQA_CFG_QUEUE_MAXLEN, htonl(QUEUE_MAXLEN));
	/* Explicitly off: fail-open (a full queue would let packets out plain)
	 * and GSO (we want one datagram per packet). */
	mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(NFQA_CFG_F_FAIL_OPEN | NFQA_CFG_F_GSO));
	mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(0));
	return wgm_nfq_config_send(q->nl, nlh, NULL, NULL);
}

int obfs_nfq_open(uint16_t queue, struct obfs_nfq **out, char *err, size_t errlen)
{
	struct obfs_nfq *q = calloc(1, sizeof(*q));
	int size = SOCKET_BUFFER_BYTES, one = 1, rc;

	if (!q || !(q->recv_bufs = malloc((size_t)OBFS_NFQ_BATCH * RECV_SLOT_BYTES)) ||
	    !(q->send_buf = malloc(SEND_BUF_BYTES))) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	q->queue = queue;
	q->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!q->nl || mnl_socket_bind(q->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		rc = -errno;
		snprintf(err, errlen, "netfilter netlink socket: %s", strerror(errno));
		goto fail;
	}
	q->portid = mnl_socket_get_portid(q->nl);
	/* A burst from a fast link must fit while the thread is busy. */
	if (setsockopt(mnl_socket_get_fd(q->nl), SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(mnl_socket_get_fd(q->nl), SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	mnl_socket_setsockopt(q->nl, NETLINK_NO_ENOBUFS, &one, sizeof(one));
	if ((rc = bind_queue(q)) < 0) {
		snprintf(err, errlen, "cannot bind netfilter queue %u: %s%s", queue, strerror(-rc),
			 rc == -EPERM ? " (another process holds it)" : "");
		goto fail;
	}
	for (size_t i = 0; i < OBFS_NFQ_BATCH; i++) {
		q->iovs[i].iov_base = q->recv_bufs + i * RECV_SLOT_BYTES;
		q->iovs[i].iov_len = RECV_SLOT_BYTES;
		q->msgs[i].msg_hdr.msg_iov = &q->iovs[i];
		q->msgs[i].msg_hdr.msg_iovlen = 1;
	}
	*out = q;
	return 0;
fail:
	obfs_nfq_close(q);
	return rc;
}

void obfs_nfq_close(struct obfs_nfq *q)
{
	if (!q)
		return;
	if (q->nl) {
		uint8_t buf[256];
		struct nlmsghdr *nlh = wgm_nfq_msg_put(buf, NFQNL_MSG_CONFIG, q->queue);
		struct nfqnl_msg_config_cmd cmd = { .command = NFQNL_CFG_CMD_UNBIND, .pf = htons(AF_UNSPEC) };

		obfs_nfq_flush(q);
		mnl_attr_put(nlh, NFQA_CFG_CMD, sizeof(cmd), &cmd);
		mnl_socket_sendto(q->nl, nlh, nlh->nlmsg_len);
		mnl_socket_close(q->nl);
	}
	free(q->recv_bufs);
	free(q->send_buf);
	free(q);
}

int obfs_nfq_fd(const struct obfs_nfq *q)
{
	return mnl_socket_get_fd(q->nl);
}

uint64_t obfs_nfq_errors(const struct obfs_nfq *q)
{
	return q->errors;
}

/* One nfnetlink message: a packet, or an error about a verdict. */
static bool parse_one(struct obfs_nfq *q, struct nlmsghdr *nlh, struct obfs_nfq_packet *pkt)
{
	const struct nfqnl_msg_packet_hdr *ph = NULL;
	struct nlattr *attr;

	if (nlh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
		if (nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(*e)) && e->error)
			q->errors++;
		return false;
	}
	if (nlh->nlmsg_type != ((NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET))
		return false;
	pkt->data = NULL;
	mnl_attr_for_each (attr, nlh, sizeof(struct nfgenmsg)) {
		switch (mnl_attr_get_type(attr)) {
		case NFQA_PACKET_HDR:
			if (mnl_attr_get_payload_len(attr) >= sizeof(*ph))
				ph = mnl_attr_get_payload(attr);
			break;
		case NFQA_PAYLOAD:
			pkt->data = mnl_attr_get_payload(attr);
			pkt->len = mnl_attr_get_payload_len(attr);
			break;
		}
	}
	if (!ph)
		return false;
	pkt->id = ntohl(ph->packet_id);
	pkt->hook = ph->hook;
	if (!pkt->data) {
		/* Nothing to transform: drop it rather than guess. */
		obfs_nfq_verdict(q, pkt->id, NF_DROP);
		return false;
	}
	return true;
}

int obfs_nfq_receive(struct obfs_nfq *q, struct obfs_nfq_packet *pkts, size_t max)
{
	int got;
	size_t n = 0;

	if (max > OBFS_NFQ_BATCH)
		max = OBFS_NFQ_BATCH;
	got = recvmmsg(obfs_nfq_fd(q), q->msgs, (unsigned)max, MSG_DONTWAIT, NULL);
	if (got < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -errno;
	for (int i = 0; i < got; i++) {
		struct nlmsghdr *nlh = q->iovs[i].iov_base;
		int len = (int)q->msgs[i].msg_len;

		if (q->msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
			/* Cannot happen with a 64 KiB copy range and these slots;
			 * if it did, the packet still needs a verdict, or it
			 * would sit in the kernel's queue for good. The kernel
			 * puts NFQA_PACKET_HDR first. */
			const struct nlattr *a = (const struct nlattr *)((uint8_t *)nlh + NLMSG_HDRLEN +
									 MNL_ALIGN(sizeof(struct nfgenmsg)));
			if (mnl_attr_get_type(a) == NFQA_PACKET_HDR) {
				const struct nfqnl_msg_packet_hdr *ph = mnl_attr_get_payload(a);
				obfs_nfq_verdict(q, ntohl(ph->packet_id), NF_DROP);
			}
			continue;
		}
		while (mnl_nlmsg_ok(nlh, len) && n < max) {
			if (parse_one(q, nlh, &pkts[n]))
				n++;
			nlh = mnl_nlmsg_next(nlh, &len);
		}
	}
	return (int)n;
}

static void reserve(struct obfs_nfq *q, size_t need)
{
	if (q->send_len + need > SEND_BUF_BYTES)
		obfs_nfq_flush(q);
}

void obfs_nfq_verdict(struct obfs_nfq *q, uint32_t id, uint32_t verdict)
{
	struct nfqnl_msg_verdict_hdr vh = { .verdict = htonl(verdict), .id = htonl(id) };
	struct nlmsghdr *nlh;

	q->open_msg = NULL;
	reserve(q, 128);
	nlh = wgm_nfq_msg_put(q->send_buf + q->send_len, NFQNL_MSG_VERDICT, q->queue);
	mnl_attr_put(nlh, NFQA_VERDICT_HDR, sizeof(vh), &vh);
	q->send_len += MNL_ALIGN(nlh->nlmsg_len);
}

uint8_t *obfs_nfq_verdict_begin(struct obfs_nfq *q, uint32_t id, size_t max_len)
{
	struct nfqnl_msg_verdict_hdr vh = { .verdict = htonl(NF_ACCEPT), .id = htonl(id) };
	struct nlmsghdr *nlh;
	struct nlattr *payload;

	/* nla_len is 16 bits and counts its own header. */
	if (max_len > 65535 - MNL_ATTR_HDRLEN)
		return NULL;
	q->open_msg = NULL;
	reserve(q, max_len + 128);
	nlh = wgm_nfq_msg_put(q->send_buf + q->send_len, NFQNL_MSG_VERDICT, q->queue);
	mnl_attr_put(nlh, NFQA_VERDICT_HDR, sizeof(vh), &vh);
	payload = mnl_nlmsg_get_payload_tail(nlh);
	payload->nla_type = NFQA_PAYLOAD;
	q->open_msg = nlh;
	return (uint8_t *)payload + MNL_ATTR_HDRLEN;
}

void obfs_nfq_verdict_commit(struct obfs_nfq *q, size_t len)
{
	struct nlmsghdr *nlh = q->open_msg;
	struct nlattr *payload;

	if (!nlh)
		return;
	payload = mnl_nlmsg_get_payload_tail(nlh);
	payload->nla_len = (uint16_t)(MNL_ATTR_HDRLEN + len);
	nlh->nlmsg_len += MNL_ALIGN(payload->nla_len);
	q->send_len += MNL_ALIGN(nlh->nlmsg_len);
	q->open_msg = NULL;
}

int obfs_nfq_flush(struct obfs_nfq *q)
{
	ssize_t n;

	q->open_msg = NULL;
	if (!q->send_len)
		return 0;
	n = mnl_socket_sendto(q->nl, q->send_buf, q->send_len);
	q->send_len = 0;
	return n < 0 ? -errno : 0;
}
