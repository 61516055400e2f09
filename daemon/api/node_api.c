#include "daemon/api/node_api.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "common/api/api_auth.h"
#include "common/api/api_awg.h"
#include "common/api/api_b64.h"
#include "common/api/api_msg.h"
#include "common/api/obfs_key.h"
#include "common/api/json_secret.h"
#include "common/wg/keys.h"
#include "common/util/log.h"
#include "daemon/api/api_call.h"
#include "daemon/api/api_guard.h"
#include "daemon/core/counters.h"
#include "daemon/api/member_authz.h"
#include "daemon/api/replay_store.h"
#include "daemon/api/trust_admins.h"

#define REPLAY_CAPACITY 4096

struct node_api {
	struct node_api_deps deps;
	struct http_server *http;
	struct wgm_replay_cache *replay;
	struct wgm_api_guard *guard;
	struct pending_connect *saving; /* joins waiting for their token's use to be on disk */
	struct pending_member *relays;  /* /certify calls relayed towards the admin */
	struct later_removal *removals; /* links a /disconnect answered, going shortly */
};

/* One /connect waiting for its link to come up. */
struct pending_connect {
	struct node_api *api;
	struct http_request *http;
	struct wgm_api_request req;
	enum wgm_api_caller_kind kind;
	char token_id[WGM_TOKEN_ID_LEN + 1];
	struct wgm_msg_connect_req msg;
	bool replaced; /* a stale link of the caller was removed once already */
	struct wgm_msg_connect_reply reply;
	struct wgm_awg_params awg; /* amneziawg links; secret */
	char name[LINK_NAME_MAX + 1];
	struct pending_connect *prev_saving, *next_saving;
	bool saving;
	uint32_t cert_id;     /* a member caller's certified node ID */
	bool has_cert;        /* a joiner's certificate, issued */
	uint32_t certify_via; /* the node its /certify was sent to */
	int certify_tries;    /* /certify calls made for it */
	struct wgm_cert cert;
};

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

/* The refusal log is rate-limited by the guard (a flood of junk must not
 * flood the journal): a few lines per interval, then one summary line. */
static void refuse(struct http_request *http, int status, const char *reason)
{
	struct node_api *api = http_request_route_ctx(http);
	unsigned dropped = 0;

	/* No API (the request was abandoned at shutdown): nobody sees it. */
	if (api && wgm_api_guard_log_allow(api->guard, now_s(), &dropped)) {
		if (dropped)
			log_info("node API: %u more refusals in the last interval were not logged", dropped);
		log_info("node API: %s %s from %s refused (%d): %s", http_request_method(http), http_request_path(http),
			 http_request_client_ip(http), status, reason);
	}
	http_request_reply_error(http, (unsigned)status, "%s", reason);
}

/* ---- blocking: addresses that fail repeatedly (docs/api.md) ---- */

static bool guard_gate(const char *client_ip, const char **reason, void *ctx)
{
	struct node_api *api = ctx;
	struct wgm_guard_addr addr;

	if (wgm_guard_addr_from_text(client_ip, &addr) < 0)
		return true;
	if (!wgm_api_guard_blocked(api->guard, &addr, now_s(), NULL))
		return true;
	*reason = "blocked after repeated failures; try again in a few minutes";
	return false;
}

/* Every 4xx counts, whatever produced it (a bad token, junk, a wrong route,
 * an oversized body); the 403s of a block do not prolong it. */
static void guard_outcome(const char *client_ip, unsigned status, void *ctx)
{
	struct node_api *api = ctx;
	struct wgm_guard_addr addr;

	counters_api_request(api->deps.counters, status);
	if (status < 400 || status >= 500 || status == 403)
		return;
	if (wgm_guard_addr_from_text(client_ip, &addr) < 0)
		return;
	switch (wgm_api_guard_fail(api->guard, &addr, now_s(), randombytes_random())) {
	case WGM_GUARD_BLOCKED:
		log_notice("node API: %s blocked after repeated failures", client_ip);
		break;
	case WGM_GUARD_BLOCKED_48: {
		struct in6_addr p48 = { 0 };
		char text[INET6_ADDRSTRLEN];
		memcpy(p48.s6_addr, addr.bytes, 6);
		inet_ntop(AF_INET6, &p48, text, sizeof(text));
		log_notice(
			"node API: %s blocked after repeated failures, and with it %s/48 (several of its /64s are blocked)",
			client_ip, text);
		break;
	}
	case WGM_GUARD_COUNTED:
		break;
	}
}

/* Connections count per IPv4 address and per IPv6 /64 (libmicrohttpd's own
 * limit is per exact address, so one /64 could hold every slot). */
static int guard_conn_open(const char *client_ip, void *ctx)
{
	struct node_api *api = ctx;
	struct wgm_guard_addr addr;

	if (wgm_guard_addr_from_text(client_ip, &addr) < 0)
		return 0;
	return wgm_api_guard_conn_open(api->guard, &addr, now_s());
}

static void guard_conn_close(const char *client_ip, void *ctx)
{
	struct node_api *api = ctx;
	struct wgm_guard_addr addr;

	if (wgm_guard_addr_from_text(client_ip, &addr) == 0)
		wgm_api_guard_conn_close(api->guard, &addr);
}

/* ---- /connectivity: public facts, nothing boxed ---- */

/* The caller's optional challenge: {} or {"challenge":B64}. 0 or -EINVAL. */
static int connectivity_challenge(struct http_request *http, uint8_t challenge[WGM_API_NONCE_LEN], bool *has)
{
	json_t *req = json_loadb(http_request_body(http), http_request_body_len(http), 0, NULL);
	const json_t *c = json_object_get(req, "challenge");
	int rc = 0;

	*has = false;
	if (c) {
		rc = wgm_b64_decode_exact(json_string_value(c), challenge, WGM_API_NONCE_LEN) ? -EINVAL : 0;
		*has = rc == 0;
	}
	json_decref(req);
	return rc;
}

static void handle_connectivity(struct http_request *http, void *ctx)
{
	struct node_api *api = ctx;
	const struct wgm_config *cfg = api->deps.cfg;
	struct wgm_msg_connectivity_reply m = { .node_id = (int)cfg->id, .accepts_joins = true };
	uint8_t challenge[WGM_API_NONCE_LEN];
	bool has_challenge;
	json_t *body;

	m.has_ipv4 = cfg->connectivity_ipv4[0] && inet_pton(AF_INET, cfg->connectivity_ipv4, &m.ipv4) == 1;
	m.has_ipv6 = cfg->connectivity_ipv6[0] && inet_pton(AF_INET6, cfg->connectivity_ipv6, &m.ipv6) == 1;
	for (size_t i = 0; i < cfg->link_types_count; i++) {
		enum wgm_link_type t;
		if (wgm_link_type_from_name(cfg->link_types[i], &t) == 0)
			m.link_types |= WGM_LINK_TYPE_BIT(t);
	}
	m.subnet.s_addr = htonl(api->deps.plan->subnet);
	m.subnet_prefix = 16;
	memcpy(m.api_pk, api->deps.identity->api.pk, sizeof(m.api_pk));
	if (connectivity_challenge(http, challenge, &has_challenge) < 0) {
		refuse(http, 400, "challenge: not a base64 24-byte nonce");
		return;
	}
	body = wgm_msg_connectivity_reply_encode(&m);
	if (body && has_challenge) {
		/* A member asking through the mesh takes this node's API key
		 * only with proof that a member gave it. */
		char mac[WGM_API_MAC_B64_LEN + 1];
		wgm_api_auth_connectivity_mac(api->deps.identity->mesh_key, challenge, cfg->id, m.api_pk, mac);
		if (json_object_set_new(body, "mac", json_string(mac)) < 0 ||
		    (api->deps.identity->mesh_epoch &&
		     json_object_set_new(body, "epoch", json_integer(api->deps.identity->mesh_epoch)) < 0)) {
			json_decref(body);
			body = NULL;
		}
	}
	if (body && api->deps.identity->has_cert) {
		/* Who the mesh says this node is: buildup checks it. */
		char cert[WGM_TRUST_CERT_B64_MAX];
		wgm_cert_encode(&api->deps.identity->cert, cert);
		if (json_object_set_new(body, "cert", json_string(cert)) < 0) {
			json_decref(body);
			body = NULL;
		}
	}
	if (!body) {
		http_request_reply_error(http, 500, "cannot encode the reply");
		return;
	}
	http_request_reply_json(http, 200, body);
}

