#include "tui/console/console.h"

#include "common/util/clock.h"

#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "common/ctl/ctlproto.h"
#include "tui/console/conn.h"
#include "tui/console/fmt.h"
#include "tui/console/keys.h"
#include "tui/console/render.h"
#include "tui/console/ui.h"

#define TICK_MS 250
#define QUICK_TIMEOUT_MS 10000
#define CONNECT_TIMEOUT_MS 120000
#define STATUS_EVERY_MS 10000
#define NODES_EVERY_MS 5000
#define HISTORY_EVERY_MS 10000
#define SLOW_AFTER_MS 2000

typedef void (*prompt_done_fn)(struct console *cs, const char *value);

struct console {
	struct ui ui;
	struct conn conn;
	bool quit;
	bool dirty;
	prompt_done_fn prompt_done;
	char form[2][UI_PROMPT_MAX]; /* answers of earlier prompts in a sequence */
	bool confirming;
	char confirm_link[MODEL_NAME_MAX];
	bool connect_pending;
	bool token_rewrap; /* the token box needs its soft-wrapped rewrite */
	int64_t now_ms;
	int64_t last_status_ms, last_nodes_ms, last_history_ms;
	enum ui_view before_help;
};

/* ---- terminal: restore on exit, on signals and on crashes ---- */

static volatile sig_atomic_t quit_signal;
static volatile sig_atomic_t curses_active;
static struct termios saved_tio;
static bool tio_saved;
/* What endwin would send, prepared in advance: a crash handler may only
 * write() and tcsetattr(), never call into curses. */
static char reset_seq[256];
static size_t reset_len;

static void on_quit_signal(int sig)
{
	(void)sig;
	quit_signal = 1;
}

