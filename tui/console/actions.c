/* What the console's keys do: moving, views, sorting and filtering, and the
 * operator's actions on the daemon (token, connect, disconnect, drain,
 * cost) with their replies. The key -> action name table is keys.c. */
#include <curses.h>
#include <errno.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ctl/ctlproto.h"
#include "common/util/clock.h"
#include "common/util/url.h"
#include "tui/console/console_internal.h"
#include "tui/console/fmt.h"
#include "tui/console/keys.h"
#include "tui/console/render.h"

/* ---- the link an action applies to ---- */

static const struct model_link *target_link(struct console *cs)
{
	const struct model_link *l = NULL;
	if (cs->ui.view == VIEW_DETAIL)
		l = model_find_link(&cs->ui.model, cs->ui.detail.link);
	else if (cs->ui.view == VIEW_LINKS)
		l = model_selected(&cs->ui.model);
	if (!l)
		console_say(cs, true, "select a link first (links view, arrows or j/k)");
	return l;
}

/* ---- actions ---- */

static void act_quit(struct console *cs)
{
	cs->quit = true;
}

void console_keep_selection_visible(struct console *cs)
{
	cs->ui.scroll.links_top = render_visible_top(cs->ui.scroll.links_top, model_selected_row(&cs->ui.model),
						     (size_t)render_table_rows(stdscr));
}

void console_open_detail(struct console *cs, const struct model_link *l)
{
	struct ui *ui = &cs->ui;
	if (strcmp(ui->detail.link, l->name) != 0) {
		link_history_free(&ui->detail.history);
		ui->detail.history_loaded = false;
	}
	snprintf(ui->detail.link, sizeof(ui->detail.link), "%s", l->name);
	ui->view = VIEW_DETAIL;
	console_request_history(cs);
}

static void scroll_events(struct console *cs, long delta)
{
	struct ui *ui = &cs->ui;
	size_t count = model_event_count(&ui->model), rows = (size_t)render_table_rows(stdscr);
	size_t max_top = count > rows ? count - rows : 0;
	long top = ui->scroll.events_follow ? (long)max_top : (long)ui->scroll.events_top;
	top += delta;
	if (top < 0)
		top = 0;
	ui->scroll.events_top = (size_t)top >= max_top ? max_top : (size_t)top;
	ui->scroll.events_follow = ui->scroll.events_top >= max_top && delta > 0;
}

