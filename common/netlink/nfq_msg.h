/* Messages to netfilter's packet queue (NFQUEUE) over libmnl, for the
 * obfuscation engine and the lab's delay line: both bind a queue, set its
 * copy parameters and send verdicts. */
#ifndef WGM_COMMON_NFQ_MSG_H
#define WGM_COMMON_NFQ_MSG_H

#include <stdint.h>

#include <libmnl/libmnl.h>

/* Starts a queue message of TYPE (NFQNL_MSG_CONFIG, NFQNL_MSG_VERDICT) for
 * QUEUE at BUF, which must have room for the header and the attributes the
 * caller adds. */
struct nlmsghdr *wgm_nfq_msg_put(void *buf, int type, uint16_t queue);

/* Sends NLH (a config message with NLM_F_ACK) and reads until the kernel's
 * acknowledgement. Queued packets that arrive meanwhile go to ON_PACKET
 * (NULL: ignored, and the kernel drops them later for want of a verdict).
 * Returns 0 or -errno. */
int wgm_nfq_config_send(struct mnl_socket *nl, const struct nlmsghdr *nlh, mnl_cb_t on_packet, void *data);

#endif
