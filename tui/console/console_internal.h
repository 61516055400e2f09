/* The console's state and the calls its parts share: console.c (the loop,
 * requests, the daemon's replies and events), prompt.c (prompts and the y/n
 * confirmation), actions.c (what the keys do), terminal.c (curses). Private
 * to tui/console/. */
#ifndef WGM_TUI_CONSOLE_INTERNAL_H
#define WGM_TUI_CONSOLE_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "tui/console/conn.h"
#include "tui/console/console.h"
#include "tui/console/input.h"
#include "tui/console/ui.h"

#define TICK_MS 250
#define QUICK_TIMEOUT_MS 10000
#define CONNECT_TIMEOUT_MS 120000
#define STATUS_EVERY_MS 10000
#define NODES_EVERY_MS 5000
#define HISTORY_EVERY_MS 10000
#define MEMBERS_EVERY_MS 10000
#define SLOW_AFTER_MS 2000

/* The answer (NULL: cancelled). Returns false to keep the prompt open with
 * the input for editing, after console_say(cs, true, ...) said what is
 * wrong; true when done (it may open the next prompt). */
typedef bool (*prompt_done_fn)(struct console *cs, const char *value);

struct console {
	struct ui ui;
	struct conn conn;
	bool quit;
	bool dirty;
	prompt_done_fn prompt_done;
	char form[2][UI_PROMPT_MAX]; /* answers of earlier prompts in a sequence */
	bool confirming;
	struct input_filter input;
	char confirm_link[MODEL_NAME_MAX];
	bool connect_pending;
	bool token_rewrap; /* the token box needs its soft-wrapped rewrite */
	int64_t now_ms;
	int64_t last_status_ms, last_nodes_ms, last_history_ms;
	enum ui_view before_help;
	/* Proximity: what the request out is for, and a plan's cutoff while
	 * its y/n confirmation is open. */
	enum { PROX_MEASURE, PROX_PLAN, PROX_APPLY } prox_stage;
	double prox_cutoff;
	bool prox_confirming;
	/* Members: when the list was last asked for, and the identity a
	 * revocation prompt names. */
	int64_t last_members_ms;
	bool members_again; /* asked for while a request was out */
	int64_t revoke_id;
	char revoke_fpr[MEMBER_FPR_MAX + 1];
};

/* The status line: the last action's result or error. */
void console_say(struct console *cs, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Sends REQ (owned) to the daemon; FN gets the reply or an error. */
void console_request(struct console *cs, json_t *req, int64_t timeout_ms, conn_reply_fn fn);
/* The daemon's error for a command it does not know (an older daemon):
 * the view says so instead of showing an error at every refresh. */
bool console_unknown_command(const char *err);
/* {"cmd":CMD,"name":NAME}. */
json_t *console_req_named(const char *cmd, const char *name);
void console_request_history(struct console *cs);
void console_request_snapshot(struct console *cs);
void console_request_nodes(struct console *cs);

void console_prompt(struct console *cs, const char *label, const char *initial, bool secret, prompt_done_fn done);
void console_prompt_key(struct console *cs, int ch);
/* Pasted text into the open prompt: printable characters only, so a paste
 * never submits or cancels it. */
void console_prompt_paste(struct console *cs, int ch);
void console_sort_key(struct console *cs, int ch);
void console_confirm_key(struct console *cs, int ch);

/* actions_proximity.c: p opens the view (again: measures anew), P asks for
 * a cutoff, shows its plan and applies it after y. */
void console_act_view_proximity(struct console *cs);
void console_act_proximity_cutoff(struct console *cs);
void console_prox_confirm_key(struct console *cs, int ch);

/* actions_members.c: m opens the members view (and refreshes it), R revokes
 * the selected identity after its ID is typed back. */
void console_act_view_members(struct console *cs);
void console_act_revoke(struct console *cs);
void console_request_members(struct console *cs);
void console_members_keep_visible(struct console *cs);

void console_keep_selection_visible(struct console *cs);
void console_open_detail(struct console *cs, const struct model_link *l);

#endif