/* ---- the common front of boxed routes ---- */

/* The mesh key a member request's MAC is checked with: the one of the epoch
 * it names. A call under the previous key after its grace gets 403; one
 * under a newer key than this node has makes it fetch that key. */
static int member_key(struct node_api *api, const struct wgm_api_request *req, const uint8_t **key, int *status,
		      char *err, size_t errlen)
{
	uint32_t epoch;
	int rc;

	if (wgm_node_identity_payload_epoch(req->payload, &epoch) < 0) {
		snprintf(err, errlen, "epoch: not a number from 0 to 4294967295");
		*status = 400;
		return -EINVAL;
	}
	rc = wgm_node_identity_mesh_key(api->deps.identity, epoch, now_s(), key, err, errlen);
	if (rc == -EAGAIN)
		trust_store_fetch_key(api->deps.trust);
	*status = 403;
	return rc;
}

/* The key that answers REQ: the one it was made with (the current one when
 * that went out of its grace since). */
static const uint8_t *reply_key(const struct node_api *api, const struct wgm_api_request *req)
{
	const uint8_t *key = api->deps.identity->mesh_key;
	uint32_t epoch;
	char why[160];

	if (wgm_node_identity_payload_epoch(req->payload, &epoch) < 0 ||
	    wgm_node_identity_mesh_key(api->deps.identity, epoch, now_s(), &key, why, sizeof(why)) < 0)
		return api->deps.identity->mesh_key;
	return key;
}

/* Opens and authenticates a boxed request. On failure it has replied. */
static int open_boxed(struct node_api *api, struct http_request *http, const char *route, bool members_only,
		      struct wgm_api_request *req, enum wgm_api_caller_kind *kind, char token_id[WGM_TOKEN_ID_LEN + 1],
		      uint32_t *cert_id)
{
	const uint8_t *key = NULL;
	char err[256];
	bool join;
	int status, rc;

	rc = wgm_api_request_open(&api->deps.identity->api, route, http_request_body(http), http_request_body_len(http),
				  now_s(), NULL, req, err, sizeof(err));
	if (rc < 0) {
		refuse(http, wgm_api_status_from_errno(rc), err);
		return rc;
	}
	rc = wgm_api_auth_caller_kind(req, kind, err, sizeof(err));
	/* A token on /connect is a join, counted whatever its fate. */
	join = rc == 0 && *kind == WGM_API_CALLER_JOINER && !members_only;
	if (rc == 0 && *kind == WGM_API_CALLER_JOINER && members_only) {
		snprintf(err, sizeof(err), "%s is for mesh members only", route);
		rc = -EACCES;
	}
	if (rc == 0 && *kind == WGM_API_CALLER_JOINER)
		rc = wgm_api_auth_check_join(api->deps.tokens->store, api->replay, req, now_s(), token_id, err,
					     sizeof(err));
	else if (rc == 0 && (rc = member_key(api, req, &key, &status, err, sizeof(err))) < 0) {
		refuse(http, status, err);
		wgm_api_request_clear(req);
		return rc;
	} else if (rc == 0)
		rc = wgm_api_auth_check_member(key, api->deps.identity->api.pk, api->replay, req, now_s(), err,
					       sizeof(err));
	if (rc < 0) {
		if (join)
			counters_join_refused(api->deps.counters, (unsigned)wgm_api_status_from_errno(rc));
		refuse(http, wgm_api_status_from_errno(rc), err);
		wgm_api_request_clear(req);
		return rc;
	}
	/* The mesh key proves membership; the certificate, which member. */
	if (*kind == WGM_API_CALLER_MEMBER &&
	    trust_store_check_caller(api->deps.trust, req->payload, req->caller_pk, cert_id, err, sizeof(err)) < 0) {
		refuse(http, 403, err);
		wgm_api_request_clear(req);
		return -EACCES;
	}
	/* A joiner's use is saved by handle_connect, before it goes on. */
	/* On disk before the request acts, so a replay after a restart is
	 * refused too; failing that, memory still refuses it until then. */
	if (replay_store_save(api->deps.cfg->state_dir, api->replay, err, sizeof(err)) < 0)
		log_warn("node API: %s", err);
	return 0;
}

/* Seals PAYLOAD (taken) to the caller; MAC_KEY NULL for a joiner, else the
 * key the caller proved (the mesh key, or a peering link's). */
static void reply_sealed(struct node_api *api, struct http_request *http, const struct wgm_api_request *req,
			 const uint8_t *mesh_key, json_t *payload)
{
	char *body = NULL, err[256];

	if (!payload || wgm_api_auth_seal_reply(&api->deps.identity->api, req, mesh_key, payload, now_s(), &body, err,
						sizeof(err)) < 0) {
		wgm_json_decref_wiped(payload);
		http_request_reply_error(http, 500, "cannot seal the reply");
		return;
	}
	wgm_json_decref_wiped(payload);
	http_request_reply(http, 200, "application/json", body, strlen(body));
	free(body);
}

static void reply_boxed(struct node_api *api, struct http_request *http, const struct wgm_api_request *req,
			enum wgm_api_caller_kind kind, json_t *payload)
{
	reply_sealed(api, http, req, kind == WGM_API_CALLER_MEMBER ? reply_key(api, req) : NULL, payload);
}

/* ---- /connect ---- */

static void pending_free(struct pending_connect *pc)
{
	wgm_api_request_clear(&pc->req);
	wgm_msg_connect_reply_wipe(&pc->reply);
	sodium_memzero(&pc->awg, sizeof(pc->awg));
	free(pc);
}

static void connect_link_done(int rc, const char *err, void *ctx)
{
	struct pending_connect *pc = ctx;
	struct node_api *api = pc->api;

	if (rc < 0) {
		if (pc->kind == WGM_API_CALLER_JOINER) {
			/* A join that failed here must not burn the operator's token. */
			wgm_token_store_refund(api->deps.tokens->store, pc->token_id);
			tokens_save(api->deps.tokens);
			counters_join_refused(api->deps.counters, 500);
		}
		refuse(pc->http, 500, err && *err ? err : "link could not be created");
	} else {
		if (pc->kind == WGM_API_CALLER_JOINER) {
			counters_join_accepted(api->deps.counters);
			tokens_publish_used(api->deps.tokens, pc->token_id, (unsigned)pc->msg.caller_id, pc->name);
		}
		json_t *payload = wgm_msg_connect_reply_encode(&pc->reply);

		if (payload && pc->msg.link_type == WGM_LINK_AMNEZIAWG &&
		    wgm_msg_connect_reply_put_awg(payload, &pc->awg) < 0) {
			wgm_json_decref_wiped(payload);
			payload = NULL;
		}
		if (payload && pc->has_cert && trust_store_put_join_reply(api->deps.trust, payload, &pc->cert) < 0) {
			wgm_json_decref_wiped(payload);
			payload = NULL;
		}
		reply_boxed(api, pc->http, &pc->req, pc->kind, payload);
	}
	pending_free(pc);
}

