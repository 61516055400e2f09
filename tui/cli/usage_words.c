#include "tui/cli/usage_words.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct positional {
	char word[USAGE_WORD_LEN]; /* without brackets and "..." */
	bool optional;             /* in brackets */
	bool repeats;              /* ends with "..." */
};

/* One alternative's positional words ("revoke ID" of "... | list | revoke ID").
 * Flags and the values inside a flag's brackets ("[--ttl 1h]") are left out. */
static size_t alternative_words(const char *start, size_t len, struct positional *out, size_t max)
{
	size_t n = 0, i = 0;
	int depth = 0, flag_depth = -1;

	while (i < len) {
		char tok[USAGE_WORD_LEN];
		size_t t = 0, j;
		int opened = 0;
		bool in_brackets;

		while (i < len && isspace((unsigned char)start[i]))
			i++;
		if (i >= len)
			break;
		in_brackets = depth > 0 || start[i] == '[';
		for (j = i; j < len && !isspace((unsigned char)start[j]); j++) {
			if (start[j] == '[')
				depth++, opened++;
			else if (start[j] == ']')
				depth--;
			else if (t + 1 < sizeof(tok))
				tok[t++] = start[j];
		}
		tok[t] = '\0';
		i = j;
		if (tok[0] == '-') {
			/* "[--ttl" opens a group its value ("1h]") closes. */
			if (depth > 0 && opened)
				flag_depth = depth;
			continue;
		}
		if (flag_depth > 0) {
			if (depth < flag_depth)
				flag_depth = -1;
			continue;
		}
		if (t == 0 || n >= max)
			continue;
		struct positional *p = &out[n++];
		p->optional = in_brackets;
		p->repeats = t > 3 && strcmp(tok + t - 3, "...") == 0;
		if (p->repeats)
			tok[t - 3] = '\0';
		snprintf(p->word, sizeof(p->word), "%s", tok);
	}
	return n;
}

static bool is_literal(const char *w)
{
	if (!*w)
		return false;
	for (; *w; w++)
		if (!islower((unsigned char)*w) && *w != '-')
			return false;
	return true;
}

static enum usage_word_kind word_kind(const char *cmd, const char *w)
{
	if (is_literal(w))
		return USAGE_LITERAL;
	if (strcmp(w, "LINK") == 0)
		return USAGE_LINK;
	if (strcmp(w, "KEY") == 0)
		return USAGE_KEY;
	if (strcmp(w, "OPTION") == 0)
		return USAGE_OPTION;
	if (strcmp(w, "ID") == 0 && strcmp(cmd, "token") == 0)
		return USAGE_TOKEN_ID;
	return USAGE_OTHER;
}

static size_t add(const char *cmd, const struct positional *p, struct usage_candidate *out, size_t n, size_t max)
{
	enum usage_word_kind kind = word_kind(cmd, p->word);
	const char *word = kind == USAGE_LITERAL ? p->word : "";

	if (kind == USAGE_OTHER)
		return n;
	for (size_t i = 0; i < n; i++)
		if (out[i].kind == kind && strcmp(out[i].word, word) == 0)
			return n;
	if (n < max) {
		out[n].kind = kind;
		snprintf(out[n].word, sizeof(out[n].word), "%s", word);
		n++;
	}
	return n;
}

/* The first line: positional arguments are all on it (continuation lines
 * hold more flags, or prose). */
static size_t first_line_len(const char *usage)
{
	const char *nl = strchr(usage, '\n');
	return nl ? (size_t)(nl - usage) : strlen(usage);
}

size_t usage_candidates(const char *cmd, const char *usage, const char *const *typed, size_t ntyped,
			struct usage_candidate *out, size_t max)
{
	size_t len = first_line_len(usage), n = 0, pos = 0;

	/* Alternatives are separated by " | "; "TOKEN|-" is one word. */
	while (pos <= len) {
		const char *bar = strstr(usage + pos, " | ");
		size_t end = bar && (size_t)(bar - usage) < len ? (size_t)(bar - usage) : len;
		struct positional p[USAGE_WORDS_MAX];
		size_t np = alternative_words(usage + pos, end - pos, p, USAGE_WORDS_MAX), at = ntyped;

		pos = end + 3;
		if (np == 0)
			continue;
		if (ntyped > 0 && is_literal(p[0].word) && strcmp(typed[0], p[0].word) != 0)
			continue;
		for (size_t k = 0; k < np && k < ntyped; k++)
			if (p[k].repeats) {
				at = k;
				break;
			}
		if (at >= np)
			continue;
		n = add(cmd, &p[at], out, n, max);
		if ((p[at].optional || p[at].repeats) && at + 1 < np)
			n = add(cmd, &p[at + 1], out, n, max);
	}
	return n;
}

size_t usage_flags(const char *usage, char (*out)[USAGE_WORD_LEN], size_t max)
{
	/* Every line: init's flags go on over three. */
	size_t len = strlen(usage), n = 0;

	for (size_t i = 0; i + 1 < len; i++) {
		size_t j = i;
		char flag[USAGE_WORD_LEN];
		bool seen = false;

		if (usage[i] != '-' || usage[i + 1] != '-' || (i > 0 && !strchr("[ \n", usage[i - 1])))
			continue;
		while (j < len &&
		       (islower((unsigned char)usage[j]) || isdigit((unsigned char)usage[j]) || usage[j] == '-'))
			j++;
		snprintf(flag, sizeof(flag), "%.*s", (int)(j - i), usage + i);
		i = j;
		for (size_t k = 0; k < n; k++)
			seen = seen || strcmp(out[k], flag) == 0;
		if (!seen && n < max && strlen(flag) > 2)
			snprintf(out[n++], USAGE_WORD_LEN, "%s", flag);
	}
	return n;
}
