/* The console's screen state: the model plus what the operator is looking
 * at, grouped by job (the daemon's state, the status line, each view's
 * scroll position and data, the prompt, the menus, the token box). Owned by
 * console.c, drawn by render.c. */
#ifndef WGM_TUI_UI_H
#define WGM_TUI_UI_H

#include <stdbool.h>
#include <stdint.h>

#include "tui/console/history.h"
#include "tui/console/members.h"
#include "tui/console/model.h"
#include "tui/console/proximity.h"
#include "tui/console/sparkline.h"

enum ui_view { VIEW_LINKS, VIEW_DETAIL, VIEW_NODES, VIEW_EVENTS, VIEW_HELP, VIEW_PROXIMITY, VIEW_MEMBERS };

#define UI_PROMPT_MAX 512
#define UI_TOKEN_MAX 512

/* The connection to the daemon and what the daemon can do. */
struct ui_daemon {
	bool up;
	char note[96];     /* "disconnected, retrying in 2s", "slow: no reply for 3s" */
	int64_t status_at; /* when status.uptime was received, to count it up */
	/* The daemon does not know link_history / nodes (an older or partial
	 * daemon): shown as a note, not as an error every refresh. */
	bool history_unsupported;
	bool nodes_unsupported;
};

/* The status line: the last action's result or error. */
struct ui_status {
	char text[256];
	bool error;
};

/* First visible rows of the links, nodes and events views. */
struct ui_scroll {
	size_t links_top;
	size_t nodes_top;
	size_t events_top; /* when not following */
	bool events_follow;
};

struct ui_detail {
	char link[MODEL_NAME_MAX];
	struct link_history history;
	bool history_loaded;
};

struct ui_prox {
	struct proximity reply; /* the last proximity reply */
	bool loaded;
	bool measuring; /* a proximity request is out */
	size_t top;
};

struct ui_members {
	struct members list; /* the last member_list reply, sorted by ID */
	bool loaded;
	bool loading; /* a member_list request is out */
	/* The daemon refused member_list for good: no authority (an earlier
	 * mesh version) or no such command; its words, shown as the view. */
	char unavailable[200];
	size_t selected;
	size_t top;
};

struct ui_prompt {
	bool active;
	char label[96];
	char buf[UI_PROMPT_MAX];
	size_t len;
	bool secret;     /* echo as '*' (a token typed or pasted) */
	char hint[96];   /* what an empty answer means, shown after the input */
	char error[256]; /* why the last answer was refused; the prompt stays */
};

/* One-key menus open at the bottom. */
struct ui_menu {
	bool sort;
};

/* The token box covers the screen until a key. */
struct ui_token {
	bool shown;
	char text[UI_TOKEN_MAX];
	char note[128];
};

struct ui {
	struct model model;
	enum ui_view view;
	enum glyphs glyphs;
	bool colour;
	int64_t now; /* unix seconds: clock, handshake ages, uptime */

	struct ui_daemon daemon;
	struct ui_status status;
	struct ui_scroll scroll;
	struct ui_detail detail;
	struct ui_prox prox;
	struct ui_members members;
	struct ui_prompt prompt;
	struct ui_menu menu;
	struct ui_token token;
};

#endif
