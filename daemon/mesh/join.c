#include "daemon/mesh/join.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "common/api/api_awg.h"
#include "common/api/api_msg.h"
#include "common/ctl/ctlproto.h"
#include "common/wg/keys.h"
#include "common/util/err.h"
#include "common/util/log.h"
#include "daemon/api/api_call.h"
#include "daemon/mesh/join_abort.h"

#define JOIN_MAX_TRANSPORTS 2

struct attempt {
	struct join *j;
	size_t skipped; /* transports that had a link already */
	bool by_token;
	bool peer;              /* a peering join (`wgmesh peer`): one BGP link, no membership */
	bool type_from_config;  /* mesh buildup: defaultLinkType where both ends accept it */
	struct wgm_token token; /* secret: wiped on free */
	char url[LINK_URL_MAX];
	enum wgm_link_type link_type;
	unsigned port;
	unsigned remote_id;   /* known after /connectivity */
	uint32_t reply_epoch; /* the epoch of the mesh key a /connect reply brought */
	bool remote_known;
	uint8_t remote_pk[WGM_API_KEY_LEN];
	struct in_addr remote4;
	struct in6_addr remote6;
	enum wgm_transport transports[JOIN_MAX_TRANSPORTS];
	size_t n_transports, current;
	bool superseded; /* lost a tie-break: the other side made the link */
	bool first_join;
	uint8_t challenge[WGM_API_NONCE_LEN]; /* for the /connectivity answer's MAC */
	struct link_record rec;               /* the link being made; secret */
	json_t *made;                         /* names of the links made */
	join_done_fn done;
	void *ctx;
	struct attempt *next;
};

struct join {
	struct join_deps deps;
	struct attempt *attempts;
};

/* Where the other end of a peering link reaches this node's API: its public
 * address when it listens there, else its loopback (through the peering,
 * when that network routes this mesh's subnet). */
static void own_api_url(const struct join *j, char *out, size_t len)
{
	const struct wgm_config *cfg = j->deps.cfg;

	if (cfg->listen == WGM_LISTEN_PUBLIC && cfg->connectivity_ipv4[0])
		snprintf(out, len, "http://%s:%u", cfg->connectivity_ipv4, cfg->listen_port);
	else if (cfg->listen == WGM_LISTEN_PUBLIC && cfg->connectivity_ipv6[0])
		snprintf(out, len, "http://[%s]:%u", cfg->connectivity_ipv6, cfg->listen_port);
	else
		join_member_url(j->deps.plan, cfg, cfg->id, out, len);
}

static void step_connect(struct attempt *a);

int join_new(const struct join_deps *deps, struct join **out)
{
	struct join *j = calloc(1, sizeof(*j));

	if (!j)
		return -ENOMEM;
	j->deps = *deps;
	*out = j;
	return 0;
}

static void attempt_free(struct attempt *a)
{
	wgm_token_wipe(&a->token);
	link_record_wipe(&a->rec);
	json_decref(a->made);
	free(a);
}

void join_free(struct join *j)
{
	if (!j)
		return;
	/* In-flight HTTP calls still hold their attempt: http_client_free,
	 * called before this, cancelled them. */
	while (j->attempts) {
		struct attempt *a = j->attempts;
		j->attempts = a->next;
		attempt_free(a);
	}
	free(j);
}

size_t join_active(const struct join *j)
{
	size_t n = 0;

	for (const struct attempt *a = j->attempts; a; a = a->next)
		n++;
	return n;
}

bool join_attempt_towards(const struct join *j, unsigned remote_id)
{
	for (const struct attempt *a = j->attempts; a; a = a->next)
		if (!a->peer && a->remote_known && a->remote_id == remote_id)
			return true;
	return false;
}

bool join_outgoing_wins(struct join *j, unsigned remote_id, enum wgm_transport transport)
{
	for (struct attempt *a = j->attempts; a; a = a->next) {
		if (a->peer || !a->remote_known || a->remote_id != remote_id || a->superseded)
			continue;
		for (size_t i = a->current; i < a->n_transports; i++) {
			if (a->transports[i] != transport)
				continue;
			if (j->deps.cfg->id < remote_id)
				return true;
			a->superseded = true;
			return false;
		}
	}
	return false;
}