static bool link_type_offered(const struct wgm_config *cfg, enum wgm_link_type type)
{
	for (size_t i = 0; i < cfg->link_types_count; i++)
		if (strcmp(cfg->link_types[i], wgm_link_type_name(type)) == 0)
			return true;
	return false;
}

/* Whether LINK's other end is the node whose API key sealed this request. */
static bool link_of_caller(const struct link *link, const uint8_t caller_pk[WGM_API_KEY_LEN])
{
	return link && member_authz_is_remote(&link->rec, caller_pk);
}

/* A link to ID over TRANSPORT whose other end is not the caller. */
static bool id_taken_by_other(struct links *links, unsigned id, enum wgm_transport transport,
			      const uint8_t caller_pk[WGM_API_KEY_LEN])
{
	struct link *link = links_find_remote(links, id, transport);

	return link && !link_of_caller(link, caller_pk);
}

/* What a link of any kind needs from this node: the link type and the transport. */
static int check_offer(const struct wgm_config *cfg, const struct wgm_msg_connect_req *m, char *err, size_t errlen)
{
	if (!link_type_offered(cfg, m->link_type)) {
		wgm_link_type_refusal(cfg->id, m->link_type, err, errlen);
		return 400;
	}
	if (m->transport == WGM_TRANSPORT_V4 ? !cfg->connectivity_ipv4[0] : !cfg->connectivity_ipv6[0]) {
		snprintf(err, errlen, "transport: node %u has no public IP%s address", cfg->id,
			 m->transport == WGM_TRANSPORT_V4 ? "v4" : "v6");
		return 400;
	}
	return 0;
}

/* A peering join (docs/api.md): a token join that makes a BGP link to a node
 * of another mesh. Its ID is of that mesh, so none of the member checks
 * apply (it may even equal ours); the interface name carries "Peer". */
static int check_peer_connect(struct node_api *api, const struct wgm_msg_connect_req *m, enum wgm_api_caller_kind kind,
			      char *name, bool *stale, char *err, size_t errlen)
{
	const struct wgm_config *cfg = api->deps.cfg;
	int status;

	*stale = false;
	if (kind != WGM_API_CALLER_JOINER) {
		snprintf(err, errlen, "peer: a peering link is made with a token only");
		return 400;
	}
	if (m->as == cfg->local_as) {
		snprintf(err, errlen, "as: both networks use AS %u; set localAS to another number on one of them",
			 (unsigned)m->as);
		return 400;
	}
	status = check_offer(cfg, m, err, errlen);
	if (status)
		return status;
	if (wgm_addrplan_ifname(api->deps.plan, (unsigned)m->caller_id, true, m->transport == WGM_TRANSPORT_V6, name) <
	    0) {
		snprintf(err, errlen, "id: no interface name for %d", m->caller_id);
		return 400;
	}
	if (links_find(api->deps.links, name)) {
		snprintf(err, errlen, "a peering link %s exists on node %u already", name, cfg->id);
		return 412;
	}
	return 0;
}

/* Checks a /connect request against this node; 0 or an HTTP status with
 * reason. *stale is set when the only obstacle is a link of ours to this same
 * caller (same API key) accepted earlier: the caller asks again because it
 * holds no end of it (it was killed before storing our reply, or lost its
 * state), so that link carries nothing and is replaced. */
static int check_connect(struct node_api *api, const struct wgm_msg_connect_req *m, enum wgm_api_caller_kind kind,
			 const uint8_t caller_pk[WGM_API_KEY_LEN], char *name, bool *stale, char *err, size_t errlen)
{
	struct link *existing;
	const struct wgm_config *cfg = api->deps.cfg;
	unsigned caller = (unsigned)m->caller_id;
	bool same_node;

	if (m->peer)
		return check_peer_connect(api, m, kind, name, stale, err, errlen);
	if (wgm_addrplan_check_id(api->deps.plan, caller, err, errlen) < 0)
		return 400;
	if (caller == cfg->id) {
		snprintf(err, errlen, "caller_id: %u is this node's own ID", caller);
		return 416;
	}
	if (addrplan_is_client(cfg->id) && !addrplan_is_client(caller)) {
		snprintf(err, errlen, "node %u is a client (ID >= %d) and accepts no links", cfg->id,
			 WGM_ADDRPLAN_CLIENT_ID_MIN);
		return 400;
	}
	int offer = check_offer(cfg, m, err, errlen);
	if (offer)
		return offer;
	if (wgm_addrplan_ifname(api->deps.plan, caller, false, m->transport == WGM_TRANSPORT_V6, name) < 0) {
		snprintf(err, errlen, "caller_id: no interface name for %u", caller);
		return 400;
	}
	*stale = false;
	existing = links_find(api->deps.links, name);
	same_node = existing && existing->rec.role == LINK_ROLE_SERVER && link_of_caller(existing, caller_pk);
	/* A first join may not take an ID the mesh already has: that node would
	 * lose its routes. Checked before "link exists", which would otherwise
	 * hide the real reason; the same node coming back is not a collision.
	 * Members' later links are to known IDs by design. The caller's
	 * first_join is not trusted: a token joiner that says it has links
	 * must still not take an ID the mesh has. */
	if (kind == WGM_API_CALLER_JOINER && !same_node &&
	    (id_taken_by_other(api->deps.links, caller, WGM_TRANSPORT_V4, caller_pk) ||
	     id_taken_by_other(api->deps.links, caller, WGM_TRANSPORT_V6, caller_pk) ||
	     (api->deps.id_in_mesh && api->deps.id_in_mesh(caller, api->deps.ctx)))) {
		snprintf(err, errlen, "ID %u is already in use in this mesh", caller);
		return 416;
	}
	/* An ID this node knows under another API key is not the caller's,
	 * whatever it proves (the mesh key is shared by every member). */
	const struct link_record *known[2] = { NULL, NULL };
	struct link *k4 = links_find_remote(api->deps.links, caller, WGM_TRANSPORT_V4);
	struct link *k6 = links_find_remote(api->deps.links, caller, WGM_TRANSPORT_V6);
	known[0] = k4 ? &k4->rec : NULL;
	known[1] = k6 ? &k6->rec : NULL;
	int status = member_authz_claimed_id(caller, known, 2, caller_pk, err, errlen);
	if (status)
		return status;
	if (same_node && !(api->deps.outgoing_wins && api->deps.outgoing_wins(caller, m->transport, api->deps.ctx))) {
		*stale = true;
		return 0;
	}
	if (existing || (api->deps.outgoing_wins && api->deps.outgoing_wins(caller, m->transport, api->deps.ctx))) {
		snprintf(err, errlen, "a link %s between node %u and node %u already exists", name, cfg->id, caller);
		return 412;
	}
	return 0;
}

/* A peering link's /31 from subnetPeer, free among this node's peering links
 * and those the caller reported, and the /127 made from it. */
static int peer_addresses(struct node_api *api, const struct wgm_msg_connect_req *m, struct wgm_addrplan_link_v4 *l4,
			  struct wgm_addrplan_link_v6 *l6)
{
	struct in_addr used[2 * 512 + WGM_MSG_PEER_USED_MAX];
	size_t n = links_used_peer_addrs(api->deps.links, used, 2 * 512);
	int slot;

	memcpy(used + n, m->peer_used, m->n_peer_used * sizeof(used[0]));
	n += m->n_peer_used;
	slot = wgm_addrplan_free_peer_slot(api->deps.plan, api->deps.cfg->id, used, n);
	if (slot < 0 || wgm_addrplan_peer_link_v4(api->deps.plan, api->deps.cfg->id, (unsigned)slot, l4) < 0)
		return -ENOSPC;
	wgm_addrplan_peer_link_v6(api->deps.plan, l4, l6);
	return 0;
}

