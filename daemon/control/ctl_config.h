/* Control commands that change the node's config: set KEY VALUE, enable
 * OPTION, disable OPTION. The change is validated, saved to the file the
 * daemon was started with, and applied at once where the key table
 * (common/config/config_table.c) says the daemon can; otherwise the reply says a
 * restart is needed. */
#ifndef WGM_DAEMON_CTL_CONFIG_H
#define WGM_DAEMON_CTL_CONFIG_H

#include <stdbool.h>

#include "common/config/config.h"
#include "daemon/core/ctl_server.h"

struct ctl_config {
	struct wgm_config *cfg;  /* the running config, changed in place */
	const char *config_path; /* borrowed */
	/* A live key changed in cfg. */
	void (*changed)(const char *key, void *ctx);
	void *ctx;
};

int ctl_config_register(struct ctl_config *cc, struct ctl_server *ctl);

#endif
