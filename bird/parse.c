#include "bird/parse.h"

#include "common/util/err.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reply row codes of the commands parsed here (BIRD's doc/reply_codes). */
#define CODE_ROUTE_ROW 1007
#define CODE_PROTOCOL_ROW 1002
#define CODE_PROTOCOL_HEADING 2002
#define CODE_OSPF_NEIGHBOR_ROW 1013
#define CODE_BFD_SESSION_ROW 1020

static int unexpected(char *err, size_t errlen, const char *what, const char *line)
{
	return wgm_err(-EPROTO, err, errlen, "bird: %s: unexpected line '%.60s'", what, line);
}

static int reply_failed(const struct bird_reply *reply, char *err, size_t errlen)
{
	if (err && errlen)
		snprintf(err, errlen, "bird: %s", bird_reply_message(reply));
	return bird_reply_status(reply);
}

/* A cursor over one line: words are separated by spaces and tabs. */
struct cursor {
	const char *p;
};

static void skip_blank(struct cursor *c)
{
	while (*c->p == ' ' || *c->p == '\t')
		c->p++;
}

/* Copies the next word into dst; false if there is none or it does not fit. */
static bool next_word(struct cursor *c, char *dst, size_t size)
{
	size_t n = 0;
	skip_blank(c);
	while (c->p[n] && c->p[n] != ' ' && c->p[n] != '\t')
		n++;
	if (n == 0 || n >= size)
		return false;
	memcpy(dst, c->p, n);
	dst[n] = '\0';
	c->p += n;
	return true;
}

/* Copies what lies between open and close (c at open after blanks). */
static bool next_enclosed(struct cursor *c, char open, char close, char *dst, size_t size)
{
	skip_blank(c);
	if (*c->p != open)
		return false;
	const char *end = strchr(c->p + 1, close);
	if (!end || (size_t)(end - c->p - 1) >= size)
		return false;
	memcpy(dst, c->p + 1, (size_t)(end - c->p - 1));
	dst[end - c->p - 1] = '\0';
	c->p = end + 1;
	return true;
}

static bool at_end(struct cursor *c)
{
	skip_blank(c);
	return *c->p == '\0';
}

static bool parse_u32(const char *s, uint32_t *out)
{
	unsigned long long v = 0;
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > UINT32_MAX)
			return false;
	}
	*out = (uint32_t)v;
	return true;
}

static bool addr_valid(const char *s)
{
	unsigned char buf[16];
	return inet_pton(strchr(s, ':') ? AF_INET6 : AF_INET, s, buf) == 1;
}

static bool prefix_valid(const char *s)
{
	char addr[BIRD_PREFIX_MAX];
	const char *slash = strchr(s, '/');
	uint32_t len;
	if (!slash || (size_t)(slash - s) >= sizeof(addr))
		return false;
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	if (!addr_valid(addr) || !parse_u32(slash + 1, &len))
		return false;
	return len <= (strchr(addr, ':') ? 128u : 32u);
}

static bool ifname_valid(const char *s)
{
	return *s && strlen(s) < BIRD_IFNAME_MAX;
}

/* Grows an array of items of size elem by one slot, zeroed. */
static void *grow(void **items, size_t *n, size_t elem)
{
	if ((*n & (*n - 1)) == 0) {
		size_t cap = *n ? *n * 2 : 1;
		void *bigger = realloc(*items, cap * elem);
		if (!bigger)
			return NULL;
		*items = bigger;
	}
	char *slot = (char *)*items + *n * elem;
	memset(slot, 0, elem);
	(*n)++;
	return slot;
}

static bool route_type_from_word(const char *w, enum bird_route_type *type)
{
	static const struct {
		const char *word;
		enum bird_route_type type;
	} types[] = {
		{ "unicast", BIRD_ROUTE_UNICAST },
		{ "unreachable", BIRD_ROUTE_UNREACHABLE },
		{ "blackhole", BIRD_ROUTE_BLACKHOLE },
		{ "prohibited", BIRD_ROUTE_PROHIBIT },
	};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (strcmp(w, types[i].word) == 0) {
			*type = types[i].type;
			return true;
		}
	}
	return false;
}

