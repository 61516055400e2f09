#include "tui/console/model.h"

#include "common/ctl/ctlproto.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>

#include "tui/console/model_parse.h"

void model_init(struct model *m)
{
	memset(m, 0, sizeof(*m));
	m->sort = SORT_NAME;
}

void model_free(struct model *m)
{
	free(m->links);
	free(m->nodes);
	free(m->view);
	memset(m, 0, sizeof(*m));
}

/* ---- view: filter, sort, selection ---- */

static bool contains_ci(const char *hay, const char *needle)
{
	size_t nl = strlen(needle);
	for (; *hay; hay++) {
		if (strncasecmp(hay, needle, nl) == 0)
			return true;
	}
	return nl == 0;
}

static bool link_matches(const struct model_link *l, const char *filter)
{
	if (!filter[0])
		return true;
	char id[24];
	snprintf(id, sizeof(id), "%lld", (long long)l->remote_id);
	const char *fields[] = { l->name,       id,
				 l->endpoint,   l->transport,
				 l->link_type,  wgm_ctl_link_state_name(l->state),
				 l->local_addr, l->remote_addr };
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (contains_ci(fields[i], filter))
			return true;
	}
	return false;
}

static int cmp_num(double a, double b)
{
	return (a > b) - (a < b);
}

static int link_cmp(const struct model_link *a, const struct model_link *b, enum model_sort sort)
{
	switch (sort) {
	case SORT_NAME:
		return strcmp(a->name, b->name);
	case SORT_REMOTE:
		return cmp_num((double)a->remote_id, (double)b->remote_id);
	case SORT_ENDPOINT:
		return strcmp(a->endpoint, b->endpoint);
	case SORT_TRANSPORT:
		return strcmp(a->transport, b->transport);
	case SORT_TYPE:
		return strcmp(a->link_type, b->link_type);
	case SORT_STATE:
		return strcmp(wgm_ctl_link_state_name(a->state), wgm_ctl_link_state_name(b->state));
	case SORT_RTT:
		return cmp_num(model_link_rtt_now(a), model_link_rtt_now(b));
	case SORT_LOSS:
		return cmp_num(model_link_loss_now(a), model_link_loss_now(b));
	case SORT_JITTER:
		return cmp_num(a->jitter_ms, b->jitter_ms);
	case SORT_COST:
		return cmp_num((double)a->cost, (double)b->cost);
	case SORT_RX:
		return cmp_num(a->rx_rate, b->rx_rate);
	case SORT_TX:
		return cmp_num(a->tx_rate, b->tx_rate);
	case SORT_HANDSHAKE:
		return cmp_num((double)a->last_handshake, (double)b->last_handshake);
	case SORT_AVG:
		return cmp_num(a->rtt_ms, b->rtt_ms);
	case SORT_COUNT:
		break;
	}
	return 0;
}

/* Links without a value in the sort column (no RTT yet, never a handshake)
 * go last in either direction, so "worst first" shows real values first. */
static bool sort_unknown(const struct model_link *l, enum model_sort sort)
{
	switch (sort) {
	case SORT_RTT:
		return isnan(model_link_rtt_now(l));
	case SORT_AVG:
		return isnan(l->rtt_ms);
	case SORT_LOSS:
		return isnan(model_link_loss_now(l));
	case SORT_JITTER:
		return isnan(l->jitter_ms);
	case SORT_COST:
		return l->cost < 0;
	case SORT_RX:
		return isnan(l->rx_rate);
	case SORT_TX:
		return isnan(l->tx_rate);
	case SORT_HANDSHAKE:
		return l->last_handshake == 0;
	default:
		return false;
	}
}

/* Insertion sort over indices: stable, no global state for the comparator,
 * and fast enough for the few thousand links a node can hold. Ties (and the
 * name column) fall back to the name, so the order never jitters. */
