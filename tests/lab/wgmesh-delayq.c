/* wgmesh-delayq: an NFQUEUE delay line for the lab (the kernels here have no netem).
 *
 *   wgmesh-delayq --queue N --delay MS [--jitter MS] [--max-held N]
 *
 * Binds netfilter queue N in the current network namespace, holds every packet
 * for delay +- jitter ms (uniform; a flow keeps its order, see tests/lab/delay_line.h)
 * and then accepts it. Beyond --max-held packets held, new ones are dropped and
 * counted. SIGTERM/SIGINT: every held packet is released at once, the queue is
 * unbound, and a summary line goes to stderr. SIGUSR1 prints the summary too.
 * The iptables rule should use --queue-bypass, so traffic flows unimpaired
 * while no delay line is bound. */
#include "tests/lab/delay_line.h"
#include "common/netlink/nfq_msg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <math.h>
#include <signal.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

/* Enough of each packet for the flow hash (IPv6 header + ports). */
#define COPY_RANGE 64
#define RECV_BUFFER_BYTES (4 << 20)
/* Fixed sizes: MNL_SOCKET_BUFFER_SIZE depends on the page size at run time. */
#define NL_BUFFER_BYTES 16384

struct options {
	uint16_t queue;
	uint32_t delay_us;
	uint32_t jitter_us;
	size_t max_held;
};

struct counters {
	uint64_t held;
	uint64_t released;
	uint64_t dropped_over_cap;
};

struct delayq {
	struct options opt;
	struct mnl_socket *nl;
	unsigned int portid;
	int timer_fd;
	int signal_fd;
	int epoll_fd;
	struct delay_line line;
	struct counters count;
	char verdicts[NL_BUFFER_BYTES];
	struct mnl_nlmsg_batch *batch;
};

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: wgmesh-delayq --queue N --delay MS [--jitter MS] [--max-held N]\n"
		     "  holds every packet of netfilter queue N for MS +- jitter milliseconds\n");
}

/* parse_ms NAME TEXT -> microseconds; 0-60000 ms, fractions allowed. */
static int parse_ms(const char *name, const char *text, uint32_t *us)
{
	char *end;
	double ms;

	errno = 0;
	ms = strtod(text, &end);
	if (errno || end == text || *end || !isfinite(ms) || ms < 0 || ms > 60000) {
		fprintf(stderr, "wgmesh-delayq: %s: '%s' is not a time in ms (0-60000)\n", name, text);
		return -EINVAL;
	}
	*us = (uint32_t)(ms * 1000.0 + 0.5);
	return 0;
}

static int parse_count(const char *name, const char *text, unsigned long min, unsigned long max, unsigned long *value)
{
	char *end;

	errno = 0;
	*value = strtoul(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-' || *value < min || *value > max) {
		fprintf(stderr, "wgmesh-delayq: %s: '%s' is not a number (%lu-%lu)\n", name, text, min, max);
		return -EINVAL;
	}
	return 0;
}

/* Returns 0, or 2 after a usage error (the message is printed). */
static int parse_options(int argc, char **argv, struct options *opt)
{
	static const struct option longopts[] = {
		{ "queue", required_argument, NULL, 'q' },  { "delay", required_argument, NULL, 'd' },
		{ "jitter", required_argument, NULL, 'j' }, { "max-held", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },         { NULL, 0, NULL, 0 },
	};
	bool have_queue = false, have_delay = false;
	unsigned long value;
	int c;

	*opt = (struct options){ .max_held = 10000 };
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'q':
			if (parse_count("--queue", optarg, 0, 65535, &value))
				return 2;
			opt->queue = (uint16_t)value;
			have_queue = true;
			break;
		case 'd':
			if (parse_ms("--delay", optarg, &opt->delay_us))
				return 2;
			have_delay = true;
			break;
		case 'j':
			if (parse_ms("--jitter", optarg, &opt->jitter_us))
				return 2;
			break;
		case 'm':
			if (parse_count("--max-held", optarg, 1, 1000000, &value))
				return 2;
			opt->max_held = value;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || !have_queue || !have_delay) {
		usage(stderr);
		return 2;
	}
	return 0;
}

static int on_packet(const struct nlmsghdr *nlh, void *data);

/* Sends one config message (a command, the copy parameters, or both) and
 * waits for the kernel's acknowledgement. Packets that arrive meanwhile are
 * held like any other when hold_packets is set. */
static int queue_config(struct delayq *dq, uint8_t command, bool with_params, bool hold_packets)
{
	char buf[NL_BUFFER_BYTES];
	struct nlmsghdr *nlh = wgm_nfq_msg_put(buf, NFQNL_MSG_CONFIG, dq->opt.queue);
	struct nfqnl_msg_config_cmd cmd = { .command = command, .pf = htons(AF_UNSPEC) };

	nlh->nlmsg_flags |= NLM_F_ACK;
	if (command)
		mnl_attr_put(nlh, NFQA_CFG_CMD, sizeof(cmd), &cmd);
	if (with_params) {
		struct nfqnl_msg_config_params params = {
			.copy_range = htonl(COPY_RANGE),
			.copy_mode = NFQNL_COPY_PACKET,
		};

		mnl_attr_put(nlh, NFQA_CFG_PARAMS, sizeof(params), &params);
		/* A little above our own cap: the kernel drops (uncounted) only if we fall behind. */
		mnl_attr_put_u32(nlh, NFQA_CFG_QUEUE_MAXLEN, htonl((uint32_t)dq->opt.max_held + 256));
	}
	return wgm_nfq_config_send(dq->nl, nlh, hold_packets ? on_packet : NULL, dq);
}

