/* The proximity view's requests: p measures (the daemon's `proximity` with
 * no cutoff, up to about 3 s, on its own connection so the screen keeps
 * answering), P takes a cutoff, asks for its plan (`dry_run`) and applies
 * it only after y. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/ctl/ctlproto.h"
#include "tui/console/console_internal.h"

/* Measuring takes up to about 3 s; applying waits for member calls through
 * the mesh (connect, disconnect), as the CLI does. Both are long jobs, not
 * a slow daemon. */
#define PROX_MEASURE_TIMEOUT_MS 30000
#define PROX_APPLY_TIMEOUT_MS 120000

static void on_proximity(void *ctx, const char *cmd, const json_t *reply, const char *err)
{
	struct console *cs = ctx;
	struct ui *ui = &cs->ui;
	char perr[256];
	(void)cmd;
	ui->prox.measuring = false;
	cs->dirty = true;
	if (!reply) {
		console_say(cs, true, "proximity: %s", err);
		return;
	}
	if (proximity_parse(reply, &ui->prox.reply, perr, sizeof(perr)) < 0) {
		console_say(cs, true, "daemon sent a bad proximity reply: %s", perr);
		return;
	}
	ui->prox.loaded = true;
	if (ui->prox.top >= ui->prox.reply.nrows)
		ui->prox.top = 0;
	size_t changes = proximity_changes(&ui->prox.reply);
	if (ui->prox.reply.graph_error[0]) {
		console_say(cs, true, "proximity: no links changed: %s", ui->prox.reply.graph_error);
	} else if (cs->prox_stage == PROX_MEASURE) {
		console_say(cs, false, "proximity: %zu nodes measured, nearest first", ui->prox.reply.nrows);
	} else if (cs->prox_stage == PROX_PLAN && changes == 0) {
		console_say(cs, false, "proximity cutoff %g ms: nothing to change", cs->prox_cutoff);
	} else if (cs->prox_stage == PROX_PLAN) {
		cs->prox_confirming = true;
		console_say(cs, false,
			    "Apply the plan for cutoff %g ms (%zu change%s, see ACTION)? y yes, other key no",
			    cs->prox_cutoff, changes, changes == 1 ? "" : "s");
	} else {
		console_say(cs, false, "proximity cutoff %g ms applied: see NOTE for each change", cs->prox_cutoff);
	}
}

static void prox_request(struct console *cs, bool with_cutoff, bool dry_run)
{
	json_t *req = wgm_ctl_request_new(WGM_CTL_CMD_PROXIMITY);
	if (req && with_cutoff &&
	    (json_object_set_new(req, "cutoff_ms", json_real(cs->prox_cutoff)) < 0 ||
	     json_object_set_new(req, "dry_run", json_boolean(dry_run)) < 0)) {
		json_decref(req);
		req = NULL;
	}
	cs->ui.prox.measuring = req != NULL;
	console_request(cs, req, with_cutoff && !dry_run ? PROX_APPLY_TIMEOUT_MS : PROX_MEASURE_TIMEOUT_MS,
			on_proximity);
}

static bool busy(struct console *cs)
{
	if (cs->ui.prox.measuring)
		console_say(cs, true, "proximity: a request is already running");
	return cs->ui.prox.measuring;
}

void console_act_view_proximity(struct console *cs)
{
	/* Opening the view shows the last answer; measuring anew is p again
	 * or the first visit. */
	bool again = cs->ui.view == VIEW_PROXIMITY || !cs->ui.prox.loaded;
	cs->ui.view = VIEW_PROXIMITY;
	if (!again || busy(cs))
		return;
	cs->prox_stage = PROX_MEASURE;
	console_say(cs, false, "proximity: measuring (up to about 3 s)...");
	prox_request(cs, false, false);
}

static bool cutoff_done(struct console *cs, const char *value)
{
	char err[128];
	if (!value)
		return true;
	if (proximity_cutoff_parse(value, &cs->prox_cutoff, err, sizeof(err)) < 0) {
		console_say(cs, true, "proximity: %s", err);
		return false;
	}
	cs->prox_stage = PROX_PLAN;
	console_say(cs, false, "proximity: planning cutoff %g ms (measuring, up to about 3 s)...", cs->prox_cutoff);
	prox_request(cs, true, true);
	return true;
}

void console_act_proximity_cutoff(struct console *cs)
{
	cs->ui.view = VIEW_PROXIMITY;
	if (busy(cs))
		return;
	console_prompt(cs, "Proximity cutoff in ms (0-60000): ", "", false, cutoff_done);
	snprintf(cs->ui.prompt.hint, sizeof(cs->ui.prompt.hint), "[plan first, then y/n]");
}

void console_prox_confirm_key(struct console *cs, int ch)
{
	cs->prox_confirming = false;
	if (ch != 'y' && ch != 'Y') {
		console_say(cs, false, "proximity: plan not applied, nothing changed");
		return;
	}
	if (busy(cs))
		return;
	cs->prox_stage = PROX_APPLY;
	console_say(cs, false, "proximity: applying cutoff %g ms...", cs->prox_cutoff);
	prox_request(cs, true, false);
}