/* Picks the /31, /127 and port and makes the keys of a new server link. */
static int allocate_link(struct node_api *api, const struct wgm_msg_connect_req *m, const char *name,
			 struct link_record *rec, struct wgm_msg_connect_reply *reply, struct wgm_awg_params *awg,
			 char *err, size_t errlen)
{
	const struct wgm_config *cfg = api->deps.cfg;
	unsigned slots[512];
	uint16_t ports[512];
	size_t n_slots = links_used_slots(api->deps.links, cfg->id, slots, 512);
	size_t n_ports = links_used_ports(api->deps.links, ports, 512);
	struct wgm_addrplan_link_v4 l4;
	struct wgm_addrplan_link_v6 l6;
	int slot, port;

	if (m->peer) {
		if (peer_addresses(api, m, &l4, &l6) < 0) {
			snprintf(err, errlen, "node %u has no free peering subnet left in subnetPeer", cfg->id);
			return 500;
		}
	} else {
		slot = wgm_addrplan_free_link_slot(api->deps.plan, slots, n_slots);
		if (slot < 0 || wgm_addrplan_link_v4(api->deps.plan, cfg->id, (unsigned)slot, &l4) < 0 ||
		    wgm_addrplan_link_v6(api->deps.plan, cfg->id, (unsigned)slot, &l6) < 0) {
			snprintf(err, errlen, "node %u has no free link subnet left", cfg->id);
			return 500;
		}
	}
	if (m->port) {
		port = m->port;
		/* Only ports of our range: the caller must not make this node
		 * listen on a port some other service wants. */
		if (wgm_addrplan_check_port(cfg->base_port, (unsigned)port, err, errlen) < 0)
			return 400;
		for (size_t i = 0; i < n_ports; i++) {
			if (ports[i] == port) {
				snprintf(err, errlen, "port: %u is taken on node %u", port, cfg->id);
				return 400;
			}
		}
	} else {
		port = wgm_addrplan_choose_port(cfg->base_port, ports, n_ports, randombytes_random());
		if (port < 0) {
			snprintf(err, errlen, "node %u has no free port left", cfg->id);
			return 500;
		}
	}
	memset(rec, 0, sizeof(*rec));
	snprintf(rec->name, sizeof(rec->name), "%s", name);
	rec->remote_id = (unsigned)m->caller_id;
	rec->role = LINK_ROLE_SERVER;
	rec->transport = m->transport;
	rec->link_type = m->link_type;
	rec->listen_port = (uint16_t)port;
	rec->local4 = l4.server.addr;
	rec->remote4 = l4.client.addr;
	rec->local6 = l6.server.addr;
	rec->remote6 = l6.client.addr;
	rec->mtu = LINK_MTU_DEFAULT;
	rec->cost_override = LINK_COST_NONE;
	rec->created = now_s();
	rec->peer = m->peer;
	rec->remote_as = m->peer ? m->as : 0;
	if (m->peer)
		snprintf(rec->remote_api_url, sizeof(rec->remote_api_url), "%s", m->api_url);
	memcpy(rec->peer_public_key, m->wg_pk, LINK_KEY_LEN);
	if (wgm_key_generate_private(rec->private_key) < 0 || wgm_key_generate_preshared(rec->psk) < 0) {
		snprintf(err, errlen, "cannot generate keys");
		return 500;
	}
	if (wgm_link_type_needs_obfs_key(m->link_type)) {
		if (wgm_obfs_key_generate(rec->obfs_key) < 0) {
			snprintf(err, errlen, "cannot generate keys");
			return 500;
		}
		rec->has_obfs_key = true;
	}
	if (m->link_type == WGM_LINK_AMNEZIAWG) {
		/* Made here, per link, from the rules both ends check. */
		wgm_awg_params_random((uint8_t)cfg->amneziawg_version, &rec->awg, NULL);
		if (wgm_awg_params_check(&rec->awg, err, errlen) < 0)
			return 500;
		*awg = rec->awg;
	}

	memset(reply, 0, sizeof(*reply));
	reply->server_id = (int)cfg->id;
	wgm_key_public(reply->wg_pk, rec->private_key);
	memcpy(reply->psk, rec->psk, sizeof(reply->psk));
	reply->has_obfs_key = rec->has_obfs_key;
	memcpy(reply->obfs_key, rec->obfs_key, sizeof(reply->obfs_key));
	reply->server_addr4 = l4.server.addr;
	reply->client_addr4 = l4.client.addr;
	reply->server_addr6 = l6.server.addr;
	reply->client_addr6 = l6.client.addr;
	reply->server_port = (uint16_t)port;
	reply->peer_as = m->peer ? cfg->local_as : 0;
	return 0;
}

static void connect_proceed(struct pending_connect *pc);

static void connect_refuse(struct pending_connect *pc, int status, const char *err)
{
	struct node_api *api = pc->api;

	if (pc->kind == WGM_API_CALLER_JOINER) {
		wgm_token_store_refund(api->deps.tokens->store, pc->token_id);
		tokens_save(api->deps.tokens);
		counters_join_refused(api->deps.counters, (unsigned)status);
	}
	refuse(pc->http, status, err);
	pending_free(pc);
}

static void stale_removed(int rc, const char *err, void *ctx)
{
	struct pending_connect *pc = ctx;

	if (rc < 0) {
		connect_refuse(pc, 500, err && *err ? err : "the earlier link could not be removed");
		return;
	}
	connect_proceed(pc);
}

static void pending_track(struct pending_connect *pc)
{
	struct node_api *api = pc->api;

	pc->saving = true;
	pc->next_saving = api->saving;
	if (api->saving)
		api->saving->prev_saving = pc;
	api->saving = pc;
}

static void saving_unlink(struct pending_connect *pc);

static int certify_ask(struct node_api *api, uint32_t id, const uint8_t pk[32], int hops, api_call_done_fn done,
		       void *ctx, uint32_t *via_id, char *err, size_t errlen);
/* Admins asked for one joiner's certificate before it gets 503. */
#define CERTIFY_TRIES_MAX 3

/* An admin's answer to /certify for the joiner PC waits with. */
static void certified(long status, const json_t *payload, const char *err, void *ctx)
{
	struct pending_connect *pc = ctx;
	char why[256];

	if (!pc->api) {
		pending_free(pc);
		return;
	}
	saving_unlink(pc);
	if (!payload) {
		snprintf(why, sizeof(why), "the mesh's admin did not certify node %d: %s", pc->msg.caller_id,
			 err ? err : "no answer");
		/* No answer: the next admin this node knows is asked (this one last). */
		if (status == 0)
			trust_admins_unreachable(pc->api->deps.trust, pc->certify_via);
		if (status == 0 && ++pc->certify_tries < CERTIFY_TRIES_MAX &&
		    certify_ask(pc->api, (uint32_t)pc->msg.caller_id, pc->req.caller_pk, 0, certified, pc,
				&pc->certify_via, why, sizeof(why)) == 0) {
			pending_track(pc);
			return;
		}
		connect_refuse(pc, 503, why);
		return;
	}
	if (wgm_cert_decode(json_string_value(json_object_get(payload, "cert")), &pc->cert) < 0 ||
	    pc->cert.node_id != (uint32_t)pc->msg.caller_id ||
	    sodium_memcmp(pc->cert.api_pk, pc->req.caller_pk, 32) != 0 ||
	    trust_store_learn(pc->api->deps.trust, &pc->cert, why, sizeof(why)) < 0) {
		connect_refuse(pc, 503, "the mesh's admin answered /certify with no valid certificate for the joiner");
		return;
	}
	pc->has_cert = true;
	connect_proceed(pc);
}

