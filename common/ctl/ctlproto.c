#include "common/ctl/ctlproto.h"

#include "common/util/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void wgm_ctl_line_reader_init(struct wgm_ctl_line_reader *r)
{
	memset(r, 0, sizeof(*r));
}

void wgm_ctl_line_reader_free(struct wgm_ctl_line_reader *r)
{
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

int wgm_ctl_line_reader_feed(struct wgm_ctl_line_reader *r, const char *data, size_t len)
{
	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->len - r->start);
		r->len -= r->start;
		r->start = 0;
	}
	if (r->len + len + 1 > r->cap) {
		size_t cap = r->cap ? r->cap : 4096;
		char *buf;
		while (cap < r->len + len + 1)
			cap *= 2;
		buf = realloc(r->buf, cap);
		if (!buf)
			return -ENOMEM;
		r->buf = buf;
		r->cap = cap;
	}
	memcpy(r->buf + r->len, data, len);
	r->len += len;
	/* A line longer than the limit is refused as soon as it is known to be,
	 * so a peer can never make us buffer more than one limit plus one read. */
	if (r->len > WGM_CTL_LINE_MAX && !memchr(r->buf, '\n', WGM_CTL_LINE_MAX + 1))
		return -EMSGSIZE;
	return 0;
}

int wgm_ctl_line_reader_next(struct wgm_ctl_line_reader *r, const char **line, size_t *len)
{
	char *begin = r->buf + r->start;
	char *nl;

	if (r->start >= r->len)
		return 0;
	nl = memchr(begin, '\n', r->len - r->start);
	if (!nl)
		return r->len - r->start > WGM_CTL_LINE_MAX ? -EMSGSIZE : 0;
	if ((size_t)(nl - begin) > WGM_CTL_LINE_MAX)
		return -EMSGSIZE;
	*nl = '\0';
	*line = begin;
	*len = (size_t)(nl - begin);
	r->start += *len + 1;
	return 1;
}

char *wgm_ctl_message_dump(const json_t *msg, size_t *len)
{
	char *text = json_dumps(msg, JSON_COMPACT | WGM_CTL_JSON_REAL);
	size_t n;
	char *line;

	if (!text)
		return NULL;
	n = strlen(text);
	line = realloc(text, n + 2);
	if (!line) {
		free(text);
		return NULL;
	}
	line[n] = '\n';
	line[n + 1] = '\0';
	if (len)
		*len = n + 1;
	return line;
}

int wgm_ctl_message_parse(const char *line, size_t len, json_t **out, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *msg;

	if (len > 0 && line[len - 1] == '\r')
		len--;
	msg = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!msg) {
		snprintf(err, errlen, "invalid JSON at column %d: %s", jerr.column, jerr.text);
		return -EINVAL;
	}
	if (!json_is_object(msg)) {
		json_decref(msg);
		snprintf(err, errlen, "message is not a JSON object");
		return -EINVAL;
	}
	*out = msg;
	return 0;
}

json_t *wgm_ctl_request_new(const char *cmd)
{
	return json_pack("{s:s}", "cmd", cmd);
}

int wgm_ctl_request_validate(const json_t *req, const char **cmd, char *err, size_t errlen)
{
	const json_t *c = json_object_get(req, "cmd");

	if (!json_is_string(c) || json_string_length(c) == 0) {
		snprintf(err, errlen, "request has no \"cmd\" string");
		return -EINVAL;
	}
	*cmd = json_string_value(c);
	return 0;
}

json_t *wgm_ctl_reply_ok(void)
{
	return json_pack("{s:b}", "ok", 1);
}

json_t *wgm_ctl_reply_error(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* The contract promises one line. */
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	return json_pack("{s:b,s:s}", "ok", 0, "error", msg);
}

int wgm_ctl_reply_check(const json_t *reply, char *err, size_t errlen)
{
	const json_t *ok = json_object_get(reply, "ok");
	const json_t *error;

	if (!json_is_boolean(ok)) {
		snprintf(err, errlen, "malformed reply from the daemon (no \"ok\")");
		return -EPROTO;
	}
	if (json_is_true(ok))
		return 0;
	error = json_object_get(reply, "error");
	snprintf(err, errlen, "%s",
		 json_is_string(error) ? json_string_value(error) : "the daemon refused without a reason");
	return -EREMOTEIO;
}

