/* The members view's requests: m opens it and asks for `member_list`
 * (again on the console's cadence while it is shown: identities change
 * rarely), R revokes the selected identity after its node ID is typed
 * back, and the daemon's answer goes to the status line word for word. */
#include <stdio.h>
#include <string.h>

#include "common/ctl/ctlproto.h"
#include "tui/console/console_internal.h"
#include "tui/console/render.h"

/* Rows the view shows under the table header: one line is kept for the
 * note under it (who may revoke). */
static size_t member_rows(void)
{
	int rows = render_table_rows(stdscr) - 1;
	return rows > 0 ? (size_t)rows : 0;
}

void console_members_keep_visible(struct console *cs)
{
	struct ui_members *mv = &cs->ui.members;
	mv->top = render_visible_top(mv->top, mv->selected, member_rows());
}

static void members_apply(struct console *cs, const json_t *reply, const char *err)
{
	struct ui_members *mv = &cs->ui.members;
	char perr[256], fpr[MEMBER_FPR_MAX + 1] = "";
	int64_t id = -1;
	if (!reply) {
		/* No authority (an earlier mesh version) or an older daemon: the
		 * view says so in one line instead of a table. */
		snprintf(mv->unavailable, sizeof(mv->unavailable), "%s",
			 console_unknown_command(err)
				 ? "the daemon does not report members (no \"member_list\" command)"
				 : err);
		return;
	}
	if (mv->selected < mv->list.nrows) {
		id = mv->list.rows[mv->selected].id;
		snprintf(fpr, sizeof(fpr), "%s", mv->list.rows[mv->selected].fingerprint);
	}
	if (members_parse(reply, &mv->list, perr, sizeof(perr)) < 0) {
		console_say(cs, true, "daemon sent a bad member list: %s", perr);
		return;
	}
	mv->unavailable[0] = '\0';
	mv->loaded = true;
	/* The selection stays on its identity when rows come and go. */
	long at = id >= 0 ? members_find(&mv->list, id, fpr) : -1;
	if (at >= 0)
		mv->selected = (size_t)at;
	else if (mv->selected >= mv->list.nrows)
		mv->selected = mv->list.nrows ? mv->list.nrows - 1 : 0;
	console_members_keep_visible(cs);
}

static void on_members(void *ctx, const char *cmd, const json_t *reply, const char *err)
{
	struct console *cs = ctx;
	(void)cmd;
	cs->ui.members.loading = false;
	cs->dirty = true;
	members_apply(cs, reply, err);
	if (cs->members_again)
		console_request_members(cs);
}

void console_request_members(struct console *cs)
{
	cs->last_members_ms = cs->now_ms;
	/* One request at a time; one asked for meanwhile (after a revocation)
	 * goes when the answer is in, so the list is never older than the ask. */
	cs->members_again = cs->ui.members.loading;
	if (cs->ui.members.loading)
		return;
	json_t *req = wgm_ctl_request_new(WGM_CTL_CMD_MEMBER_LIST);
	cs->ui.members.loading = req != NULL;
	console_request(cs, req, QUICK_TIMEOUT_MS, on_members);
}

void console_act_view_members(struct console *cs)
{
	cs->ui.view = VIEW_MEMBERS;
	console_request_members(cs);
}

static void on_revoke(void *ctx, const char *cmd, const json_t *reply, const char *err)
{
	struct console *cs = ctx;
	(void)cmd;
	if (!reply)
		console_say(cs, true, "revoke node %lld refused: %s", (long long)cs->revoke_id, err);
	else
		console_say(cs, false, "node %lld revoked: its links go on every node as the revocation arrives",
			    (long long)cs->revoke_id);
	console_request_members(cs);
}

static bool revoke_done(struct console *cs, const char *value)
{
	const struct members *list = &cs->ui.members.list;
	char why[160];
	if (!value) {
		console_say(cs, false, "revoke cancelled: nothing changed");
		return true;
	}
	if (!members_confirm(value, cs->revoke_id, why, sizeof(why))) {
		console_say(cs, true, "revoke: %s", why);
		return false;
	}
	/* The daemon revokes the ID's current identity: it must still be the
	 * one the prompt named. */
	long at = members_find(list, cs->revoke_id, cs->revoke_fpr);
	if (at < 0 || list->rows[at].revoked) {
		console_say(cs, true, "revoke: node %lld's identity %s is no longer current here; nothing sent",
			    (long long)cs->revoke_id, cs->revoke_fpr);
		return true;
	}
	json_t *req = wgm_ctl_request_new(WGM_CTL_CMD_MEMBER_REVOKE);
	if (req && json_object_set_new(req, "id", json_integer(cs->revoke_id)) < 0) {
		json_decref(req);
		req = NULL;
	}
	console_say(cs, false, "revoking node %lld...", (long long)cs->revoke_id);
	console_request(cs, req, QUICK_TIMEOUT_MS, on_revoke);
	return true;
}

void console_act_revoke(struct console *cs)
{
	const struct ui_members *mv = &cs->ui.members;
	char why[160], label[128];
	if (cs->ui.view != VIEW_MEMBERS) {
		console_say(cs, true, "revoke works in the members view: press m, select the node, then R");
		return;
	}
	if (!mv->loaded || mv->selected >= mv->list.nrows) {
		console_say(cs, true, "revoke: no member selected");
		return;
	}
	const struct member_row *row = &mv->list.rows[mv->selected];
	members_revoke_refusal(row, members_self_admin(&mv->list), why, sizeof(why));
	if (why[0]) {
		console_say(cs, true, "revoke: %s", why);
		return;
	}
	cs->revoke_id = row->id;
	snprintf(cs->revoke_fpr, sizeof(cs->revoke_fpr), "%s", row->fingerprint);
	snprintf(label, sizeof(label), "Revoke node %lld (%s)? Type the ID to confirm: ", (long long)row->id,
		 row->fingerprint);
	console_prompt(cs, label, "", false, revoke_done);
	snprintf(cs->ui.prompt.hint, sizeof(cs->ui.prompt.hint), "[Esc cancels]");
}