static void sort_view(struct model *m)
{
	for (size_t i = 1; i < m->nview; i++) {
		size_t cur = m->view[i], j = i;
		while (j > 0) {
			const struct model_link *a = &m->links[m->view[j - 1]], *b = &m->links[cur];
			bool ua = sort_unknown(a, m->sort), ub = sort_unknown(b, m->sort);
			int c;
			if (ua != ub)
				c = ua ? 1 : -1;
			else
				c = m->sort_desc ? -link_cmp(a, b, m->sort) : link_cmp(a, b, m->sort);
			if (c == 0)
				c = strcmp(a->name, b->name);
			if (c <= 0)
				break;
			m->view[j] = m->view[j - 1];
			j--;
		}
		m->view[j] = cur;
	}
}

static void refresh_view(struct model *m)
{
	m->nview = 0;
	for (size_t i = 0; i < m->nlinks; i++) {
		if (link_matches(&m->links[i], m->filter))
			m->view[m->nview++] = i;
	}
	sort_view(m);
	if (m->nview == 0) {
		m->selected_row = 0;
		return;
	}
	if (m->selected[0]) {
		for (size_t r = 0; r < m->nview; r++) {
			if (strcmp(m->links[m->view[r]].name, m->selected) == 0) {
				m->selected_row = r;
				return;
			}
		}
	}
	if (m->selected_row >= m->nview)
		m->selected_row = m->nview - 1;
	snprintf(m->selected, sizeof(m->selected), "%s", m->links[m->view[m->selected_row]].name);
}

size_t model_view_count(const struct model *m)
{
	return m->nview;
}

const struct model_link *model_view_link(const struct model *m, size_t row)
{
	return row < m->nview ? &m->links[m->view[row]] : NULL;
}

const struct model_link *model_find_link(const struct model *m, const char *name)
{
	for (size_t i = 0; i < m->nlinks; i++) {
		if (strcmp(m->links[i].name, name) == 0)
			return &m->links[i];
	}
	return NULL;
}

void model_set_sort(struct model *m, enum model_sort sort, bool desc)
{
	m->sort = sort < SORT_COUNT ? sort : SORT_NAME;
	m->sort_desc = desc;
	refresh_view(m);
}

/* The sort menu, most wanted first. */
static const struct {
	int key;
	enum model_sort sort;
} sort_keys[] = {
	{ 'r', SORT_RTT },       { 'l', SORT_LOSS },  { 'c', SORT_COST },      { 'n', SORT_NAME },
	{ 'i', SORT_REMOTE },    { 's', SORT_STATE }, { 'j', SORT_JITTER },    { 'a', SORT_AVG },
	{ 'x', SORT_RX },        { 'X', SORT_TX },    { 'h', SORT_HANDSHAKE }, { 'e', SORT_ENDPOINT },
	{ 't', SORT_TRANSPORT }, { 'y', SORT_TYPE },
};

int model_sort_from_key(int key, enum model_sort *out)
{
	for (size_t i = 0; i < sizeof(sort_keys) / sizeof(sort_keys[0]); i++) {
		if (sort_keys[i].key == key) {
			*out = sort_keys[i].sort;
			return 0;
		}
	}
	return -EINVAL;
}

void model_sort_menu(char *out, size_t len)
{
	size_t pos = 0;
	if (len)
		out[0] = '\0';
	for (size_t i = 0; i < sizeof(sort_keys) / sizeof(sort_keys[0]) && pos < len; i++)
		pos += (size_t)snprintf(out + pos, len - pos, "%s%c %s", i ? " " : "", sort_keys[i].key,
					model_sort_name(sort_keys[i].sort));
}

bool model_sort_default_desc(enum model_sort sort)
{
	switch (sort) {
	case SORT_RTT:
	case SORT_AVG:
	case SORT_LOSS:
	case SORT_JITTER:
	case SORT_COST:
	case SORT_RX:
	case SORT_TX:
		return true;
	default:
		return false;
	}
}

const char *model_sort_name(enum model_sort sort)
{
	static const char *const names[SORT_COUNT] = {
		[SORT_NAME] = "name",
		[SORT_REMOTE] = "node",
		[SORT_ENDPOINT] = "endpoint",
		[SORT_TRANSPORT] = "transport",
		[SORT_TYPE] = "type",
		[SORT_STATE] = "state",
		[SORT_RTT] = "rtt",
		[SORT_LOSS] = "loss",
		[SORT_JITTER] = "jitter",
		[SORT_COST] = "cost",
		[SORT_RX] = "rx",
		[SORT_TX] = "tx",
		[SORT_HANDSHAKE] = "handshake",
		[SORT_AVG] = "avg",
	};
	return sort < SORT_COUNT ? names[sort] : "?";
}

