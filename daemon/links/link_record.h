/* A link as the daemon stores it: one JSON file per link in stateDir/links/
 * (0600: it holds the private key, the preshared key, the obfuscation key and
 * the AmneziaWG parameters). The record is the desired state; interfaces are
 * made to match it at start and after changes. */
#ifndef WGM_DAEMON_LINK_RECORD_H
#define WGM_DAEMON_LINK_RECORD_H

#include <jansson.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/api/api_msg.h"
#include "common/obfs/obfs.h"

#define LINK_NAME_MAX 15
#define LINK_ENDPOINT_MAX 64 /* "[2001:db8::1]:51820" */
#define LINK_URL_MAX 256
#define LINK_KEY_LEN 32
#define LINK_COST_NONE (-1)

enum link_role {
	LINK_ROLE_SERVER, /* we accepted the connection: our block gave the /31 */
	LINK_ROLE_CLIENT, /* we connected: the remote's block gave the /31 */
};

struct link_record {
	char name[LINK_NAME_MAX + 1];
	unsigned remote_id;
	enum link_role role;
	enum wgm_transport transport;
	enum wgm_link_type link_type;
	uint16_t listen_port;
	uint8_t private_key[LINK_KEY_LEN]; /* secret */
	uint8_t peer_public_key[LINK_KEY_LEN];
	uint8_t psk[LINK_KEY_LEN];      /* secret */
	bool has_obfs_key;              /* wgobfs, ipt_xor */
	uint8_t obfs_key[LINK_KEY_LEN]; /* secret; common/api/obfs_key.h */
	/* XOR key rotation under way (daemon/links/xor_rotate.h): the key being
	 * agreed, kept across a restart so the rotation resumes with it; the
	 * engine accepts it inbound beside obfs_key meanwhile. Client end only. */
	bool has_obfs_key_next;
	uint8_t obfs_key_next[LINK_KEY_LEN]; /* secret */
	/* amneziawg: made by the accepting node; records from before per-link
	 * parameters read as wgm_awg_params_legacy (plain WireGuard). */
	struct wgm_awg_params awg;        /* secret */
	char endpoint[LINK_ENDPOINT_MAX]; /* client side: the server's; "" on the server */
	struct in_addr local4, remote4;   /* the /31 */
	struct in6_addr local6, remote6;  /* the /127 */
	unsigned mtu;
	int cost_override; /* LINK_COST_NONE or 1..65535 */
	bool drained;
	int64_t created;
	/* The other end completed a WireGuard handshake at least once. Kept
	 * because the device forgets it when it is recreated, and a link that
	 * ever worked is never removed as half-made (daemon/links/link_expiry.h).
	 * Records from before this field read as true. */
	bool handshaked;
	bool has_remote_api_pk;
	uint8_t remote_api_pk[LINK_KEY_LEN]; /* for member calls to the other end */
	char remote_api_url[LINK_URL_MAX];   /* "" when unknown */
	/* A BGP peering link (`wgmesh peer`) to a node of another mesh: no
	 * member, no OSPF; BIRD runs eBGP with REMOTE_AS over it. Records from
	 * before this field read as false. */
	bool peer;
	uint32_t remote_as; /* peer only: 1..4294967295 */
};

/* The JSON form (keys base64, addresses as text). NULL on ENOMEM. */
json_t *link_record_to_json(const struct link_record *rec);
/* Strict: every field type-checked; one line in err naming the field. */
int link_record_from_json(const json_t *json, struct link_record *rec, char *err, size_t errlen);
/* Wipes the secrets. */
void link_record_wipe(struct link_record *rec);

const char *link_role_name(enum link_role role);

#endif