static void on_fatal_signal(int sig)
{
	if (curses_active) {
		if (tio_saved)
			tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
		if (reset_len)
			(void)!write(STDOUT_FILENO, reset_seq, reset_len);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void terminal_restore(void)
{
	if (curses_active) {
		curses_active = 0;
		endwin();
	}
}

static void append_cap(const char *name)
{
	const char *cap = tigetstr(name);
	if (!cap || cap == (char *)-1)
		return;
	size_t l = strlen(cap);
	if (reset_len + l < sizeof(reset_seq)) {
		memcpy(reset_seq + reset_len, cap, l);
		reset_len += l;
	}
}

static void install_signals(void)
{
	struct sigaction sa = { 0 };
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: poll() returns at once with EINTR and the loop quits. */
	sa.sa_handler = on_quit_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_fatal_signal;
	sa.sa_flags = SA_RESETHAND;
	const int fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		sigaction(fatal[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static bool want_utf8(void)
{
	const char *ascii = getenv("WGMESH_ASCII");
	if (ascii && strcmp(ascii, "1") == 0)
		return false;
	return strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
}

static bool want_colour(void)
{
	const char *no = getenv("NO_COLOR");
	return !(no && no[0]) && has_colors();
}

static int terminal_start(struct ui *ui)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "wgmesh: the console needs a terminal (use 'wgmesh status' or 'wgmesh links' in scripts)\n");
		return -ENOTTY;
	}
	tio_saved = tcgetattr(STDIN_FILENO, &saved_tio) == 0;
	if (!newterm(NULL, stdout, stdin)) {
		const char *term = getenv("TERM");
		fprintf(stderr, "wgmesh: cannot use terminal type '%s' for the console\n", term ? term : "(unset)");
		return -ENOTTY;
	}
	curses_active = 1;
	atexit(terminal_restore);
	append_cap("sgr0");
	append_cap("cnorm");
	append_cap("rmkx");
	append_cap("rmcup");
	install_signals();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	ui->glyphs = want_utf8() ? GLYPHS_UTF8 : GLYPHS_ASCII;
	ui->colour = want_colour();
	render_init_colours(ui->colour);
	return 0;
}

/* ---- status line ---- */

static void say(struct console *cs, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(struct console *cs, bool error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cs->ui.status, sizeof(cs->ui.status), fmt, ap);
	va_end(ap);
	cs->ui.status_error = error;
	cs->dirty = true;
}

/* ---- requests and replies ---- */

static void request(struct console *cs, json_t *req, int64_t timeout_ms, conn_reply_fn fn)
{
	if (!req) {
		say(cs, true, "out of memory");
		return;
	}
	conn_request(&cs->conn, req, timeout_ms, fn, cs);
}

static json_t *req_named(const char *cmd, const char *name)
{
	json_t *req = ctl_request_new(cmd);
	if (req && name && json_object_set_new(req, "name", json_string(name)) < 0) {
		json_decref(req);
		return NULL;
	}
	return req;
}

/* A daemon without a command answers this; what the console then shows is a
 * note in that view, not an error at every refresh. */
static bool unknown_command(const char *err)
{
	return err && strncmp(err, "unknown command", 15) == 0;
}

static void on_snapshot(void *ctx, const char *cmd, const json_t *reply, const char *err)
{
	struct console *cs = ctx;
	char perr[256] = "";
	int rc = 0;
	if (!reply && strcmp(cmd, "nodes") == 0 && unknown_command(err)) {
		cs->ui.nodes_unsupported = true;
		cs->dirty = true;
		return;
	}
	if (!reply) {
		/* A refresh failing is shown only when nothing else explains it. */
		if (conn_up(&cs->conn))
			say(cs, true, "%s: %s", cmd, err);
		return;
	}
	if (strcmp(cmd, CTL_CMD_STATUS) == 0) {
		rc = model_apply_status(&cs->ui.model, reply, perr, sizeof(perr));
		cs->ui.status_at = cs->ui.now;
	} else if (strcmp(cmd, "links") == 0) {
		rc = model_apply_links(&cs->ui.model, reply, perr, sizeof(perr));
	} else if (strcmp(cmd, "nodes") == 0) {
		cs->ui.nodes_unsupported = false;
		rc = model_apply_nodes(&cs->ui.model, reply, perr, sizeof(perr));
	}
	if (rc < 0)
		say(cs, true, "daemon sent a bad reply: %s", perr);
	cs->dirty = true;
}

static void on_history(void *ctx, const char *cmd, const json_t *reply, const char *err)
{
	struct console *cs = ctx;
	struct link_history h;
	char perr[256];
	if (!reply && unknown_command(err)) {
		cs->ui.history_unsupported = true;
		cs->dirty = true;
		return;
	}
	if (!reply) {
		say(cs, true, "link history: %s", err);
		return;
	}
	cs->ui.history_unsupported = false;
	if (link_history_parse(reply, &h, perr, sizeof(perr)) < 0) {
		say(cs, true, "daemon sent a bad history: %s", perr);
		return;
	}
	if (strcmp(h.name, cs->ui.detail_link) != 0) {
		link_history_free(&h); /* an answer for a link no longer shown */
		return;
	}
	link_history_free(&cs->ui.history);
	cs->ui.history = h;
	cs->ui.history_loaded = true;
	cs->dirty = true;
}

static void request_history(struct console *cs)
{
	cs->last_history_ms = cs->now_ms;
	request(cs, req_named(CTL_CMD_LINK_HISTORY, cs->ui.detail_link), QUICK_TIMEOUT_MS, on_history);
}

static void request_snapshot(struct console *cs)
{
	request(cs, ctl_request_new(CTL_CMD_STATUS), QUICK_TIMEOUT_MS, on_snapshot);
	request(cs, ctl_request_new(CTL_CMD_LINKS), QUICK_TIMEOUT_MS, on_snapshot);
	request(cs, ctl_request_new(CTL_CMD_NODES), QUICK_TIMEOUT_MS, on_snapshot);
	cs->last_status_ms = cs->last_nodes_ms = cs->now_ms;
}

static void on_event(void *ctx, const json_t *ev)
{
	struct console *cs = ctx;
	char perr[256];
	size_t before = model_event_count(&cs->ui.model);
	if (model_apply_event(&cs->ui.model, ev, perr, sizeof(perr)) < 0) {
		say(cs, true, "daemon sent a bad event: %s", perr);
		return;
	}
	const char *kind = ctl_event_kind(ev);
	if (kind && strcmp(kind, CTL_EVENT_STATUS) == 0)
		cs->ui.status_at = cs->ui.now;
	/* While a connect runs, its progress is whatever the daemon reports. */
	if (cs->connect_pending && model_event_count(&cs->ui.model) != before) {
		const struct model_event *e = model_event_at(&cs->ui.model, model_event_count(&cs->ui.model) - 1);
		say(cs, false, "connect: %s", e->text);
	}
	cs->dirty = true;
}

static void on_conn_state(void *ctx, bool up)
{
	struct console *cs = ctx;
	cs->ui.daemon_up = up;
	if (up) {
		model_clear_events(&cs->ui.model);
		request_snapshot(cs);
		if (cs->ui.view == VIEW_DETAIL)
			request_history(cs);
	}
	cs->dirty = true;
}

/* ---- prompts ---- */

static void prompt(struct console *cs, const char *label, const char *initial, bool secret, prompt_done_fn done)
{
	struct ui *ui = &cs->ui;
	ui->prompting = true;
	ui->prompt_secret = secret;
	snprintf(ui->prompt_label, sizeof(ui->prompt_label), "%s", label);
	snprintf(ui->prompt_buf, sizeof(ui->prompt_buf), "%s", initial ? initial : "");
	ui->prompt_len = strlen(ui->prompt_buf);
	cs->prompt_done = done;
	cs->dirty = true;
}

static void prompt_end(struct console *cs, bool accepted)
{
	struct ui *ui = &cs->ui;
	prompt_done_fn done = cs->prompt_done;
	char value[UI_PROMPT_MAX];
	memcpy(value, ui->prompt_buf, ui->prompt_len);
	value[ui->prompt_len] = '\0';
	sodium_memzero(ui->prompt_buf, sizeof(ui->prompt_buf));
	ui->prompt_len = 0;
	ui->prompting = false;
	cs->prompt_done = NULL;
	cs->dirty = true;
	if (done)
		done(cs, accepted ? value : NULL);
	sodium_memzero(value, sizeof(value));
}

static void prompt_key(struct console *cs, int ch)
{
	struct ui *ui = &cs->ui;
	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER)
		prompt_end(cs, true);
	else if (ch == 27)
		prompt_end(cs, false);
	else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		/* Whole UTF-8 characters: drop continuation bytes with the lead. */
		while (ui->prompt_len > 0 && ((unsigned char)ui->prompt_buf[ui->prompt_len - 1] & 0xC0) == 0x80)
			ui->prompt_len--;
		if (ui->prompt_len > 0)
			ui->prompt_len--;
	} else if (ch == 21) { /* Ctrl-U */
		ui->prompt_len = 0;
	} else if (ch >= 32 && ch < 256 && ch != 127 && ui->prompt_len + 1 < sizeof(ui->prompt_buf)) {
		ui->prompt_buf[ui->prompt_len++] = (char)ch;
	}
	ui->prompt_buf[ui->prompt_len] = '\0';
	cs->dirty = true;
}

