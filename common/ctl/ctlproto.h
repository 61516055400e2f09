/* The control-socket protocol (docs/control-socket.md), shared by wgmeshd,
 * the CLI and the console: newline-delimited JSON, one message per line.
 * Request {"cmd":NAME,...}; reply {"ok":true,...} or {"ok":false,"error":...};
 * event {"event":KIND,"ts":unix_seconds,...}. */
#ifndef WGM_COMMON_CTLPROTO_H
#define WGM_COMMON_CTLPROTO_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define WGM_CTL_LINE_MAX (1024 * 1024)
/* Reals as the daemon rounded them (0.402, not 0.40200000000000002): the
 * dump flag for every control-socket message and the CLI's --json. */
#define WGM_CTL_JSON_REAL JSON_REAL_PRECISION(15)
#define WGM_CTL_DEFAULT_SOCKET "/run/wgmesh/wgmeshd.sock"

/* Command and event names: one spelling, used by the daemon, the CLI and the
 * console (docs/control-socket.md lists them). */
#define WGM_CTL_CMD_STATUS "status"
#define WGM_CTL_CMD_SUBSCRIBE "subscribe"
#define WGM_CTL_CMD_EVENTS "events"
#define WGM_CTL_CMD_LINKS "links"
#define WGM_CTL_CMD_CONNECT "connect"
#define WGM_CTL_CMD_DISCONNECT "disconnect"
#define WGM_CTL_CMD_PEER "peer"
#define WGM_CTL_CMD_UP "up"
#define WGM_CTL_CMD_DOWN "down"
#define WGM_CTL_CMD_TOKEN_CREATE "token_create"
#define WGM_CTL_CMD_TOKEN_LIST "token_list"
#define WGM_CTL_CMD_TOKEN_REVOKE "token_revoke"
#define WGM_CTL_CMD_SET "set"
#define WGM_CTL_CMD_ENABLE "enable"
#define WGM_CTL_CMD_DISABLE "disable"
#define WGM_CTL_CMD_NODES "nodes"
#define WGM_CTL_CMD_USED "used"
#define WGM_CTL_CMD_RECOVER "recover"
#define WGM_CTL_CMD_LINK_HISTORY "link_history"
#define WGM_CTL_CMD_COST "cost"
#define WGM_CTL_CMD_DRAIN "drain"
#define WGM_CTL_CMD_UNDRAIN "undrain"
/* The node's metrics as Prometheus text ({"text":...}, docs/metrics.md). */
#define WGM_CTL_CMD_METRICS "metrics"

/* The version of the fields of the links, nodes and status replies
 * (docs/control-socket.md, tests/data/schema-v1.json): raised when a field
 * is renamed or removed or changes meaning; new fields keep it. */
#define WGM_CTL_SCHEMA_VERSION 1
/* docs/cli.md#proximity, #clean */
#define WGM_CTL_CMD_PROXIMITY "proximity"
#define WGM_CTL_CMD_CLEAN "clean"
/* Member identities (docs/cli.md#member, docs/api.md "Mesh authority"). */
#define WGM_CTL_CMD_MEMBER_LIST "member_list"
#define WGM_CTL_CMD_MEMBER_REVOKE "member_revoke"
#define WGM_CTL_CMD_MEMBER_ROTATE_KEY "member_rotate_key"
#define WGM_CTL_CMD_MEMBER_PROMOTE "member_promote"
/* Self-repair moved a link's other end to a new port (docs/path-quality.md). */
#define WGM_CTL_EVENT_LINK_REPAIRED "link_repaired"

#define WGM_CTL_EVENT_LOG "log"
#define WGM_CTL_EVENT_STATUS "status"
#define WGM_CTL_EVENT_METRICS "metrics"
#define WGM_CTL_EVENT_LINK_STATE "link_state"
#define WGM_CTL_EVENT_LINK_ADDED "link_added"
#define WGM_CTL_EVENT_LINK_REMOVED "link_removed"
#define WGM_CTL_EVENT_LINK_ENDPOINT "link_endpoint"
#define WGM_CTL_EVENT_LINK_EXPIRED "link_expired"
#define WGM_CTL_EVENT_COST "cost"
#define WGM_CTL_EVENT_JOIN "join"
#define WGM_CTL_EVENT_MESH "mesh"
#define WGM_CTL_EVENT_BIRD "bird"
#define WGM_CTL_EVENT_ROUTE "route"
/* Fast local repair (docs/routing.md#fast-repair): routes moved off a link
 * BFD found dead before OSPF did, and their removal. */
#define WGM_CTL_EVENT_FAST_REPAIR "fast_repair"
/* A join redeemed one of this node's tokens: {"token_id","label","remote_id",
 * "name","uses_left","used_up"}; the token's id, never its secret. */
