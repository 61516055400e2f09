#include "tui/console/members.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tui/console/layout.h"
#include "tui/console/model_parse.h"

/* ID, fingerprint and state decide a revocation; at 80 columns the date
 * goes first, then who admitted it. */
static const struct layout_col member_cols[MCOL_COUNT] = {
	[MCOL_ID] = { "ID", 0, 5, 6, ALIGN_RIGHT },
	[MCOL_FPR] = { "FINGERPRINT", 0, 16, MEMBER_FPR_MAX, ALIGN_LEFT },
	[MCOL_STATE] = { "STATE", 0, 7, 8, ALIGN_LEFT },
	[MCOL_ROLE] = { "ROLE", 0, 16, 20, ALIGN_LEFT }, /* "admin, this node" whole */
	[MCOL_BY] = { "ADMITTED BY", 1, 11, 12, ALIGN_RIGHT },
	[MCOL_WHEN] = { "ADMITTED", 2, 16, 20, ALIGN_LEFT },
};

void members_free(struct members *m)
{
	free(m->rows);
	memset(m, 0, sizeof(*m));
}

static int parse_row(const json_t *v, size_t i, struct member_row *r, char *err, size_t errlen)
{
	char where[32], state[16];
	const json_t *admin;
	snprintf(where, sizeof(where), "members[%zu]", i);
	memset(r, 0, sizeof(*r));
	r->admitted_by = r->admitted = -1;
	if (!json_is_object(v))
		return model_json_err(err, errlen, where, "", "is not an object");
	if (model_json_int(v, where, "id", true, 0, 65535, &r->id, err, errlen) < 0 ||
	    model_json_str(v, where, "fingerprint", true, r->fingerprint, sizeof(r->fingerprint), err, errlen) < 0 ||
	    model_json_str(v, where, "state", true, state, sizeof(state), err, errlen) < 0 ||
	    model_json_int(v, where, "admitted_by", false, 0, 65535, &r->admitted_by, err, errlen) < 0 ||
	    model_json_int(v, where, "admitted", false, 0, INT64_MAX, &r->admitted, err, errlen) < 0 ||
	    jbool(v, where, "self", &r->self, err, errlen) < 0)
		return -EINVAL;
	if (!r->fingerprint[0] || strspn(r->fingerprint, "0123456789abcdef") != strlen(r->fingerprint))
		return model_json_err(err, errlen, where, "fingerprint", "is not lowercase hex");
	if (strcmp(state, "member") != 0 && strcmp(state, "revoked") != 0)
		return model_json_err(err, errlen, where, "state", "is not member or revoked");
	r->revoked = strcmp(state, "revoked") == 0;
	admin = json_object_get(v, "admin");
	if (admin && !json_is_null(admin) && !json_is_boolean(admin))
		return model_json_err(err, errlen, where, "admin", "is not true or false");
	r->admin = json_is_boolean(admin) ? json_is_true(admin) : -1;
	return 0;
}

/* By ID; within one ID the current identity first, then revoked ones by
 * fingerprint, so the order does not change between refreshes. */
static int row_cmp(const void *a, const void *b)
{
	const struct member_row *x = a, *y = b;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	if (x->revoked != y->revoked)
		return x->revoked ? 1 : -1;
	return strcmp(x->fingerprint, y->fingerprint);
}

int members_parse(const json_t *reply, struct members *out, char *err, size_t errlen)
{
	const json_t *list = json_object_get(reply, "members"), *v;
	struct members m = { 0 };
	size_t i;
	if (!json_is_array(list) || json_array_size(list) > MEMBERS_ROWS_MAX)
		return model_json_err(err, errlen, "", "members", "is not an array of identities");
	if (json_array_size(list)) {
		m.rows = calloc(json_array_size(list), sizeof(*m.rows));
		if (!m.rows)
			return model_json_err(err, errlen, "", "members", "out of memory");
	}
	json_array_foreach (list, i, v) {
		if (parse_row(v, i, &m.rows[i], err, errlen) < 0) {
			free(m.rows);
			return -EINVAL;
		}
	}
	m.nrows = json_array_size(list);
	if (m.nrows)
		qsort(m.rows, m.nrows, sizeof(*m.rows), row_cmp);
	members_free(out);
	*out = m;
	return 0;
}

