/* What each wireguard-go (userspace backend) writes, read on the loop: every
 * line is logged tagged with its interface ("pipe2: wireguard-go: ..."), and
 * repeats are folded (common/util/line_fold.h) so a blocked underlay, where
 * wireguard-go writes one line per packet, costs a few lines a minute. */
#ifndef WGM_DAEMON_WG_OUTPUT_H
#define WGM_DAEMON_WG_OUTPUT_H

#include "daemon/core/loop.h"

/* Repeat summaries come out at least this often. */
#define WG_OUTPUT_FOLD_PERIOD_MS 60000

struct wg_output;

int wg_output_new(struct loop *loop, struct wg_output **out);
/* Reads what is left, logs the pending summaries, closes everything. Call
 * after the last possible wg_output_take (after the worker). NULL is
 * ignored. */
void wg_output_free(struct wg_output *o);

/* The wgm_wg_backend_options output callback: takes fd (a pipe's read end) for
 * ifname's process. Safe from any thread; reading starts on the loop. */
void wg_output_take(void *ctx, const char *ifname, int fd);

#endif