void model_set_filter(struct model *m, const char *filter)
{
	snprintf(m->filter, sizeof(m->filter), "%s", filter ? filter : "");
	refresh_view(m);
}

const struct model_link *model_selected(const struct model *m)
{
	return model_view_link(m, m->selected_row);
}

size_t model_selected_row(const struct model *m)
{
	return m->selected_row;
}

void model_select_row(struct model *m, long row)
{
	if (m->nview == 0)
		return;
	if (row < 0)
		row = 0;
	if ((size_t)row >= m->nview)
		row = (long)m->nview - 1;
	m->selected_row = (size_t)row;
	snprintf(m->selected, sizeof(m->selected), "%s", m->links[m->view[row]].name);
}

void model_select_move(struct model *m, long delta)
{
	model_select_row(m, (long)m->selected_row + delta);
}

/* ---- links ---- */

static int links_reserve(struct model *m, size_t n)
{
	if (n <= m->links_cap)
		return 0;
	size_t cap = m->links_cap ? m->links_cap : 16;
	while (cap < n)
		cap *= 2;
	struct model_link *links = realloc(m->links, cap * sizeof(*links));
	if (!links)
		return -ENOMEM;
	m->links = links;
	size_t *view = realloc(m->view, cap * sizeof(*view));
	if (!view)
		return -ENOMEM;
	m->view = view;
	m->links_cap = cap;
	return 0;
}

static long link_index(const struct model *m, const char *name)
{
	for (size_t i = 0; i < m->nlinks; i++) {
		if (strcmp(m->links[i].name, name) == 0)
			return (long)i;
	}
	return -1;
}

static int link_upsert(struct model *m, const struct model_link *l)
{
	long i = link_index(m, l->name);
	if (i >= 0) {
		m->links[i] = *l;
		return 0;
	}
	if (m->nlinks >= MODEL_LINKS_MAX)
		return -ENOSPC;
	int rc = links_reserve(m, m->nlinks + 1);
	if (rc)
		return rc;
	m->links[m->nlinks++] = *l;
	return 0;
}

static void link_remove(struct model *m, const char *name)
{
	long i = link_index(m, name);
	if (i < 0)
		return;
	memmove(&m->links[i], &m->links[i + 1], (m->nlinks - (size_t)i - 1) * sizeof(*m->links));
	m->nlinks--;
}

int model_apply_links(struct model *m, const json_t *reply, char *err, size_t errlen)
{
	struct model_link *links;
	size_t n;
	int rc = model_links_parse(reply, "links", &links, &n, err, errlen);
	if (rc)
		return rc;
	rc = links_reserve(m, n);
	if (rc == 0) {
		if (n)
			memcpy(m->links, links, n * sizeof(*links));
		m->nlinks = n;
		refresh_view(m);
	}
	free(links);
	return rc;
}

int model_apply_link(struct model *m, const json_t *link, char *err, size_t errlen)
{
	struct model_link l;
	int rc = model_link_parse_at(link, "link", &l, err, errlen);
	rc = rc ? rc : link_upsert(m, &l);
	if (rc == 0)
		refresh_view(m);
	return rc;
}

double model_link_rtt_now(const struct model_link *l)
{
	return l->has_rtt_last ? l->rtt_last_ms : l->rtt_ms;
}

double model_link_loss_now(const struct model_link *l)
{
	return isnan(l->loss_window_pct) ? l->loss_pct : l->loss_window_pct;
}

const char *model_cost_tag(const struct model_link *l, char *buf, size_t len)
{
	static const struct {
		const char *reason, *tag;
	} tags[] = { { "measured", "" },    { "loss", "loss" },   { "jitter", "jit" },
		     { "override", "ovr" }, { "drained", "drn" }, { "dead", "dead" } };
	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		if (strcmp(l->cost_reason, tags[i].reason) == 0) {
			snprintf(buf, len, "%s", tags[i].tag);
			return buf;
		}
	}
	snprintf(buf, len, "%.4s", l->cost_reason);
	return buf;
}

