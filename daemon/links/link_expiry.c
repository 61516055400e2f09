#include "daemon/links/link_expiry.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ctl/ctlproto.h"
#include "common/util/log.h"

struct link_expiry {
	struct link_expiry_deps d;
	struct loop_timer *timer;
};

bool link_expiry_due(const struct link *link, unsigned timeout_s)
{
	uint64_t deadline;

	if (timeout_s == 0 || link->rec.role != LINK_ROLE_SERVER || link->phase != LINK_PHASE_ACTIVE ||
	    link->rec.handshaked || link->seen_ms == 0)
		return false;
	deadline = link->active_since_ms + (uint64_t)timeout_s * 1000;
	/* The reading must postdate the deadline: one taken before it cannot
	 * vouch that no handshake came in time. */
	return link->seen_ms >= deadline;
}

static void expire(struct link_expiry *le, struct link *link, unsigned timeout_s)
{
	char reason[256];
	json_t *event;
	int rc;

	snprintf(reason, sizeof(reason),
		 "node %u never completed a WireGuard handshake within %u s of this node accepting the link "
		 "(its side failed or was never made)",
		 link->rec.remote_id, timeout_s);
	rc = links_remove(le->d.links, link->rec.name, NULL, NULL);
	if (rc < 0) {
		/* Out of memory: the next check tries again. */
		log_warn("link %s: %s; cannot remove it now: %s", link->rec.name, reason, strerror(-rc));
		return;
	}
	log_warn("link %s: %s; removing it", link->rec.name, reason);
	if (!le->d.ctl)
		return;
	event = wgm_ctl_event_new(WGM_CTL_EVENT_LINK_EXPIRED);
	if (!event)
		return;
	json_object_set_new(event, "name", json_string(link->rec.name));
	json_object_set_new(event, "remote_id", json_integer(link->rec.remote_id));
	json_object_set_new(event, "timeout", json_integer(timeout_s));
	json_object_set_new(event, "reason", json_string(reason));
	ctl_server_publish(le->d.ctl, event);
}

static void on_check(struct loop *loop, struct loop_timer *timer, void *ctx)
{
	struct link_expiry *le = ctx;
	unsigned timeout_s = le->d.cfg->handshake_timeout_s;

	(void)loop;
	(void)timer;
	for (struct link *l = links_first(le->d.links); l; l = l->next)
		if (link_expiry_due(l, timeout_s))
			expire(le, l, timeout_s);
}

int link_expiry_new(const struct link_expiry_deps *deps, struct link_expiry **out)
{
	struct link_expiry *le = calloc(1, sizeof(*le));
	int rc;

	if (!le)
		return -ENOMEM;
	le->d = *deps;
	rc = loop_timer_start(deps->loop, on_check, le, LINK_EXPIRY_CHECK_MS, LINK_EXPIRY_CHECK_MS, &le->timer);
	if (rc < 0) {
		link_expiry_free(le);
		return rc;
	}
	*out = le;
	return 0;
}

void link_expiry_free(struct link_expiry *le)
{
	if (!le)
		return;
	loop_timer_free(le->timer);
	free(le);
}
