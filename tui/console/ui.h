/* The console's screen state: the model plus what the operator is looking
 * at (view, scroll positions, prompt, token box, status line). Owned by
 * console.c, drawn by render.c. */
#ifndef WGM_TUI_UI_H
#define WGM_TUI_UI_H

#include <stdbool.h>
#include <stdint.h>

#include "tui/console/history.h"
#include "tui/console/model.h"
#include "tui/console/proximity.h"
#include "tui/console/sparkline.h"

enum ui_view { VIEW_LINKS, VIEW_DETAIL, VIEW_NODES, VIEW_EVENTS, VIEW_HELP, VIEW_PROXIMITY };

#define UI_PROMPT_MAX 512
#define UI_TOKEN_MAX 512

struct ui {
	struct model model;
	enum ui_view view;
	enum glyphs glyphs;
	bool colour;
	int64_t now; /* unix seconds: clock, handshake ages, uptime */

	bool daemon_up;
	char daemon_note[96]; /* "disconnected, retrying in 2s", "slow: no reply for 3s" */
	int64_t status_at;    /* when status.uptime was received, to count it up */

	char status[256]; /* the last action's result or error */
	bool status_error;

	size_t links_top; /* first visible row of the links table */
	size_t nodes_top;
	size_t events_top; /* first visible event when not following */
	bool events_follow;

	struct link_history history; /* for the detail view */
	char detail_link[MODEL_NAME_MAX];
	bool history_loaded;
	/* The daemon does not know link_history / nodes (an older or partial
	 * daemon): shown as a note, not as an error every refresh. */
	bool history_unsupported;
	bool nodes_unsupported;

	struct proximity prox; /* the last proximity reply */
	bool prox_loaded;
	bool prox_measuring; /* a proximity request is out */
	size_t prox_top;

	bool prompting;
	char prompt_label[96];
	char prompt_buf[UI_PROMPT_MAX];
	size_t prompt_len;
	bool prompt_secret; /* echo as '*' (a token typed or pasted) */
	char prompt_hint[96]; /* what an empty answer means, shown after the input */
	char prompt_error[256]; /* why the last answer was refused; the prompt stays */
	bool sort_menu;

	bool token_shown; /* the token box covers the screen until a key */
	char token[UI_TOKEN_MAX];
	char token_note[128];
};

#endif