enum link_health model_link_health(const struct model_link *l)
{
	double loss = model_link_loss_now(l);
	if (l->state != WGM_CTL_LINK_UP)
		return HEALTH_DOWN;
	if (l->drained || (!isnan(loss) && loss >= 10.0))
		return HEALTH_BAD;
	if ((!isnan(loss) && loss > 0) || isnan(l->rtt_ms))
		return HEALTH_WARN;
	return HEALTH_GOOD;
}

/* ---- nodes and status ---- */

int model_apply_nodes(struct model *m, const json_t *reply, char *err, size_t errlen)
{
	const json_t *arr = json_object_get(reply, "nodes");
	if (!json_is_array(arr))
		return model_json_err(err, errlen, "nodes", "nodes", "missing or not an array");
	size_t n = json_array_size(arr);
	if (n > MODEL_NODES_MAX)
		return model_json_err(err, errlen, "nodes", "nodes", "has too many entries");
	struct model_node *nodes = n ? calloc(n, sizeof(*nodes)) : NULL;
	if (n && !nodes)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		char where[32];
		snprintf(where, sizeof(where), "nodes[%zu]", i);
		int rc = model_node_parse(json_array_get(arr, i), where, &nodes[i], err, errlen);
		if (rc) {
			free(nodes);
			return rc;
		}
	}
	free(m->nodes);
	m->nodes = nodes;
	m->nnodes = n;
	return 0;
}

int model_apply_status(struct model *m, const json_t *reply, char *err, size_t errlen)
{
	struct model_status st;
	int rc = model_status_parse(reply, "status", &st, err, errlen);
	if (rc == 0)
		m->status = st;
	return rc;
}

/* ---- events ---- */

size_t model_event_count(const struct model *m)
{
	return m->events_count;
}

const struct model_event *model_event_at(const struct model *m, size_t i)
{
	if (i >= m->events_count)
		return NULL;
	size_t oldest = (m->events_head + MODEL_EVENTS_MAX - m->events_count) % MODEL_EVENTS_MAX;
	return &m->events[(oldest + i) % MODEL_EVENTS_MAX];
}

void model_clear_events(struct model *m)
{
	m->events_head = m->events_count = 0;
}

/* Drops the i-th event (oldest first), keeping the order of the rest. */
static void event_remove(struct model *m, size_t i)
{
	for (size_t k = i; k + 1 < m->events_count; k++)
		*(struct model_event *)model_event_at(m, k) = *model_event_at(m, k + 1);
	m->events_head = (m->events_head + MODEL_EVENTS_MAX - 1) % MODEL_EVENTS_MAX;
	m->events_count--;
}

/* Whether PHRASE occurs in S as whole words (not inside "pipe20"). */
static bool has_words(const char *s, const char *phrase)
{
	size_t pl = strlen(phrase);
	if (pl == 0)
		return false;
	for (const char *p = s; (p = strstr(p, phrase)) != NULL; p++) {
		bool start = p == s || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
		bool end = !(isalnum((unsigned char)p[pl]) || p[pl] == '_');
		if (start && end)
			return true;
	}
	return false;
}

bool model_log_is_twin(const char *log_text, const char *subject, const char *word)
{
	return has_words(log_text, subject) && has_words(log_text, word);
}

#define TWIN_WINDOW_S 2.0
#define TWIN_LOOKBACK 8

static void drop_log_twin(struct model *m, double ts, const char *subject, const char *word)
{
	size_t n = m->events_count;
	for (size_t back = 1; back <= TWIN_LOOKBACK && back <= n; back++) {
		const struct model_event *e = model_event_at(m, n - back);
		if (!isnan(ts) && !isnan(e->ts) && ts - e->ts > TWIN_WINDOW_S)
			return;
		if (strcmp(e->kind, WGM_CTL_EVENT_LOG) == 0 && model_log_is_twin(e->text, subject, word)) {
			event_remove(m, n - back);
			return;
		}
	}
}