#define WGM_CTL_EVENT_TOKEN_USED "token_used"
/* XOR key rotation of a link (docs/link-types.md): `rotate LINK` runs one
 * now; each run publishes started, then done or failed (with "error"). The
 * events name the link and never carry a key. */
#define WGM_CTL_CMD_ROTATE "rotate"
#define WGM_CTL_EVENT_ROTATE_STARTED "rotate_started"
#define WGM_CTL_EVENT_ROTATE_DONE "rotate_done"
#define WGM_CTL_EVENT_ROTATE_FAILED "rotate_failed"

/* A link's state as `links` and the link events carry it. */
enum wgm_ctl_link_state {
	WGM_CTL_LINK_DOWN,
	WGM_CTL_LINK_UP,
	WGM_CTL_LINK_DEAD,
	WGM_CTL_LINK_CREATING,
	WGM_CTL_LINK_REMOVING,
	WGM_CTL_LINK_FAILED,
};

/* "down", "up", ...; "down" for a value out of range. */
const char *wgm_ctl_link_state_name(enum wgm_ctl_link_state state);
/* 0, or -EINVAL for a name that is none of them. */
int wgm_ctl_link_state_from_name(const char *name, enum wgm_ctl_link_state *state);

/* Incremental line reader: feed bytes as they arrive, take complete lines. */
struct wgm_ctl_line_reader {
	char *buf;
	size_t len;
	size_t cap;
	size_t start; /* first byte not yet returned */
};

void wgm_ctl_line_reader_init(struct wgm_ctl_line_reader *r);
void wgm_ctl_line_reader_free(struct wgm_ctl_line_reader *r);
/* Returns 0, -ENOMEM, or -EMSGSIZE when the pending line would exceed
 * WGM_CTL_LINE_MAX bytes (the peer is broken; drop the connection). */
int wgm_ctl_line_reader_feed(struct wgm_ctl_line_reader *r, const char *data, size_t len);
/* Returns 1 with *line (NUL-terminated, no '\n', valid until the next feed or
 * next call) and *len set, or 0 when no complete line is buffered. */
int wgm_ctl_line_reader_next(struct wgm_ctl_line_reader *r, const char **line, size_t *len);

/* Serializes msg as one compact line with a trailing '\n' (JSON strings
 * escape newlines, so a message never spans lines). Caller frees. */
char *wgm_ctl_message_dump(const json_t *msg, size_t *len);
/* Parses one line into a JSON object; -EINVAL with err on anything else. */
int wgm_ctl_message_parse(const char *line, size_t len, json_t **out, char *err, size_t errlen);

/* Requests. */
json_t *wgm_ctl_request_new(const char *cmd);
/* Checks that req has a non-empty string "cmd"; returns it (borrowed). */
int wgm_ctl_request_validate(const json_t *req, const char **cmd, char *err, size_t errlen);

/* Replies. */
json_t *wgm_ctl_reply_ok(void);
json_t *wgm_ctl_reply_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* 0 for {"ok":true}; -EREMOTEIO for {"ok":false} with err = the daemon's
 * message; -EPROTO with err describing a malformed reply. */
int wgm_ctl_reply_check(const json_t *reply, char *err, size_t errlen);

/* Events. */
json_t *wgm_ctl_event_new(const char *kind);
/* The event's kind, or NULL if msg is not an event. */
const char *wgm_ctl_event_kind(const json_t *msg);
json_t *wgm_ctl_event_log(const char *level, const char *msg);

/* The token_used event as one sentence, for `wgmesh events` and the
 * console: "token 1a2b3c4d (ops) used by node 5 over pipe5; 2 uses left"
 * (or "; used up"). -EINVAL when a field is missing or malformed. */
int wgm_ctl_token_used_text(const json_t *ev, char *out, size_t outlen);

/* The status reply (and the "status" event), defined once. Strings are
 * owned by the struct only while the JSON it came from lives. */
struct wgm_ctl_status {
	long long id;          /* -1: node not initialised */
	const char *loopback4; /* "" when unknown */
	const char *loopback6;
	const char *version;
	long long uptime; /* seconds */
	const char *bird; /* "up" | "down" | "unknown" */
	long long links_up;
	long long links_total;
	long long nodes;
	const char *mesh; /* "off" | "waiting" | "building" | "done" */
	bool proximity;   /* a proximity cutoff is in force: */
	double proximity_cutoff_ms;
};

/* Adds the status fields to obj (a reply or an event). */
int wgm_ctl_status_fill(json_t *obj, const struct wgm_ctl_status *st);
/* Reads and validates them; pointers borrow from obj. */
int wgm_ctl_status_parse(const json_t *obj, struct wgm_ctl_status *st, char *err, size_t errlen);

#endif