void join_member_url(const struct wgm_addrplan *plan, const struct wgm_config *cfg, unsigned remote_id, char *out,
		     size_t len)
{
	struct wgm_addrplan_v4 lo;

	wgm_addrplan_loopback_v4(plan, remote_id, &lo);
	snprintf(out, len, "http://%s:%u", lo.text, cfg->listen_port);
}

static void unlink_attempt(struct attempt *a)
{
	for (struct attempt **pp = &a->j->attempts; *pp; pp = &(*pp)->next) {
		if (*pp == a) {
			*pp = a->next;
			return;
		}
	}
}

static void finish(struct attempt *a, int rc, const char *err)
{
	json_t *result = NULL;

	unlink_attempt(a);
	if (rc == 0) {
		result = json_pack("{s:i, s:O}", "remote_id", (int)a->remote_id, "links", a->made);
		if (a->j->deps.ctl) {
			json_t *event = wgm_ctl_event_new(WGM_CTL_EVENT_JOIN);
			json_object_set_new(event, "remote_id", json_integer(a->remote_id));
			json_object_set(event, "links", a->made);
			ctl_server_publish(a->j->deps.ctl, event);
		}
		if (a->by_token && !a->peer && a->j->deps.token_joined)
			a->j->deps.token_joined(a->remote_id, a->j->deps.token_joined_ctx);
	} else {
		log_warn("connect to %s failed: %s", a->url, err);
	}
	if (a->done)
		a->done(rc, result, err, a->ctx);
	json_decref(result);
	attempt_free(a);
}

static bool have_transport(const struct wgm_config *cfg, enum wgm_transport t)
{
	return t == WGM_TRANSPORT_V4 ? cfg->connectivity_ipv4[0] != '\0' : cfg->connectivity_ipv6[0] != '\0';
}

/* This node's side of the current link failed after the other node may have
 * made its end: ask it to take that end down (best effort). MESH_KEY is the
 * one the other node checks member calls with; NULL when this node does not
 * know it (a token join whose reply never came), and then the other node's
 * handshakeTimeout is the only cleanup. */
static void abandon_remote_end(struct attempt *a, const uint8_t *mesh_key)
{
	uint8_t wg_pk[LINK_KEY_LEN];
	const struct wgm_node_identity *self = a->j->deps.identity;
	struct join_abort ab = { .url = a->url,
				 .server_pk = a->remote_pk,
				 .mesh_key = mesh_key,
				 .mesh_epoch = mesh_key == self->mesh_key ? self->mesh_epoch : a->reply_epoch,
				 .self_id = a->j->deps.cfg->id,
				 .remote_id = a->remote_id,
				 .transport = a->transports[a->current],
				 .wg_pk = wg_pk,
				 .link_name = a->rec.name };

	/* A peer holds no mesh key; the other end's handshakeTimeout removes
	 * its half (docs/api.md). */
	if (!mesh_key || a->peer)
		return;
	wgm_key_public(wg_pk, a->rec.private_key);
	join_abort_send(a->j->deps.http, a->j->deps.identity, &ab);
}

/* The link types this node accepts, as a set of WGM_LINK_TYPE_BIT. */
static uint32_t config_link_types(const struct wgm_config *cfg)
{
	uint32_t set = WGM_LINK_TYPE_BIT(WGM_LINK_DEFAULT);

	for (size_t i = 0; i < cfg->link_types_count; i++) {
		enum wgm_link_type t;
		if (wgm_link_type_from_name(cfg->link_types[i], &t) == 0)
			set |= WGM_LINK_TYPE_BIT(t);
	}
	return set;
}

/* A member's connection takes the other node's API key from /connectivity
 * only when a member made the answer for our challenge (its MAC under the
 * mesh key), and only when it is the key our links to that node have. A token
 * join needs neither: the token names the key. True (and WHY) when refused. */