char *model_ids_text(char *out, size_t len, const int64_t *ids, size_t n, const char *sep)
{
	size_t pos = 0;
	if (len)
		out[0] = '\0';
	for (size_t i = 0; i < n && pos < len; i++)
		pos += (size_t)snprintf(out + pos, len - pos, "%s%lld", i ? sep : "", (long long)ids[i]);
	return out;
}

void model_add_event(struct model *m, double ts, const char *kind, const char *link, const char *text)
{
	/* The same event twice (a replay overlapping the live stream) once. */
	for (size_t back = 1; back <= TWIN_LOOKBACK && back <= m->events_count; back++) {
		const struct model_event *e = model_event_at(m, m->events_count - back);
		if (e->ts == ts && strcmp(e->kind, kind) == 0 && strcmp(e->text, text) == 0)
			return;
	}
	struct model_event *e = &m->events[m->events_head];
	e->ts = ts;
	snprintf(e->kind, sizeof(e->kind), "%s", kind);
	snprintf(e->link, sizeof(e->link), "%s", link ? link : "");
	snprintf(e->text, sizeof(e->text), "%s", text);
	m->events_head = (m->events_head + 1) % MODEL_EVENTS_MAX;
	if (m->events_count < MODEL_EVENTS_MAX)
		m->events_count++;
}

static int ev_metrics(struct model *m, const json_t *ev, double ts, char *err, size_t errlen)
{
	struct model_link *links;
	size_t n;
	int rc = model_links_parse(ev, "metrics", &links, &n, err, errlen);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = link_upsert(m, &links[i]);
	free(links);
	return rc;
}

/* The contract's form carries name, state and remote_id; wgmeshd also sends
 * the whole LINK under "link", which then replaces the row. */
static int ev_link_state(struct model *m, const json_t *ev, double ts, char *err, size_t errlen)
{
	char name[MODEL_NAME_MAX], text[128];
	enum wgm_ctl_link_state state;
	int64_t remote = -1;
	const json_t *obj = json_object_get(ev, "link");
	struct model_link l;
	int rc = 0;
	if (obj && !json_is_null(obj)) {
		rc = model_link_parse_at(obj, "link_state.link", &l, err, errlen);
		rc = rc ? rc : link_upsert(m, &l);
		if (rc)
			return rc;
		snprintf(name, sizeof(name), "%s", l.name);
		state = l.state;
		remote = l.remote_id;
	} else {
		rc = model_json_str(ev, "link_state", "name", true, name, sizeof(name), err, errlen);
		rc = rc ? rc : model_link_state_parse(ev, "link_state", &state, err, errlen);
		rc = rc ? rc : model_json_int(ev, "link_state", "remote_id", false, 0, 65535, &remote, err, errlen);
		if (rc)
			return rc;
		long i = link_index(m, name);
		if (i >= 0)
			m->links[i].state = state;
	}
	drop_log_twin(m, ts, name, wgm_ctl_link_state_name(state));
	if (remote >= 0)
		snprintf(text, sizeof(text), "%s %s (node %lld)", name, wgm_ctl_link_state_name(state),
			 (long long)remote);
	else
		snprintf(text, sizeof(text), "%s %s", name, wgm_ctl_link_state_name(state));
	model_add_event(m, ts, "link_state", name, text);
	return 0;
}

static int ev_link_added(struct model *m, const json_t *ev, double ts, char *err, size_t errlen)
{
	struct model_link l;
	char text[160];
	int rc = model_link_parse_at(json_object_get(ev, "link"), "link_added.link", &l, err, errlen);
	if (rc)
		return rc;
	rc = link_upsert(m, &l);
	if (rc)
		return rc;
	drop_log_twin(m, ts, l.name, wgm_ctl_link_state_name(l.state));
	snprintf(text, sizeof(text), "%s added (node %lld, %s)", l.name, (long long)l.remote_id,
		 l.endpoint[0] ? l.endpoint : "no endpoint");
	model_add_event(m, ts, "link_added", l.name, text);
	return 0;
}