/* "(150)", "(150/120)" or "(150/20/10000)". */
static bool parse_metrics(const char *s, struct bird_route *r)
{
	char buf[64];
	char *parts[3] = { buf, NULL, NULL };
	size_t n = 1, len = strlen(s);

	if (len >= sizeof(buf))
		return false;
	memcpy(buf, s, len + 1);
	for (char *p = buf; *p; p++) {
		if (*p == '/') {
			if (n == 3)
				return false;
			*p = '\0';
			parts[n++] = p + 1;
		}
	}
	if (!parse_u32(parts[0], &r->preference))
		return false;
	if (n >= 2 && !(r->has_metric = parse_u32(parts[1], &r->metric)))
		return false;
	if (n == 3 && !(r->has_metric2 = parse_u32(parts[2], &r->metric2)))
		return false;
	return true;
}

/* "10.0.2.1/32   unicast [ospf4 17:36:55.486] * I (150/120) [10.0.2.1]";
 * the prefix is left out (line starts blank) for another route to the
 * previous prefix. */
static bool parse_route_line(const char *line, const char *table, const char *prev_prefix, struct bird_route *r)
{
	struct cursor c = { line };
	char word[BIRD_NAME_MAX * 2];
	char bracket[BIRD_NAME_MAX * 2];

	snprintf(r->table, sizeof(r->table), "%s", table);
	if (line[0] == ' ') {
		if (!prev_prefix)
			return false;
		snprintf(r->prefix, sizeof(r->prefix), "%s", prev_prefix);
	} else if (!next_word(&c, r->prefix, sizeof(r->prefix)) || !prefix_valid(r->prefix)) {
		return false;
	}
	if (!next_word(&c, word, sizeof(word)) || !route_type_from_word(word, &r->type))
		return false;
	if (!next_enclosed(&c, '[', ']', bracket, sizeof(bracket)))
		return false;
	struct cursor b = { bracket };
	if (!next_word(&b, r->proto, sizeof(r->proto)))
		return false;
	skip_blank(&c);
	if (*c.p == '*') {
		r->primary = true;
		c.p++;
	}
	skip_blank(&c);
	if (*c.p != '(' && !next_word(&c, r->origin, sizeof(r->origin)))
		return false;
	if (!next_enclosed(&c, '(', ')', word, sizeof(word)) || !parse_metrics(word, r))
		return false;
	skip_blank(&c);
	if (*c.p == '[' && !next_enclosed(&c, '[', ']', r->attrs, sizeof(r->attrs)))
		return false;
	return at_end(&c);
}

/* "\tvia 10.0.0.5 on pipe2 [weight 1 ...]" or "\tdev lo". */
static bool parse_nexthop_line(const char *line, struct bird_route *r)
{
	struct cursor c = { line };
	char word[BIRD_ADDR_MAX];
	struct bird_nexthop nh = { { 0 }, { 0 } };

	if (r->n_nexthops == BIRD_ROUTE_MAX_NEXTHOPS || !next_word(&c, word, sizeof(word)))
		return false;
	if (strcmp(word, "via") == 0) {
		if (!next_word(&c, nh.gateway, sizeof(nh.gateway)) || !addr_valid(nh.gateway))
			return false;
		if (!next_word(&c, word, sizeof(word)) || strcmp(word, "on") != 0)
			return false;
	} else if (strcmp(word, "dev") != 0) {
		return false;
	}
	if (!next_word(&c, nh.ifname, sizeof(nh.ifname)) || !ifname_valid(nh.ifname))
		return false;
	r->nexthops[r->n_nexthops++] = nh;
	return true;
}

void bird_routes_free(struct bird_routes *routes)
{
	free(routes->items);
	routes->items = NULL;
	routes->n = 0;
}