long members_find(const struct members *m, int64_t id, const char *fingerprint)
{
	for (size_t i = 0; i < m->nrows; i++) {
		if (m->rows[i].id == id && strcmp(m->rows[i].fingerprint, fingerprint) == 0)
			return (long)i;
	}
	return -1;
}

int members_self_admin(const struct members *m)
{
	for (size_t i = 0; i < m->nrows; i++) {
		if (m->rows[i].self && !m->rows[i].revoked)
			return m->rows[i].admin == 1;
	}
	return -1;
}

void members_revoke_refusal(const struct member_row *row, int self_admin, char *why, size_t len)
{
	if (self_admin == 0)
		snprintf(why, len, "revocation needs an admin: this node is not one");
	else if (row->revoked)
		snprintf(why, len, "node %lld's identity %s is already revoked", (long long)row->id, row->fingerprint);
	else if (row->self)
		snprintf(why, len, "node %lld is this node: an admin does not revoke itself", (long long)row->id);
	else
		why[0] = '\0';
}

bool members_confirm(const char *typed, int64_t id, char *why, size_t len)
{
	char *end;
	const char *p = typed;
	while (*p == ' ')
		p++;
	errno = 0;
	long long v = isdigit((unsigned char)*p) ? strtoll(p, &end, 10) : -1;
	if (v >= 0) {
		while (*end == ' ')
			end++;
	}
	if (v < 0 || errno || *end || v != id) {
		snprintf(why, len, "'%.24s' is not %lld: type %lld to revoke node %lld, Esc cancels", typed,
			 (long long)id, (long long)id, (long long)id);
		return false;
	}
	return true;
}

void members_fit(int total, int *widths)
{
	layout_fit(member_cols, MCOL_COUNT, total, 1, widths);
}

void members_line(const struct member_row *row, const int *widths, char *line, size_t len)
{
	char text[64], cell[128];
	size_t pos = 0;
	line[0] = '\0';
	for (int c = 0; c < MCOL_COUNT; c++) {
		if (!widths[c])
			continue;
		if (!row) {
			snprintf(text, sizeof(text), "%s", member_cols[c].title);
		} else if (c == MCOL_ID) {
			snprintf(text, sizeof(text), "%lld", (long long)row->id);
		} else if (c == MCOL_FPR) {
			snprintf(text, sizeof(text), "%s", row->fingerprint);
		} else if (c == MCOL_STATE) {
			snprintf(text, sizeof(text), "%s", row->revoked ? "revoked" : "member");
		} else if (c == MCOL_ROLE) {
			snprintf(text, sizeof(text), "%s%s%s", row->admin == 1 ? "admin" : "",
				 row->admin == 1 && row->self ? ", " : "", row->self ? "this node" : "");
		} else if (c == MCOL_BY && row->admitted_by >= 0) {
			snprintf(text, sizeof(text), "%lld", (long long)row->admitted_by);
		} else if (c == MCOL_WHEN && row->admitted >= 0) {
			time_t t = (time_t)row->admitted;
			struct tm tm;
			if (!localtime_r(&t, &tm) || !strftime(text, sizeof(text), "%Y-%m-%d %H:%M", &tm))
				snprintf(text, sizeof(text), "?");
		} else {
			snprintf(text, sizeof(text), "-");
		}
		layout_cell(cell, sizeof(cell), text, widths[c], member_cols[c].align);
		pos += (size_t)snprintf(line + pos, pos < len ? len - pos : 0, "%s ", cell);
		if (pos >= len)
			break;
	}
}
