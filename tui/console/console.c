#include "tui/console/console.h"

#include "common/util/clock.h"

#include <curses.h>
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <poll.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/ctl/ctlproto.h"
#include "tui/console/conn.h"
#include "tui/console/fmt.h"
#include "tui/console/keys.h"
#include "tui/console/render.h"
#include "tui/console/terminal.h"
#include "tui/console/ui.h"
#include "tui/console/console_internal.h"

/* ---- status line ---- */

void console_say(struct console *cs, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void console_say(struct console *cs, bool error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cs->ui.status.text, sizeof(cs->ui.status.text), fmt, ap);
	va_end(ap);
	cs->ui.status.error = error;
	cs->dirty = true;
	/* An error may be wider than the status line: the events view keeps it
	 * whole (wrapped). */
	if (error)
		model_add_event(&cs->ui.model, (double)time(NULL), "error", "", cs->ui.status.text);
}

/* ---- requests and replies ---- */

void console_request(struct console *cs, json_t *req, int64_t timeout_ms, conn_reply_fn fn)
{
	if (!req) {
		console_say(cs, true, "out of memory");
		return;
	}
	conn_request(&cs->conn, req, timeout_ms, fn, cs);
}

json_t *console_req_named(const char *cmd, const char *name)
{
	json_t *req = wgm_ctl_request_new(cmd);
	if (req && name && json_object_set_new(req, "name", json_string(name)) < 0) {
		json_decref(req);
		return NULL;
	}
	return req;
}

/* A daemon without a command answers this; what the console then shows is a
 * note in that view, not an error at every refresh. */
bool console_unknown_command(const char *err)
{
	return err && strncmp(err, "unknown command", 15) == 0;
}

static void on_snapshot(void *ctx, const char *cmd, const json_t *reply, const char *err)
{
	struct console *cs = ctx;
	char perr[256] = "";
	int rc = 0;
	if (!reply && strcmp(cmd, "nodes") == 0 && console_unknown_command(err)) {
		cs->ui.daemon.nodes_unsupported = true;
		cs->dirty = true;
		return;
	}
	if (!reply) {
		/* A refresh failing is shown only when nothing else explains it. */
		if (conn_up(&cs->conn))
			console_say(cs, true, "%s: %s", cmd, err);
		return;
	}
	if (strcmp(cmd, WGM_CTL_CMD_STATUS) == 0) {
		rc = model_apply_status(&cs->ui.model, reply, perr, sizeof(perr));
		cs->ui.daemon.status_at = cs->ui.now;
	} else if (strcmp(cmd, "links") == 0) {
		rc = model_apply_links(&cs->ui.model, reply, perr, sizeof(perr));
	} else if (strcmp(cmd, "nodes") == 0) {
		cs->ui.daemon.nodes_unsupported = false;
		rc = model_apply_nodes(&cs->ui.model, reply, perr, sizeof(perr));
	}
	if (rc < 0)
		console_say(cs, true, "daemon sent a bad reply: %s", perr);
	cs->dirty = true;
}

static void on_history(void *ctx, const char *cmd, const json_t *reply, const char *err)
{
	struct console *cs = ctx;
	struct link_history h;
	char perr[256];
	if (!reply && console_unknown_command(err)) {
		cs->ui.daemon.history_unsupported = true;
		cs->dirty = true;
		return;
	}
	if (!reply) {
		console_say(cs, true, "link history: %s", err);
		return;
	}
	cs->ui.daemon.history_unsupported = false;
	if (link_history_parse(reply, &h, perr, sizeof(perr)) < 0) {
		console_say(cs, true, "daemon sent a bad history: %s", perr);
		return;
	}
	if (strcmp(h.name, cs->ui.detail.link) != 0) {
		link_history_free(&h); /* an answer for a link no longer shown */
		return;
	}
	link_history_free(&cs->ui.detail.history);
	cs->ui.detail.history = h;
	cs->ui.detail.history_loaded = true;
	cs->dirty = true;
}

void console_request_history(struct console *cs)
{
	cs->last_history_ms = cs->now_ms;
	console_request(cs, console_req_named(WGM_CTL_CMD_LINK_HISTORY, cs->ui.detail.link), QUICK_TIMEOUT_MS,
			on_history);
}

void console_request_snapshot(struct console *cs)
{
	console_request(cs, wgm_ctl_request_new(WGM_CTL_CMD_STATUS), QUICK_TIMEOUT_MS, on_snapshot);
	console_request(cs, wgm_ctl_request_new(WGM_CTL_CMD_LINKS), QUICK_TIMEOUT_MS, on_snapshot);
	console_request(cs, wgm_ctl_request_new(WGM_CTL_CMD_NODES), QUICK_TIMEOUT_MS, on_snapshot);
	cs->last_status_ms = cs->last_nodes_ms = cs->now_ms;
}

