#include "bird/reply.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void bird_reply_free(struct bird_reply *reply)
{
	if (!reply)
		return;
	for (size_t i = 0; i < reply->n_lines; i++)
		free(reply->lines[i].text);
	free(reply->lines);
	free(reply);
}

const char *bird_reply_message(const struct bird_reply *reply)
{
	if (!reply || reply->n_lines == 0)
		return "";
	return reply->lines[reply->n_lines - 1].text;
}

int bird_reply_status(const struct bird_reply *reply)
{
	if (reply->code >= 9000)
		return -EINVAL;
	if (reply->code >= 8000)
		return -EIO;
	return 0;
}

void bird_reply_parser_init(struct bird_reply_parser *p)
{
	memset(p, 0, sizeof(*p));
	p->done_tail = &p->done;
}

void bird_reply_parser_free(struct bird_reply_parser *p)
{
	bird_reply_free(p->cur);
	while (p->done) {
		struct bird_reply *next = p->done->next;
		bird_reply_free(p->done);
		p->done = next;
	}
	bird_reply_parser_init(p);
}

bool bird_reply_parser_busy(const struct bird_reply_parser *p)
{
	return p->cur != NULL || p->line_len > 0;
}

struct bird_reply *bird_reply_parser_next(struct bird_reply_parser *p)
{
	struct bird_reply *r = p->done;
	if (!r)
		return NULL;
	p->done = r->next;
	if (!p->done)
		p->done_tail = &p->done;
	r->next = NULL;
	return r;
}

static int append_line(struct bird_reply *r, int code, const char *text, size_t len)
{
	if (r->bytes + len + 1 > BIRD_REPLY_MAX_BYTES)
		return -EMSGSIZE;
	if ((r->n_lines & (r->n_lines - 1)) == 0) {
		/* Grow at powers of two: n_lines is 0, 1, 2, 4, ... here. */
		size_t cap = r->n_lines ? r->n_lines * 2 : 1;
		struct bird_reply_line *lines = realloc(r->lines, cap * sizeof(*lines));
		if (!lines)
			return -ENOMEM;
		r->lines = lines;
	}
	char *copy = malloc(len + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, text, len);
	copy[len] = '\0';
	r->lines[r->n_lines].code = code;
	r->lines[r->n_lines].text = copy;
	r->n_lines++;
	r->bytes += len + 1;
	return 0;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* One complete line, without its '\n'. */
static int take_line(struct bird_reply_parser *p, const char *line, size_t len)
{
	int code, rc;
	bool last;

	if (memchr(line, '\0', len))
		return -EPROTO;
	if (len > 0 && line[0] == '+')
		return 0;
	if (len > 0 && line[0] == ' ') {
		if (!p->cur || p->cur->n_lines == 0)
			return -EPROTO;
		code = p->cur->lines[p->cur->n_lines - 1].code;
		return append_line(p->cur, code, line + 1, len - 1);
	}
	if (len < 5 || !is_digit(line[0]) || !is_digit(line[1]) || !is_digit(line[2]) || !is_digit(line[3]) ||
	    (line[4] != '-' && line[4] != ' '))
		return -EPROTO;
	code = (line[0] - '0') * 1000 + (line[1] - '0') * 100 + (line[2] - '0') * 10 + (line[3] - '0');
	last = line[4] == ' ';
	if (!p->cur) {
		p->cur = calloc(1, sizeof(*p->cur));
		if (!p->cur)
			return -ENOMEM;
	}
	rc = append_line(p->cur, code, line + 5, len - 5);
	if (rc)
		return rc;
	if (last) {
		p->cur->code = code;
		p->cur->error = code >= 8000;
		*p->done_tail = p->cur;
		p->done_tail = &p->cur->next;
		p->cur = NULL;
	}
	return 0;
}

int bird_reply_parser_feed(struct bird_reply_parser *p, const char *data, size_t len)
{
	if (p->failed)
		return p->failed;
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t chunk = nl ? (size_t)(nl - (data + i)) : len - i;
		if (p->line_len + chunk > BIRD_REPLY_MAX_LINE) {
			p->failed = -EMSGSIZE;
			return p->failed;
		}
		memcpy(p->line + p->line_len, data + i, chunk);
		p->line_len += chunk;
		i += chunk;
		if (!nl)
			break;
		i++;
		int rc = take_line(p, p->line, p->line_len);
		p->line_len = 0;
		if (rc) {
			p->failed = rc;
			return rc;
		}
	}
	return 0;
}