/* ---- the link an action applies to ---- */

static const struct model_link *target_link(struct console *cs)
{
	const struct model_link *l = NULL;
	if (cs->ui.view == VIEW_DETAIL)
		l = model_find_link(&cs->ui.model, cs->ui.detail_link);
	else if (cs->ui.view == VIEW_LINKS)
		l = model_selected(&cs->ui.model);
	if (!l)
		say(cs, true, "select a link first (links view, arrows or j/k)");
	return l;
}

/* ---- actions ---- */

static void act_quit(struct console *cs)
{
	cs->quit = true;
}

static void keep_selection_visible(struct console *cs)
{
	cs->ui.links_top = render_visible_top(cs->ui.links_top, model_selected_row(&cs->ui.model),
					      (size_t)render_table_rows(stdscr));
}

static void open_detail(struct console *cs, const struct model_link *l)
{
	struct ui *ui = &cs->ui;
	if (strcmp(ui->detail_link, l->name) != 0) {
		link_history_free(&ui->history);
		ui->history_loaded = false;
	}
	snprintf(ui->detail_link, sizeof(ui->detail_link), "%s", l->name);
	ui->view = VIEW_DETAIL;
	request_history(cs);
}

static void scroll_events(struct console *cs, long delta)
{
	struct ui *ui = &cs->ui;
	size_t count = model_event_count(&ui->model), rows = (size_t)render_table_rows(stdscr);
	size_t max_top = count > rows ? count - rows : 0;
	long top = ui->events_follow ? (long)max_top : (long)ui->events_top;
	top += delta;
	if (top < 0)
		top = 0;
	ui->events_top = (size_t)top >= max_top ? max_top : (size_t)top;
	ui->events_follow = ui->events_top >= max_top && delta > 0;
}

