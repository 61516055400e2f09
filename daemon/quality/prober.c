#include "daemon/quality/prober.h"
#include "common/util/err.h"
#include "common/util/clock.h"

#include "common/util/sorted_ids.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* From <linux/icmp.h>, which clashes with <netinet/ip_icmp.h>. */
#ifndef ICMP_FILTER
#define ICMP_FILTER 1
struct icmp_filter {
	uint32_t data;
};
#endif

#define PAYLOAD_MAGIC 0x77676d70u /* "wgmp" */
#define PACKET_MAX 1500
/* Replies read per readable event, so one busy socket cannot starve the loop. */
#define READ_BATCH 512

struct probe_payload {
	uint64_t nonce;
	int64_t sent_us;
	uint32_t target_id;
	uint32_t magic;
};

struct target {
	uint32_t id;
	int family;
	unsigned ifindex;
	bool reresolve; /* the interface vanished under us: look it up again */
	char ifname[IF_NAMESIZE];
	union {
		struct sockaddr_in v4;
		struct sockaddr_in6 v6;
	} addr;
};

struct slot {
	int64_t sent_us;
	uint64_t nonce;
	uint32_t target_id;
	uint16_t seq;
	bool in_use;
};

struct prober {
	struct prober_params params;
	prober_result_fn on_result;
	void *ctx;
	int fd4, fd6;
	uint16_t ident;
	uint64_t rng;
	uint32_t next_id;
	/* Probes in flight are slots[tail..head) (mod the table size); the ICMP
	 * sequence number is the low 16 bits of the counter. */
	uint32_t head, tail;
	struct target *targets; /* sorted by id */
	size_t ntargets, cap;
	struct prober_counters counters;
	struct slot slots[PROBER_MAX_IN_FLIGHT];
};

_Static_assert(65536 % PROBER_MAX_IN_FLIGHT == 0, "sequence numbers must map onto slots");
_Static_assert(sizeof(struct probe_payload) == 24, "payload header layout");

struct prober_params prober_params_default(void)
{
	return (struct prober_params){ .timeout_us = 1000000, .payload_len = 56 };
}

static uint64_t next_random(struct prober *p)
{
	/* xorshift64*: nonces only need to be unguessable by strays, not by an
	 * attacker on the link (who could forge any ICMP anyway). */
	p->rng ^= p->rng >> 12;
	p->rng ^= p->rng << 25;
	p->rng ^= p->rng >> 27;
	return p->rng * 0x2545F4914F6CDD1DULL;
}