static int ev_link_removed(struct model *m, const json_t *ev, double ts, char *err, size_t errlen)
{
	char name[MODEL_NAME_MAX], text[64];
	int rc = model_json_str(ev, "link_removed", "name", true, name, sizeof(name), err, errlen);
	if (rc)
		return rc;
	link_remove(m, name);
	drop_log_twin(m, ts, name, "removed");
	snprintf(text, sizeof(text), "%s removed", name);
	model_add_event(m, ts, "link_removed", name, text);
	return 0;
}

static int ev_cost(struct model *m, const json_t *ev, double ts, char *err, size_t errlen)
{
	char name[MODEL_NAME_MAX], reason[128], text[MODEL_EVENT_TEXT];
	int64_t old_cost = -1, new_cost = -1;
	int rc = model_json_str(ev, "cost", "name", true, name, sizeof(name), err, errlen);
	rc = rc ? rc : model_json_int(ev, "cost", "old", false, 0, 65535, &old_cost, err, errlen);
	rc = rc ? rc : model_json_int(ev, "cost", "new", true, 0, 65535, &new_cost, err, errlen);
	rc = rc ? rc : model_json_text(ev, "cost", "reason", false, reason, sizeof(reason), err, errlen);
	if (rc)
		return rc;
	long i = link_index(m, name);
	if (i >= 0)
		m->links[i].cost = new_cost;
	if (reason[0]) {
		char word[32];
		snprintf(word, sizeof(word), "%.*s", (int)strcspn(reason, " +("), reason);
		drop_log_twin(m, ts, name, word);
	}
	if (old_cost >= 0)
		snprintf(text, sizeof(text), "%s cost %lld -> %lld%s%s%s", name, (long long)old_cost,
			 (long long)new_cost, reason[0] ? " (" : "", reason, reason[0] ? ")" : "");
	else
		snprintf(text, sizeof(text), "%s cost %lld%s%s%s", name, (long long)new_cost, reason[0] ? " (" : "",
			 reason, reason[0] ? ")" : "");
	model_add_event(m, ts, "cost", name, text);
	return 0;
}

/* The contract names one link ("name"); wgmeshd lists every link the join
 * made ("links"). */
static int ev_join(struct model *m, const json_t *ev, double ts, char *err, size_t errlen)
{
	char name[MODEL_NAME_MAX], text[160];
	int64_t remote = 0;
	int rc = model_json_int(ev, "join", "remote_id", true, 0, 65535, &remote, err, errlen);
	rc = rc ? rc : model_json_str(ev, "join", "name", false, name, sizeof(name), err, errlen);
	if (rc)
		return rc;
	size_t pos = (size_t)snprintf(text, sizeof(text), "node %lld joined", (long long)remote);
	bool named = name[0] != '\0';
	if (named)
		snprintf(text + pos, sizeof(text) - pos, " via %s", name);
	const json_t *links = json_object_get(ev, "links");
	if (links && !json_is_null(links) && !json_is_array(links))
		return model_json_err(err, errlen, "join", "links", "is not an array");
	for (size_t i = 0; !named && i < json_array_size(links) && pos < sizeof(text); i++) {
		char one[MODEL_NAME_MAX], where[40];
		snprintf(where, sizeof(where), "join.links[%zu]", i);
		json_t *wrap = json_pack("{s:O}", "name", json_array_get(links, i));
		rc = wrap ? model_json_str(wrap, where, "name", true, one, sizeof(one), err, errlen) : -ENOMEM;
		json_decref(wrap);
		if (rc)
			return rc;
		if (!name[0])
			snprintf(name, sizeof(name), "%s", one); /* the event belongs to its first link */
		pos += (size_t)snprintf(text + pos, sizeof(text) - pos, "%s%s", i ? ", " : " via ", one);
	}
	model_add_event(m, ts, "join", name, text);
	return 0;
}

