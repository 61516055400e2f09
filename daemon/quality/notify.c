#include "daemon/quality/notify.h"
#include "common/util/clock.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/util/log.h"

#define NOTIFY_TIMEOUT_MS 10000

static const struct {
	const char *key; /* the config key: what logs name instead of the URL */
	const char *title;
	int priority;
} kinds[NOTIFY_KINDS] = {
	[NOTIFY_UP] = { "gotifyUp", "up", 5 },
	[NOTIFY_DOWN] = { "gotifyDown", "down", 8 },
	[NOTIFY_ERROR] = { "gotifyError", "error", 8 },
	[NOTIFY_DIAG] = { "gotifyDiag", "reroute", 3 },
};

struct notify {
	struct loop *loop;
	struct http_client *http;
	const struct wgm_config *cfg;
	struct notify_fold_params params;
	struct notify_fold fold[NOTIFY_KINDS];
	struct loop_timer *timer;
	struct notify_box *box;
};

/* What requests in flight hold: the notifier, NULL once it is gone; freed
 * by the last of them (or the notifier, when none is in flight). */
struct notify_box {
	struct notify *n;
	unsigned calls;
};

struct notify_call {
	struct notify_box *box;
	enum notify_kind kind;
};

static const char *url_of(const struct notify *n, enum notify_kind kind)
{
	const struct wgm_config_notifications *c = &n->cfg->notifications;

	switch (kind) {
	case NOTIFY_UP:
		return c->gotify_up;
	case NOTIFY_DOWN:
		return c->gotify_down;
	case NOTIFY_ERROR:
		return c->gotify_error;
	case NOTIFY_DIAG:
		return c->gotify_diag;
	case NOTIFY_KINDS:
		break;
	}
	return "";
}

static void call_done(long status, const char *body, size_t body_len, const char *error, void *ctx)
{
	struct notify_call *call = ctx;

	(void)body;
	(void)body_len;
	(void)error; /* curl's text starts with the URL, which holds the token */
	if (call->box->n && (status < 200 || status > 299)) {
		if (status == 0)
			log_warn("notification (%s) not delivered: no answer from the server", kinds[call->kind].key);
		else
			log_warn("notification (%s) not delivered: HTTP %ld", kinds[call->kind].key, status);
	}
	if (--call->box->calls == 0 && !call->box->n)
		free(call->box);
	free(call);
}

static void post(struct notify *n, enum notify_kind kind, const char *message, unsigned lines)
{
	char title[128];
	struct notify_call *call;
	json_t *body;
	char *text;
	int rc;

	snprintf(title, sizeof(title), "wgmesh node %u: %s%s", n->cfg->id, kinds[kind].title,
		 lines > 1 ? " (several)" : "");
	body = json_pack("{s:s, s:s, s:i}", "title", title, "message", message, "priority", kinds[kind].priority);
	text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	call = calloc(1, sizeof(*call));
	if (!text || !call) {
		free(text);
		free(call);
		return;
	}
	call->box = n->box;
	call->kind = kind;
	rc = http_client_request(n->http, "POST", url_of(n, kind), text, strlen(text), NOTIFY_TIMEOUT_MS, call_done,
				 call, NULL);
	if (rc == 0) {
		n->box->calls++;
	} else {
		log_warn("notification (%s) not sent: %s", kinds[kind].key, strerror(-rc));
		free(call);
	}
	free(text);
}

static void rearm(struct notify *n, int64_t now)
{
	int64_t next = 0;

	for (int k = 0; k < NOTIFY_KINDS; k++) {
		int64_t due = notify_fold_due(&n->fold[k], &n->params);
		if (due && (next == 0 || due < next))
			next = due;
	}
	if (next == 0)
		loop_timer_disarm(n->timer);
	else
		loop_timer_arm(n->timer, next > now ? (uint64_t)(next - now + 999) / 1000 : 0, 0);
}

static int64_t now_us(void)
{
	return (int64_t)wgm_mono_ms() * 1000;
}

static void on_timer(struct loop *loop, struct loop_timer *timer, void *ctx)
{
	struct notify *n = ctx;
	int64_t now = now_us();
	char message[NOTIFY_FOLD_TEXT + 32];
	unsigned lines;

	(void)loop;
	(void)timer;
	for (int k = 0; k < NOTIFY_KINDS; k++) {
		if (!notify_fold_take(&n->fold[k], &n->params, now, message, sizeof(message), &lines))
			continue;
		/* Settings may have changed while the batch gathered. */
		if (n->cfg->notifications.enabled && url_of(n, k)[0])
			post(n, k, message, lines);
	}
	rearm(n, now);
}

void notify_send(struct notify *n, enum notify_kind kind, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!n || kind >= NOTIFY_KINDS || !n->cfg->notifications.enabled || !url_of(n, kind)[0])
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	notify_fold_add(&n->fold[kind], line, now_us());
	rearm(n, now_us());
}

int notify_new(struct loop *loop, struct http_client *http, const struct wgm_config *cfg,
	       const struct notify_fold_params *params, struct notify **out)
{
	struct notify *n = calloc(1, sizeof(*n));
	int rc;

	if (!n)
		return -ENOMEM;
	n->box = calloc(1, sizeof(*n->box));
	if (!n->box) {
		free(n);
		return -ENOMEM;
	}
	n->box->n = n;
	n->loop = loop;
	n->http = http;
	n->cfg = cfg;
	n->params = params ? *params : notify_fold_params_default();
	if ((rc = loop_timer_new(loop, on_timer, n, &n->timer)) < 0) {
		free(n->box);
		free(n);
		return rc;
	}
	*out = n;
	return 0;
}

void notify_free(struct notify *n)
{
	if (!n)
		return;
	loop_timer_free(n->timer);
	n->box->n = NULL;
	if (n->box->calls == 0)
		free(n->box);
	free(n);
}
