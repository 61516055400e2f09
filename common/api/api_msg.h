/* The node API's messages, defined once for both sides: C structs, their JSON
 * form (the payload inside the envelope, see api_envelope.h), strict decoding
 * with a one-line reason for a 400, and the status codes.
 *
 * Decoders ignore fields they do not know (the envelope's "ts", "route" and the
 * credentials live in the same object) and type-check every field they do. */
#ifndef WGM_COMMON_API_MSG_H
#define WGM_COMMON_API_MSG_H

#include <jansson.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/wg/wg.h"

#define WGM_API_ROUTE_CONNECTIVITY "/connectivity"
#define WGM_API_ROUTE_CONNECT "/connect"
#define WGM_API_ROUTE_UPDATE "/update"
#define WGM_API_ROUTE_DISCONNECT "/disconnect"
#define WGM_API_ROUTE_PEER_DISCONNECT "/peer_disconnect"
#define WGM_API_ROUTE_CERTIFY "/certify"
#define WGM_API_ROUTE_TRUST "/trust"

/* HTTP status codes with the original's meanings, and the few plain HTTP ones
 * the server also needs. */
enum wgm_api_status {
	WGM_API_OK = 200,
	WGM_API_BAD_FIELD = 400,
	WGM_API_BAD_TOKEN = 401, /* also: not a member, replayed, stale, box does not open */
	WGM_API_BLOCKED = 403,   /* too many failures from this address */
	WGM_API_NOT_FOUND = 404, /* no such route, or no such link */
	WGM_API_BAD_METHOD = 405,
	WGM_API_LINK_EXISTS = 412,
	WGM_API_TOO_LARGE = 413,
	WGM_API_ID_COLLISION = 416, /* first join with an ID already in the mesh */
	WGM_API_NO_SUBNET = 500,    /* no free link subnet or port */
	WGM_API_BUSY = 503,         /* connection or replay-cache limits */
};

/* Short fixed reason for a status ("bad field", "link already exists", ...). */
const char *wgm_api_status_reason(int status);
/* Maps the negative errno of the envelope and auth functions to a status:
 * -EMSGSIZE 413, -EACCES/-EALREADY 401, -ENOSPC 503, else 400. */
int wgm_api_status_from_errno(int rc);

#define WGM_API_ID_MAX 255 /* node IDs: 10.0.ID.1 */

enum wgm_link_type {
	WGM_LINK_DEFAULT = 0,
	WGM_LINK_WGOBFS,
	WGM_LINK_IPT_XOR,
	WGM_LINK_AMNEZIAWG,
	WGM_LINK_TYPE_COUNT,
};
#define WGM_LINK_TYPE_BIT(t) (1u << (t))

const char *wgm_link_type_name(enum wgm_link_type type); /* "default", "wgobfs", "ipt_xor", "amneziawg" */
int wgm_link_type_from_name(const char *name, enum wgm_link_type *type); /* 0 or -EINVAL */
/* wgobfs and ipt_xor links need a shared obfuscation key. */
bool wgm_link_type_needs_obfs_key(enum wgm_link_type type);
/* The type a new link gets: PREFERRED when both ends accept it (sets of
 * WGM_LINK_TYPE_BIT), else default, which every node accepts (the original's
 * rule, Class/wireguard.py connect()). */
enum wgm_link_type wgm_link_type_choose(enum wgm_link_type preferred, uint32_t local_types, uint32_t remote_types);
/* The operator's fix when a node refuses TYPE, one line: "node 0 does not
 * accept link type wgobfs (enable it there with: wgmesh enable wgobfs)". */
void wgm_link_type_refusal(unsigned node_id, enum wgm_link_type type, char *out, size_t outlen);

enum wgm_transport {
	WGM_TRANSPORT_V4 = 0,
	WGM_TRANSPORT_V6,
};
const char *wgm_transport_name(enum wgm_transport t); /* "v4", "v6" */

/* A link as both sides name it: the caller's node ID and the transport
 * (the server calls it pipe<caller_id>[v6], the caller pipe<server_id>[v6]). */
struct wgm_msg_link_ref {
	int caller_id;
	enum wgm_transport transport;
};

/* POST /connectivity: plain (not boxed), request body {} */
struct wgm_msg_connectivity_reply {
	int node_id;
	bool has_ipv4, has_ipv6;
	struct in_addr ipv4; /* public underlay addresses, when known */
	struct in6_addr ipv6;
	uint32_t link_types;   /* WGM_LINK_TYPE_BIT set */
	struct in_addr subnet; /* the mesh subnet, e.g. 10.0.0.0/16 */
	int subnet_prefix;
	uint8_t api_pk[32];
	bool accepts_joins;
};

#define WGM_MSG_PEER_USED_MAX 64
#define WGM_MSG_URL_MAX 256