/* "mesh" and "bird": a state and an optional detail. */
static int ev_state_detail(struct model *m, const json_t *ev, double ts, const char *kind, const char *label, char *err,
			   size_t errlen)
{
	char state[16], detail[MODEL_EVENT_TEXT - 32], text[MODEL_EVENT_TEXT];
	int rc = model_json_str(ev, kind, "state", true, state, sizeof(state), err, errlen);
	rc = rc ? rc : model_json_text(ev, kind, "detail", false, detail, sizeof(detail), err, errlen);
	if (rc)
		return rc;
	/* The header shows BIRD's state as status does (up or down); applied,
	 * refused and failed are results of one config change, kept as events. */
	if (strcmp(kind, WGM_CTL_EVENT_BIRD) == 0) {
		if (strcmp(state, "up") == 0 || strcmp(state, "down") == 0)
			snprintf(m->status.bird, sizeof(m->status.bird), "%s", state);
	} else
		snprintf(m->status.mesh, sizeof(m->status.mesh), "%s", state);
	drop_log_twin(m, ts, label, state);
	snprintf(text, sizeof(text), "%s %s%s%s", label, state, detail[0] ? ": " : "", detail);
	model_add_event(m, ts, kind, "", text);
	return 0;
}

static int ev_log(struct model *m, const json_t *ev, double ts, char *err, size_t errlen)
{
	char level[16], msg[MODEL_EVENT_TEXT - 32], text[MODEL_EVENT_TEXT];
	int rc = model_json_str(ev, "log", "level", false, level, sizeof(level), err, errlen);
	rc = rc ? rc : model_json_text(ev, "log", "msg", true, msg, sizeof(msg), err, errlen);
	if (rc)
		return rc;
	snprintf(text, sizeof(text), "[%s] %s", level[0] ? level : "info", msg);
	model_add_event(m, ts, "log", "", text);
	return 0;
}

static int ev_mesh(struct model *m, const json_t *ev, double ts, char *err, size_t errlen)
{
	return ev_state_detail(m, ev, ts, WGM_CTL_EVENT_MESH, "mesh", err, errlen);
}

static int ev_bird(struct model *m, const json_t *ev, double ts, char *err, size_t errlen)
{
	return ev_state_detail(m, ev, ts, WGM_CTL_EVENT_BIRD, "BIRD", err, errlen);
}

static int ev_status(struct model *m, const json_t *ev, double ts, char *err, size_t errlen)
{
	(void)ts;
	return model_apply_status(m, ev, err, errlen);
}

/* A node's next hop changed: {"node":2,"old_via":"pipe2","new_via":"pipe4",
 * "old_next_hop_id":2,"new_next_hop_id":4,"path":[0,4,2],"state":"rerouted"}
 * (docs/control-socket.md). The node's row follows at once. */
static int ev_route(struct model *m, const json_t *ev, double ts, char *err, size_t errlen)
{
	char old_via[MODEL_NAME_MAX], new_via[MODEL_NAME_MAX], state[16], text[MODEL_EVENT_TEXT], path[160] = "";
	char subject[32], was[64] = "";
	int64_t node = 0, old_hop = -1, new_hop = -1, ids[MODEL_IDS_MAX];
	size_t nids = 0;
	int rc = model_json_int(ev, "route", "node", true, 0, 65535, &node, err, errlen);
	rc = rc ? rc : model_json_str(ev, "route", "old_via", false, old_via, sizeof(old_via), err, errlen);
	rc = rc ? rc : model_json_str(ev, "route", "new_via", false, new_via, sizeof(new_via), err, errlen);
	rc = rc ? rc : model_json_int(ev, "route", "old_next_hop_id", false, 0, 65535, &old_hop, err, errlen);
	rc = rc ? rc : model_json_int(ev, "route", "new_next_hop_id", false, 0, 65535, &new_hop, err, errlen);
	rc = rc ? rc : model_json_str(ev, "route", "state", false, state, sizeof(state), err, errlen);
	rc = rc ? rc : model_json_ids(ev, "route", "path", ids, MODEL_IDS_MAX, &nids, err, errlen);
	if (rc)
		return rc;
	if (nids > MODEL_IDS_MAX)
		nids = MODEL_IDS_MAX;
	if (nids)
		snprintf(path, sizeof(path), "; path %s", model_ids_text(text, sizeof(text), ids, nids, " > "));
	if (old_via[0] && old_hop >= 0)
		snprintf(was, sizeof(was), "was %s (node %lld)", old_via, (long long)old_hop);
	else if (old_via[0])
		snprintf(was, sizeof(was), "was %s", old_via);
	if (!new_via[0])
		snprintf(text, sizeof(text), "node %lld unreachable%s%s%s", (long long)node, was[0] ? " (" : "", was,
			 was[0] ? ")" : "");
	else
		snprintf(text, sizeof(text), "node %lld now via %s (node %lld)%s%s%s%s%s", (long long)node, new_via,
			 (long long)(new_hop >= 0 ? new_hop : node), was[0] ? ", " : "", was, path,
			 state[0] ? ", " : "", state);
	snprintf(subject, sizeof(subject), "node %lld", (long long)node);
	drop_log_twin(m, ts, subject, new_via[0] ? new_via : "unreachable");
	for (size_t i = 0; i < m->nnodes; i++) {
		struct model_node *nd = &m->nodes[i];
		if (nd->id != node)
			continue;
		snprintf(nd->via, sizeof(nd->via), "%s", new_via);
		nd->next_hop_id = new_via[0] ? new_hop : -1;
		nd->npath = nids;
		memcpy(nd->path, ids, nids * sizeof(ids[0]));
		if (state[0])
			snprintf(nd->route_state, sizeof(nd->route_state), "%s", state);
	}
	model_add_event(m, ts, WGM_CTL_EVENT_ROUTE, new_via[0] ? new_via : old_via, text);
	return 0;
}