static int open_icmp4(void)
{
	int fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (fd < 0)
		return -errno;
	int one = 1;
	/* Only echo replies reach us; the kernel drops other ICMP types early. */
	struct icmp_filter filter = { .data = ~(1u << ICMP_ECHOREPLY) };
	int rcvbuf = 256 * 1024;
	if (setsockopt(fd, SOL_IP, IP_PKTINFO, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_RAW, ICMP_FILTER, &filter, sizeof(filter)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

static int open_icmp6(void)
{
	int fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	if (fd < 0)
		return -errno;
	int one = 1;
	struct icmp6_filter filter;
	ICMP6_FILTER_SETBLOCKALL(&filter);
	ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filter);
	int rcvbuf = 256 * 1024;
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof(filter)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

int prober_new(const struct prober_params *params, prober_result_fn on_result, void *ctx, struct prober **out,
	       char *err, size_t errlen)
{
	*out = NULL;
	if (params->timeout_us <= 0) {
		wgm_err(0, err, errlen, "prober timeout: must be positive");
		return -EINVAL;
	}
	if (params->payload_len < sizeof(struct probe_payload) || params->payload_len > 1400) {
		wgm_err(0, err, errlen, "prober payload_len: must be 24-1400 bytes");
		return -EINVAL;
	}
	if (!on_result) {
		wgm_err(0, err, errlen, "prober: a result callback is required");
		return -EINVAL;
	}
	struct prober *p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->params = *params;
	p->on_result = on_result;
	p->ctx = ctx;
	p->fd4 = open_icmp4();
	p->fd6 = open_icmp6();
	if (p->fd4 < 0 && p->fd6 < 0) {
		int e = p->fd4;
		wgm_err(0, err, errlen, "raw ICMP socket: %s%s", strerror(-e),
			e == -EPERM || e == -EACCES ? " (needs root or CAP_NET_RAW)" : "");
		free(p);
		return e;
	}
	uint64_t seed = 0;
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != (ssize_t)sizeof(seed))
		seed = (uint64_t)wgm_mono_us() ^ ((uint64_t)getpid() << 32);
	p->rng = seed | 1;
	p->ident = (uint16_t)next_random(p);
	p->head = p->tail = (uint32_t)next_random(p);
	p->next_id = 1;
	*out = p;
	return 0;
}

void prober_free(struct prober *p)
{
	if (!p)
		return;
	if (p->fd4 >= 0)
		close(p->fd4);
	if (p->fd6 >= 0)
		close(p->fd6);
	free(p->targets);
	free(p);
}

int prober_fd4(const struct prober *p)
{
	return p->fd4;
}

int prober_fd6(const struct prober *p)
{
	return p->fd6;
}

size_t prober_target_count(const struct prober *p)
{
	return p->ntargets;
}

void prober_get_counters(const struct prober *p, struct prober_counters *out)
{
	*out = p->counters;
}

static struct target *find_target(struct prober *p, uint32_t id)
{
	size_t at = WGM_SORTED_LOWER_BOUND(p->targets, p->ntargets, id, id);

	return at < p->ntargets && p->targets[at].id == id ? &p->targets[at] : NULL;
}

/* First target with an id above `id`, or NULL. */
static struct target *target_after(struct prober *p, uint32_t id)
{
	size_t at = WGM_SORTED_UPPER_BOUND(p->targets, p->ntargets, id, id);

	return at < p->ntargets ? &p->targets[at] : NULL;
}

int prober_add_target(struct prober *p, const char *ifname, const char *remote_addr, uint32_t *id, char *err,
		      size_t errlen)
{
	struct target t = { 0 };
	if (!ifname || strlen(ifname) >= IF_NAMESIZE || !*ifname) {
		wgm_err(0, err, errlen, "probe target %s: not an interface name", ifname ? ifname : "(null)");
		return -EINVAL;
	}
	snprintf(t.ifname, sizeof(t.ifname), "%s", ifname);
	if (remote_addr && inet_pton(AF_INET, remote_addr, &t.addr.v4.sin_addr) == 1) {
		t.family = AF_INET;
		t.addr.v4.sin_family = AF_INET;
	} else if (remote_addr && inet_pton(AF_INET6, remote_addr, &t.addr.v6.sin6_addr) == 1) {
		t.family = AF_INET6;
		t.addr.v6.sin6_family = AF_INET6;
	} else {
		wgm_err(0, err, errlen, "probe target %s: %s is not an IPv4 or IPv6 address", ifname,
			remote_addr ? remote_addr : "(null)");
		return -EINVAL;
	}
	if ((t.family == AF_INET ? p->fd4 : p->fd6) < 0) {
		wgm_err(0, err, errlen, "probe target %s: %s: this host has no raw socket for that address family",
			ifname, remote_addr);
		return -EAFNOSUPPORT;
	}
	t.ifindex = if_nametoindex(ifname);
	if (!t.ifindex) {
		wgm_err(0, err, errlen, "probe target %s: no such interface (%s)", ifname, remote_addr);
		return -ENODEV;
	}
	/* fe80::/10 (which holds the mesh's fe82:: link addresses) needs a scope. */
	if (t.family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&t.addr.v6.sin6_addr))
		t.addr.v6.sin6_scope_id = t.ifindex;
	if (p->ntargets == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		struct target *n = realloc(p->targets, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		p->targets = n;
		p->cap = cap;
	}
	t.id = p->next_id++;
	p->targets[p->ntargets++] = t; /* ids grow, so the array stays sorted */
	*id = t.id;
	return 0;
}

int prober_remove_target(struct prober *p, uint32_t id)
{
	struct target *t = find_target(p, id);
	if (!t)
		return -ENOENT;
	size_t i = (size_t)(t - p->targets);
	memmove(&p->targets[i], &p->targets[i + 1], (p->ntargets - i - 1) * sizeof(*t));
	p->ntargets--;
	/* Its probes in flight stay in their slots and are dropped silently
	 * when they expire or their reply arrives: no target, no callback. */
	return 0;
}

static void report(struct prober *p, uint32_t target_id, enum probe_outcome outcome, int64_t sent_us, uint32_t rtt_us,
		   int error)
{
	struct probe_result r = {
		.target_id = target_id,
		.outcome = outcome,
		.sent_us = sent_us,
		.rtt_us = rtt_us,
		.error = error,
	};
	p->on_result(p->ctx, &r);
}

static void retire_tail(struct prober *p, bool lost)
{
	struct slot *s = &p->slots[p->tail % PROBER_MAX_IN_FLIGHT];
	p->tail++;
	if (!s->in_use)
		return;
	s->in_use = false;
	if (lost && find_target(p, s->target_id)) {
		p->counters.lost++;
		report(p, s->target_id, PROBE_LOST, s->sent_us, 0, 0);
	}
}

void prober_expire(struct prober *p, int64_t now_us)
{
	while (p->tail != p->head) {
		struct slot *s = &p->slots[p->tail % PROBER_MAX_IN_FLIGHT];
		if (s->in_use && now_us - s->sent_us < p->params.timeout_us)
			break;
		retire_tail(p, true);
	}
}

int64_t prober_next_expiry(const struct prober *p)
{
	for (uint32_t i = p->tail; i != p->head; i++) {
		const struct slot *s = &p->slots[i % PROBER_MAX_IN_FLIGHT];
		if (s->in_use)
			return s->sent_us + p->params.timeout_us;
	}
	return 0;
}

static uint16_t inet_checksum(const void *data, size_t len)
{
	const uint8_t *b = data;
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static int send_request(struct prober *p, struct target *t, uint16_t seq, const struct probe_payload *pl)
{
	uint8_t pkt[8 + 1400] = { 0 };
	size_t len = 8 + p->params.payload_len;
	memcpy(pkt + 8, pl, sizeof(*pl));

	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} control;
	memset(&control, 0, sizeof(control));
	struct iovec iov = { .iov_base = pkt, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf };
	struct cmsghdr *c = (struct cmsghdr *)control.buf;
	int fd;

	if (t->family == AF_INET) {
		struct icmphdr *h = (struct icmphdr *)pkt;
		h->type = ICMP_ECHO;
		h->un.echo.id = htons(p->ident);
		h->un.echo.sequence = htons(seq);
		h->checksum = inet_checksum(pkt, len);
		struct in_pktinfo pi = { .ipi_ifindex = (int)t->ifindex };
		c->cmsg_level = SOL_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		msg.msg_controllen = CMSG_SPACE(sizeof(pi));
		msg.msg_name = &t->addr.v4;
		msg.msg_namelen = sizeof(t->addr.v4);
		fd = p->fd4;
	} else {
		/* The kernel fills in the ICMPv6 checksum on raw ICMPv6 sockets. */
		struct icmp6_hdr *h = (struct icmp6_hdr *)pkt;
		h->icmp6_type = ICMP6_ECHO_REQUEST;
		h->icmp6_id = htons(p->ident);
		h->icmp6_seq = htons(seq);
		struct in6_pktinfo pi = { .ipi6_ifindex = t->ifindex };
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		msg.msg_controllen = CMSG_SPACE(sizeof(pi));
		msg.msg_name = &t->addr.v6;
		msg.msg_namelen = sizeof(t->addr.v6);
		fd = p->fd6;
	}
	ssize_t n = sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n < 0)
		return -errno;
	return 0;
}

static void send_to(struct prober *p, uint32_t id)
{
	/* A slot still in use this many probes later is long overdue. Its
	 * report may change the target table, so look the target up after. */
	if (p->head - p->tail == PROBER_MAX_IN_FLIGHT)
		retire_tail(p, true);
	struct target *t = find_target(p, id);
	if (!t)
		return;
	if (t->reresolve) {
		unsigned idx = if_nametoindex(t->ifname);
		if (idx) {
			t->ifindex = idx;
			t->reresolve = false;
			if (t->family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&t->addr.v6.sin6_addr))
				t->addr.v6.sin6_scope_id = idx;
		}
	}
	uint16_t seq = (uint16_t)p->head;
	struct slot *s = &p->slots[p->head % PROBER_MAX_IN_FLIGHT];
	p->head++;
	*s = (struct slot){
		.sent_us = wgm_mono_us(),
		.nonce = next_random(p),
		.target_id = id,
		.seq = seq,
		.in_use = true,
	};
	struct probe_payload pl = { .nonce = s->nonce, .sent_us = s->sent_us, .target_id = id, .magic = PAYLOAD_MAGIC };
	int64_t sent_us = s->sent_us;

	int rc = t->ifindex ? send_request(p, t, seq, &pl) : -ENODEV;
	p->counters.sent++;
	report(p, id, PROBE_SENT, sent_us, 0, 0);
	if (rc < 0) {
		/* The callback may have removed targets: look the slot up again. */
		s->in_use = false;
		t = find_target(p, id);
		if (t && (rc == -ENODEV || rc == -ENXIO))
			t->reresolve = true;
		p->counters.send_errors++;
		p->counters.lost++;
		if (t)
			report(p, id, PROBE_LOST, sent_us, 0, -rc);
	}
}