void console_request_nodes(struct console *cs)
{
	console_request(cs, wgm_ctl_request_new(WGM_CTL_CMD_NODES), QUICK_TIMEOUT_MS, on_snapshot);
}

static void on_event(void *ctx, const json_t *ev)
{
	struct console *cs = ctx;
	char perr[256];
	size_t before = model_event_count(&cs->ui.model);
	if (model_apply_event(&cs->ui.model, ev, perr, sizeof(perr)) < 0) {
		console_say(cs, true, "daemon sent a bad event: %s", perr);
		return;
	}
	const char *kind = wgm_ctl_event_kind(ev);
	if (kind && strcmp(kind, WGM_CTL_EVENT_STATUS) == 0)
		cs->ui.daemon.status_at = cs->ui.now;
	/* The header's node count and the nodes view follow the change now,
	 * not at the next periodic refresh. */
	if (kind && (strcmp(kind, WGM_CTL_EVENT_ROUTE) == 0 || strcmp(kind, WGM_CTL_EVENT_JOIN) == 0 ||
		     strcmp(kind, WGM_CTL_EVENT_LINK_ADDED) == 0 || strcmp(kind, WGM_CTL_EVENT_LINK_REMOVED) == 0)) {
		console_request(cs, wgm_ctl_request_new(WGM_CTL_CMD_STATUS), QUICK_TIMEOUT_MS, on_snapshot);
		console_request_nodes(cs);
	}
	/* While a connect runs, its progress is whatever the daemon reports. */
	if (cs->connect_pending && model_event_count(&cs->ui.model) != before) {
		const struct model_event *e = model_event_at(&cs->ui.model, model_event_count(&cs->ui.model) - 1);
		console_say(cs, false, "connect: %s", e->text);
	}
	cs->dirty = true;
}

static void on_conn_state(void *ctx, bool up)
{
	struct console *cs = ctx;
	cs->ui.daemon.up = up;
	if (up) {
		model_clear_events(&cs->ui.model);
		console_request_snapshot(cs);
		if (cs->ui.view == VIEW_DETAIL)
			console_request_history(cs);
		if (cs->ui.view == VIEW_MEMBERS)
			console_request_members(cs);
	}
	cs->dirty = true;
}

/* ---- keys ---- */

static void dismiss_token(struct console *cs)
{
	sodium_memzero(cs->ui.token.text, sizeof(cs->ui.token.text));
	cs->ui.token.shown = false;
	/* Repaint every cell so no copy of the token stays on the screen. */
	clearok(curscr, TRUE);
}

static void handle_key(struct console *cs, int ch)
{
	cs->dirty = true;
	if (ch == KEY_RESIZE) {
		console_keep_selection_visible(cs);
		cs->token_rewrap = true;
		return;
	}
	if (cs->ui.token.shown) {
		dismiss_token(cs);
		return;
	}
	if (cs->ui.prompt.active) {
		console_prompt_key(cs, ch);
		return;
	}
	if (cs->confirming) {
		console_confirm_key(cs, ch);
		return;
	}
	if (cs->prox_confirming) {
		console_prox_confirm_key(cs, ch);
		return;
	}
	if (cs->ui.menu.sort) {
		console_sort_key(cs, ch);
		return;
	}
	if (cs->ui.view == VIEW_HELP) {
		/* Any key closes help, q included (a second q quits). */
		cs->ui.view = cs->before_help;
		return;
	}
	if (ch == '\r')
		ch = '\n';
	const struct key_binding *b = keys_lookup(ch);
	console_action_fn fn = b ? console_action_find(b->action) : NULL;
	if (fn)
		fn(cs);
}

/* One read's keys through the paste filter (input.h): pasted text goes
 * into an open prompt or nowhere, never to the key table. */
static void read_keys(struct console *cs)
{
	int keys[INPUT_READ_MAX];
	struct input_item items[INPUT_READ_MAX];
	size_t n = 0, dropped = 0;
	int ch;
	while (n < INPUT_READ_MAX && (ch = getch()) != ERR)
		keys[n++] = ch;
	if (n == 0)
		return;
	size_t m = input_filter_run(&cs->input, keys, n, cs->ui.prompt.active, cs->now_ms, items, &dropped);
	for (size_t i = 0; i < m && !cs->quit; i++) {
		if (!items[i].pasted)
			handle_key(cs, items[i].key);
		else if (cs->ui.prompt.active)
			console_prompt_paste(cs, items[i].key);
		else
			dropped++;
	}
	if (dropped)
		console_say(cs, false, "ignored %zu pasted keys: paste into a prompt (c connect, t token, / filter)",
			    dropped);
}