/* Asks for a certificate for (ID, PK): of the admin that certified this
 * node when this node joined it directly (at the URL it joined it at, which
 * works before OSPF routes the mesh), else of the node this node joined
 * (which relays it on the same way), else of the admin through the mesh. */
#define CERTIFY_HOPS_MAX 4 /* relays of one /certify: no loop between non-admins */

static int certify_ask(struct node_api *api, uint32_t id, const uint8_t pk[32], int hops, api_call_done_fn done,
		       void *ctx, uint32_t *via_id, char *err, size_t errlen)
{
	struct wgm_addrplan_v4 lo;
	uint32_t admin;
	uint8_t target_pk[32];
	char url[LINK_URL_MAX], pk_text[WGM_B64_KEY_LEN + 1];
	const struct link *via = NULL;
	json_t *payload;
	int rc;

	if (!trust_store_admin(api->deps.trust, &admin, target_pk) || !api->deps.http) {
		snprintf(err, errlen, "node %u is not an admin and knows none to certify a new member",
			 api->deps.cfg->id);
		return -ENOENT;
	}
	for (struct link *l = links_first(api->deps.links); l; l = l->next) {
		if (l->rec.peer || l->rec.role != LINK_ROLE_CLIENT || !l->rec.remote_api_url[0] ||
		    !l->rec.has_remote_api_pk || trust_admins_is_unreachable(api->deps.trust, l->rec.remote_id))
			continue;
		if (l->rec.remote_id == admin) {
			via = l;
			break;
		}
		if (!via)
			via = l;
	}
	if (via) {
		snprintf(url, sizeof(url), "%s", via->rec.remote_api_url);
		memcpy(target_pk, via->rec.remote_api_pk, 32);
	} else {
		wgm_addrplan_loopback_v4(api->deps.plan, admin, &lo);
		snprintf(url, sizeof(url), "http://%s:%u", lo.text, api->deps.cfg->listen_port);
	}
	wgm_b64_encode(pk, 32, pk_text, sizeof(pk_text));
	payload = json_pack("{s:i, s:s, s:i}", "id", (int)id, "api_pk", pk_text, "hops", hops);
	if (!payload) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	*via_id = via ? via->rec.remote_id : admin;
	log_info("node %u asks node %u to certify joining node %u (admin: node %u)", api->deps.cfg->id,
		 via ? via->rec.remote_id : admin, id, admin);
	rc = api_call_boxed(api->deps.http, api->deps.identity, url, "POST", WGM_API_ROUTE_CERTIFY, NULL, target_pk,
			    payload, done, ctx, err, errlen);
	json_decref(payload);
	return rc;
}

/* A new member's certificate: signed here on an admin, else asked of the
 * admin that certified this node, over the mesh. 0: have it; 1: asked,
 * connect_proceed runs again with the answer; else an HTTP status. */
static int admit(struct pending_connect *pc, char *err, size_t errlen)
{
	struct node_api *api = pc->api;
	uint32_t id = (uint32_t)pc->msg.caller_id;

	if (pc->has_cert || !trust_store_enabled(api->deps.trust))
		return 0;
	if (trust_store_may_admit(api->deps.trust, id, pc->req.caller_pk, err, errlen) < 0)
		return 403;
	if (api->deps.identity->is_admin) {
		if (trust_store_issue(api->deps.trust, id, pc->req.caller_pk, &pc->cert, err, errlen) < 0)
			return 403;
		pc->has_cert = true;
		return 0;
	}
	if (certify_ask(api, id, pc->req.caller_pk, 0, certified, pc, &pc->certify_via, err, errlen) < 0)
		return 503;
	pending_track(pc);
	return 1;
}

/* Checks, allocates and adds the link; replies (now or when it is up). */
static void connect_proceed(struct pending_connect *pc)
{
	struct node_api *api = pc->api;
	const struct wgm_msg_connect_req *m = &pc->msg;
	struct link_record rec;
	char err[256];
	bool stale;
	int status, rc;

	status = check_connect(api, m, pc->kind, pc->req.caller_pk, pc->name, &stale, err, sizeof(err));
	if (status) {
		connect_refuse(pc, status, err);
		return;
	}
	if (pc->cert_id != UINT32_MAX && pc->cert_id != (uint32_t)m->caller_id) {
		snprintf(err, sizeof(err), "certificate: the caller is node %u, not node %d", pc->cert_id,
			 m->caller_id);
		connect_refuse(pc, 403, err);
		return;
	}
	if (pc->kind == WGM_API_CALLER_JOINER && !m->peer) {
		status = admit(pc, err, sizeof(err));
		if (status == 1)
			return;
		if (status) {
			connect_refuse(pc, status, err);
			return;
		}
	}
	if (stale) {
		if (pc->replaced) {
			snprintf(err, sizeof(err), "a link %s to node %d is being replaced; try again", pc->name,
				 m->caller_id);
			connect_refuse(pc, 412, err);
			return;
		}
		pc->replaced = true;
		log_notice("node %d asks again for %s, which it does not hold: replacing it", m->caller_id, pc->name);
		rc = links_remove(api->deps.links, pc->name, stale_removed, pc);
		if (rc < 0) {
			snprintf(err, sizeof(err), "a link %s to node %d is being changed; try again", pc->name,
				 m->caller_id);
			connect_refuse(pc, rc == -EBUSY ? 412 : 503, err);
		}
		return;
	}
	status = allocate_link(api, m, pc->name, &rec, &pc->reply, &pc->awg, err, sizeof(err));
	if (status) {
		connect_refuse(pc, status, err);
		return;
	}
	memcpy(rec.remote_api_pk, pc->req.caller_pk, sizeof(rec.remote_api_pk));
	rec.has_remote_api_pk = true;
	if (pc->kind == WGM_API_CALLER_JOINER && !m->peer) {
		pc->reply.has_mesh_key = true;
		memcpy(pc->reply.mesh_key, api->deps.identity->mesh_key, sizeof(pc->reply.mesh_key));
		pc->reply.mesh_epoch = api->deps.identity->mesh_epoch;
	}
	rc = links_add(api->deps.links, &rec, connect_link_done, pc);
	link_record_wipe(&rec);
	if (rc < 0) {
		connect_refuse(pc, rc == -EEXIST ? 412 : 503, rc == -EEXIST ? "link already exists" : "out of memory");
		return;
	}
	log_notice("node %d connects as %s over %s (%s)", m->caller_id,
		   m->peer                             ? "a BGP peer of another network (token)"
		   : pc->kind == WGM_API_CALLER_JOINER ? "a new member (token)"
						       : "a member",
		   wgm_transport_name(m->transport), pc->name);
}

static void saving_unlink(struct pending_connect *pc)
{
	struct node_api *api = pc->api;

	if (!pc->saving)
		return;
	if (pc->prev_saving)
		pc->prev_saving->next_saving = pc->next_saving;
	else
		api->saving = pc->next_saving;
	if (pc->next_saving)
		pc->next_saving->prev_saving = pc->prev_saving;
	pc->saving = false;
}

/* The token's use is on disk (or could not be put there): only now may the
 * join go on, so that a crash after the reply cannot let the token work
 * again. api NULL: the node API stopped meanwhile. */
static void token_use_saved(int rc, const char *err, void *ctx)
{
	struct pending_connect *pc = ctx;

	if (!pc->api) {
		http_request_reply_error(pc->http, 503, "shutting down");
		pending_free(pc);
		return;
	}
	saving_unlink(pc);
	if (rc < 0) {
		connect_refuse(pc, 503, "cannot record the token's use on this node; try again");
		return;
	}
	connect_proceed(pc);
}

