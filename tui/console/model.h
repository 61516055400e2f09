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
#define MODEL_IDS_MAX 16 /* node IDs kept of a path or a link's carried routes */
#define MODEL_EVENT_TEXT 512

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
	enum wgm_ctl_link_state state;
	char local_addr[64];
	char remote_addr[64];
	int64_t port;
	double rtt_ms, rtt_min_ms, rtt_max_ms, loss_pct, jitter_ms; /* NaN = unknown */
	int64_t cost, cost_measured;                                /* -1 = unknown */
	bool has_override;
	int64_t override;
	bool drained;
	double rx_bytes, tx_bytes, rx_rate, tx_rate;
	int64_t last_handshake; /* unix seconds, 0 = never */
	/* Newer daemons (docs/control-socket.md); has_* false: not sent. */
	bool has_rtt_last;
	double rtt_last_ms;                      /* NaN: the last probe was lost */
	double loss_window_pct, loss_minute_pct; /* NaN = not sent */
	int64_t loss_window_probes;
	char cost_reason[48]; /* measured, loss, jitter, override, drained, dead */
	char cost_detail[48];
	int64_t penalty_until; /* unix seconds, 0 = no penalty */
	bool has_ospf;
	char ospf[16]; /* BIRD's neighbour state, "" = no neighbour */
	bool has_carries;
	size_t ncarries; /* nodes routed through this link (ids: the first MODEL_IDS_MAX) */
	int64_t carries[MODEL_IDS_MAX];
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
	bool self;           /* this node: reached on lo, neither direct nor via the mesh */
	int64_t next_hop_id; /* -1 = not sent or none */
	size_t npath;        /* 0 = not sent or unreachable */
	int64_t path[MODEL_IDS_MAX];
	char route_state[16]; /* self, direct, rerouted, indirect, unreachable; "" = not sent */
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
	char text[MODEL_EVENT_TEXT];
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
	SORT_AVG, /* the smoothed RTT (SORT_RTT: the last probe's when sent) */
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
/* The RTT column: the last probe's when the daemon sends it, else the
 * smoothed one; the LOSS column: the cost window's loss when sent, else the
 * average. NaN = unknown. */
double model_link_rtt_now(const struct model_link *l);
double model_link_loss_now(const struct model_link *l);
/* The cost reason as a row tag at 80 columns: "" measured, "loss", "jit",
 * "ovr", "drn", "dead", else the reason's first 4 characters. */
const char *model_cost_tag(const struct model_link *l, char *buf, size_t len);

/* Events, oldest first. */
size_t model_event_count(const struct model *m);
const struct model_event *model_event_at(const struct model *m, size_t i);
void model_clear_events(struct model *m);
void model_add_event(struct model *m, double ts, const char *kind, const char *link, const char *text);
/* The daemon logs what it also sends as an event (a log line "link pipe2
 * to node 2 is up" beside link_state pipe2 up). A structured event about
 * SUBJECT (a link name, "BIRD", "node 2") with WORD (its new state) drops a
 * log line from the last 2 s that names both, so each change shows once.
 * Exposed for the tests. */
bool model_log_is_twin(const char *log_text, const char *subject, const char *word);
/* Node IDs joined by SEP: a path "0 > 4 > 2", carried nodes "2,4". */
char *model_ids_text(char *out, size_t len, const int64_t *ids, size_t n, const char *sep);

/* View: links after filter and sort. */
size_t model_view_count(const struct model *m);
const struct model_link *model_view_link(const struct model *m, size_t row);
const struct model_link *model_find_link(const struct model *m, const char *name);
void model_set_sort(struct model *m, enum model_sort sort, bool desc);
const char *model_sort_name(enum model_sort sort);
/* The sort menu's keys: r rtt, l loss, c cost, n name ...; 0 or -EINVAL. */
int model_sort_from_key(int key, enum model_sort *out);
/* "r rtt  l loss ..." for the status line and help. */
void model_sort_menu(char *out, size_t len);
/* Figures sort worst (largest) first; names and states A to Z. */
bool model_sort_default_desc(enum model_sort sort);
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