int bird_parse_routes(const struct bird_reply *reply, struct bird_routes *out, char *err, size_t errlen)
{
	char table[BIRD_NAME_MAX] = "";
	struct bird_route *cur = NULL;
	int rc = 0;

	out->items = NULL;
	out->n = 0;
	if (reply->error)
		return reply_failed(reply, err, errlen);
	for (size_t i = 0; i < reply->n_lines; i++) {
		const char *line = reply->lines[i].text;
		size_t len = strlen(line);
		if (reply->lines[i].code != CODE_ROUTE_ROW) {
			if (reply->lines[i].code == 0 && *line == '\0')
				continue;
			rc = unexpected(err, errlen, "show route", line);
			goto out;
		}
		if (len == 0) {
			cur = NULL;
			continue;
		}
		if (strncmp(line, "Table ", 6) == 0 && line[len - 1] == ':') {
			if (len - 7 == 0 || len - 7 >= sizeof(table)) {
				rc = unexpected(err, errlen, "show route", line);
				goto out;
			}
			memcpy(table, line + 6, len - 7);
			table[len - 7] = '\0';
			cur = NULL;
			continue;
		}
		if (line[0] == '\t') {
			if (!cur || !parse_nexthop_line(line, cur)) {
				rc = unexpected(err, errlen, "show route", line);
				goto out;
			}
			continue;
		}
		const char *prev = cur ? cur->prefix : NULL;
		char prev_prefix[BIRD_PREFIX_MAX] = "";
		if (prev)
			snprintf(prev_prefix, sizeof(prev_prefix), "%s", prev);
		cur = grow((void **)&out->items, &out->n, sizeof(*out->items));
		if (!cur) {
			rc = -ENOMEM;
			goto out;
		}
		if (!table[0] || !parse_route_line(line, table, prev ? prev_prefix : NULL, cur)) {
			rc = unexpected(err, errlen, "show route", line);
			goto out;
		}
	}
out:
	if (rc)
		bird_routes_free(out);
	return rc;
}

void bird_ospf_neighbors_free(struct bird_ospf_neighbors *neighbors)
{
	free(neighbors->items);
	neighbors->items = NULL;
	neighbors->n = 0;
}

/* "10.0.2.1    \t  1\tFull/PtP  \t 2.971\tpipe2      10.0.0.5" */
static bool parse_neighbor_line(const char *line, struct bird_ospf_neighbor *nb)
{
	struct cursor c = { line };
	char word[64];
	if (!next_word(&c, nb->router_id, sizeof(nb->router_id)) || !addr_valid(nb->router_id))
		return false;
	if (!next_word(&c, word, sizeof(word)) || !parse_u32(word, &(uint32_t){ 0 }))
		return false;
	nb->priority = (unsigned)strtoul(word, NULL, 10);
	if (!next_word(&c, word, sizeof(word)))
		return false;
	char *slash = strchr(word, '/');
	if (!slash || slash == word || strlen(slash + 1) >= sizeof(nb->role) ||
	    (size_t)(slash - word) >= sizeof(nb->state))
		return false;
	memcpy(nb->state, word, (size_t)(slash - word));
	nb->state[slash - word] = '\0';
	memcpy(nb->role, slash + 1, strlen(slash + 1) + 1);
	if (!next_word(&c, word, sizeof(word))) /* dead timer countdown */
		return false;
	if (!next_word(&c, nb->ifname, sizeof(nb->ifname)))
		return false;
	if (!next_word(&c, nb->address, sizeof(nb->address)) || !addr_valid(nb->address))
		return false;
	return at_end(&c);
}

/* A table BIRD lists per protocol: "name:" opens one protocol's rows ("name:
 * is not up" one without rows), COLUMNS is the column heading to skip, and
 * every other line of ROW_CODE is a row ROW reads into a new item of SIZE
 * bytes (it also gets the protocol's name). Items in *ITEMS, *N of them;
 * on an error the caller frees what was read. */
typedef bool (*proto_row_fn)(const char *line, const char *proto, void *item);

static int parse_proto_table(const struct bird_reply *reply, const char *what, int row_code, const char *columns,
			     size_t size, proto_row_fn row, void **items, size_t *n, char *err, size_t errlen)
{
	char proto[BIRD_NAME_MAX] = "";

	for (size_t i = 0; i < reply->n_lines; i++) {
		const char *line = reply->lines[i].text;
		const char *colon = strchr(line, ':');
		void *item;
		if (reply->lines[i].code != row_code) {
			if (reply->lines[i].code == 0 && *line == '\0')
				continue;
			return unexpected(err, errlen, what, line);
		}
		if (*line == '\0' || strncmp(line, columns, strlen(columns)) == 0)
			continue;
		if (colon && colon > line && !memchr(line, ' ', (size_t)(colon - line)) &&
		    (colon[1] == '\0' || strcmp(colon, ": is not up") == 0)) {
			if ((size_t)(colon - line) >= sizeof(proto))
				return unexpected(err, errlen, what, line);
			memcpy(proto, line, (size_t)(colon - line));
			proto[colon - line] = '\0';
			if (colon[1] != '\0')
				proto[0] = '\0';
			continue;
		}
		item = grow(items, n, size);
		if (!item)
			return -ENOMEM;
		if (!proto[0] || !row(line, proto, item))
			return unexpected(err, errlen, what, line);
	}
	return 0;
}