static void move_by(struct console *cs, long delta)
{
	struct ui *ui = &cs->ui;
	switch (ui->view) {
	case VIEW_LINKS:
		model_select_move(&ui->model, delta);
		keep_selection_visible(cs);
		break;
	case VIEW_DETAIL:
		model_select_move(&ui->model, delta);
		if (model_selected(&ui->model))
			open_detail(cs, model_selected(&ui->model));
		break;
	case VIEW_NODES: {
		long top = (long)ui->nodes_top + delta;
		long max = (long)ui->model.nnodes - 1;
		ui->nodes_top = (size_t)(top < 0 ? 0 : (top > max ? (max < 0 ? 0 : max) : top));
		break;
	}
	case VIEW_EVENTS:
		scroll_events(cs, delta);
		break;
	case VIEW_HELP:
		break;
	}
}

static long page(void)
{
	int rows = render_table_rows(stdscr);
	return rows > 1 ? rows - 1 : 1;
}

static void act_up(struct console *cs)
{
	move_by(cs, -1);
}

static void act_down(struct console *cs)
{
	move_by(cs, 1);
}

static void act_page_up(struct console *cs)
{
	move_by(cs, -page());
}

static void act_page_down(struct console *cs)
{
	move_by(cs, page());
}

static void act_top(struct console *cs)
{
	move_by(cs, -1000000);
}

static void act_bottom(struct console *cs)
{
	move_by(cs, 1000000);
	if (cs->ui.view == VIEW_EVENTS)
		cs->ui.events_follow = true;
}

static void act_detail(struct console *cs)
{
	if (cs->ui.view != VIEW_LINKS)
		return;
	const struct model_link *l = target_link(cs);
	if (l)
		open_detail(cs, l);
}

static void act_view_links(struct console *cs)
{
	cs->ui.view = VIEW_LINKS;
}

static void act_view_nodes(struct console *cs)
{
	cs->ui.view = VIEW_NODES;
	cs->last_nodes_ms = cs->now_ms;
	request(cs, ctl_request_new(CTL_CMD_NODES), QUICK_TIMEOUT_MS, on_snapshot);
}

static void act_view_events(struct console *cs)
{
	cs->ui.view = VIEW_EVENTS;
	cs->ui.events_follow = true;
}

static void act_next_view(struct console *cs)
{
	if (cs->ui.view == VIEW_LINKS)
		act_view_nodes(cs);
	else if (cs->ui.view == VIEW_NODES)
		act_view_events(cs);
	else
		act_view_links(cs);
}

static void act_back(struct console *cs)
{
	cs->ui.view = VIEW_LINKS;
}

static void act_help(struct console *cs)
{
	cs->before_help = cs->ui.view;
	cs->ui.view = VIEW_HELP;
}

static void act_redraw(struct console *cs)
{
	clearok(curscr, TRUE);
	cs->token_rewrap = true;
}

static void act_sort(struct console *cs)
{
	model_cycle_sort(&cs->ui.model);
	keep_selection_visible(cs);
	say(cs, false, "sorted by %s%s", model_sort_name(cs->ui.model.sort), cs->ui.model.sort_desc ? ", descending" : "");
}

static void filter_done(struct console *cs, const char *value)
{
	if (!value)
		return;
	model_set_filter(&cs->ui.model, value);
	keep_selection_visible(cs);
	if (value[0])
		say(cs, false, "filter '%s': %zu of %zu links", value, model_view_count(&cs->ui.model),
		    cs->ui.model.nlinks);
	else
		say(cs, false, "filter cleared");
}

static void act_filter(struct console *cs)
{
	prompt(cs, "Filter (empty clears): ", cs->ui.model.filter, false, filter_done);
}