/* POST /connect (boxed; plus "token" or "mac", see api_auth.h) */
struct wgm_msg_connect_req {
	int caller_id;
	uint8_t wg_pk[WGM_WG_KEY_LEN]; /* the caller's WireGuard public key for this link */
	enum wgm_link_type link_type;
	uint16_t port; /* wanted server listen port, 0 = server picks */
	enum wgm_transport transport;
	bool first_join;
	/* A peering join (`wgmesh peer`, docs/api.md): a token join that makes
	 * no member, only a BGP link. AS is the caller's mesh's AS number;
	 * PEER_USED the addresses of the caller's own peering links, which the
	 * new /31 must avoid; API_URL http(s)://HOST:PORT. */
	bool peer;
	uint32_t as;
	char api_url[WGM_MSG_URL_MAX]; /* where the caller's API answers /peer_disconnect */
	struct in_addr peer_used[WGM_MSG_PEER_USED_MAX];
	size_t n_peer_used;
};

struct wgm_msg_connect_reply {
	int server_id;
	uint8_t wg_pk[WGM_WG_KEY_LEN]; /* the server's WireGuard public key */
	uint8_t psk[WGM_WG_KEY_LEN];   /* secret */
	bool has_obfs_key;             /* exactly when the link type needs one */
	uint8_t obfs_key[32];          /* secret; common/api/obfs_key.h */
	struct in_addr server_addr4;   /* the /31: server even, client = server + 1 */
	struct in_addr client_addr4;
	struct in6_addr server_addr6; /* the /127: server even, client = server + 1 */
	struct in6_addr client_addr6;
	uint16_t server_port; /* 1-65535 */
	bool has_mesh_key;    /* only in the reply to a joiner */
	uint8_t mesh_key[32]; /* secret */
	uint32_t mesh_epoch;  /* its epoch (common/api/mesh_key.h); 0 is not sent */
	uint32_t peer_as;     /* a peering join's reply only: the server's AS; else 0 */
};

/* PATCH /update (boxed, member): at least one change. */
struct wgm_msg_update_req {
	struct wgm_msg_link_ref link;
	bool has_port, has_obfs_key, has_cost;
	uint16_t port; /* 1-65535 */
	/* secret: the link's new key (XOR key rotation). With
	 * obfs_key_settled, the key the link already has: the rotation is
	 * over, the old key is forgotten. The same key again without it is a
	 * retried call and changes nothing. */
	uint8_t obfs_key[32];
	bool obfs_key_settled;
	uint32_t cost; /* 0-65535 */
};

/* POST /disconnect (boxed, member). With wg_pk, only the link whose peer
 * is that WireGuard key goes: a joiner abandoning a link it could not
 * finish names its own end, so a newer link of the pair is never hit. */
struct wgm_msg_disconnect_req {
	struct wgm_msg_link_ref link;
	bool has_wg_pk;
	uint8_t wg_pk[WGM_WG_KEY_LEN];
};

/* Encoders return a new object (NULL on allocation failure or a value out of
 * range). Decoders return 0 or -EINVAL with one line in err naming the field
 * ("port: 70000 is not a port (0-65535)"); secrets are never quoted. */
json_t *wgm_msg_connectivity_reply_encode(const struct wgm_msg_connectivity_reply *m);
int wgm_msg_connectivity_reply_decode(const json_t *j, struct wgm_msg_connectivity_reply *m, char *err, size_t errlen);

json_t *wgm_msg_connect_req_encode(const struct wgm_msg_connect_req *m);
int wgm_msg_connect_req_decode(const json_t *j, struct wgm_msg_connect_req *m, char *err, size_t errlen);

json_t *wgm_msg_connect_reply_encode(const struct wgm_msg_connect_reply *m);
int wgm_msg_connect_reply_decode(const json_t *j, struct wgm_msg_connect_reply *m, char *err, size_t errlen);

json_t *wgm_msg_update_req_encode(const struct wgm_msg_update_req *m);
int wgm_msg_update_req_decode(const json_t *j, struct wgm_msg_update_req *m, char *err, size_t errlen);

json_t *wgm_msg_disconnect_req_encode(const struct wgm_msg_disconnect_req *m);
int wgm_msg_disconnect_req_decode(const json_t *j, struct wgm_msg_disconnect_req *m, char *err, size_t errlen);

/* Checks a decoded /connect reply against the request it answers: an
 * obfuscation key exactly when the link type needs one, a mesh key exactly
 * when the caller joined by token. 0 or -EINVAL with one line in err. */
int wgm_msg_connect_reply_matches(const struct wgm_msg_connect_reply *reply, const struct wgm_msg_connect_req *req,
				  bool joined_by_token, char *err, size_t errlen);

/* Wipes the secrets a message may hold. */
void wgm_msg_connect_reply_wipe(struct wgm_msg_connect_reply *m);
void wgm_msg_update_req_wipe(struct wgm_msg_update_req *m);

#endif