static bool neighbor_row(const char *line, const char *proto, void *item)
{
	struct bird_ospf_neighbor *nb = item;

	snprintf(nb->proto, sizeof(nb->proto), "%s", proto);
	return parse_neighbor_line(line, nb);
}

int bird_parse_ospf_neighbors(const struct bird_reply *reply, struct bird_ospf_neighbors *out, char *err, size_t errlen)
{
	int rc;

	out->items = NULL;
	out->n = 0;
	if (reply->error)
		return reply_failed(reply, err, errlen);
	rc = parse_proto_table(reply, "show ospf neighbors", CODE_OSPF_NEIGHBOR_ROW, "Router ID", sizeof(*out->items),
			       neighbor_row, (void **)&out->items, &out->n, err, errlen);
	if (rc)
		bird_ospf_neighbors_free(out);
	return rc;
}

/* RFC 2328's neighbour states in order; an unknown word ranks lowest. */
static int ospf_state_rank(const char *state)
{
	static const char *const order[] = { "Down",    "Attempt",  "Init",    "2-Way",
					     "ExStart", "Exchange", "Loading", "Full" };
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (strcmp(state, order[i]) == 0)
			return (int)i;
	return -1;
}

const char *bird_ospf_neighbor_state(const struct bird_ospf_neighbors *neighbors, const char *ifname)
{
	const char *worst = NULL;

	for (size_t i = 0; i < neighbors->n; i++) {
		const char *st = neighbors->items[i].state;
		if (strcmp(neighbors->items[i].ifname, ifname) != 0)
			continue;
		if (!worst || ospf_state_rank(st) < ospf_state_rank(worst))
			worst = st;
	}
	return worst;
}

void bird_ospf_topology_free(struct bird_ospf_topology *topology)
{
	free(topology->items);
	topology->items = NULL;
	topology->n = 0;
}

/* "\trouter 10.0.0.1" opens a router; "\t\trouter 10.0.2.1 metric 65" is
 * one of its links. Every other row (area, distance, stubnet, network,
 * unreachable) says nothing about router adjacencies. */
int bird_parse_ospf_topology(const struct bird_reply *reply, struct bird_ospf_topology *out, char *err, size_t errlen)
{
	char from[BIRD_ADDR_MAX] = "";
	int rc = 0;

	out->items = NULL;
	out->n = 0;
	if (reply->error)
		return reply_failed(reply, err, errlen);
	for (size_t i = 0; i < reply->n_lines; i++) {
		const char *line = reply->lines[i].text;
		char w1[16], w2[BIRD_ADDR_MAX], w3[16], extra[2];
		unsigned metric;
		int n;

		if (reply->lines[i].code != 0 && (reply->lines[i].code < 1000 || reply->lines[i].code > 1999)) {
			rc = unexpected(err, errlen, "show ospf topology", line);
			goto out;
		}
		n = sscanf(line, " %15s %45s %15s %u %1s", w1, w2, w3, &metric, extra);
		if (n < 2 || strcmp(w1, "router") != 0)
			continue;
		if (n == 2) {
			snprintf(from, sizeof(from), "%s", w2);
			continue;
		}
		if (n != 4 || strcmp(w3, "metric") != 0 || !from[0]) {
			rc = unexpected(err, errlen, "show ospf topology", line);
			goto out;
		}
		struct bird_ospf_edge *e = grow((void **)&out->items, &out->n, sizeof(*out->items));
		if (!e) {
			rc = -ENOMEM;
			goto out;
		}
		snprintf(e->from, sizeof(e->from), "%s", from);
		snprintf(e->to, sizeof(e->to), "%s", w2);
		e->metric = metric;
	}
out:
	if (rc)
		bird_ospf_topology_free(out);
	return rc;
}