static bool connectivity_unproven(const struct attempt *a, const json_t *payload,
				  const struct wgm_msg_connectivity_reply *m, char *why, size_t whylen)
{
	int rc = wgm_node_identity_connectivity_check(a->j->deps.identity, payload, a->challenge, (unsigned)m->node_id,
						      m->api_pk, (int64_t)time(NULL));

	if (rc < 0) {
		snprintf(why, whylen, "/connectivity answer is not from a mesh member (%s)",
			 rc == -EINVAL ? "no MAC" : "its MAC does not verify");
		return true;
	}
	/* The MAC proves a member answered; the certificate, which one. */
	if (trust_store_check_answer(a->j->deps.trust, payload, (uint32_t)m->node_id, m->api_pk, why, whylen) < 0)
		return true;
	for (int t = WGM_TRANSPORT_V4; t <= WGM_TRANSPORT_V6; t++) {
		struct link *l = links_find_remote(a->j->deps.links, (unsigned)m->node_id, (enum wgm_transport)t);
		if (l && l->rec.has_remote_api_pk &&
		    sodium_memcmp(l->rec.remote_api_pk, m->api_pk, WGM_API_KEY_LEN) != 0) {
			snprintf(why, whylen, "node %d answers with another API key than link %s has", m->node_id,
				 l->rec.name);
			return true;
		}
	}
	return false;
}

static void on_connectivity(long status, const json_t *payload, const char *err, void *ctx)
{
	struct attempt *a = ctx;
	struct join *j = a->j;
	struct wgm_msg_connectivity_reply m;
	char why[256];

	if (!payload) {
		finish(a, -EHOSTUNREACH, err);
		return;
	}
	if (wgm_msg_connectivity_reply_decode(payload, &m, why, sizeof(why)) < 0) {
		char line[1024];
		snprintf(line, sizeof(line), "%s: bad /connectivity reply: %s", a->url, why);
		finish(a, -EPROTO, line);
		return;
	}
	if (a->by_token && sodium_memcmp(m.api_pk, a->token.api_pk, sizeof(m.api_pk)) != 0) {
		char line[1024];
		snprintf(line, sizeof(line), "%s is not the node that issued this token (its API key differs)", a->url);
		finish(a, -EACCES, line);
		return;
	}
	if (!a->by_token && connectivity_unproven(a, payload, &m, why, sizeof(why))) {
		char line[1024];
		snprintf(line, sizeof(line), "%s: %s", a->url, why);
		finish(a, -EACCES, line);
		return;
	}
	if (a->remote_known && (unsigned)m.node_id != a->remote_id) {
		char line[1024];
		snprintf(line, sizeof(line), "%s answers as node %d, expected node %u", a->url, m.node_id,
			 a->remote_id);
		finish(a, -EPROTO, line);
		return;
	}
	/* A peer's ID is of another mesh and may equal ours. */
	if (!a->peer && (unsigned)m.node_id == j->deps.cfg->id) {
		char line[1024];
		snprintf(line, sizeof(line), "%s is node %d: this node's own ID", a->url, m.node_id);
		finish(a, -EINVAL, line);
		return;
	}
	if (a->type_from_config)
		a->link_type = wgm_link_type_choose(a->link_type, config_link_types(j->deps.cfg), m.link_types);
	if (!(m.link_types & WGM_LINK_TYPE_BIT(a->link_type))) {
		char line[1024];
		wgm_link_type_refusal((unsigned)m.node_id, a->link_type, line, sizeof(line));
		finish(a, -EINVAL, line);
		return;
	}
	a->remote_id = (unsigned)m.node_id;
	a->remote_known = true;
	memcpy(a->remote_pk, m.api_pk, sizeof(a->remote_pk));
	a->remote4 = m.ipv4;
	a->remote6 = m.ipv6;
	/* IPv4 first when both have it; a second link over IPv6 when both have both. */
	if (m.has_ipv4 && have_transport(j->deps.cfg, WGM_TRANSPORT_V4))
		a->transports[a->n_transports++] = WGM_TRANSPORT_V4;
	if (m.has_ipv6 && have_transport(j->deps.cfg, WGM_TRANSPORT_V6))
		a->transports[a->n_transports++] = WGM_TRANSPORT_V6;
	/* A peering is one BGP session: one link, over the first transport. */
	if (a->peer && a->n_transports > 1)
		a->n_transports = 1;
	if (a->n_transports == 0) {
		char line[1024];
		snprintf(line, sizeof(line), "node %d and this node share no transport (IPv4 or IPv6 public address)",
			 m.node_id);
		finish(a, -ENETUNREACH, line);
		return;
	}
	a->first_join = links_count_members(j->deps.links) == 0;
	step_connect(a);
}