static int ev_token_used(struct model *m, const json_t *ev, double ts, char *err, size_t errlen)
{
	char name[MODEL_NAME_MAX], text[MODEL_EVENT_TEXT];
	int rc = model_json_str(ev, "token_used", "name", false, name, sizeof(name), err, errlen);

	if (rc)
		return rc;
	if (wgm_ctl_token_used_text(ev, text, sizeof(text)) < 0)
		return model_json_err(err, errlen, "token_used", "token_id",
				      "or another field is missing or malformed");
	model_add_event(m, ts, WGM_CTL_EVENT_TOKEN_USED, name, text);
	return 0;
}

/* Events the console shows; others (a newer daemon's) are ignored. */
static const struct {
	const char *kind;
	int (*apply)(struct model *m, const json_t *ev, double ts, char *err, size_t errlen);
} event_handlers[] = {
	{ WGM_CTL_EVENT_METRICS, ev_metrics },
	{ WGM_CTL_EVENT_LINK_STATE, ev_link_state },
	{ WGM_CTL_EVENT_LINK_ADDED, ev_link_added },
	{ WGM_CTL_EVENT_LINK_REMOVED, ev_link_removed },
	{ WGM_CTL_EVENT_COST, ev_cost },
	{ WGM_CTL_EVENT_JOIN, ev_join },
	{ WGM_CTL_EVENT_MESH, ev_mesh },
	{ WGM_CTL_EVENT_BIRD, ev_bird },
	{ WGM_CTL_EVENT_LOG, ev_log },
	{ WGM_CTL_EVENT_STATUS, ev_status },
	{ WGM_CTL_EVENT_ROUTE, ev_route },
	{ WGM_CTL_EVENT_TOKEN_USED, ev_token_used },
};

int model_apply_event(struct model *m, const json_t *ev, char *err, size_t errlen)
{
	char kind[24];
	double ts = NAN;
	if (!json_is_object(ev))
		return model_json_err(err, errlen, "event", "", "is not an object");
	int rc = model_json_str(ev, "event", "event", true, kind, sizeof(kind), err, errlen);
	rc = rc ? rc : model_json_num(ev, "event", "ts", 0, 1e12, &ts, err, errlen);
	if (rc)
		return rc;
	for (size_t i = 0; i < sizeof(event_handlers) / sizeof(event_handlers[0]); i++) {
		if (strcmp(kind, event_handlers[i].kind) == 0) {
			rc = event_handlers[i].apply(m, ev, ts, err, errlen);
			break;
		}
	}
	if (rc == 0)
		refresh_view(m);
	return rc;
}
