/* The console's proximity view: the daemon's `proximity` reply (a
 * measurement, or a cutoff's plan or result) parsed into rows, and the rows
 * formatted into a table that drops columns by priority. Pure. */
#ifndef WGM_TUI_PROXIMITY_H
#define WGM_TUI_PROXIMITY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROX_ROWS_MAX 4096
#define PROX_CUTOFF_MAX_MS 60000.0

enum prox_col { PCOL_NODE, PCOL_ADDR, PCOL_RTT, PCOL_LINKS, PCOL_ACTION, PCOL_NOTE, PCOL_COUNT };

struct prox_row {
	int64_t node;
	char address[64]; /* "" = not known */
	double rtt_ms;    /* NaN = none (note says why) */
	char links[128];  /* "pipe2 (up), pipe2v6 (down)"; "" = no link */
	char action[16];  /* none, connect, disconnect, keep_last_path */
	char note[160];   /* why no address or RTT; "" */
	char result[96];  /* what a change did; "" = nothing changed */
};

struct proximity {
	struct prox_row *rows; /* owned; in the daemon's order, nearest first */
	size_t nrows;
	bool has_cutoff;
	double cutoff_ms;
	bool dry_run;
	char graph_error[160]; /* BIRD's graph unreadable: nothing changed */
};

void proximity_free(struct proximity *p);

/* Parses a proximity reply into *out (freed first on success only): a bad
 * field rejects the whole reply with its path in err and leaves *out as it
 * was. Returns 0 or -EINVAL. */
int proximity_parse(const json_t *reply, struct proximity *out, char *err, size_t errlen);

/* Reads the operator's cutoff: milliseconds 0-60000, as `wgmesh proximity`
 * takes it. Returns 0 or -EINVAL with the reason in err. */
int proximity_cutoff_parse(const char *text, double *out, char *err, size_t errlen);

/* How many rows plan a change (connect or disconnect). */
size_t proximity_changes(const struct proximity *p);

/* Column widths for a table `total` columns wide; ACTION is left out when
 * the reply had no cutoff (everything is "none"). */
void proximity_fit(const struct proximity *p, int total, int *widths);
/* One table line for row (NULL: the header) at the widths. */
void proximity_line(const struct prox_row *row, const int *widths, char *line, size_t len);

#endif
