/* wgmesh __man PAGE [CONFIG_DOC]: writes the man page wgmesh(8) or
 * wgmesh-config(5) in roff to stdout, from the command table, the global
 * options and the config key table, so that the pages cannot drift from
 * `wgmesh --help` and the program. The build runs it (packaging/package.cmake);
 * wgmeshd(8) is written by hand and checked by tests/lint/man.sh.
 * wgmesh-config(5) takes each key's meaning from the "## Keys" table of
 * docs/configuration.md (CONFIG_DOC), which unit.config_doc keeps in step
 * with the key table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config/config.h"
#include "tui/cli/cli.h"

#define MAN_SOURCE "wgmesh " WGM_VERSION
/* Commands and key names must stay whole words, searchable as typed. */
#define NO_HYPHENATION ".nh\n.ad l\n"

/* Text into roff: backslashes and hyphens escaped, `code` in bold, a line
 * never starting with a control character, "\n" as a line break. */
static void roff_text(FILE *out, const char *s, size_t len)
{
	bool bold = false, line_start = true;

	for (size_t i = 0; i < len && s[i]; i++) {
		char c = s[i];
		if (line_start && (c == '.' || c == '\''))
			fputs("\\&", out);
		line_start = false;
		if (c == '\\') {
			fputs("\\e", out);
		} else if (c == '-') {
			fputs("\\-", out);
		} else if (c == '`') {
			fputs(bold ? "\\fR" : "\\fB", out);
			bold = !bold;
		} else if (c == '\n') {
			fputs("\n.br\n", out);
			line_start = true;
			while (i + 1 < len && s[i + 1] == ' ')
				i++;
		} else {
			fputc(c, out);
		}
	}
	if (bold)
		fputs("\\fR", out);
}

static void roff(FILE *out, const char *s)
{
	roff_text(out, s, strlen(s));
}

static void page_wgmesh(FILE *out)
{
	fprintf(out, ".TH WGMESH 8 \"\" \"%s\" \"wgmesh\"\n" NO_HYPHENATION, MAN_SOURCE);
	fputs(".SH NAME\nwgmesh \\- operate a wgmesh node: links, tokens, routes, config, console\n"
	      ".SH SYNOPSIS\n.B wgmesh\n"
	      "[\\fB\\-\\-config\\fR \\fIPATH\\fR] [\\fB\\-\\-socket\\fR \\fIPATH\\fR] "
	      "\\fICOMMAND\\fR [\\fIARGS\\fR...]\n.SH DESCRIPTION\n",
	      out);
	roff(out, cli_description);
	fputs("\n.PP\nRun without a command on a terminal, it opens the interactive console.\n"
	      "Every command takes \\fB\\-\\-help\\fR.\n.SH OPTIONS\n",
	      out);
	for (const struct cli_option *o = cli_global_options; o->name; o++) {
		fputs(".TP\n.B ", out);
		roff(out, o->name);
		fputc('\n', out);
		roff(out, o->help);
		fputc('\n', out);
	}
	fputs(".SH COMMANDS\n", out);
	for (const struct cli_command *c = cli_commands; c->name; c++) {
		const char *prose = NULL;
		fputs(".TP\n\\fB", out);
		roff(out, c->name);
		fputs("\\fR", out);
		/* Continuation lines of a usage go on with its flags ("[--force]")
		 * or explain the arguments in prose, which follows the summary. */
		for (const char *line = c->usage, *end; line && !prose; line = *end ? end + 1 : NULL) {
			line += strspn(line, " ");
			end = line + strcspn(line, "\n");
			if (line != c->usage + strspn(c->usage, " ") && *line != '[' && *line != '-') {
				prose = line;
				break;
			}
			fputc(' ', out);
			roff_text(out, line, (size_t)(end - line));
		}
		fputc('\n', out);
		roff(out, c->summary);
		if (prose) {
			fputs("\n.br\n", out);
			roff(out, prose);
		}
		fputc('\n', out);
	}
	fputs(".SH ENVIRONMENT\n.TP\n.B WGMESH_TOKEN\n"
	      "the join token for \\fBconnect\\fR, so that it stays out of the process list and shell history\n"
	      ".SH FILES\n.TP\n.I " WGM_CONFIG_DEFAULT_PATH "\n"
	      "the node's configuration, see \\fBwgmesh\\-config\\fR(5)\n"
	      ".TP\n.I /usr/share/doc/wgmesh/\n"
	      "the documentation: cli.md, configuration.md, install.md, troubleshooting.md and the rest\n"
	      ".SH EXIT STATUS\n0 success, 1 failure (one line on standard error says why), 2 usage error.\n"
	      ".SH SEE ALSO\n\\fBwgmeshd\\fR(8), \\fBwgmesh\\-config\\fR(5), \\fBbird\\fR(8), \\fBwg\\fR(8)\n",
	      out);
}

/* The meaning cell of KEY's row in the "## Keys" table of DOC, with links
 * reduced to their text; NULL when there is none. Caller frees. */