int prober_send_one(struct prober *p, uint32_t id, int64_t now_us)
{
	if (!find_target(p, id))
		return -ENOENT;
	prober_expire(p, now_us);
	send_to(p, id);
	return 0;
}

void prober_send_round(struct prober *p, int64_t now_us)
{
	prober_expire(p, now_us);
	/* By id, so callbacks that add or remove targets cannot derail us. */
	for (struct target *t = p->ntargets ? &p->targets[0] : NULL; t;) {
		uint32_t id = t->id;
		send_to(p, id);
		t = target_after(p, id);
	}
}

static void handle_reply(struct prober *p, int family, const uint8_t *icmp, size_t len, const void *src_addr,
			 unsigned arrival_ifindex, int64_t recv_us)
{
	if (len < 8 + sizeof(struct probe_payload))
		goto reject;
	uint16_t ident, seq;
	if (family == AF_INET) {
		const struct icmphdr *h = (const struct icmphdr *)icmp;
		if (h->type != ICMP_ECHOREPLY || h->code != 0)
			goto reject;
		ident = ntohs(h->un.echo.id);
		seq = ntohs(h->un.echo.sequence);
	} else {
		const struct icmp6_hdr *h = (const struct icmp6_hdr *)icmp;
		if (h->icmp6_type != ICMP6_ECHO_REPLY || h->icmp6_code != 0)
			goto reject;
		ident = ntohs(h->icmp6_id);
		seq = ntohs(h->icmp6_seq);
	}
	if (ident != p->ident)
		goto reject;
	struct probe_payload pl;
	memcpy(&pl, icmp + 8, sizeof(pl));
	struct slot *s = &p->slots[seq % PROBER_MAX_IN_FLIGHT];
	if (!s->in_use || s->seq != seq || pl.magic != PAYLOAD_MAGIC || pl.nonce != s->nonce ||
	    pl.target_id != s->target_id || pl.sent_us != s->sent_us)
		goto reject;
	struct target *t = find_target(p, s->target_id);
	if (!t || t->family != family || t->ifindex != arrival_ifindex)
		goto reject;
	if (family == AF_INET ? memcmp(src_addr, &t->addr.v4.sin_addr, sizeof(struct in_addr))
			      : memcmp(src_addr, &t->addr.v6.sin6_addr, sizeof(struct in6_addr)))
		goto reject;
	s->in_use = false;
	int64_t rtt = recv_us - s->sent_us;
	if (rtt < 0)
		rtt = 0;
	if (rtt > UINT32_MAX)
		rtt = UINT32_MAX - 1;
	p->counters.answered++;
	report(p, t->id, PROBE_ANSWERED, s->sent_us, (uint32_t)rtt, 0);
	return;
reject:
	p->counters.rejected++;
}

