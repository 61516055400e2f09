/* Event hooks (docs/hooks.md): every event the daemon publishes on the
 * control socket, except "log" and "metrics", runs the executables in
 * hooksDir, in name order, each with the event as JSON on stdin and in
 * WGMESH_* variables (hook_env.h). Runs never block the loop: a child's
 * exit is a pidfd on the loop, its output a pipe, its timeout a timer. */
#ifndef WGM_DAEMON_HOOKS_H
#define WGM_DAEMON_HOOKS_H

#include "common/config/config.h"
#include "daemon/core/ctl_server.h"
#include "daemon/core/loop.h"

struct hooks;

/* cfg is borrowed (hooksDir and hookTimeout are read at every event) and
 * must outlive the hooks. 0 or -errno. */
int hooks_start(struct loop *loop, struct ctl_server *ctl, const struct wgm_config *cfg, struct hooks **out);
/* Kills running hooks (their process groups), reaps them, drops queued
 * runs. NULL is ignored. */
void hooks_stop(struct hooks *h);

#endif
