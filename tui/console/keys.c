#include "tui/console/keys.h"

#include <curses.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define CTRL(c) ((c)&0x1f)

const struct key_binding keys_table[] = {
	{ KEY_UP, "Up", "up", "row above / scroll up" },
	{ 'k', "k", "up", NULL },
	{ KEY_DOWN, "Down", "down", "row below / scroll down" },
	{ 'j', "j", "down", NULL },
	{ KEY_PPAGE, "PgUp", "page_up", "page up" },
	{ KEY_NPAGE, "PgDn", "page_down", "page down" },
	{ KEY_HOME, "Home", "top", "first row" },
	{ 'g', "g", "top", NULL },
	{ KEY_END, "End", "bottom", "last row / follow events" },
	{ 'G', "G", "bottom", NULL },
	{ '\n', "Enter", "detail", "link detail (graphs)" },
	{ KEY_ENTER, "Enter", "detail", NULL },
	{ 'l', "l", "view_links", "links view" },
	{ 'n', "n", "view_nodes", "nodes view" },
	{ 'e', "e", "view_events", "events view" },
	{ 'p', "p", "view_proximity", "proximity; again measures" },
	{ 'P', "P", "proximity_cutoff", "proximity cutoff plan+y/n" },
	{ 'm', "m", "view_members", "members (identities)" },
	{ 'R', "R", "revoke", "revoke member (typed ID)" },
	{ '\t', "Tab", "next_view", "links, nodes, events" },
	{ 27, "Esc", "back", "back to links" },
	{ KEY_BACKSPACE, "Bksp", "back", NULL },
	{ 't', "t", "token", "issue a join token" },
	{ 'c', "c", "connect", "connect to a node" },
	{ 'd', "d", "disconnect", "disconnect link (y/f/N)" },
	{ 'r', "r", "drain", "drain/undrain (reroute)" },
	{ 'C', "C", "cost", "set/clear cost override" },
	{ 's', "s", "sort", "sort: then a column's key" },
	{ '/', "/", "filter", "filter links by text" },
	{ '?', "?", "help", "this help" },
	{ 'h', "h", "help", NULL },
	{ CTRL('l'), "^L", "redraw", "redraw the screen" },
	{ 'q', "q", "quit", "quit" },
};

const size_t keys_table_len = sizeof(keys_table) / sizeof(keys_table[0]);

const struct key_binding *keys_lookup(int key)
{
	for (size_t i = 0; i < keys_table_len; i++) {
		if (keys_table[i].key == key)
			return &keys_table[i];
	}
	return NULL;
}

size_t keys_help_lines(char out[][96], size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < keys_table_len && n < max; i++) {
		const struct key_binding *b = &keys_table[i];
		if (!b->help)
			continue;
		char labels[32] = "";
		size_t used = 0;
		/* Every key for this action, without repeating a label. */
		for (size_t j = 0; j < keys_table_len; j++) {
			const struct key_binding *o = &keys_table[j];
			if (strcmp(o->action, b->action) != 0)
				continue;
			bool seen = false;
			for (size_t k = 0; k < j; k++)
				seen |= strcmp(keys_table[k].action, b->action) == 0 &&
					strcmp(keys_table[k].label, o->label) == 0;
			if (!seen)
				used += (size_t)snprintf(labels + used,
							 used < sizeof(labels) ? sizeof(labels) - used : 0, "%s%s",
							 used ? " " : "", o->label);
			if (used >= sizeof(labels))
				used = sizeof(labels) - 1;
		}
		snprintf(out[n++], 96, "%-9s %s", labels, b->help);
	}
	return n;
}