void prober_on_readable(struct prober *p, int fd, int64_t now_us)
{
	if (fd < 0 || (fd != p->fd4 && fd != p->fd6))
		return;
	int family = fd == p->fd4 ? AF_INET : AF_INET6;
	for (int i = 0; i < READ_BATCH; i++) {
		uint8_t buf[PACKET_MAX];
		union {
			char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(struct in_pktinfo))];
			struct cmsghdr align;
		} control;
		struct sockaddr_storage from;
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr msg = {
			.msg_name = &from,
			.msg_namelen = sizeof(from),
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = control.buf,
			.msg_controllen = sizeof(control.buf),
		};
		ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT);
		if (n < 0)
			break; /* EAGAIN: drained; anything else: nothing to do but wait */
		int64_t recv_us = wgm_mono_us();
		unsigned ifindex = 0;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
			if (c->cmsg_level == SOL_IP && c->cmsg_type == IP_PKTINFO) {
				struct in_pktinfo pi;
				memcpy(&pi, CMSG_DATA(c), sizeof(pi));
				ifindex = (unsigned)pi.ipi_ifindex;
			} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
				struct in6_pktinfo pi;
				memcpy(&pi, CMSG_DATA(c), sizeof(pi));
				ifindex = pi.ipi6_ifindex;
			}
		}
		if (family == AF_INET) {
			/* Raw IPv4 sockets deliver the IP header too. */
			if ((size_t)n < sizeof(struct iphdr) || from.ss_family != AF_INET) {
				p->counters.rejected++;
				continue;
			}
			const struct iphdr *ip = (const struct iphdr *)buf;
			size_t hl = (size_t)ip->ihl * 4;
			if (hl < sizeof(struct iphdr) || hl > (size_t)n) {
				p->counters.rejected++;
				continue;
			}
			handle_reply(p, AF_INET, buf + hl, (size_t)n - hl, &((struct sockaddr_in *)&from)->sin_addr,
				     ifindex, recv_us);
		} else {
			if (from.ss_family != AF_INET6) {
				p->counters.rejected++;
				continue;
			}
			handle_reply(p, AF_INET6, buf, (size_t)n, &((struct sockaddr_in6 *)&from)->sin6_addr, ifindex,
				     recv_us);
		}
	}
	prober_expire(p, now_us);
}
