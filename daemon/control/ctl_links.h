/* Control commands about links: links, connect, disconnect, up, down. */
#ifndef WGM_DAEMON_CTL_LINKS_H
#define WGM_DAEMON_CTL_LINKS_H

#include "daemon/core/ctl_server.h"
#include "daemon/mesh/disconnect.h"
#include "daemon/mesh/join.h"
#include "daemon/links/links.h"

struct ctl_links {
	struct links *links;
	struct join *join;
	struct disconnect_deps disconnect;
};

int ctl_links_register(struct ctl_links *cl, struct ctl_server *ctl);

#endif
