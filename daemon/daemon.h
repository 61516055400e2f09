/* wgmeshd's lifecycle: the loop, signals, the control socket, systemd
 * notification and the log forwarding to subscribers. Parts of the daemon
 * hang their state here and register their control commands on ctl. */
#ifndef WGM_DAEMON_DAEMON_H
#define WGM_DAEMON_DAEMON_H

#include <stddef.h>
#include <stdint.h>

#include "common/config/addrplan.h"
#include "common/config/config.h"
#include "daemon/control/ctl_config.h"
#include "daemon/core/ctl_server.h"
#include "daemon/core/loop.h"
#include "daemon/hooks/hooks.h"
#include "daemon/node.h"

/* How often the status is compared with the one last published, ms. */
#define STATUS_TICK_MS 1000

struct daemon {
	struct wgm_config cfg;
	struct wgm_addrplan plan;
	struct loop *loop;
	struct ctl_server *ctl;
	struct loop_timer *watchdog;
	struct loop_timer *status_timer; /* publishes the status event on change */
	char *last_status;               /* what it last published, uptime left out */
	uint64_t started_ms;             /* wgm_mono_ms() at start, for uptime */
	struct node *node;
	char config_path[WGM_CONFIG_PATH_MAX]; /* where set/enable/disable save */
	struct ctl_config ctl_config;
	struct hooks *hooks;
};

/* Sets up everything from cfg (copied; read from config_path, where
 * `wgmesh set` and friends save) and starts serving the control socket. On failure everything already set up is undone; err says why in
 * one line. */
int daemon_start(struct daemon *d, const struct wgm_config *cfg, const char *config_path, char *err, size_t errlen);
/* Runs the loop until SIGTERM or SIGINT; then tells systemd STOPPING=1. */
int daemon_run(struct daemon *d);
/* Frees what daemon_start set up and removes the socket file. */
void daemon_stop(struct daemon *d);

#endif