static void verdict_add(struct delayq *dq, uint32_t packet_id, uint32_t verdict)
{
	struct nlmsghdr *nlh;
	struct nfqnl_msg_verdict_hdr vh = { .verdict = htonl(verdict), .id = htonl(packet_id) };

	nlh = wgm_nfq_msg_put(mnl_nlmsg_batch_current(dq->batch), NFQNL_MSG_VERDICT, dq->opt.queue);
	mnl_attr_put(nlh, NFQA_VERDICT_HDR, sizeof(vh), &vh);
	if (!mnl_nlmsg_batch_next(dq->batch)) {
		/* The batch is full: the last message did not fit; send the rest first. */
		mnl_socket_sendto(dq->nl, mnl_nlmsg_batch_head(dq->batch), mnl_nlmsg_batch_size(dq->batch));
		mnl_nlmsg_batch_reset(dq->batch);
	}
}

static void verdicts_flush(struct delayq *dq)
{
	if (!mnl_nlmsg_batch_is_empty(dq->batch) &&
	    mnl_socket_sendto(dq->nl, mnl_nlmsg_batch_head(dq->batch), mnl_nlmsg_batch_size(dq->batch)) < 0)
		perror("wgmesh-delayq: sending verdicts");
	mnl_nlmsg_batch_reset(dq->batch);
}

static int arm_timer(struct delayq *dq)
{
	struct itimerspec its = { 0 };
	uint64_t release;

	if (delay_line_next_release(&dq->line, &release)) {
		if (release == 0)
			release = 1; /* 0 would disarm the timer */
		its.it_value.tv_sec = (time_t)(release / 1000000u);
		its.it_value.tv_nsec = (long)(release % 1000000u) * 1000;
	}
	return timerfd_settime(dq->timer_fd, TFD_TIMER_ABSTIME, &its, NULL) < 0 ? -errno : 0;
}

static void release_due(struct delayq *dq)
{
	uint64_t now = now_us();
	uint32_t id;

	while (delay_line_pop_due(&dq->line, now, &id)) {
		verdict_add(dq, id, NF_ACCEPT);
		dq->count.released++;
	}
	verdicts_flush(dq);
}

static int on_packet(const struct nlmsghdr *nlh, void *data)
{
	struct delayq *dq = data;
	struct nlattr *attr;
	const struct nfqnl_msg_packet_hdr *ph = NULL;
	const uint8_t *payload = NULL;
	size_t payload_len = 0;
	uint32_t id;

	if (nlh->nlmsg_type != ((NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET))
		return MNL_CB_OK;
	mnl_attr_for_each (attr, nlh, sizeof(struct nfgenmsg)) {
		switch (mnl_attr_get_type(attr)) {
		case NFQA_PACKET_HDR:
			if (mnl_attr_get_payload_len(attr) >= sizeof(*ph))
				ph = mnl_attr_get_payload(attr);
			break;
		case NFQA_PAYLOAD:
			payload = mnl_attr_get_payload(attr);
			payload_len = mnl_attr_get_payload_len(attr);
			break;
		}
	}
	if (!ph)
		return MNL_CB_OK;
	id = ntohl(ph->packet_id);
	if (delay_line_push(&dq->line, id, delay_line_flow_hash(payload, payload_len), now_us(), randombytes_random()) <
	    0) {
		verdict_add(dq, id, NF_DROP);
		dq->count.dropped_over_cap++;
		return MNL_CB_OK;
	}
	dq->count.held++;
	return MNL_CB_OK;
}

static int receive_packets(struct delayq *dq)
{
	char buf[NL_BUFFER_BYTES];
	ssize_t n;

	for (;;) {
		n = recv(mnl_socket_get_fd(dq->nl), buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == ENOBUFS) /* the kernel dropped packets for us; carry on */
				continue;
			return -errno;
		}
		/* An error reply (a verdict for a packet the kernel already let go) is not fatal. */
		mnl_cb_run(buf, (size_t)n, 0, dq->portid, on_packet, dq);
	}
	verdicts_flush(dq);
	return 0;
}

static void print_summary(const struct delayq *dq, const char *what)
{
	fprintf(stderr, "wgmesh-delayq: queue %u %s: held %llu, released %llu, dropped over cap %llu, holding %zu\n",
		dq->opt.queue, what, (unsigned long long)dq->count.held, (unsigned long long)dq->count.released,
		(unsigned long long)dq->count.dropped_over_cap, dq->line.count);
}

