/* The console's model: what the daemon last told us (status, links, nodes,
 * recent events), plus the view state (sort, filter, selection). Fed with
 * the control socket's JSON replies and events (see docs/control-socket.md);
 * every message is validated before it changes anything. Pure: no I/O. */
#ifndef WGM_TUI_MODEL_H
#define WGM_TUI_MODEL_H

#include "common/ctl/ctlproto.h"
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MODEL_NAME_MAX 16 /* interface names, IFNAMSIZ */
#define MODEL_RECENT_MAX 60
#define MODEL_EVENTS_MAX 1000
#define MODEL_LINKS_MAX 4096
#define MODEL_NODES_MAX 4096

/* The contract's up/down/dead, plus the phases the daemon reports while it
 * works on a link (creating, removing) or after a step failed. */
enum link_health { HEALTH_GOOD, HEALTH_WARN, HEALTH_BAD, HEALTH_DOWN };

struct model_link {
	char name[MODEL_NAME_MAX];
	int64_t remote_id;
	char endpoint[64];
	char transport[4];
	char link_type[32];
	char role[8];
	enum ctl_link_state state;
	char local_addr[64];
	char remote_addr[64];
	int64_t port;
	double rtt_ms, rtt_min_ms, rtt_max_ms, loss_pct, jitter_ms; /* NaN = unknown */
	int64_t cost, cost_measured; /* -1 = unknown */
	bool has_override;
	int64_t override;
	bool drained;
	double rx_bytes, tx_bytes, rx_rate, tx_rate;
	int64_t last_handshake; /* unix seconds, 0 = never */
	double rtt_recent[MODEL_RECENT_MAX]; /* oldest first, NaN = lost probe */
	size_t rtt_recent_n;
};

struct model_node {
	int64_t id;
	char loopback4[16];
	char loopback6[48];
	char next_hop[48];
	char via[MODEL_NAME_MAX];
	int64_t metric;
	bool direct;
	bool self; /* this node: reached on lo, neither direct nor via the mesh */
};

struct model_status {
	bool known;
	int64_t id; /* -1: the node is not initialised */
	char loopback4[16];
	char loopback6[48];
	char version[32];
	int64_t uptime;
	char bird[16];
	int64_t links_up, links_total, nodes;
	char mesh[16];
};

struct model_event {
	double ts;
	char kind[16];
	char link[MODEL_NAME_MAX]; /* the link it concerns, "" if none */
	char text[240];
};

/* Columns the links table can be sorted by (same order as the table). */
enum model_sort {
	SORT_NAME,
	SORT_REMOTE,
	SORT_ENDPOINT,
	SORT_TRANSPORT,
	SORT_TYPE,
	SORT_STATE,
	SORT_RTT,
	SORT_LOSS,
	SORT_JITTER,
	SORT_COST,
	SORT_RX,
	SORT_TX,
	SORT_HANDSHAKE,
	SORT_COUNT,
};

struct model {
	struct model_status status;
	struct model_link *links;
	size_t nlinks, links_cap;
	struct model_node *nodes;
	size_t nnodes;
	struct model_event events[MODEL_EVENTS_MAX];
	size_t events_head, events_count;

	enum model_sort sort;
	bool sort_desc;
	char filter[64];
	size_t *view; /* indices into links: filtered, sorted */
	size_t nview;
	char selected[MODEL_NAME_MAX]; /* tracked by name across updates */
	size_t selected_row;
};

void model_init(struct model *m);
void model_free(struct model *m);

/* Replies to "status", "links", "nodes" (the whole reply object). */
int model_apply_status(struct model *m, const json_t *reply, char *err, size_t errlen);
int model_apply_links(struct model *m, const json_t *reply, char *err, size_t errlen);
int model_apply_nodes(struct model *m, const json_t *reply, char *err, size_t errlen);
/* One LINK object, as the replies to cost, drain and undrain carry it: the
 * row is replaced (or added) at once, before the next metrics event. */
int model_apply_link(struct model *m, const json_t *link, char *err, size_t errlen);

/* One event from the subscribe stream. Events of unknown kinds are ignored
 * (a newer daemon may send more); malformed ones return -EINVAL with err. */
int model_apply_event(struct model *m, const json_t *event, char *err, size_t errlen);

/* Parses one LINK object. Exposed for the tests and the detail view. */
int model_link_parse(const json_t *obj, struct model_link *out, char *err, size_t errlen);
enum link_health model_link_health(const struct model_link *l);

/* Events, oldest first. */
size_t model_event_count(const struct model *m);
const struct model_event *model_event_at(const struct model *m, size_t i);
void model_clear_events(struct model *m);
void model_add_event(struct model *m, double ts, const char *kind, const char *link, const char *text);

/* View: links after filter and sort. */
size_t model_view_count(const struct model *m);
const struct model_link *model_view_link(const struct model *m, size_t row);
const struct model_link *model_find_link(const struct model *m, const char *name);
void model_set_sort(struct model *m, enum model_sort sort, bool desc);
/* s: next column; on the last one, wraps and flips the direction. */
void model_cycle_sort(struct model *m);
const char *model_sort_name(enum model_sort sort);
/* Case-insensitive substring over name, remote ID, endpoint, transport,
 * link type, state and addresses. "" shows everything. */
void model_set_filter(struct model *m, const char *filter);

/* Selection: a row in the view, remembered by link name so it stays on the
 * same link when rows move; if that link goes, the row at the same position
 * is selected. */
const struct model_link *model_selected(const struct model *m);
size_t model_selected_row(const struct model *m);
void model_select_row(struct model *m, long row);
void model_select_move(struct model *m, long delta);

#endif
