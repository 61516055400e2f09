/* The interactive console (`wgmesh`, `wgmesh console`): ncurses screens fed
 * by the daemon's event stream. See docs/console.md. */
#ifndef WGM_TUI_CONSOLE_H
#define WGM_TUI_CONSOLE_H

struct console;

/* Runs until the operator quits (q, Ctrl-C) or a SIGTERM/SIGHUP; restores
 * the terminal in every case. Returns 0, or 1 after printing one line on
 * stderr when the terminal cannot be used. The daemon need not be running:
 * the console shows it as disconnected and keeps retrying. */
int console_run(const char *socket_path);

/* Actions the key table names (tui/console/keys.c); NULL for an unknown name. */
typedef void (*console_action_fn)(struct console *cs);
console_action_fn console_action_find(const char *name);

#endif