/* t: token. TTL, then uses, then the box. */
static void on_token(void *ctx, const char *cmd, const json_t *reply, const char *err)
{
	struct console *cs = ctx;
	if (!reply) {
		say(cs, true, "token: %s", err);
		return;
	}
	json_t *tok = json_object_get(reply, "token");
	const char *id = json_string_value(json_object_get(reply, "id"));
	json_int_t expires = json_integer_value(json_object_get(reply, "expires"));
	if (!json_is_string(tok) || json_string_length(tok) == 0 || json_string_length(tok) >= sizeof(cs->ui.token)) {
		say(cs, true, "token: the daemon's reply has no usable token");
		return;
	}
	snprintf(cs->ui.token, sizeof(cs->ui.token), "%s", json_string_value(tok));
	/* The reply is freed by the caller; wipe the token it holds first. */
	sodium_memzero((char *)json_string_value(tok), json_string_length(tok));
	char when[32] = "?";
	time_t t = (time_t)expires;
	struct tm tm;
	if (expires > 0 && localtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	snprintf(cs->ui.token_note, sizeof(cs->ui.token_note), "id %.24s, expires %s, uses %.8s", id ? id : "?", when,
		 cs->form[1]);
	cs->ui.token_shown = true;
	cs->token_rewrap = true;
	say(cs, false, "token %s issued", id ? id : "");
}

static void token_uses_done(struct console *cs, const char *value)
{
	int64_t ttl = 0;
	char *end = NULL;
	if (!value)
		return;
	long uses = value[0] ? strtol(value, &end, 10) : 1;
	if (value[0] && (*end || uses < 1 || uses > 1000000)) {
		say(cs, true, "token: uses '%s' is not a number from 1 to 1000000", value);
		return;
	}
	snprintf(cs->form[1], sizeof(cs->form[1]), "%ld", uses);
	parse_duration(cs->form[0], &ttl);
	json_t *req = ctl_request_new(CTL_CMD_TOKEN_CREATE);
	if (req && (json_object_set_new(req, "ttl", json_integer(ttl)) < 0 ||
		    json_object_set_new(req, "uses", json_integer(uses)) < 0)) {
		json_decref(req);
		req = NULL;
	}
	say(cs, false, "issuing a token...");
	request(cs, req, QUICK_TIMEOUT_MS, on_token);
}

static void token_ttl_done(struct console *cs, const char *value)
{
	int64_t ttl;
	if (!value)
		return;
	snprintf(cs->form[0], sizeof(cs->form[0]), "%s", value[0] ? value : "1h");
	if (parse_duration(cs->form[0], &ttl) < 0) {
		say(cs, true, "token: TTL '%s' is not a duration like 90s, 30m, 1h or 7d", cs->form[0]);
		return;
	}
	prompt(cs, "Uses [1]: ", "", false, token_uses_done);
}

static void act_token(struct console *cs)
{
	prompt(cs, "Token TTL (90s, 30m, 1h, 7d) [1h]: ", "", false, token_ttl_done);
}

/* c: connect. URL, then token, then progress from events until the reply:
 * {"ok":true,"remote_id":N,"links":["pipe0","pipe0v6"]}. */
static void on_connect(void *ctx, const char *cmd, const json_t *reply, const char *err)
{
	struct console *cs = ctx;
	char links[128] = "";
	size_t pos = 0, i;
	const json_t *v;
	cs->connect_pending = false;
	if (!reply) {
		say(cs, true, "connect failed: %s", err);
		return;
	}
	json_array_foreach(json_object_get(reply, "links"), i, v)
	{
		if (json_is_string(v) && pos < sizeof(links))
			pos += (size_t)snprintf(links + pos, sizeof(links) - pos, "%s%.16s", pos ? ", " : "",
						json_string_value(v));
	}
	const json_t *remote = json_object_get(reply, "remote_id");
	if (json_is_integer(remote))
		say(cs, false, "connected to node %lld%s%s", (long long)json_integer_value(remote), pos ? ": " : "",
		    links);
	else
		say(cs, false, "connected%s%s", pos ? ": " : "", links);
}

static void connect_token_done(struct console *cs, const char *value)
{
	if (!value || !value[0]) {
		if (value)
			say(cs, true, "connect: a token is needed (create one with 'wgmesh token' on the other node)");
		sodium_memzero(cs->form[0], sizeof(cs->form[0]));
		return;
	}
	json_t *req = ctl_request_new(CTL_CMD_CONNECT);
	if (req && (json_object_set_new(req, "url", json_string(cs->form[0])) < 0 ||
		    json_object_set_new(req, "token", json_string(value)) < 0)) {
		json_decref(req);
		req = NULL;
	}
	cs->connect_pending = req != NULL;
	say(cs, false, "connecting to %s...", cs->form[0]);
	request(cs, req, CONNECT_TIMEOUT_MS, on_connect);
}

static void connect_url_done(struct console *cs, const char *value)
{
	if (!value)
		return;
	if (strncmp(value, "http://", 7) != 0 && strncmp(value, "https://", 8) != 0) {
		say(cs, true, "connect: URL '%s' does not start with http:// or https://", value);
		return;
	}
	snprintf(cs->form[0], sizeof(cs->form[0]), "%s", value);
	prompt(cs, "Token: ", "", true, connect_token_done);
}

static void act_connect(struct console *cs)
{
	if (cs->connect_pending) {
		say(cs, true, "a connect is already running");
		return;
	}
	prompt(cs, "Connect to URL (http://HOST:PORT): ", "http://", false, connect_url_done);
}

/* Replies to cost, drain and undrain carry the changed LINK: its row is
 * updated at once, so a second r undoes the first even before the next
 * metrics event, and the status line says what the link's cost now is. */
static void on_link_change(void *ctx, const char *cmd, const json_t *reply, const char *err)
{
	struct console *cs = ctx;
	const json_t *link = reply ? json_object_get(reply, "link") : NULL;
	char perr[256];
	const struct model_link *l;

	if (!reply) {
		say(cs, true, "%s failed: %s", cmd, err);
		return;
	}
	if (!link) {
		say(cs, false, "%s: done", cmd);
		return;
	}
	if (model_apply_link(&cs->ui.model, link, perr, sizeof(perr)) < 0) {
		say(cs, true, "daemon sent a bad reply: %s", perr);
		return;
	}
	cs->dirty = true;
	l = model_find_link(&cs->ui.model, json_string_value(json_object_get(link, "name")));
	if (!l)
		return;
	if (strcmp(cmd, "drain") == 0)
		say(cs, false, "%s drained: cost %lld, traffic leaves it", l->name, (long long)l->cost);
	else if (strcmp(cmd, "undrain") == 0)
		say(cs, false, "%s undrained: cost %lld", l->name, (long long)l->cost);
	else
		say(cs, false, "%s: cost %lld%s", l->name, (long long)l->cost,
		    l->has_override ? " (operator override)" : " (override cleared)");
}

/* {"ok":true,"removed":["pipe2"]}; the row goes with the link_removed event. */
static void on_disconnect(void *ctx, const char *cmd, const json_t *reply, const char *err)
{
	struct console *cs = ctx;
	const json_t *removed = reply ? json_object_get(reply, "removed") : NULL;
	const char *first = json_string_value(json_array_get(removed, 0));
	if (!reply)
		say(cs, true, "disconnect failed (d then f removes it here only): %s", err);
	else if (first)
		say(cs, false, "disconnected %.16s", first);
	else
		say(cs, false, "disconnect: done");
}

static void act_disconnect(struct console *cs)
{
	const struct model_link *l = target_link(cs);
	if (!l)
		return;
	snprintf(cs->confirm_link, sizeof(cs->confirm_link), "%s", l->name);
	cs->confirming = true;
	say(cs, false, "Disconnect %s (node %lld)? y yes, f force (this end only), other key no", l->name,
	    (long long)l->remote_id);
}

static void confirm_key(struct console *cs, int ch)
{
	cs->confirming = false;
	bool force = ch == 'f' || ch == 'F';
	if (ch != 'y' && ch != 'Y' && !force) {
		say(cs, false, "disconnect cancelled");
		return;
	}
	json_t *req = ctl_request_new(CTL_CMD_DISCONNECT);
	json_t *links = json_array();
	if (!req || !links || json_array_append_new(links, json_string(cs->confirm_link)) < 0 ||
	    json_object_set_new(req, "links", links) < 0 ||
	    (force && json_object_set_new(req, "force", json_true()) < 0)) {
		json_decref(req);
		req = NULL;
	}
	say(cs, false, "disconnecting %s...", cs->confirm_link);
	request(cs, req, QUICK_TIMEOUT_MS, on_disconnect);
}

/* r: drain <-> undrain. */
static void act_drain(struct console *cs)
{
	const struct model_link *l = target_link(cs);
	if (!l)
		return;
	const char *cmd = l->drained ? "undrain" : "drain";
	say(cs, false, "%s %s...", cmd, l->name);
	request(cs, req_named(cmd, l->name), QUICK_TIMEOUT_MS, on_link_change);
}

/* C: cost override; empty clears it. */
static void cost_done(struct console *cs, const char *value)
{
	char *end = NULL;
	if (!value)
		return;
	json_t *req = req_named(CTL_CMD_COST, cs->confirm_link);
	if (value[0]) {
		long cost = strtol(value, &end, 10);
		if (*end || cost < 1 || cost > 65535) {
			say(cs, true, "cost: '%s' is not a cost (1-65535)", value);
			json_decref(req);
			return;
		}
		if (req && json_object_set_new(req, "cost", json_integer(cost)) < 0) {
			json_decref(req);
			req = NULL;
		}
	} else if (req && json_object_set_new(req, "cost", json_null()) < 0) {
		json_decref(req);
		req = NULL;
	}
	request(cs, req, QUICK_TIMEOUT_MS, on_link_change);
}

static void act_cost(struct console *cs)
{
	const struct model_link *l = target_link(cs);
	char label[96], current[16] = "";
	if (!l)
		return;
	snprintf(cs->confirm_link, sizeof(cs->confirm_link), "%s", l->name);
	if (l->has_override)
		snprintf(current, sizeof(current), "%lld", (long long)l->override);
	snprintf(label, sizeof(label), "Cost override for %s (1-65535, empty clears; measured %lld): ", l->name,
		 (long long)l->cost_measured);
	prompt(cs, label, current, false, cost_done);
}

static const struct {
	const char *name;
	console_action_fn fn;
} actions[] = {
	{ "up", act_up },
	{ "down", act_down },
	{ "page_up", act_page_up },
	{ "page_down", act_page_down },
	{ "top", act_top },
	{ "bottom", act_bottom },
	{ "detail", act_detail },
	{ "view_links", act_view_links },
	{ "view_nodes", act_view_nodes },
	{ "view_events", act_view_events },
	{ "next_view", act_next_view },
	{ "back", act_back },
	{ "token", act_token },
	{ "connect", act_connect },
	{ "disconnect", act_disconnect },
	{ "drain", act_drain },
	{ "cost", act_cost },
	{ "sort", act_sort },
	{ "filter", act_filter },
	{ "help", act_help },
	{ "redraw", act_redraw },
	{ "quit", act_quit },
};

console_action_fn console_action_find(const char *name)
{
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		if (strcmp(actions[i].name, name) == 0)
			return actions[i].fn;
	}
	return NULL;
}