json_t *wgm_ctl_event_new(const char *kind)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return json_pack("{s:s,s:f}", "event", kind, "ts", (double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

const char *wgm_ctl_event_kind(const json_t *msg)
{
	return json_string_value(json_object_get(msg, "event"));
}

json_t *wgm_ctl_event_log(const char *level, const char *msg)
{
	json_t *ev = wgm_ctl_event_new(WGM_CTL_EVENT_LOG);

	if (ev && json_object_set_new(ev, "level", json_string(level)) == 0 &&
	    json_object_set_new(ev, "msg", json_string(msg)) == 0)
		return ev;
	json_decref(ev);
	return NULL;
}

int wgm_ctl_status_fill(json_t *obj, const struct wgm_ctl_status *st)
{
	json_t *fields = json_pack("{s:o,s:s,s:s,s:s,s:I,s:s,s:I,s:I,s:I,s:s}", "id",
				   st->id >= 0 ? json_integer(st->id) : json_null(), "loopback4", st->loopback4,
				   "loopback6", st->loopback6, "version", st->version, "uptime", (json_int_t)st->uptime,
				   "bird", st->bird, "links_up", (json_int_t)st->links_up, "links_total",
				   (json_int_t)st->links_total, "nodes", (json_int_t)st->nodes, "mesh", st->mesh);
	int rc;

	if (!fields)
		return -EINVAL;
	rc = json_object_update(obj, fields) == 0 ? 0 : -ENOMEM;
	json_decref(fields);
	if (rc == 0 && json_object_set_new(obj, "proximity_cutoff_ms",
					   st->proximity ? json_real(st->proximity_cutoff_ms) : json_null()) < 0)
		rc = -ENOMEM;
	if (rc == 0 && json_object_set_new(obj, "schema", json_integer(WGM_CTL_SCHEMA_VERSION)) < 0)
		rc = -ENOMEM;
	return rc;
}

static int status_get_int(const json_t *obj, const char *key, long long *out, char *err, size_t errlen)
{
	const json_t *v = json_object_get(obj, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		snprintf(err, errlen, "status: \"%s\" is not a non-negative integer", key);
		return -EPROTO;
	}
	*out = json_integer_value(v);
	return 0;
}

static int status_get_str(const json_t *obj, const char *key, const char **out, char *err, size_t errlen)
{
	const json_t *v = json_object_get(obj, key);

	if (!json_is_string(v)) {
		snprintf(err, errlen, "status: \"%s\" is not a string", key);
		return -EPROTO;
	}
	*out = json_string_value(v);
	return 0;
}

int wgm_ctl_status_parse(const json_t *obj, struct wgm_ctl_status *st, char *err, size_t errlen)
{
	const json_t *id = json_object_get(obj, "id"), *cutoff;

	memset(st, 0, sizeof(*st));
	if (json_is_null(id)) {
		st->id = -1;
	} else if (status_get_int(obj, "id", &st->id, err, errlen) < 0) {
		return -EPROTO;
	}
	if (status_get_str(obj, "loopback4", &st->loopback4, err, errlen) < 0 ||
	    status_get_str(obj, "loopback6", &st->loopback6, err, errlen) < 0 ||
	    status_get_str(obj, "version", &st->version, err, errlen) < 0 ||
	    status_get_int(obj, "uptime", &st->uptime, err, errlen) < 0 ||
	    status_get_str(obj, "bird", &st->bird, err, errlen) < 0 ||
	    status_get_int(obj, "links_up", &st->links_up, err, errlen) < 0 ||
	    status_get_int(obj, "links_total", &st->links_total, err, errlen) < 0 ||
	    status_get_int(obj, "nodes", &st->nodes, err, errlen) < 0 ||
	    status_get_str(obj, "mesh", &st->mesh, err, errlen) < 0)
		return -EPROTO;
	/* Absent from daemons older than the field: no cutoff shown. */
	cutoff = json_object_get(obj, "proximity_cutoff_ms");
	if (cutoff && !json_is_null(cutoff) && (!json_is_number(cutoff) || json_number_value(cutoff) < 0)) {
		snprintf(err, errlen, "status: \"proximity_cutoff_ms\" is not null or a non-negative number");
		return -EPROTO;
	}
	st->proximity = json_is_number(cutoff);
	st->proximity_cutoff_ms = st->proximity ? json_number_value(cutoff) : 0;
	return 0;
}

static const char *const link_state_names[] = {
	[WGM_CTL_LINK_DOWN] = "down",         [WGM_CTL_LINK_UP] = "up",
	[WGM_CTL_LINK_DEAD] = "dead",         [WGM_CTL_LINK_CREATING] = "creating",
	[WGM_CTL_LINK_REMOVING] = "removing", [WGM_CTL_LINK_FAILED] = "failed",
};

const char *wgm_ctl_link_state_name(enum wgm_ctl_link_state state)
{
	return (size_t)state < WGM_ARRAY_LEN(link_state_names) ? link_state_names[state] : "down";
}

int wgm_ctl_link_state_from_name(const char *name, enum wgm_ctl_link_state *state)
{
	for (size_t i = 0; name && i < WGM_ARRAY_LEN(link_state_names); i++) {
		if (strcmp(name, link_state_names[i]) == 0) {
			*state = (enum wgm_ctl_link_state)i;
			return 0;
		}
	}
	return -EINVAL;
}

int wgm_ctl_token_used_text(const json_t *ev, char *out, size_t outlen)
{
	const char *id = json_string_value(json_object_get(ev, "token_id"));
	const char *label = json_string_value(json_object_get(ev, "label"));
	const char *name = json_string_value(json_object_get(ev, "name"));
	const json_t *node = json_object_get(ev, "remote_id"), *left = json_object_get(ev, "uses_left");
	char labelled[96] = "", over[48] = "", uses[32];

	if (!id || !id[0] || !json_is_integer(node) || json_integer_value(node) < 0 || !json_is_integer(left) ||
	    json_integer_value(left) < 0)
		return -EINVAL;
	if (label && label[0])
		snprintf(labelled, sizeof(labelled), " (%s)", label);
	if (name && name[0])
		snprintf(over, sizeof(over), " over %s", name);
	if (json_integer_value(left) == 0)
		snprintf(uses, sizeof(uses), "used up");
	else
		snprintf(uses, sizeof(uses), "%lld use%s left", (long long)json_integer_value(left),
			 json_integer_value(left) == 1 ? "" : "s");
	snprintf(out, outlen, "token %s%s used by node %lld%s; %s", id, labelled, (long long)json_integer_value(node),
		 over, uses);
	return 0;
}
