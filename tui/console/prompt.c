/* The console's one-line prompts (URL, token, cost, filter) and the y/n
 * confirmation: line editing, secret echo, and the callback with the answer. */
#include <curses.h>
#include <errno.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ctl/ctlproto.h"
#include "common/util/clock.h"
#include "tui/console/console_internal.h"
#include "tui/console/fmt.h"
#include "tui/console/keys.h"
#include "tui/console/render.h"

void console_prompt(struct console *cs, const char *label, const char *initial, bool secret, prompt_done_fn done)
{
	struct ui *ui = &cs->ui;
	ui->prompt.active = true;
	ui->prompt.secret = secret;
	snprintf(ui->prompt.label, sizeof(ui->prompt.label), "%s", label);
	ui->prompt.hint[0] = '\0';
	ui->prompt.error[0] = '\0';
	snprintf(ui->prompt.buf, sizeof(ui->prompt.buf), "%s", initial ? initial : "");
	ui->prompt.len = strlen(ui->prompt.buf);
	cs->prompt_done = done;
	cs->dirty = true;
}

static void prompt_end(struct console *cs, bool accepted)
{
	struct ui *ui = &cs->ui;
	prompt_done_fn done = cs->prompt_done;
	char value[UI_PROMPT_MAX], label[sizeof(ui->prompt.label)], hint[sizeof(ui->prompt.hint)];
	bool secret = ui->prompt.secret;
	memcpy(value, ui->prompt.buf, ui->prompt.len);
	value[ui->prompt.len] = '\0';
	snprintf(label, sizeof(label), "%s", ui->prompt.label);
	snprintf(hint, sizeof(hint), "%s", ui->prompt.hint);
	sodium_memzero(ui->prompt.buf, sizeof(ui->prompt.buf));
	ui->prompt.len = 0;
	ui->prompt.active = false;
	ui->prompt.error[0] = '\0';
	ui->prompt.hint[0] = '\0';
	cs->prompt_done = NULL;
	cs->dirty = true;
	if (done && !done(cs, accepted ? value : NULL) && accepted && !ui->prompt.active) {
		/* Refused: the same prompt again, the input kept for editing and
		 * the reason beside it, so nothing typed next runs as a key. */
		console_prompt(cs, label, value, secret, done);
		snprintf(ui->prompt.hint, sizeof(ui->prompt.hint), "%s", hint);
		snprintf(ui->prompt.error, sizeof(ui->prompt.error), "%s", ui->status.text);
	}
	sodium_memzero(value, sizeof(value));
}

void console_prompt_key(struct console *cs, int ch)
{
	struct ui *ui = &cs->ui;
	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER)
		prompt_end(cs, true);
	else if (ch == 27)
		prompt_end(cs, false);
	else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		/* Whole UTF-8 characters: drop continuation bytes with the lead. */
		while (ui->prompt.len > 0 && ((unsigned char)ui->prompt.buf[ui->prompt.len - 1] & 0xC0) == 0x80)
			ui->prompt.len--;
		if (ui->prompt.len > 0)
			ui->prompt.len--;
	} else if (ch == 21) { /* Ctrl-U */
		ui->prompt.len = 0;
	} else if (ch >= 32 && ch < 256 && ch != 127 && ui->prompt.len + 1 < sizeof(ui->prompt.buf)) {
		ui->prompt.buf[ui->prompt.len++] = (char)ch;
	}
	ui->prompt.buf[ui->prompt.len] = '\0';
	cs->dirty = true;
}

void console_prompt_paste(struct console *cs, int ch)
{
	if (ch == '\t')
		ch = ' ';
	if (ch >= 32 && ch < 256 && ch != 127)
		console_prompt_key(cs, ch);
}