static void next_transport(struct attempt *a)
{
	a->current++;
	if (a->current < a->n_transports) {
		step_connect(a);
	} else if (a->skipped == a->n_transports) {
		char line[128];
		snprintf(line, sizeof(line), "this node is already linked to node %u", a->remote_id);
		finish(a, -EEXIST, line);
	} else {
		finish(a, 0, NULL);
	}
}

static void on_link_made(int rc, const char *err, void *ctx)
{
	struct attempt *a = ctx;

	if (rc < 0) {
		/* The other node made its end and replied; ours failed. The mesh
		 * key is ours now, whether the reply brought it or not. */
		abandon_remote_end(a, a->j->deps.identity->mesh_key);
		finish(a, rc, err);
		return;
	}
	json_array_append_new(a->made, json_string(a->rec.name));
	next_transport(a);
}

static int adopt_mesh_key(struct attempt *a, const struct wgm_msg_connect_reply *m, char *err, size_t errlen)
{
	struct wgm_node_identity *id = a->j->deps.identity;

	if (!m->has_mesh_key ||
	    (sodium_memcmp(id->mesh_key, m->mesh_key, WGM_MESH_KEY_LEN) == 0 && id->mesh_epoch == m->mesh_epoch))
		return 0;
	/* Links other than the one being made now belong to the old mesh. */
	if (links_count_members(a->j->deps.links) > 0) {
		snprintf(err, errlen, "this node already has links in another mesh; disconnect them first");
		return -EEXIST;
	}
	memcpy(id->mesh_key, m->mesh_key, WGM_MESH_KEY_LEN);
	id->mesh_epoch = m->mesh_epoch;
	sodium_memzero(&id->old_mesh_key, sizeof(id->old_mesh_key));
	return wgm_node_identity_save(a->j->deps.cfg->state_dir, id, err, errlen);
}

/* Whether the current /connect is a member call (the token proves only the
 * first link of a join; the mesh key it brought proves the rest). A node with
 * links is a member already: it calls as one, since the other node refuses a
 * token join for an ID the mesh has (it does not trust first_join). */
static bool member_call(const struct attempt *a)
{
	if (a->peer)
		return false;
	return !(a->by_token && a->current == 0 && a->first_join);
}

/* The mesh key the other node checks member calls with, as far as this
 * node knows it: the one a reply to a joiner brings, else (a member) ours. */
static const uint8_t *reply_mesh_key(const struct attempt *a, const struct wgm_msg_connect_reply *m)
{
	if (m->has_mesh_key)
		return m->mesh_key;
	return member_call(a) ? a->j->deps.identity->mesh_key : NULL;
}

/* The other node was told this node's peering addresses; a reply that
 * still collides with one is refused rather than trusted. */
static bool peer_addr_taken(struct join *j, const struct wgm_msg_connect_reply *m)
{
	struct in_addr used[2 * 512];
	size_t n = links_used_peer_addrs(j->deps.links, used, WGM_ARRAY_LEN(used));

	for (size_t i = 0; i < n; i++)
		if ((ntohl(used[i].s_addr) & ~1u) == ntohl(m->server_addr4.s_addr))
			return true;
	return false;
}

