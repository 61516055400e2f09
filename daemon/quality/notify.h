/* Notifications to Gotify (the original's gotifyUp/Down/Error/Diag URLs):
 * link up/down, reroutes and errors, POSTed as Gotify messages
 * {"title","message","priority"} through the loop's HTTP client, when
 * notifications.enabled. Each URL has its own flood protection
 * (daemon/quality/notify_fold.h): bursts become one message, a cap per minute.
 * The URLs carry the application token: they are never logged and never
 * part of a message. */
#ifndef WGM_DAEMON_NOTIFY_H
#define WGM_DAEMON_NOTIFY_H

#include <stddef.h>

#include "common/config/config.h"
#include "daemon/api/http_client.h"
#include "daemon/core/loop.h"
#include "daemon/quality/notify_fold.h"

enum notify_kind {
	NOTIFY_UP,    /* gotifyUp: a link came back */
	NOTIFY_DOWN,  /* gotifyDown: a link went down or died */
	NOTIFY_ERROR, /* gotifyError: something the operator must look at */
	NOTIFY_DIAG,  /* gotifyDiag: reroutes (cost changes that reached BIRD) */
	NOTIFY_KINDS,
};

struct notify;

/* cfg is borrowed (its notification settings are read at each send, so a
 * changed config applies at once); params NULL = defaults. */
int notify_new(struct loop *loop, struct http_client *http, const struct wgm_config *cfg,
	       const struct notify_fold_params *params, struct notify **out);
/* Pending batches are dropped; requests in flight are left to the HTTP
 * client (free the notifier before the client, or after: both are safe). */
void notify_free(struct notify *n);

/* Queues one line (printf format) for kind's URL; nothing happens when
 * notifications are off or that URL is empty. NULL n is ignored. */
void notify_send(struct notify *n, enum notify_kind kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
