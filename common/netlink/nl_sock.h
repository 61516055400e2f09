/* A small synchronous netlink socket: one request at a time, replies checked
 * against its sequence number and port id, multi-part dumps followed to
 * NLMSG_DONE, and the kernel's extended-ack message carried into errors. */
#ifndef WGM_COMMON_NL_SOCK_H
#define WGM_COMMON_NL_SOCK_H

#include <linux/netlink.h>
#include <stddef.h>
#include <stdint.h>

struct mnl_socket;

struct wgm_nl_sock {
	struct mnl_socket *mnl;
	unsigned int portid;
	uint32_t seq;
};

/* Opens a socket on BUS (NETLINK_ROUTE, NETLINK_GENERIC) with extended acks
 * and capped acks. Returns 0 or -errno (err filled). */
int wgm_nl_sock_open(struct wgm_nl_sock *s, int bus, char *err, size_t errlen);
void wgm_nl_sock_close(struct wgm_nl_sock *s);

/* Called for each data message of a reply; return 0 to go on or -errno to
 * fail the request (the remaining replies are still drained). */
typedef int (*wgm_nl_reply_fn)(const struct nlmsghdr *nlh, void *ctx);

/* Sends NLH (its seq and portid are set here; NLM_F_ACK is added unless it is
 * a dump) and reads until the ack, the error, or the end of the dump.
 * WHAT names the operation for the one-line error, e.g. "create link pipe2".
 * Returns 0, the callback's error, or -errno from the kernel. */
int wgm_nl_sock_request(struct wgm_nl_sock *s, struct nlmsghdr *nlh, wgm_nl_reply_fn fn, void *ctx, const char *what,
			char *err, size_t errlen);

/* Pure: reads an NLMSG_ERROR (or NLMSG_DONE carrying an error) message.
 * Returns the (negative) errno it carries, 0 for an ack, -EBADMSG if it is
 * malformed. Copies the extended-ack text, if any, into MSG ("" if none). */
int wgm_nl_error_parse(const struct nlmsghdr *nlh, char *msg, size_t msglen);

/* Pure: "WHAT: strerror" or "WHAT: strerror (kernel text)" into ERR. */
void wgm_nl_error_format(char *err, size_t errlen, const char *what, int error, const char *kernel_msg);

#endif