static int setup(struct delayq *dq)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int one = 1, size = RECV_BUFFER_BYTES, rc;
	sigset_t mask;

	dq->timer_fd = dq->signal_fd = dq->epoll_fd = -1;
	if (sodium_init() < 0)
		return -EIO;
	rc = delay_line_init(&dq->line, dq->opt.delay_us, dq->opt.jitter_us, dq->opt.max_held);
	if (rc < 0)
		return rc;
	dq->batch = mnl_nlmsg_batch_start(dq->verdicts, NL_BUFFER_BYTES / 2);
	if (!dq->batch)
		return -ENOMEM;

	dq->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!dq->nl || mnl_socket_bind(dq->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return -errno;
	dq->portid = mnl_socket_get_portid(dq->nl);
	/* Bursts must not overflow the socket; ENOBUFS reports are useless to us. */
	if (setsockopt(mnl_socket_get_fd(dq->nl), SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(mnl_socket_get_fd(dq->nl), SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	mnl_socket_setsockopt(dq->nl, NETLINK_NO_ENOBUFS, &one, sizeof(one));

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	dq->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	dq->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	dq->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (dq->signal_fd < 0 || dq->timer_fd < 0 || dq->epoll_fd < 0)
		return -errno;
	ev.data.fd = dq->signal_fd;
	if (epoll_ctl(dq->epoll_fd, EPOLL_CTL_ADD, dq->signal_fd, &ev) < 0)
		return -errno;
	ev.data.fd = dq->timer_fd;
	if (epoll_ctl(dq->epoll_fd, EPOLL_CTL_ADD, dq->timer_fd, &ev) < 0)
		return -errno;
	ev.data.fd = mnl_socket_get_fd(dq->nl);
	if (epoll_ctl(dq->epoll_fd, EPOLL_CTL_ADD, ev.data.fd, &ev) < 0)
		return -errno;

	rc = queue_config(dq, NFQNL_CFG_CMD_BIND, true, true);
	if (rc < 0)
		fprintf(stderr, "wgmesh-delayq: queue %u: cannot bind: %s (in use by another program?)\n",
			dq->opt.queue, strerror(-rc));
	return rc;
}

/* Runs until SIGTERM/SIGINT. Returns 0 or a negative errno. */
static int run(struct delayq *dq)
{
	struct epoll_event events[4];
	struct signalfd_siginfo si;
	uint64_t expirations;
	int n, i, rc;

	for (;;) {
		n = epoll_wait(dq->epoll_fd, events, 4, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (i = 0; i < n; i++) {
			int fd = events[i].data.fd;

			if (fd == dq->signal_fd) {
				while (read(dq->signal_fd, &si, sizeof(si)) == sizeof(si)) {
					if (si.ssi_signo == SIGUSR1)
						print_summary(dq, "running");
					else
						return 0;
				}
			} else if (fd == dq->timer_fd) {
				if (read(dq->timer_fd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
					return -errno;
				release_due(dq);
			} else {
				rc = receive_packets(dq);
				if (rc < 0)
					return rc;
				release_due(dq);
			}
		}
		rc = arm_timer(dq);
		if (rc < 0)
			return rc;
	}
}

/* Releases every held packet, unbinds the queue, frees everything. */
static void shutdown_delayq(struct delayq *dq, bool bound)
{
	uint32_t id;

	if (dq->nl && dq->batch) {
		while (delay_line_pop(&dq->line, &id)) {
			verdict_add(dq, id, NF_ACCEPT);
			dq->count.released++;
		}
		verdicts_flush(dq);
		/* Packets still arriving now are dropped by the kernel's flush on unbind. */
		if (bound && queue_config(dq, NFQNL_CFG_CMD_UNBIND, false, false) < 0)
			fprintf(stderr, "wgmesh-delayq: queue %u: unbind failed\n", dq->opt.queue);
	}
	if (dq->batch)
		mnl_nlmsg_batch_stop(dq->batch);
	if (dq->nl)
		mnl_socket_close(dq->nl);
	if (dq->epoll_fd >= 0)
		close(dq->epoll_fd);
	if (dq->timer_fd >= 0)
		close(dq->timer_fd);
	if (dq->signal_fd >= 0)
		close(dq->signal_fd);
	delay_line_free(&dq->line);
}

int main(int argc, char **argv)
{
	static struct delayq dq;
	int rc;

	rc = parse_options(argc, argv, &dq.opt);
	if (rc)
		return rc;
	rc = setup(&dq);
	if (rc < 0) {
		fprintf(stderr, "wgmesh-delayq: queue %u: setup failed: %s\n", dq.opt.queue, strerror(-rc));
		shutdown_delayq(&dq, false);
		return 1;
	}
	fprintf(stderr, "wgmesh-delayq: queue %u bound: delay %.3f ms +- %.3f ms, at most %zu held\n", dq.opt.queue,
		dq.opt.delay_us / 1000.0, dq.opt.jitter_us / 1000.0, dq.opt.max_held);
	rc = run(&dq);
	if (rc < 0)
		fprintf(stderr, "wgmesh-delayq: queue %u: %s\n", dq.opt.queue, strerror(-rc));
	shutdown_delayq(&dq, true);
	print_summary(&dq, "stopped");
	return rc < 0 ? 1 : 0;
}