static void on_connect_reply(long status, const json_t *payload, const char *err, void *ctx)
{
	struct attempt *a = ctx;
	struct join *j = a->j;
	enum wgm_transport t = a->transports[a->current];
	struct wgm_msg_connect_req req = { .caller_id = (int)j->deps.cfg->id,
					   .link_type = a->link_type,
					   .transport = t,
					   .first_join = a->first_join,
					   .peer = a->peer };
	struct wgm_msg_connect_reply m;
	char why[256], line[1024], addr[INET6_ADDRSTRLEN];
	uint16_t ports[512];
	size_t n_ports;
	bool has_awg;
	int port, rc, decoded;

	if (!payload && status == 412 && a->superseded) {
		/* The other node's own attempt made this link: nothing to do here. */
		log_info("link to node %u over %s was made by node %u itself", a->remote_id, wgm_transport_name(t),
			 a->remote_id);
		next_transport(a);
		return;
	}
	if (!payload) {
		/* No answer (or one that did not open): the other node may have
		 * made its end all the same. A member knows the mesh key to ask
		 * with; a joiner does not yet. */
		if ((status == 0 || status == 200) && member_call(a))
			abandon_remote_end(a, j->deps.identity->mesh_key);
		finish(a, status == 412 ? -EEXIST : -ECONNREFUSED, err);
		return;
	}
	/* From here on the other node has made its end: every failure asks it
	 * to take that end down again. */
	decoded = wgm_msg_connect_reply_decode(payload, &m, why, sizeof(why));
	a->reply_epoch = m.mesh_epoch; /* decode zeroes M first */
	if (decoded < 0 || wgm_msg_connect_reply_matches(&m, &req, !member_call(a), why, sizeof(why)) < 0 ||
	    wgm_msg_connect_reply_get_awg(payload, a->link_type, &a->rec.awg, &has_awg, why, sizeof(why)) < 0) {
		snprintf(line, sizeof(line), "%s: bad /connect reply: %s", a->url, why);
		abandon_remote_end(a, reply_mesh_key(a, &m));
		wgm_msg_connect_reply_wipe(&m);
		finish(a, -EPROTO, line);
		return;
	}
	if ((unsigned)m.server_id != a->remote_id) {
		snprintf(line, sizeof(line), "%s: replied as node %d, expected %u", a->url, m.server_id, a->remote_id);
		abandon_remote_end(a, reply_mesh_key(a, &m));
		wgm_msg_connect_reply_wipe(&m);
		finish(a, -EPROTO, line);
		return;
	}
	if (a->peer && peer_addr_taken(j, &m)) {
		snprintf(line, sizeof(line), "%s: offered peering addresses that a peering link of this node has",
			 a->url);
		wgm_msg_connect_reply_wipe(&m);
		finish(a, -EADDRINUSE, line);
		return;
	}
	a->rec.remote_as = m.peer_as;
	rc = adopt_mesh_key(a, &m, why, sizeof(why));
	if (rc < 0) {
		abandon_remote_end(a, reply_mesh_key(a, &m));
		wgm_msg_connect_reply_wipe(&m);
		finish(a, rc, why);
		return;
	}
	if (!member_call(a) && !a->peer) {
		rc = trust_store_adopt(j->deps.trust, payload, why, sizeof(why));
		if (rc < 0) {
			snprintf(line, sizeof(line), "%s: bad /connect reply: %s", a->url, why);
			abandon_remote_end(a, reply_mesh_key(a, &m));
			wgm_msg_connect_reply_wipe(&m);
			finish(a, rc, line);
			return;
		}
	}
	memcpy(a->rec.peer_public_key, m.wg_pk, LINK_KEY_LEN);
	memcpy(a->rec.psk, m.psk, LINK_KEY_LEN);
	a->rec.has_obfs_key = m.has_obfs_key;
	memcpy(a->rec.obfs_key, m.obfs_key, LINK_KEY_LEN);
	a->rec.local4 = m.client_addr4;
	a->rec.remote4 = m.server_addr4;
	a->rec.local6 = m.client_addr6;
	a->rec.remote6 = m.server_addr6;
	if (t == WGM_TRANSPORT_V4) {
		inet_ntop(AF_INET, &a->remote4, addr, sizeof(addr));
		snprintf(a->rec.endpoint, sizeof(a->rec.endpoint), "%s:%u", addr, m.server_port);
	} else {
		inet_ntop(AF_INET6, &a->remote6, addr, sizeof(addr));
		snprintf(a->rec.endpoint, sizeof(a->rec.endpoint), "[%s]:%u", addr, m.server_port);
	}
	wgm_msg_connect_reply_wipe(&m);
	/* The local port is chosen here, next to links_add, which reserves it:
	 * chosen before the request, it could be taken meanwhile by a link this
	 * node accepted or by another attempt. */
	n_ports = links_used_ports(j->deps.links, ports, 512);
	port = wgm_addrplan_choose_port(j->deps.cfg->base_port, ports, n_ports, randombytes_random());
	if (port < 0) {
		abandon_remote_end(a, j->deps.identity->mesh_key);
		finish(a, -ENOSPC, "no free local port for a new link");
		return;
	}
	a->rec.listen_port = (uint16_t)port;
	rc = links_add(j->deps.links, &a->rec, on_link_made, a);
	if (rc < 0) {
		abandon_remote_end(a, j->deps.identity->mesh_key);
		snprintf(line, sizeof(line), "link %s: %s", a->rec.name,
			 rc == -EEXIST ? "a link of that name exists already" : strerror(-rc));
		finish(a, rc, line);
	}
}

