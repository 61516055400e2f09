#include "tui/console/terminal.h"

#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

#include "tui/console/render.h"

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

/* Bracketed paste (xterm, tmux, most emulators): pasted text arrives
 * between ESC[200~ and ESC[201~, so it is never read as keys (input.h). */
static const char paste_on[] = "\033[?2004h", paste_off[] = "\033[?2004l";

void terminal_restore(void)
{
	if (curses_active) {
		curses_active = 0;
		endwin();
		fputs(paste_off, stdout);
		fflush(stdout);
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

int terminal_start(struct ui *ui)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr,
			"wgmesh: the console needs a terminal (use 'wgmesh status' or 'wgmesh links' in scripts)\n");
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
	if (reset_len + strlen(paste_off) < sizeof(reset_seq)) {
		memcpy(reset_seq + reset_len, paste_off, strlen(paste_off));
		reset_len += strlen(paste_off);
	}
	install_signals();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	fputs(paste_on, stdout);
	fflush(stdout);
	ui->glyphs = want_utf8() ? GLYPHS_UTF8 : GLYPHS_ASCII;
	ui->colour = want_colour();
	render_init_colours(ui->colour);
	return 0;
}

/* ncurses places a token wider than the screen row by row, which a terminal
 * copies as several lines. Written again as one run from its first row, the
 * terminal wraps it itself and copies it as one line (xterm, tmux, most
 * emulators join soft-wrapped rows). ncurses already holds the same cells,
 * so it never repaints them; the cursor goes back where ncurses left it. */
void terminal_token_soft_wrap(const char *token)
{
	size_t len = strlen(token);
	int rows = getmaxy(stdscr), cols = getmaxx(stdscr), cy, cx;
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
	(void)!write(STDOUT_FILENO, token, len);
	(void)!write(STDOUT_FILENO, go_back, strlen(go_back));
}

bool terminal_quit_requested(void)
{
	return quit_signal != 0;
}
