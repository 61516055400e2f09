/* BIRD's control-socket replies: an incremental, pure parser.
 *
 * Every line is "DDDD-text" (more lines follow), "DDDD text" (last line of
 * the reply) or " text" (continues the previous code). 0xxx: done, 1xxx:
 * table rows, 2xxx: table headings, 8xxx: run-time errors, 9xxx: parse
 * errors. The welcome "0001 BIRD x.y.z ready." is a reply of its own. Lines
 * starting with '+' are asynchronous notices and belong to no reply. */
#ifndef WGM_BIRD_REPLY_H
#define WGM_BIRD_REPLY_H

#include <stdbool.h>
#include <stddef.h>

/* Outside input is capped: a longer line or reply is a protocol error. */
#define BIRD_REPLY_MAX_LINE 8192
#define BIRD_REPLY_MAX_BYTES (8u << 20)

struct bird_reply_line {
	int code;   /* 0..9999; a continuation line carries its reply line's code */
	char *text; /* without the code and separator, NUL-terminated */
};

struct bird_reply {
	struct bird_reply_line *lines;
	size_t n_lines;
	int code;                /* the final line's code */
	bool error;              /* code 8000..9999 */
	size_t bytes;            /* text bytes held, for the size cap */
	struct bird_reply *next; /* parser queue; NULL once handed out */
};

void bird_reply_free(struct bird_reply *reply);

/* The final line's text: BIRD's one-line message ("Reconfigured",
 * "syntax error, ..."). Never NULL. */
const char *bird_reply_message(const struct bird_reply *reply);

/* 0 for a success reply, -EINVAL for 9xxx (BIRD did not understand the
 * command), -EIO for 8xxx (it understood but failed). */
int bird_reply_status(const struct bird_reply *reply);

struct bird_reply_parser {
	char line[BIRD_REPLY_MAX_LINE + 1]; /* the line being received */
	size_t line_len;
	struct bird_reply *cur;  /* reply being built; NULL between replies */
	struct bird_reply *done; /* completed replies, oldest first */
	struct bird_reply **done_tail;
	int failed; /* sticky negative errno after a bad line */
};

void bird_reply_parser_init(struct bird_reply_parser *p);
/* Frees everything held (partial and completed replies). */
void bird_reply_parser_free(struct bird_reply_parser *p);

/* Feeds bytes exactly as read, split anywhere. Returns 0, or -EPROTO for a
 * line that is not BIRD's protocol, -EMSGSIZE past the caps, -ENOMEM. Once
 * it failed it keeps failing (the stream has lost its framing): reconnect. */
int bird_reply_parser_feed(struct bird_reply_parser *p, const char *data, size_t len);

/* The oldest completed reply (the caller frees it), or NULL if none yet. */
struct bird_reply *bird_reply_parser_next(struct bird_reply_parser *p);

/* True while part of a reply has been received but not its last line. */
bool bird_reply_parser_busy(const struct bird_reply_parser *p);

#endif