static void handle_connect(struct http_request *http, void *ctx)
{
	struct node_api *api = ctx;
	struct pending_connect *pc = calloc(1, sizeof(*pc));
	char err[256];

	if (!pc) {
		http_request_reply_error(http, 503, "out of memory");
		return;
	}
	pc->api = api;
	pc->http = http;
	pc->cert_id = UINT32_MAX;
	if (open_boxed(api, http, WGM_API_ROUTE_CONNECT, false, &pc->req, &pc->kind, pc->token_id, &pc->cert_id) < 0) {
		free(pc);
		return;
	}
	if (wgm_msg_connect_req_decode(pc->req.payload, &pc->msg, err, sizeof(err)) < 0) {
		connect_refuse(pc, 400, err);
		return;
	}
	if (pc->kind != WGM_API_CALLER_JOINER) {
		connect_proceed(pc);
		return;
	}
	if (tokens_save_then(api->deps.tokens, token_use_saved, pc) < 0) {
		connect_refuse(pc, 503, "out of memory");
		return;
	}
	pending_track(pc);
}

/* ---- /update and /disconnect: members only ---- */

struct pending_member {
	struct node_api *api;
	struct http_request *http;
	struct wgm_api_request req;
	uint32_t cert_id;                  /* UINT32_MAX: no mesh authority */
	struct pending_member *next_relay; /* a /certify relayed on (api->relays) */
	uint32_t relay_id;
	uint8_t relay_pk[32];
	uint32_t relay_via; /* the node the /certify was passed on to */
};

static void member_done(int rc, const char *err, void *ctx)
{
	struct pending_member *pm = ctx;

	if (rc < 0)
		refuse(pm->http, 500, err && *err ? err : "failed");
	else
		reply_boxed(pm->api, pm->http, &pm->req, WGM_API_CALLER_MEMBER, json_object());
	wgm_api_request_clear(&pm->req);
	free(pm);
}

static struct link *find_ref(struct node_api *api, const struct wgm_msg_link_ref *ref)
{
	return links_find_remote(api->deps.links, (unsigned)ref->caller_id, ref->transport);
}

/* The common start of a member route: opens and authenticates the request.
 * NULL when it has already been answered. */
static struct pending_member *member_begin(struct node_api *api, struct http_request *http, const char *route)
{
	struct pending_member *pm = calloc(1, sizeof(*pm));
	enum wgm_api_caller_kind kind;

	if (!pm) {
		http_request_reply_error(http, 503, "out of memory");
		return NULL;
	}
	pm->api = api;
	pm->http = http;
	pm->cert_id = UINT32_MAX;
	if (open_boxed(api, http, route, true, &pm->req, &kind, NULL, &pm->cert_id) < 0) {
		free(pm);
		return NULL;
	}
	return pm;
}

/* The link a member names, if it is the caller's own; else NULL after
 * answering 404 or 403. */
static struct link *member_link(struct pending_member *pm, const struct wgm_msg_link_ref *ref)
{
	struct link *link = find_ref(pm->api, ref);
	char err[128];

	char why[256];
	int status;

	if (!link) {
		snprintf(err, sizeof(err), "no %s link to node %d", wgm_transport_name(ref->transport), ref->caller_id);
		refuse(pm->http, 404, err);
		return NULL;
	}
	/* A member acts only on its own links, never on another node's. */
	status = member_authz_link(&link->rec, pm->req.caller_pk, why, sizeof(why));
	if (status) {
		refuse(pm->http, status, why);
		return NULL;
	}
	if (pm->cert_id != UINT32_MAX && pm->cert_id != (uint32_t)ref->caller_id) {
		snprintf(why, sizeof(why), "certificate: the caller is node %u, not node %d", pm->cert_id,
			 ref->caller_id);
		refuse(pm->http, 403, why);
		return NULL;
	}
	return link;
}

/* Answers a link change that could not be queued. */
static void refuse_queue(struct http_request *http, int rc)
{
	refuse(http, rc == -EBUSY ? 412 : 503, rc == -EBUSY ? "the link is being changed; try again" : "out of memory");
}

static void member_abandon(struct pending_member *pm)
{
	wgm_api_request_clear(&pm->req);
	free(pm);
}

/* A /disconnect or /peer_disconnect is answered before this end goes: the
 * link is often the only way the reply has back to the caller (a node's last
 * link, a joiner's, whose routes run through its sponsor, or a peer's whose
 * API is reached across the peering), and a reply sent after the removal was
 * lost, leaving the caller to wait out its timeout. The removal follows once
 * the reply had time to leave; a failure to remove is logged and kept on the
 * link (links.c). */
#define DISCONNECT_REPLY_LEAD_MS 300

struct later_removal {
	struct node_api *api;
	struct loop_timer *timer;
	char name[LINK_NAME_MAX + 1];
	struct later_removal *next;
};

static void later_removal_free(struct later_removal *lr)
{
	struct later_removal **pp = &lr->api->removals;

	while (*pp && *pp != lr)
		pp = &(*pp)->next;
	if (*pp)
		*pp = lr->next;
	loop_timer_free(lr->timer);
	free(lr);
}

static void later_removal_fire(struct loop *loop, struct loop_timer *timer, void *ctx)
{
	struct later_removal *lr = ctx;
	int rc = links_remove(lr->api->deps.links, lr->name, NULL, NULL);

	(void)loop;
	(void)timer;
	if (rc < 0 && rc != -ENOENT)
		log_err("link %s: cannot remove it after the other end asked to disconnect it: %s", lr->name,
			strerror(-rc));
	later_removal_free(lr);
}

/* 0, or -errno when the removal cannot even be scheduled (nothing answered). */
static int remove_after_reply(struct node_api *api, const struct link *link)
{
	struct later_removal *lr = calloc(1, sizeof(*lr));
	int rc;

	if (!lr)
		return -ENOMEM;
	lr->api = api;
	snprintf(lr->name, sizeof(lr->name), "%s", link->rec.name);
	rc = loop_timer_start(api->deps.loop, later_removal_fire, lr, DISCONNECT_REPLY_LEAD_MS, 0, &lr->timer);
	if (rc < 0) {
		free(lr);
		return rc;
	}
	lr->next = api->removals;
	api->removals = lr;
	return 0;
}

static void handle_disconnect(struct http_request *http, void *ctx)
{
	struct pending_member *pm = member_begin(ctx, http, WGM_API_ROUTE_DISCONNECT);
	struct wgm_msg_disconnect_req m;
	struct link *link;
	char err[256];
	int rc;

	if (!pm)
		return;
	if (wgm_msg_disconnect_req_decode(pm->req.payload, &m, err, sizeof(err)) < 0) {
		refuse(http, 400, err);
		goto out;
	}
	link = member_link(pm, &m.link);
	if (!link)
		goto out;
	if (m.has_wg_pk) {
		/* A joiner abandoning the link it could not finish: only that
		 * very link, never a newer one of the pair. */
		if (sodium_memcmp(link->rec.peer_public_key, m.wg_pk, sizeof(m.wg_pk)) != 0) {
			snprintf(err, sizeof(err), "no %s link to node %d with that WireGuard key",
				 wgm_transport_name(m.link.transport), m.link.caller_id);
			refuse(http, 404, err);
			goto out;
		}
		log_notice("node %d could not make its end of %s and asks to remove this one", m.link.caller_id,
			   link->rec.name);
	} else {
		log_notice("node %d asks to disconnect %s", m.link.caller_id, link->rec.name);
	}
	rc = remove_after_reply(pm->api, link);
	if (rc == 0) {
		member_done(0, NULL, pm);
		return;
	}
	refuse_queue(http, rc);
out:
	member_abandon(pm);
}