/* ---- the loop ---- */

static void update_daemon_note(struct console *cs)
{
	struct ui *ui = &cs->ui;
	char note[sizeof(ui->daemon.note)];
	if (!conn_up(&cs->conn)) {
		int64_t in = conn_retry_in(&cs->conn, cs->now_ms);
		snprintf(note, sizeof(note), "disconnected, retrying%s%lld%s", in > 0 ? " in " : "",
			 in > 0 ? (long long)((in + 999) / 1000) : 0LL, in > 0 ? "s" : "");
		if (in <= 0)
			snprintf(note, sizeof(note), "disconnected, retrying");
	} else {
		int64_t slow = conn_oldest_request_ms(&cs->conn, cs->now_ms);
		if (slow > SLOW_AFTER_MS)
			snprintf(note, sizeof(note), "slow, no reply for %llds", (long long)(slow / 1000));
		else
			note[0] = '\0';
	}
	if (strcmp(note, ui->daemon.note) != 0) {
		snprintf(ui->daemon.note, sizeof(ui->daemon.note), "%s", note);
		cs->dirty = true;
	}
}

static void periodic(struct console *cs)
{
	if (!conn_up(&cs->conn))
		return;
	if (cs->now_ms - cs->last_status_ms >= STATUS_EVERY_MS) {
		cs->last_status_ms = cs->now_ms;
		console_request(cs, wgm_ctl_request_new(WGM_CTL_CMD_STATUS), QUICK_TIMEOUT_MS, on_snapshot);
	}
	if (cs->ui.view == VIEW_NODES && cs->now_ms - cs->last_nodes_ms >= NODES_EVERY_MS) {
		cs->last_nodes_ms = cs->now_ms;
		console_request(cs, wgm_ctl_request_new(WGM_CTL_CMD_NODES), QUICK_TIMEOUT_MS, on_snapshot);
	}
	if (cs->ui.view == VIEW_DETAIL && cs->now_ms - cs->last_history_ms >= HISTORY_EVERY_MS)
		console_request_history(cs);
	if (cs->ui.view == VIEW_MEMBERS && cs->now_ms - cs->last_members_ms >= MEMBERS_EVERY_MS)
		console_request_members(cs);
}

static void console_loop(struct console *cs)
{
	int64_t shown_second = -1;
	while (!cs->quit && !terminal_quit_requested()) {
		cs->now_ms = wgm_mono_ms();
		cs->ui.now = (int64_t)time(NULL);
		update_daemon_note(cs);
		if (cs->ui.now != shown_second)
			cs->dirty = true; /* the clock, uptime and handshake ages */
		if (cs->dirty) {
			render_frame(stdscr, &cs->ui);
			wnoutrefresh(stdscr);
			doupdate();
			if (cs->ui.token.shown && cs->token_rewrap) {
				cs->token_rewrap = false;
				terminal_token_soft_wrap(cs->ui.token.text);
			}
			cs->dirty = false;
			shown_second = cs->ui.now;
		}
		struct pollfd fds[1 + CONN_PENDING_MAX + 1];
		fds[0] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
		size_t n = 1 + conn_pollfds(&cs->conn, fds + 1, CONN_PENDING_MAX + 1);
		if (poll(fds, n, TICK_MS) < 0 && errno != EINTR)
			break;
		read_keys(cs);
		cs->now_ms = wgm_mono_ms();
		conn_process(&cs->conn, fds + 1, n - 1, cs->now_ms);
		periodic(cs);
	}
}

int console_run(const char *socket_path)
{
	struct console *cs = calloc(1, sizeof(*cs));
	if (!cs) {
		fprintf(stderr, "wgmesh: out of memory\n");
		return 1;
	}
	setlocale(LC_ALL, "");
	model_init(&cs->ui.model);
	cs->ui.scroll.events_follow = true;
	cs->ui.view = VIEW_LINKS;
	snprintf(cs->ui.daemon.note, sizeof(cs->ui.daemon.note), "connecting");
	conn_open(&cs->conn, socket_path, on_event, on_conn_state, cs);
	int rc = terminal_start(&cs->ui);
	if (rc == 0) {
		console_loop(cs);
		terminal_restore();
	}
	conn_close(&cs->conn);
	link_history_free(&cs->ui.detail.history);
	proximity_free(&cs->ui.prox.reply);
	members_free(&cs->ui.members.list);
	model_free(&cs->ui.model);
	sodium_memzero(cs, sizeof(*cs));
	free(cs);
	return rc == 0 ? 0 : 1;
}