static char *doc_meaning(FILE *doc, const char *key)
{
	char line[4096], want[128];

	if (!doc)
		return NULL;
	snprintf(want, sizeof(want), "| `%s` |", key);
	rewind(doc);
	while (fgets(line, sizeof(line), doc)) {
		char *cell, *end, *text, *w;
		if (strncmp(line, want, strlen(want)) != 0)
			continue;
		/* | `key` | `default` | meaning | restart | */
		cell = strchr(line + strlen(want), '|');
		end = cell ? strrchr(cell + 1, '|') : NULL;
		end = end ? memrchr(cell + 1, '|', (size_t)(end - cell - 1)) : NULL;
		if (!cell || !end)
			return NULL;
		text = strndup(cell + 1, (size_t)(end - cell - 1));
		if (!text)
			return NULL;
		/* "[text](target)" -> "text"; "*term*" -> "term". */
		w = text;
		for (char *r = text; *r; r++) {
			char *close, *paren;
			if (*r == '[' && (close = strchr(r, ']')) && close[1] == '(' && (paren = strchr(close, ')'))) {
				memmove(w, r + 1, (size_t)(close - r - 1));
				w += close - r - 1;
				r = paren;
			} else if (*r != '*') {
				*w++ = *r;
			}
		}
		while (w > text && w[-1] == ' ')
			w--;
		*w = '\0';
		memmove(text, text + strspn(text, " "), strlen(text + strspn(text, " ")) + 1);
		return text;
	}
	return NULL;
}

static void page_config(FILE *out, FILE *doc)
{
	struct wgm_config_key_info k;
	char deflt[512];

	fprintf(out, ".TH WGMESH\\-CONFIG 5 \"\" \"%s\" \"wgmesh\"\n" NO_HYPHENATION, MAN_SOURCE);
	fputs(".SH NAME\nwgmesh\\-config \\- the configuration file of a wgmesh node\n"
	      ".SH SYNOPSIS\n.I " WGM_CONFIG_DEFAULT_PATH "\n.SH DESCRIPTION\n"
	      "One JSON object per node, mode 0600, written atomically. \\fBwgmesh init\\fR writes it; "
	      "\\fBwgmesh set\\fR, \\fBenable\\fR and \\fBdisable\\fR change it; \\fBwgmesh migrate\\fR "
	      "upgrades an older one. Every key has a default, so the file may hold only the keys that "
	      "differ. A key the program does not know, a value of the wrong type or out of range is "
	      "refused with a message naming the key. Keys in a section are written "
	      "\\fIsection.key\\fR below and nested in the file: {\"bird\": {\"area\": 0}}.\n"
	      ".SH KEYS\n",
	      out);
	for (size_t i = 0; wgm_config_key_info(i, &k) == 0; i++) {
		char *meaning;
		fputs(".TP\n\\fB", out);
		if (k.section)
			fprintf(out, "%s.", k.section);
		fprintf(out, "%s\\fR", k.name);
		if (wgm_config_key_default(i, deflt, sizeof(deflt)) == 0) {
			fputs(" (default \\fB", out);
			roff(out, deflt);
			fputs("\\fR)", out);
		}
		fputc('\n', out);
		meaning = doc_meaning(
			doc, k.section ? (snprintf(deflt, sizeof(deflt), "%s.%s", k.section, k.name), deflt) : k.name);
		if (meaning) {
			roff(out, meaning);
			fputs(".\n.br\n", out);
			free(meaning);
		}
		if (k.expect) {
			fputs("Takes ", out);
			roff(out, k.expect);
			fputs(". ", out);
		}
		if (k.settable)
			fprintf(out, "Changed with \\fBwgmesh set %s\\fR. ", k.name);
		if (k.option)
			fprintf(out, "Turned on and off with \\fBwgmesh enable\\fR|\\fBdisable %s\\fR. ", k.option);
		fputs(k.live ? "The running daemon applies a change. " : "A change applies when wgmeshd restarts. ",
		      out);
		if (k.secret)
			fputs("Holds a credential: never logged, never shown in events.", out);
		fputc('\n', out);
	}
	fputs(".SH FILES\n.TP\n.I /usr/share/doc/wgmesh/configuration.md\n"
	      "the same keys with examples: IDs and the subnet, migration, link types\n"
	      ".SH SEE ALSO\n\\fBwgmesh\\fR(8), \\fBwgmeshd\\fR(8)\n",
	      out);
}

int cmd_man(struct cli *cli, int argc, char **argv)
{
	FILE *doc = NULL;

	if (argc == 2 && strcmp(argv[1], "wgmesh") == 0) {
		page_wgmesh(stdout);
		return CLI_OK;
	}
	if ((argc == 2 || argc == 3) && strcmp(argv[1], "wgmesh-config") == 0) {
		if (argc == 3 && !(doc = fopen(argv[2], "r")))
			return cli_fail("__man: cannot read %s", argv[2]);
		page_config(stdout, doc);
		if (doc)
			fclose(doc);
		return CLI_OK;
	}
	fprintf(stderr, "wgmesh __man: want wgmesh or wgmesh-config [CONFIG_DOC]\n");
	return CLI_USAGE;
}