static void step_connect(struct attempt *a)
{
	struct join *j = a->j;
	enum wgm_transport t = a->transports[a->current];
	struct wgm_msg_connect_req req = { .caller_id = (int)j->deps.cfg->id,
					   .link_type = a->link_type,
					   .port = (uint16_t)a->port,
					   .transport = t,
					   .first_join = a->first_join };
	char err[512];
	json_t *payload;
	int rc;

	link_record_wipe(&a->rec);
	if (wgm_addrplan_ifname(j->deps.plan, a->remote_id, a->peer, t == WGM_TRANSPORT_V6, a->rec.name) < 0) {
		finish(a, -EINVAL, "no interface name for that node");
		return;
	}
	if (links_find(j->deps.links, a->rec.name)) {
		log_info("link %s exists already; skipping it", a->rec.name);
		a->skipped++;
		next_transport(a);
		return;
	}
	a->rec.remote_id = a->remote_id;
	a->rec.role = LINK_ROLE_CLIENT;
	a->rec.transport = t;
	a->rec.link_type = a->link_type;
	a->rec.mtu = LINK_MTU_DEFAULT;
	a->rec.cost_override = LINK_COST_NONE;
	a->rec.created = (int64_t)time(NULL);
	a->rec.has_remote_api_pk = true;
	a->rec.peer = a->peer;
	memcpy(a->rec.remote_api_pk, a->remote_pk, sizeof(a->rec.remote_api_pk));
	if (a->peer) {
		struct in_addr used[2 * 512];
		size_t n = links_used_peer_addrs(j->deps.links, used, WGM_ARRAY_LEN(used));

		req.peer = true;
		req.as = j->deps.cfg->local_as;
		own_api_url(j, req.api_url, sizeof(req.api_url));
		req.n_peer_used = n < WGM_MSG_PEER_USED_MAX ? n : WGM_MSG_PEER_USED_MAX;
		memcpy(req.peer_used, used, req.n_peer_used * sizeof(used[0]));
	}
	snprintf(a->rec.remote_api_url, sizeof(a->rec.remote_api_url), "%s", a->url);
	if (wgm_key_generate_private(a->rec.private_key) < 0) {
		finish(a, -EIO, "cannot generate a key");
		return;
	}
	wgm_key_public(req.wg_pk, a->rec.private_key);
	payload = wgm_msg_connect_req_encode(&req);
	if (!payload) {
		finish(a, -ENOMEM, "out of memory");
		return;
	}
	/* The token proves the first link; the mesh key it brings proves the rest. */
	rc = api_call_boxed(j->deps.http, j->deps.identity, a->url, "POST", WGM_API_ROUTE_CONNECT,
			    member_call(a) ? NULL : &a->token, a->remote_pk, payload, on_connect_reply, a, err,
			    sizeof(err));
	json_decref(payload);
	if (rc < 0)
		finish(a, rc, err);
}