static void move_by(struct console *cs, long delta)
{
	struct ui *ui = &cs->ui;
	switch (ui->view) {
	case VIEW_LINKS:
		model_select_move(&ui->model, delta);
		console_keep_selection_visible(cs);
		break;
	case VIEW_DETAIL:
		model_select_move(&ui->model, delta);
		if (model_selected(&ui->model))
			console_open_detail(cs, model_selected(&ui->model));
		break;
	case VIEW_NODES: {
		long top = (long)ui->scroll.nodes_top + delta;
		long max = (long)ui->model.nnodes - 1;
		ui->scroll.nodes_top = (size_t)(top < 0 ? 0 : (top > max ? (max < 0 ? 0 : max) : top));
		break;
	}
	case VIEW_EVENTS:
		scroll_events(cs, delta);
		break;
	case VIEW_PROXIMITY: {
		long top = (long)ui->prox.top + delta;
		long max = (long)ui->prox.reply.nrows - 1;
		ui->prox.top = (size_t)(top < 0 ? 0 : (top > max ? (max < 0 ? 0 : max) : top));
		break;
	}
	case VIEW_MEMBERS: {
		struct ui_members *mv = &ui->members;
		long sel = (long)mv->selected + delta;
		long max = (long)mv->list.nrows - 1;
		mv->selected = (size_t)(sel < 0 ? 0 : (sel > max ? (max < 0 ? 0 : max) : sel));
		console_members_keep_visible(cs);
		break;
	}
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
		cs->ui.scroll.events_follow = true;
}

static void act_detail(struct console *cs)
{
	if (cs->ui.view != VIEW_LINKS)
		return;
	const struct model_link *l = target_link(cs);
	if (l)
		console_open_detail(cs, l);
}

static void act_view_links(struct console *cs)
{
	cs->ui.view = VIEW_LINKS;
}

static void act_view_nodes(struct console *cs)
{
	cs->ui.view = VIEW_NODES;
	cs->last_nodes_ms = cs->now_ms;
	console_request_nodes(cs);
}

static void act_view_events(struct console *cs)
{
	cs->ui.view = VIEW_EVENTS;
	cs->ui.scroll.events_follow = true;
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

/* s opens a one-key menu; the column's key sorts by it, the same key again
 * reverses the order. */
static void act_sort(struct console *cs)
{
	char menu[200];
	model_sort_menu(menu, sizeof(menu));
	cs->ui.menu.sort = true;
	console_say(cs, false, "sort by: %s (again: reverse, other key: keep)", menu);
}

void console_sort_key(struct console *cs, int ch)
{
	enum model_sort sort;
	cs->ui.menu.sort = false;
	if (model_sort_from_key(ch, &sort) < 0) {
		console_say(cs, false, "sort unchanged: %s%s", model_sort_name(cs->ui.model.sort),
			    cs->ui.model.sort_desc ? ", descending" : "");
		return;
	}
	bool desc = sort == cs->ui.model.sort ? !cs->ui.model.sort_desc : model_sort_default_desc(sort);
	model_set_sort(&cs->ui.model, sort, desc);
	console_keep_selection_visible(cs);
	console_say(cs, false, "sorted by %s%s", model_sort_name(cs->ui.model.sort),
		    cs->ui.model.sort_desc ? ", descending" : "");
}

static bool filter_done(struct console *cs, const char *value)
{
	if (!value)
		return true;
	model_set_filter(&cs->ui.model, value);
	console_keep_selection_visible(cs);
	if (value[0])
		console_say(cs, false, "filter '%s': %zu of %zu links", value, model_view_count(&cs->ui.model),
			    cs->ui.model.nlinks);
	else
		console_say(cs, false, "filter cleared");
	return true;
}

static void act_filter(struct console *cs)
{
	console_prompt(cs, "Filter (empty clears): ", cs->ui.model.filter, false, filter_done);
}

/* t: token. TTL, then uses, then the box. */
static void on_token(void *ctx, const char *cmd, const json_t *reply, const char *err)
{
	struct console *cs = ctx;
	if (!reply) {
		console_say(cs, true, "token: %s", err);
		return;
	}
	json_t *tok = json_object_get(reply, "token");
	const char *id = json_string_value(json_object_get(reply, "id"));
	json_int_t expires = json_integer_value(json_object_get(reply, "expires"));
	if (!json_is_string(tok) || json_string_length(tok) == 0 ||
	    json_string_length(tok) >= sizeof(cs->ui.token.text)) {
		console_say(cs, true, "token: the daemon's reply has no usable token");
		return;
	}
	snprintf(cs->ui.token.text, sizeof(cs->ui.token.text), "%s", json_string_value(tok));
	/* The reply is freed by the caller; wipe the token it holds first. */
	sodium_memzero((char *)json_string_value(tok), json_string_length(tok));
	char when[32] = "?";
	time_t t = (time_t)expires;
	struct tm tm;
	if (expires > 0 && localtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	snprintf(cs->ui.token.note, sizeof(cs->ui.token.note), "id %.24s, expires %s, uses %.8s", id ? id : "?", when,
		 cs->form[1]);
	cs->ui.token.shown = true;
	cs->token_rewrap = true;
	console_say(cs, false, "token %s issued", id ? id : "");
}

static bool token_uses_done(struct console *cs, const char *value)
{
	int64_t ttl = 0;
	char *end = NULL;
	if (!value)
		return true;
	long uses = value[0] ? strtol(value, &end, 10) : 1;
	if (value[0] && (*end || uses < 1 || uses > 1000000)) {
		console_say(cs, true, "token: uses '%s' is not a number from 1 to 1000000", value);
		return false;
	}
	snprintf(cs->form[1], sizeof(cs->form[1]), "%ld", uses);
	parse_duration(cs->form[0], &ttl);
	json_t *req = wgm_ctl_request_new(WGM_CTL_CMD_TOKEN_CREATE);
	if (req && (json_object_set_new(req, "ttl", json_integer(ttl)) < 0 ||
		    json_object_set_new(req, "uses", json_integer(uses)) < 0)) {
		json_decref(req);
		req = NULL;
	}
	console_say(cs, false, "issuing a token...");
	console_request(cs, req, QUICK_TIMEOUT_MS, on_token);
	return true;
}

static bool token_ttl_done(struct console *cs, const char *value)
{
	int64_t ttl;
	if (!value)
		return true;
	snprintf(cs->form[0], sizeof(cs->form[0]), "%s", value[0] ? value : "1h");
	if (parse_duration(cs->form[0], &ttl) < 0) {
		console_say(cs, true, "token: TTL '%s' is not a duration like 90s, 30m, 1h or 7d", cs->form[0]);
		return false;
	}
	console_prompt(cs, "Uses [1]: ", "", false, token_uses_done);
	return true;
}

static void act_token(struct console *cs)
{
	console_prompt(cs, "Token TTL (90s, 30m, 1h, 7d) [1h]: ", "", false, token_ttl_done);
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
		console_say(cs, true, "connect failed: %s", err);
		return;
	}
	json_array_foreach (json_object_get(reply, "links"), i, v) {
		if (json_is_string(v) && pos < sizeof(links))
			pos += (size_t)snprintf(links + pos, sizeof(links) - pos, "%s%.16s", pos ? ", " : "",
						json_string_value(v));
	}
	const json_t *remote = json_object_get(reply, "remote_id");
	if (json_is_integer(remote))
		console_say(cs, false, "connected to node %lld%s%s", (long long)json_integer_value(remote),
			    pos ? ": " : "", links);
	else
		console_say(cs, false, "connected%s%s", pos ? ": " : "", links);
}

static bool connect_token_done(struct console *cs, const char *value)
{
	if (value && !value[0]) {
		console_say(cs, true, "connect: a token is needed (create one with 'wgmesh token' on the other node)");
		return false;
	}
	if (!value) {
		sodium_memzero(cs->form[0], sizeof(cs->form[0]));
		return true;
	}
	json_t *req = wgm_ctl_request_new(WGM_CTL_CMD_CONNECT);
	if (req && (json_object_set_new(req, "url", json_string(cs->form[0])) < 0 ||
		    json_object_set_new(req, "token", json_string(value)) < 0)) {
		json_decref(req);
		req = NULL;
	}
	cs->connect_pending = req != NULL;
	console_say(cs, false, "connecting to %s...", cs->form[0]);
	console_request(cs, req, CONNECT_TIMEOUT_MS, on_connect);
	return true;
}

/* The same forms as `wgmesh connect` (common/util/url.h): HOST, HOST:PORT,
 * [v6]:PORT or a whole URL, so a pasted URL never becomes http://http://. */
static bool connect_url_done(struct console *cs, const char *value)
{
	char err[200];
	if (!value)
		return true;
	if (wgm_url_normalise(value, cs->form[0], sizeof(cs->form[0]), err, sizeof(err)) < 0) {
		console_say(cs, true, "connect: %s", err);
		return false;
	}
	console_prompt(cs, "Token: ", "", true, connect_token_done);
	return true;
}

static void act_connect(struct console *cs)
{
	if (cs->connect_pending) {
		console_say(cs, true, "a connect is already running");
		return;
	}
	console_prompt(cs, "Connect to (HOST, HOST:PORT, [v6]:PORT or URL): ", "", false, connect_url_done);
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
		console_say(cs, true, "%s failed: %s", cmd, err);
		return;
	}
	if (!link) {
		console_say(cs, false, "%s: done", cmd);
		return;
	}
	if (model_apply_link(&cs->ui.model, link, perr, sizeof(perr)) < 0) {
		console_say(cs, true, "daemon sent a bad reply: %s", perr);
		return;
	}
	cs->dirty = true;
	l = model_find_link(&cs->ui.model, json_string_value(json_object_get(link, "name")));
	if (!l)
		return;
	if (strcmp(cmd, "drain") == 0)
		console_say(cs, false, "%s drained: cost %lld, traffic leaves it", l->name, (long long)l->cost);
	else if (strcmp(cmd, "undrain") == 0)
		console_say(cs, false, "%s undrained: cost %lld", l->name, (long long)l->cost);
	else if (l->has_override) /* what BIRD gets, even while it still runs the old cost */
		console_say(cs, false, "%s: cost %lld (operator override)", l->name, (long long)l->override);
	else
		console_say(cs, false, "%s: cost %lld (override cleared)", l->name, (long long)l->cost);
}

/* {"ok":true,"removed":["pipe2"]}; the row goes with the link_removed event. */
static void on_disconnect(void *ctx, const char *cmd, const json_t *reply, const char *err)
{
	struct console *cs = ctx;
	const json_t *removed = reply ? json_object_get(reply, "removed") : NULL;
	const char *first = json_string_value(json_array_get(removed, 0));
	if (!reply)
		console_say(cs, true, "disconnect failed (d then f removes it here only): %s", err);
	else if (first)
		console_say(cs, false, "disconnected %.16s", first);
	else
		console_say(cs, false, "disconnect: done");
}

static void act_disconnect(struct console *cs)
{
	const struct model_link *l = target_link(cs);
	if (!l)
		return;
	snprintf(cs->confirm_link, sizeof(cs->confirm_link), "%s", l->name);
	cs->confirming = true;
	console_say(cs, false, "Disconnect %s (node %lld)? y yes, f force (this end only), other key no", l->name,
		    (long long)l->remote_id);
}

void console_confirm_key(struct console *cs, int ch)
{
	cs->confirming = false;
	bool force = ch == 'f' || ch == 'F';
	if (ch != 'y' && ch != 'Y' && !force) {
		console_say(cs, false, "disconnect cancelled");
		return;
	}
	json_t *req = wgm_ctl_request_new(WGM_CTL_CMD_DISCONNECT);
	json_t *links = json_array();
	if (!req || !links || json_array_append_new(links, json_string(cs->confirm_link)) < 0 ||
	    json_object_set_new(req, "links", links) < 0 ||
	    (force && json_object_set_new(req, "force", json_true()) < 0)) {
		json_decref(req);
		req = NULL;
	}
	console_say(cs, false, "disconnecting %s...", cs->confirm_link);
	console_request(cs, req, QUICK_TIMEOUT_MS, on_disconnect);
}

/* r: drain <-> undrain. */
static void act_drain(struct console *cs)
{
	const struct model_link *l = target_link(cs);
	if (!l)
		return;
	const char *cmd = l->drained ? "undrain" : "drain";
	console_say(cs, false, "%s %s...", cmd, l->name);
	console_request(cs, console_req_named(cmd, l->name), QUICK_TIMEOUT_MS, on_link_change);
}

/* C: cost override; empty clears it. The prompt starts empty (the current
 * override is a hint), so Enter on it does what the label says. */
static bool cost_done(struct console *cs, const char *value)
{
	char *end = NULL;
	if (!value)
		return true;
	long cost = 0;
	if (value[0]) {
		cost = strtol(value, &end, 10);
		if (*end || cost < 1 || cost > 65535) {
			console_say(cs, true, "cost: '%s' is not a cost (1-65535, or empty to clear)", value);
			return false;
		}
	}
	json_t *req = console_req_named(WGM_CTL_CMD_COST, cs->confirm_link);
	if (req && json_object_set_new(req, "cost", value[0] ? json_integer(cost) : json_null()) < 0) {
		json_decref(req);
		req = NULL;
	}
	console_request(cs, req, QUICK_TIMEOUT_MS, on_link_change);
	return true;
}

static void act_cost(struct console *cs)
{
	const struct model_link *l = target_link(cs);
	char label[96];
	if (!l)
		return;
	snprintf(cs->confirm_link, sizeof(cs->confirm_link), "%s", l->name);
	snprintf(label, sizeof(label), "Cost override for %s (1-65535): ", l->name);
	console_prompt(cs, label, "", false, cost_done);
	if (l->has_override)
		snprintf(cs->ui.prompt.hint, sizeof(cs->ui.prompt.hint), "[empty clears override %lld; measured %lld]",
			 (long long)l->override, (long long)l->cost_measured);
	else
		snprintf(cs->ui.prompt.hint, sizeof(cs->ui.prompt.hint), "[no override; measured %lld]",
			 (long long)l->cost_measured);
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
	{ "view_proximity", console_act_view_proximity },
	{ "proximity_cutoff", console_act_proximity_cutoff },
	{ "view_members", console_act_view_members },
	{ "revoke", console_act_revoke },
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
