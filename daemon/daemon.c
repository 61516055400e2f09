#include "daemon/daemon.h"
#include "common/util/clock.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ctl/ctlproto.h"
#include "common/util/log.h"
#include "daemon/core/sdnotify.h"

static void on_stop_signal(struct loop *loop, const struct signalfd_siginfo *info, void *ctx)
{
	log_notice("%s received, stopping", info->ssi_signo == SIGINT ? "SIGINT" : "SIGTERM");
	loop_stop(loop);
}

static void on_sighup(struct loop *loop, const struct signalfd_siginfo *info, void *ctx)
{
	log_notice("SIGHUP received; nothing is reloaded on SIGHUP (restart to apply the config)");
}

static void forward_log_line(enum wgm_log_level level, const char *line, void *ctx)
{
	struct daemon *d = ctx;

	ctl_server_publish(d->ctl, wgm_ctl_event_log(wgm_log_level_name(level), line));
}

/* The status as the control socket states it. Strings point into d and
 * into LO4/LO6, which must live as long as ST is used. */
static void build_status(struct daemon *d, struct wgm_ctl_status *st, struct wgm_addrplan_v4 *lo4,
			 struct wgm_addrplan_v6 *lo6)
{
	/* What this daemon does not manage yet is reported as such: no links,
	 * itself as the only node it knows, BIRD not watched. */
	*st = (struct wgm_ctl_status){
		.id = d->cfg.id,
		.version = WGM_VERSION,
		.uptime = (long long)((wgm_mono_ms() - d->started_ms) / 1000),
		.bird = "unknown",
		.links_up = 0,
		.links_total = 0,
		.nodes = 1,
		.mesh = d->cfg.mesh ? "waiting" : "off",
	};
	if (d->node)
		node_fill_status(d->node, st);
	wgm_addrplan_loopback_v4(&d->plan, d->cfg.id, lo4);
	wgm_addrplan_loopback_v6(d->cfg.id, lo6);
	st->loopback4 = lo4->text;
	st->loopback6 = lo6->text;
}

static void handle_status(struct ctl_request *req, const json_t *args, void *ctx)
{
	struct daemon *d = ctx;
	struct wgm_addrplan_v4 lo4;
	struct wgm_addrplan_v6 lo6;
	struct wgm_ctl_status st;
	json_t *reply = wgm_ctl_reply_ok();

	build_status(d, &st, &lo4, &lo6);
	if (reply && wgm_ctl_status_fill(reply, &st) < 0) {
		json_decref(reply);
		reply = NULL;
	}
	ctl_request_reply(req, reply);
}

/* The status event: published within a second of a change of anything but
 * the uptime, so that the console's header and hooks follow the table. */