void bird_protocols_free(struct bird_protocols *protocols)
{
	free(protocols->items);
	protocols->items = NULL;
	protocols->n = 0;
}

/* "ospf4      OSPF       master4    up     17:36:49.385  Running" */
static bool parse_protocol_line(const char *line, struct bird_protocol *pr)
{
	struct cursor c = { line };
	if (!next_word(&c, pr->name, sizeof(pr->name)) || !next_word(&c, pr->proto, sizeof(pr->proto)) ||
	    !next_word(&c, pr->table, sizeof(pr->table)) || !next_word(&c, pr->state, sizeof(pr->state)) ||
	    !next_word(&c, pr->since, sizeof(pr->since)))
		return false;
	skip_blank(&c);
	size_t len = strlen(c.p);
	while (len > 0 && (c.p[len - 1] == ' ' || c.p[len - 1] == '\t'))
		len--;
	if (len >= sizeof(pr->info))
		len = sizeof(pr->info) - 1;
	memcpy(pr->info, c.p, len);
	pr->info[len] = '\0';
	return true;
}

int bird_parse_protocols(const struct bird_reply *reply, struct bird_protocols *out, char *err, size_t errlen)
{
	int rc = 0;

	out->items = NULL;
	out->n = 0;
	if (reply->error)
		return reply_failed(reply, err, errlen);
	for (size_t i = 0; i < reply->n_lines; i++) {
		const char *line = reply->lines[i].text;
		int code = reply->lines[i].code;
		if (code == CODE_PROTOCOL_HEADING || (code == 0 && *line == '\0'))
			continue;
		if (code != CODE_PROTOCOL_ROW) {
			rc = unexpected(err, errlen, "show protocols", line);
			goto out;
		}
		struct bird_protocol *pr = grow((void **)&out->items, &out->n, sizeof(*out->items));
		if (!pr) {
			rc = -ENOMEM;
			goto out;
		}
		if (!parse_protocol_line(line, pr)) {
			rc = unexpected(err, errlen, "show protocols", line);
			goto out;
		}
	}
out:
	if (rc)
		bird_protocols_free(out);
	return rc;
}

void bird_bfd_sessions_free(struct bird_bfd_sessions *sessions)
{
	free(sessions->items);
	sessions->items = NULL;
	sessions->n = 0;
}

static bool bfd_state_valid(const char *s)
{
	return strcmp(s, "Up") == 0 || strcmp(s, "Down") == 0 || strcmp(s, "Init") == 0 || strcmp(s, "AdminDown") == 0;
}

/* "10.0.0.5                  pipe2      Up         05:10:11.123    0.100    0.300" */
static bool parse_bfd_line(const char *line, struct bird_bfd_session *s)
{
	struct cursor c = { line };
	char rest[64];

	if (!next_word(&c, s->address, sizeof(s->address)) || !addr_valid(s->address))
		return false;
	if (!next_word(&c, s->ifname, sizeof(s->ifname)) || (strcmp(s->ifname, "---") != 0 && !ifname_valid(s->ifname)))
		return false;
	if (!next_word(&c, s->state, sizeof(s->state)) || !bfd_state_valid(s->state))
		return false;
	return next_word(&c, rest, sizeof(rest)); /* at least the "since" column */
}

static bool bfd_row(const char *line, const char *proto, void *item)
{
	struct bird_bfd_session *s = item;

	snprintf(s->proto, sizeof(s->proto), "%s", proto);
	return parse_bfd_line(line, s);
}

int bird_parse_bfd_sessions(const struct bird_reply *reply, struct bird_bfd_sessions *out, char *err, size_t errlen)
{
	int rc;

	out->items = NULL;
	out->n = 0;
	if (reply->error)
		return reply_failed(reply, err, errlen);
	rc = parse_proto_table(reply, "show bfd sessions", CODE_BFD_SESSION_ROW, "IP address", sizeof(*out->items),
			       bfd_row, (void **)&out->items, &out->n, err, errlen);
	if (rc)
		bird_bfd_sessions_free(out);
	return rc;
}