/* ---- /peer_disconnect: the other end of a peering link, which is no member ---- */

/* The caller proves the link: its API key is the one the link was made with
 * and its MAC is under the link's preshared key, which only the two ends hold. */
static void handle_peer_disconnect(struct http_request *http, void *ctx)
{
	struct node_api *api = ctx;
	struct wgm_api_request req = { 0 };
	struct wgm_msg_disconnect_req m;
	char err[256], name[LINK_NAME_MAX + 1];
	struct link *link = NULL;
	int rc;

	rc = wgm_api_request_open(&api->deps.identity->api, WGM_API_ROUTE_PEER_DISCONNECT, http_request_body(http),
				  http_request_body_len(http), now_s(), NULL, &req, err, sizeof(err));
	if (rc < 0) {
		refuse(http, wgm_api_status_from_errno(rc), err);
		return;
	}
	if (wgm_msg_disconnect_req_decode(req.payload, &m, err, sizeof(err)) < 0) {
		refuse(http, 400, err);
		goto out;
	}
	if (wgm_addrplan_ifname(api->deps.plan, (unsigned)m.link.caller_id, true, m.link.transport == WGM_TRANSPORT_V6,
				name) == 0)
		link = links_find(api->deps.links, name);
	if (!link || !link->rec.peer || !member_authz_is_remote(&link->rec, req.caller_pk)) {
		snprintf(err, sizeof(err), "no peering link of the caller's named for node %d", m.link.caller_id);
		refuse(http, 404, err);
		goto out;
	}
	rc = wgm_api_auth_check_member(link->rec.psk, api->deps.identity->api.pk, api->replay, &req, now_s(), err,
				       sizeof(err));
	if (rc < 0) {
		refuse(http, wgm_api_status_from_errno(rc), err);
		goto out;
	}
	if (replay_store_save(api->deps.cfg->state_dir, api->replay, err, sizeof(err)) < 0)
		log_warn("node API: %s", err);
	log_notice("the peer at the other end of %s asks to disconnect it", name);
	rc = remove_after_reply(api, link);
	if (rc == 0)
		reply_sealed(api, http, &req, link->rec.psk, json_object());
	else
		refuse_queue(http, rc);
out:
	wgm_api_request_clear(&req);
}

/* Applies an /update request to NEXT, a copy of the link's record: nothing
 * reaches the link unless every field is accepted. 0, or an HTTP status with
 * a one-line reason. */
static int update_validate(struct node_api *api, const struct link *link, const struct wgm_msg_update_req *m,
			   struct link_record *next, bool *key_changed, bool *key_settled, char *err, size_t errlen)
{
	*key_changed = *key_settled = false;
	if (m->has_obfs_key && !link->rec.has_obfs_key) {
		snprintf(err, errlen, "obfs_key: this link's type has no obfuscation key");
		return 400;
	}
	if (m->has_cost)
		next->cost_override = m->cost ? (int)m->cost : LINK_COST_NONE;
	if (m->has_obfs_key) {
		/* XOR key rotation (docs/link-types.md): a new key is sent with
		 * from now on, the old one still accepted; obfs_key_settled with
		 * the key the link has says the other end sends with it too. The
		 * same key again is a retried call. */
		bool same = sodium_memcmp(link->rec.obfs_key, m->obfs_key, LINK_KEY_LEN) == 0;

		if (m->obfs_key_settled && !same) {
			snprintf(err, errlen, "obfs_key_settled: that is not this link's key");
			return 400;
		}
		if (same) {
			*key_settled = m->obfs_key_settled;
		} else {
			memcpy(next->obfs_key, m->obfs_key, LINK_KEY_LEN);
			*key_changed = true;
		}
	}
	if (m->has_port && m->port != link->rec.listen_port) {
		/* The connecting side moves this end to a new port (self-repair);
		 * it then points its endpoint there. */
		uint16_t ports[512];
		size_t n = links_used_ports(api->deps.links, ports, 512);

		if (wgm_addrplan_check_port(api->deps.cfg->base_port, m->port, err, errlen) < 0)
			return 400;
		for (size_t i = 0; i < n; i++) {
			if (ports[i] == m->port) {
				snprintf(err, errlen, "port: %u is taken on node %u", m->port, api->deps.cfg->id);
				return 400;
			}
		}
		next->listen_port = m->port;
	}
	return 0;
}

static void handle_update(struct http_request *http, void *ctx)
{
	struct node_api *api = ctx;
	struct pending_member *pm = member_begin(api, http, WGM_API_ROUTE_UPDATE);
	struct wgm_msg_update_req m = { 0 };
	struct link_record next, old;
	bool key_changed, key_settled;
	struct link *link;
	char err[256];
	int rc, status;

	memset(&next, 0, sizeof(next));
	memset(&old, 0, sizeof(old));
	if (!pm)
		return;
	if (wgm_msg_update_req_decode(pm->req.payload, &m, err, sizeof(err)) < 0) {
		refuse(http, 400, err);
		goto out;
	}
	link = member_link(pm, &m.link);
	if (!link)
		goto out;
	next = link->rec;
	status = update_validate(api, link, &m, &next, &key_changed, &key_settled, err, sizeof(err));
	if (status) {
		refuse(http, status, err);
		goto out;
	}
	/* Accepted: commit the copy, and take it back if the change cannot
	 * even be queued. */
	old = link->rec;
	link->rec = next;
	log_notice("node %d updated %s%s", m.link.caller_id, link->rec.name,
		   key_changed   ? " (new obfuscation key)"
		   : key_settled ? " (obfuscation key confirmed)"
				 : "");
	rc = links_update(api->deps.links, link, member_done, pm);
	if (rc == 0) {
		if (key_changed)
			links_obfs_key_changed(api->deps.links, link, old.obfs_key);
		if (key_settled)
			links_obfs_key_settled(api->deps.links, link);
		goto wipe;
	}
	link->rec = old;
	refuse_queue(http, rc);
out:
	member_abandon(pm);
wipe:
	link_record_wipe(&next);
	link_record_wipe(&old);
	wgm_msg_update_req_wipe(&m);
}

/* ---- /certify: a member that accepted a token join asks an admin ---- */

static void relay_unlink(struct pending_member *pm)
{
	for (struct pending_member **pp = &pm->api->relays; *pp; pp = &(*pp)->next_relay) {
		if (*pp == pm) {
			*pp = pm->next_relay;
			return;
		}
	}
}

/* The answer to a /certify this node passed on: checked, then handed back. */
static void relayed(long status, const json_t *payload, const char *err, void *ctx)
{
	struct pending_member *pm = ctx;
	struct wgm_cert cert;
	char why[256], text[WGM_TRUST_CERT_B64_MAX];

	if (!pm->api) {
		member_abandon(pm);
		return;
	}
	relay_unlink(pm);
	if (!payload) {
		snprintf(why, sizeof(why), "the mesh's admin did not certify node %u: %s", pm->relay_id,
			 err ? err : "no answer");
		if (status == 0)
			trust_admins_unreachable(pm->api->deps.trust, pm->relay_via);
		refuse(pm->http, 503, why);
	} else if (wgm_cert_decode(json_string_value(json_object_get(payload, "cert")), &cert) < 0 ||
		   cert.node_id != pm->relay_id || sodium_memcmp(cert.api_pk, pm->relay_pk, 32) != 0 ||
		   trust_store_learn(pm->api->deps.trust, &cert, why, sizeof(why)) < 0) {
		refuse(pm->http, 503, "the mesh's admin answered /certify with no valid certificate");
	} else {
		wgm_cert_encode(&cert, text);
		reply_boxed(pm->api, pm->http, &pm->req, WGM_API_CALLER_MEMBER, json_pack("{s:s}", "cert", text));
	}
	member_abandon(pm);
}

