/* What a command's usage string ("LINK [COST]", "[create] [--ttl 1h] | list |
 * revoke ID") says about its arguments, for shell completion: its flags, and
 * what may stand at each position. Pure; the command table stays the one
 * place that describes a command's arguments. */
#ifndef WGM_TUI_CLI_USAGE_WORDS_H
#define WGM_TUI_CLI_USAGE_WORDS_H

#include <stddef.h>

#define USAGE_WORDS_MAX 32
#define USAGE_WORD_LEN 32

enum usage_word_kind {
	USAGE_LITERAL,  /* a word typed as it is: "list", "force", "public" */
	USAGE_LINK,     /* LINK: a link name */
	USAGE_TOKEN_ID, /* ID of `token revoke`: a token ID */
	USAGE_KEY,      /* KEY: a config key `set` takes */
	USAGE_OPTION,   /* OPTION: an `enable`/`disable` name */
	USAGE_OTHER,    /* a value nothing can guess (URL, COST, ID of init) */
};

struct usage_candidate {
	enum usage_word_kind kind;
	char word[USAGE_WORD_LEN]; /* the literal; empty for the other kinds */
};

/* The distinct --flags in USAGE (first line), in order. Returns the count. */
size_t usage_flags(const char *usage, char (*out)[USAGE_WORD_LEN], size_t max);

/* What may come next after the N positional words TYPED (flags left out) of
 * command CMD with USAGE. Returns the count written to OUT. */
size_t usage_candidates(const char *cmd, const char *usage, const char *const *typed, size_t n,
			struct usage_candidate *out, size_t max);

#endif