static void status_tick(struct loop *loop, struct loop_timer *timer, void *ctx)
{
	struct daemon *d = ctx;
	struct wgm_addrplan_v4 lo4;
	struct wgm_addrplan_v6 lo6;
	struct wgm_ctl_status st;
	json_t *cmp = json_object(), *ev;
	char *text = NULL;
	long long uptime;

	build_status(d, &st, &lo4, &lo6);
	uptime = st.uptime;
	st.uptime = 0;
	if (cmp && wgm_ctl_status_fill(cmp, &st) == 0)
		text = json_dumps(cmp, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(cmp);
	if (!text || (d->last_status && strcmp(text, d->last_status) == 0)) {
		free(text);
		return;
	}
	free(d->last_status);
	d->last_status = text;
	st.uptime = uptime;
	ev = wgm_ctl_event_new(WGM_CTL_EVENT_STATUS);
	if (ev && wgm_ctl_status_fill(ev, &st) == 0)
		ctl_server_publish(d->ctl, ev);
	else
		json_decref(ev);
}

static void on_config_changed(const char *key, void *ctx)
{
	struct daemon *d = ctx;
	enum wgm_log_level level;

	if (strcmp(key, "logLevel") == 0 && wgm_log_level_from_name(d->cfg.log_level, &level) == 0)
		wgm_log_set_level(level);
	if (d->node)
		node_config_changed(d->node, key);
}

int daemon_start(struct daemon *d, const struct wgm_config *cfg, const char *config_path, char *err, size_t errlen)
{
	enum wgm_log_level level;
	int rc;

	memset(d, 0, sizeof(*d));
	d->cfg = *cfg;
	snprintf(d->config_path, sizeof(d->config_path), "%s", config_path);
	d->started_ms = wgm_mono_ms();
	if (wgm_log_level_from_name(cfg->log_level, &level) == 0)
		wgm_log_set_level(level);
	rc = wgm_addrplan_init(&d->plan, cfg->subnet, cfg->subnet_link_local, cfg->subnet_vxlan, cfg->subnet_peer,
			       cfg->prefix, cfg->vxlan_offset, err, errlen);
	if (rc < 0)
		return rc;
	/* A client that went away must not kill the daemon with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	rc = loop_new(&d->loop);
	if (rc < 0) {
		snprintf(err, errlen, "event loop: %s", strerror(-rc));
		return rc;
	}
	if ((rc = loop_signal_add(d->loop, SIGTERM, on_stop_signal, d)) < 0 ||
	    (rc = loop_signal_add(d->loop, SIGINT, on_stop_signal, d)) < 0 ||
	    (rc = loop_signal_add(d->loop, SIGHUP, on_sighup, d)) < 0) {
		snprintf(err, errlen, "signals: %s", strerror(-rc));
		goto fail;
	}
	rc = ctl_server_new(d->loop, cfg->socket, &d->ctl, err, errlen);
	if (rc < 0)
		goto fail;
	rc = ctl_server_register(d->ctl, WGM_CTL_CMD_STATUS, handle_status, d);
	if (rc < 0) {
		snprintf(err, errlen, "control socket: %s", strerror(-rc));
		goto fail;
	}
	d->ctl_config = (struct ctl_config){
		.cfg = &d->cfg, .config_path = d->config_path, .changed = on_config_changed, .ctx = d
	};
	rc = ctl_config_register(&d->ctl_config, d->ctl);
	if (rc < 0) {
		snprintf(err, errlen, "control socket: %s", strerror(-rc));
		goto fail;
	}
	rc = hooks_start(d->loop, d->ctl, &d->cfg, &d->hooks);
	if (rc < 0) {
		snprintf(err, errlen, "event hooks: %s", strerror(-rc));
		goto fail;
	}
	rc = loop_timer_start(d->loop, status_tick, d, STATUS_TICK_MS, STATUS_TICK_MS, &d->status_timer);
	if (rc < 0) {
		snprintf(err, errlen, "status timer: %s", strerror(-rc));
		goto fail;
	}
	rc = sdnotify_watchdog_start(d->loop, &d->watchdog);
	if (rc < 0) {
		snprintf(err, errlen, "systemd watchdog timer: %s", strerror(-rc));
		goto fail;
	}
	wgm_log_set_sink(forward_log_line, d);
	rc = node_start(d->loop, d->ctl, &d->cfg, &d->plan, &d->node, err, errlen);
	if (rc < 0)
		goto fail;
	log_notice("wgmeshd %s serving node %u on %s", WGM_VERSION, cfg->id, cfg->socket);
	rc = sdnotify_send("READY=1\nSTATUS=serving");
	if (rc < 0)
		log_warn("systemd notification failed: %s", strerror(-rc));
	return 0;
fail:
	daemon_stop(d);
	return rc;
}

int daemon_run(struct daemon *d)
{
	int rc = loop_run(d->loop);

	sdnotify_send("STOPPING=1");
	return rc;
}

void daemon_stop(struct daemon *d)
{
	/* First: what the node publishes while it stops starts no hook. */
	hooks_stop(d->hooks);
	d->hooks = NULL;
	node_stop(d->node);
	d->node = NULL;
	wgm_log_set_sink(NULL, NULL);
	loop_timer_free(d->watchdog);
	d->watchdog = NULL;
	loop_timer_free(d->status_timer);
	d->status_timer = NULL;
	free(d->last_status);
	d->last_status = NULL;
	ctl_server_free(d->ctl);
	d->ctl = NULL;
	loop_free(d->loop);
	d->loop = NULL;
}
