#include "common/netlink/nl_sock.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

int wgm_nl_sock_open(struct wgm_nl_sock *s, int bus, char *err, size_t errlen)
{
	int one = 1;

	memset(s, 0, sizeof(*s));
	s->mnl = mnl_socket_open2(bus, SOCK_CLOEXEC);
	if (!s->mnl) {
		int e = -errno;
		snprintf(err, errlen, "netlink socket: %s", strerror(errno));
		return e;
	}
	if (mnl_socket_bind(s->mnl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = -errno;
		snprintf(err, errlen, "netlink bind: %s", strerror(errno));
		wgm_nl_sock_close(s);
		return e;
	}
	/* Both are best effort: old kernels lack them and still work, only the
	 * kernel's explanation of an error is lost. */
	mnl_socket_setsockopt(s->mnl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(s->mnl, NETLINK_CAP_ACK, &one, sizeof(one));
	s->portid = mnl_socket_get_portid(s->mnl);
	s->seq = (uint32_t)time(NULL);
	return 0;
}

void wgm_nl_sock_close(struct wgm_nl_sock *s)
{
	if (s->mnl)
		mnl_socket_close(s->mnl);
	s->mnl = NULL;
}

static int ext_ack_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, NLMSGERR_ATTR_MAX) < 0)
		return MNL_CB_OK;
	tb[type] = attr;
	return MNL_CB_OK;
}

int wgm_nl_error_parse(const struct nlmsghdr *nlh, char *msg, size_t msglen)
{
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = { 0 };
	const struct nlmsgerr *e;
	unsigned int offset;
	int error;

	if (msglen)
		msg[0] = '\0';
	if (nlh->nlmsg_type == NLMSG_DONE) {
		/* A dump's end carries an int: 0, or the error that ended it. */
		if (mnl_nlmsg_get_payload_len(nlh) < sizeof(int))
			return 0;
		memcpy(&error, mnl_nlmsg_get_payload(nlh), sizeof(error));
		if (error > 0)
			error = -error;
		offset = sizeof(int);
	} else {
		if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct nlmsgerr))
			return -EBADMSG;
		e = mnl_nlmsg_get_payload(nlh);
		error = e->error;
		if (error > 0)
			return -EBADMSG;
		offset = sizeof(struct nlmsgerr);
		/* Uncapped acks echo the whole request before the TLVs. */
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
			if (e->msg.nlmsg_len < sizeof(struct nlmsghdr))
				return -EBADMSG;
			offset += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
		}
	}
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && msglen && mnl_nlmsg_get_payload_len(nlh) > offset) {
		if (mnl_attr_parse(nlh, MNL_ALIGN(offset), ext_ack_attr_cb, tb) < 0)
			return error;
		if (tb[NLMSGERR_ATTR_MSG] && mnl_attr_validate(tb[NLMSGERR_ATTR_MSG], MNL_TYPE_NUL_STRING) == 0) {
			snprintf(msg, msglen, "%s", mnl_attr_get_str(tb[NLMSGERR_ATTR_MSG]));
			/* One line: the kernel's text never spans several. */
			msg[strcspn(msg, "\n")] = '\0';
		}
	}
	return error;
}

void wgm_nl_error_format(char *err, size_t errlen, const char *what, int error, const char *kernel_msg)
{
	if (!err || !errlen)
		return;
	if (kernel_msg && kernel_msg[0])
		snprintf(err, errlen, "%s: %s (%s)", what, strerror(-error), kernel_msg);
	else
		snprintf(err, errlen, "%s: %s", what, strerror(-error));
}

static int request_with_buffer(struct wgm_nl_sock *s, struct nlmsghdr *nlh, wgm_nl_reply_fn fn, void *ctx,
			       const char *what, char *err, size_t errlen, char *buf, size_t bufsize)
{
	char kmsg[256] = "";
	bool dump = (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	int result = 0;
	uint32_t seq;

	nlh->nlmsg_seq = seq = ++s->seq;
	nlh->nlmsg_pid = 0;
	if (!dump)
		nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(s->mnl, nlh, nlh->nlmsg_len) < 0) {
		result = -errno;
		wgm_nl_error_format(err, errlen, what, result, NULL);
		return result;
	}
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(s->mnl, buf, bufsize);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			result = -errno;
			wgm_nl_error_format(err, errlen, what, result, NULL);
			return result;
		}
		int len = (int)n;
		for (const struct nlmsghdr *r = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(r, len);
		     r = mnl_nlmsg_next(r, &len)) {
			/* Stray replies (an earlier request's leftovers, other senders)
			 * are skipped, never taken for this request's answer. */
			if (!mnl_nlmsg_portid_ok(r, s->portid) || r->nlmsg_seq != seq)
				continue;
			if (r->nlmsg_type == NLMSG_ERROR || r->nlmsg_type == NLMSG_DONE) {
				int e = wgm_nl_error_parse(r, kmsg, sizeof(kmsg));
				if (e < 0 && result == 0) {
					result = e;
					wgm_nl_error_format(err, errlen, what, e, kmsg);
				}
				return result;
			}
			if (r->nlmsg_type == NLMSG_NOOP || r->nlmsg_type == NLMSG_OVERRUN)
				continue;
			if (fn && result == 0) {
				int e = fn(r, ctx);
				if (e < 0) {
					result = e;
					if (err && errlen)
						snprintf(err, errlen, "%s: unexpected reply: %s", what, strerror(-e));
				}
			}
			/* A non-dump request is answered by its data then the ack;
			 * nothing else ends it. */
		}
		if (len > 0) {
			if (result == 0) {
				result = -EBADMSG;
				wgm_nl_error_format(err, errlen, what, result, "truncated netlink message");
			}
			return result;
		}
	}
}

int wgm_nl_sock_request(struct wgm_nl_sock *s, struct nlmsghdr *nlh, wgm_nl_reply_fn fn, void *ctx, const char *what,
			char *err, size_t errlen)
{
	char buf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));
	int e = request_with_buffer(s, nlh, fn, ctx, what, err, errlen, buf, sizeof(buf));

	/* Replies may carry private keys (WireGuard GET). */
	sodium_memzero(buf, sizeof(buf));
	return e;
}