static struct attempt *attempt_new(struct join *j, join_done_fn done, void *ctx)
{
	struct attempt *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->made = json_array();
	if (!a->made) {
		free(a);
		return NULL;
	}
	a->j = j;
	a->done = done;
	a->ctx = ctx;
	return a;
}

static int start(struct attempt *a, char *err, size_t errlen)
{
	int rc;

	randombytes_buf(a->challenge, sizeof(a->challenge));
	rc = api_call_connectivity(a->j->deps.http, a->url, a->challenge, on_connectivity, a, err, errlen);

	if (rc < 0) {
		attempt_free(a);
		return rc;
	}
	a->next = a->j->attempts;
	a->j->attempts = a;
	return 0;
}

int join_connect_token(struct join *j, const char *url, const char *token_text, const char *link_type, unsigned port,
		       join_done_fn done, void *ctx, char *err, size_t errlen)
{
	struct attempt *a;
	int rc;

	a = attempt_new(j, done, ctx);
	if (!a) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	a->by_token = true;
	if (wgm_token_decode(token_text, &a->token, err, errlen) < 0) {
		attempt_free(a);
		return -EINVAL;
	}
	if (!url || !*url)
		url = a->token.url;
	if (!*url) {
		snprintf(err, errlen, "no URL given and the token carries none");
		attempt_free(a);
		return -EINVAL;
	}
	rc = api_base_url_normalise(url, a->url, sizeof(a->url), err, errlen);
	if (rc == 0 && wgm_link_type_from_name(link_type && *link_type ? link_type : j->deps.cfg->default_link_type,
					       &a->link_type) < 0) {
		snprintf(err, errlen, "link type %.32s: unknown (default, wgobfs, ipt_xor, amneziawg)", link_type);
		rc = -EINVAL;
	}
	if (rc == 0 && port > 65535) {
		snprintf(err, errlen, "port %u: not a port (1-65535, 0 lets the other node choose)", port);
		rc = -EINVAL;
	}
	if (rc < 0) {
		attempt_free(a);
		return rc;
	}
	a->port = port;
	/* No type asked for: defaultLinkType where the other node accepts it
	 * (the original's rule); an explicit one is refused if it does not. */
	a->type_from_config = !link_type || !*link_type;
	log_notice("connecting to %s with a token", a->url);
	return start(a, err, errlen);
}

int join_peer_token(struct join *j, const char *url, const char *token_text, join_done_fn done, void *ctx, char *err,
		    size_t errlen)
{
	int rc = join_connect_token(j, url, token_text, NULL, 0, done, ctx, err, errlen);

	/* start() put the attempt first; /connectivity has not answered yet.
	 * A peering link is a plain WireGuard link: key rotation and the
	 * other link types' calls are member calls. */
	if (rc == 0) {
		j->attempts->peer = true;
		j->attempts->link_type = WGM_LINK_DEFAULT;
		j->attempts->type_from_config = false;
	}
	return rc;
}

int join_connect_member(struct join *j, unsigned remote_id, join_done_fn done, void *ctx, char *err, size_t errlen)
{
	struct attempt *a = attempt_new(j, done, ctx);

	if (!a) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	a->remote_id = remote_id;
	a->remote_known = true;
	a->type_from_config = true;
	if (wgm_link_type_from_name(j->deps.cfg->default_link_type, &a->link_type) < 0)
		a->link_type = WGM_LINK_DEFAULT;
	join_member_url(j->deps.plan, j->deps.cfg, remote_id, a->url, sizeof(a->url));
	log_info("mesh buildup: connecting to node %u at %s", remote_id, a->url);
	return start(a, err, errlen);
}