/* ---- keys ---- */

static void dismiss_token(struct console *cs)
{
	sodium_memzero(cs->ui.token, sizeof(cs->ui.token));
	cs->ui.token_shown = false;
	/* Repaint every cell so no copy of the token stays on the screen. */
	clearok(curscr, TRUE);
}

static void handle_key(struct console *cs, int ch)
{
	cs->dirty = true;
	if (ch == KEY_RESIZE) {
		keep_selection_visible(cs);
		cs->token_rewrap = true;
		return;
	}
	if (cs->ui.token_shown) {
		dismiss_token(cs);
		return;
	}
	if (cs->ui.prompting) {
		prompt_key(cs, ch);
		return;
	}
	if (cs->confirming) {
		confirm_key(cs, ch);
		return;
	}
	if (cs->ui.view == VIEW_HELP && ch != 'q') {
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

/* ---- the loop ---- */

/* ncurses places a token wider than the screen row by row, which a terminal
 * copies as several lines. Written again as one run from its first row, the
 * terminal wraps it itself and copies it as one line (xterm, tmux, most
 * emulators join soft-wrapped rows). ncurses already holds the same cells,
 * so it never repaints them; the cursor goes back where ncurses left it. */
static void token_soft_wrap(struct console *cs)
{
	size_t len = strlen(cs->ui.token);
	int rows = getmaxy(stdscr), cols = getmaxx(stdscr), cy, cx;
	cs->token_rewrap = false;
	if (rows < RENDER_MIN_ROWS || cols < RENDER_MIN_COLS || render_token_rows(len, cols) < 2 ||
	    tigetflag("am") <= 0 || !cursor_address)
		return;
	/* Everything goes out through write(), after curses' own output, so
	 * the order on the terminal is the order here. */
	char go_token[64], go_back[64];
	const char *seq = tiparm(cursor_address, render_token_first_row(len, rows, cols), 0);
	if (!seq || strlen(seq) >= sizeof(go_token))
		return;
	snprintf(go_token, sizeof(go_token), "%s", seq);
	getyx(curscr, cy, cx);
	seq = tiparm(cursor_address, cy, cx);
	if (!seq || strlen(seq) >= sizeof(go_back))
		return;
	snprintf(go_back, sizeof(go_back), "%s", seq);
	fflush(stdout);
	(void)!write(STDOUT_FILENO, go_token, strlen(go_token));
	(void)!write(STDOUT_FILENO, cs->ui.token, len);
	(void)!write(STDOUT_FILENO, go_back, strlen(go_back));
}

static void update_daemon_note(struct console *cs)
{
	struct ui *ui = &cs->ui;
	char note[sizeof(ui->daemon_note)];
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
	if (strcmp(note, ui->daemon_note) != 0) {
		snprintf(ui->daemon_note, sizeof(ui->daemon_note), "%s", note);
		cs->dirty = true;
	}
}

static void periodic(struct console *cs)
{
	if (!conn_up(&cs->conn))
		return;
	if (cs->now_ms - cs->last_status_ms >= STATUS_EVERY_MS) {
		cs->last_status_ms = cs->now_ms;
		request(cs, ctl_request_new(CTL_CMD_STATUS), QUICK_TIMEOUT_MS, on_snapshot);
	}
	if (cs->ui.view == VIEW_NODES && cs->now_ms - cs->last_nodes_ms >= NODES_EVERY_MS) {
		cs->last_nodes_ms = cs->now_ms;
		request(cs, ctl_request_new(CTL_CMD_NODES), QUICK_TIMEOUT_MS, on_snapshot);
	}
	if (cs->ui.view == VIEW_DETAIL && cs->now_ms - cs->last_history_ms >= HISTORY_EVERY_MS)
		request_history(cs);
}

static void console_loop(struct console *cs)
{
	int64_t shown_second = -1;
	while (!cs->quit && !quit_signal) {
		cs->now_ms = wgm_mono_ms();
		cs->ui.now = (int64_t)time(NULL);
		update_daemon_note(cs);
		if (cs->ui.now != shown_second)
			cs->dirty = true; /* the clock, uptime and handshake ages */
		if (cs->dirty) {
			render_frame(stdscr, &cs->ui);
			wnoutrefresh(stdscr);
			doupdate();
			if (cs->ui.token_shown && cs->token_rewrap)
				token_soft_wrap(cs);
			cs->dirty = false;
			shown_second = cs->ui.now;
		}
		struct pollfd fds[1 + CONN_PENDING_MAX + 1];
		fds[0] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
		size_t n = 1 + conn_pollfds(&cs->conn, fds + 1, CONN_PENDING_MAX + 1);
		if (poll(fds, n, TICK_MS) < 0 && errno != EINTR)
			break;
		int ch;
		while ((ch = getch()) != ERR && !cs->quit)
			handle_key(cs, ch);
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
	cs->ui.events_follow = true;
	cs->ui.view = VIEW_LINKS;
	snprintf(cs->ui.daemon_note, sizeof(cs->ui.daemon_note), "connecting");
	conn_init(&cs->conn, socket_path, on_event, on_conn_state, cs);
	int rc = terminal_start(&cs->ui);
	if (rc == 0) {
		console_loop(cs);
		terminal_restore();
	}
	conn_close(&cs->conn);
	link_history_free(&cs->ui.history);
	model_free(&cs->ui.model);
	sodium_memzero(cs, sizeof(*cs));
	free(cs);
	return rc == 0 ? 0 : 1;
}