static void handle_certify(struct http_request *http, void *ctx)
{
	struct node_api *api = ctx;
	struct pending_member *pm = member_begin(api, http, WGM_API_ROUTE_CERTIFY);
	const json_t *idv, *pkv;
	uint8_t pk[32];
	struct wgm_cert cert;
	char err[256], text[WGM_TRUST_CERT_B64_MAX];
	json_int_t id;

	if (!pm)
		return;
	idv = json_object_get(pm->req.payload, "id");
	pkv = json_object_get(pm->req.payload, "api_pk");
	if (!json_is_integer(idv) || (id = json_integer_value(idv)) < 0 || id > WGM_API_ID_MAX ||
	    wgm_b64_decode_exact(json_string_value(pkv), pk, sizeof(pk)) < 0) {
		refuse(http, 400, "certify: expected {\"id\":0-255,\"api_pk\":base64 32 bytes}");
		goto out;
	}
	if (!api->deps.identity->is_admin && trust_store_enabled(api->deps.trust)) {
		/* Not the admin: pass it on towards it, vouching as the caller did. */
		if (trust_store_may_admit(api->deps.trust, (uint32_t)id, pk, err, sizeof(err)) < 0) {
			refuse(http, 403, err);
			goto out;
		}
		json_int_t hops = json_integer_value(json_object_get(pm->req.payload, "hops"));

		if (hops < 0 || hops >= CERTIFY_HOPS_MAX) {
			refuse(http, 503, "certify: passed on too often without reaching an admin");
			goto out;
		}
		pm->relay_id = (uint32_t)id;
		memcpy(pm->relay_pk, pk, sizeof(pk));
		if (certify_ask(api, (uint32_t)id, pk, (int)hops + 1, relayed, pm, &pm->relay_via, err, sizeof(err)) <
		    0) {
			refuse(http, 503, err);
			goto out;
		}
		pm->next_relay = api->relays;
		api->relays = pm;
		return;
	}
	if (trust_store_issue(api->deps.trust, (uint32_t)id, pk, &cert, err, sizeof(err)) < 0) {
		refuse(http, 403, err);
		goto out;
	}
	log_notice("mesh authority: node %lld admitted through node %u", (long long)id, pm->cert_id);
	wgm_cert_encode(&cert, text);
	reply_boxed(api, http, &pm->req, WGM_API_CALLER_MEMBER, json_pack("{s:s}", "cert", text));
out:
	member_abandon(pm);
}

/* ---- /trust: revocations, plain (each one is signed by the mesh) ---- */

static void handle_trust(struct http_request *http, void *ctx)
{
	struct node_api *api = ctx;
	json_t *body = json_loadb(http_request_body(http), http_request_body_len(http), 0, NULL), *reply;
	char err[256];

	reply = trust_store_exchange(api->deps.trust, body, err, sizeof(err));
	json_decref(body);
	if (!reply) {
		refuse(http, 400, err);
		return;
	}
	http_request_reply_json(http, 200, reply);
}

int node_api_new(const struct node_api_deps *deps, struct node_api **out, char *err, size_t errlen)
{
	struct node_api *api = calloc(1, sizeof(*api));
	struct http_server_options opts = { 0 };
	struct wgm_api_guard_config guard_cfg;
	struct wgm_addrplan_v4 lo;
	int rc;

	if (!api) {
		snprintf(err, errlen, "node API: out of memory");
		return -ENOMEM;
	}
	api->deps = *deps;
	api->replay = wgm_replay_cache_new(REPLAY_CAPACITY, WGM_API_SKEW_DEFAULT);
	if (!api->replay) {
		free(api);
		snprintf(err, errlen, "node API: out of memory");
		return -ENOMEM;
	}
	/* A damaged file (never from our atomic writes) is reported and
	 * replaced: refusing to start would take the node out of the mesh. */
	if (replay_store_load(deps->cfg->state_dir, api->replay, err, errlen) < 0)
		log_err("node API: %s; starting with an empty replay cache", err);
	wgm_api_guard_config_default(&guard_cfg);
	api->guard = wgm_api_guard_new(&guard_cfg);
	if (!api->guard) {
		snprintf(err, errlen, "node API: out of memory");
		rc = -ENOMEM;
		goto fail;
	}
	wgm_addrplan_loopback_v4(deps->plan, deps->cfg->id, &lo);
	opts.address = deps->cfg->listen == WGM_LISTEN_PUBLIC ? "::" : lo.text;
	opts.port = deps->cfg->listen_port;
	opts.body_max = WGM_API_BODY_MAX;
	/* libmicrohttpd enforces these per exact address (a backstop); the
	 * guard's hooks below count per IPv4 address and IPv6 /64. */
	opts.per_ip_limit = guard_cfg.conns_per_addr;
	opts.connection_limit = guard_cfg.conns_total;
	rc = http_server_new(deps->loop, &opts, &api->http, err, errlen);
	if (rc < 0)
		goto fail;
	http_server_set_gate(api->http, guard_gate, api);
	http_server_set_outcome_hook(api->http, guard_outcome, api);
	http_server_set_conn_hooks(api->http, guard_conn_open, guard_conn_close, api);
	if ((rc = http_server_route(api->http, "POST", WGM_API_ROUTE_CONNECTIVITY, handle_connectivity, api)) < 0 ||
	    (rc = http_server_route(api->http, "POST", WGM_API_ROUTE_CONNECT, handle_connect, api)) < 0 ||
	    (rc = http_server_route(api->http, "PATCH", WGM_API_ROUTE_UPDATE, handle_update, api)) < 0 ||
	    (rc = http_server_route(api->http, "POST", WGM_API_ROUTE_DISCONNECT, handle_disconnect, api)) < 0 ||
	    (rc = http_server_route(api->http, "POST", WGM_API_ROUTE_PEER_DISCONNECT, handle_peer_disconnect, api)) <
		    0 ||
	    (rc = http_server_route(api->http, "POST", WGM_API_ROUTE_CERTIFY, handle_certify, api)) < 0 ||
	    (rc = http_server_route(api->http, "POST", WGM_API_ROUTE_TRUST, handle_trust, api)) < 0) {
		snprintf(err, errlen, "node API: %s", strerror(-rc));
		goto fail;
	}
	log_info("node API listening on %s port %u", opts.address, http_server_port(api->http));
	*out = api;
	return 0;
fail:
	node_api_free(api);
	return rc;
}

void node_api_free(struct node_api *api)
{
	if (!api)
		return;
	/* Relayed /certify calls are cancelled with the HTTP client, later. */
	for (struct pending_member *pm = api->relays; pm; pm = pm->next_relay)
		pm->api = NULL;
	/* Token saves still on the worker report after this: they find no API. */
	while (api->saving) {
		struct pending_connect *pc = api->saving;
		saving_unlink(pc);
		pc->api = NULL;
	}
	/* Links a /disconnect answered go now: their callers were told so. */
	while (api->removals) {
		struct later_removal *lr = api->removals;
		links_remove(api->deps.links, lr->name, NULL, NULL);
		later_removal_free(lr);
	}
	http_server_free(api->http);
	wgm_api_guard_free(api->guard);
	wgm_replay_cache_free(api->replay);
	free(api);
}

uint16_t node_api_port(const struct node_api *api)
{
	return http_server_port(api->http);
}
