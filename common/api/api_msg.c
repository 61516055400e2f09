#include "common/api/api_msg.h"

#include "common/util/err.h"

#include <arpa/inet.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/api/api_b64.h"
#include "common/api/json_get.h"
#include "common/api/obfs_key.h"

static const char *const link_type_names[WGM_LINK_TYPE_COUNT] = {
	[WGM_LINK_DEFAULT] = "default",
	[WGM_LINK_WGOBFS] = "wgobfs",
	[WGM_LINK_IPT_XOR] = "ipt_xor",
	[WGM_LINK_AMNEZIAWG] = "amneziawg",
};

const char *wgm_api_status_reason(int status)
{
	switch (status) {
	case WGM_API_OK:
		return "ok";
	case WGM_API_BAD_FIELD:
		return "bad field";
	case WGM_API_BAD_TOKEN:
		return "bad token or not authenticated";
	case WGM_API_BLOCKED:
		return "blocked after repeated failures";
	case WGM_API_NOT_FOUND:
		return "not found";
	case WGM_API_BAD_METHOD:
		return "method not allowed";
	case WGM_API_LINK_EXISTS:
		return "link already exists";
	case WGM_API_TOO_LARGE:
		return "body too large";
	case WGM_API_ID_COLLISION:
		return "node ID already in the mesh";
	case WGM_API_NO_SUBNET:
		return "no free link subnet";
	case WGM_API_BUSY:
		return "busy, try again";
	}
	return "error";
}

int wgm_api_status_from_errno(int rc)
{
	switch (rc) {
	case 0:
		return WGM_API_OK;
	case -EMSGSIZE:
		return WGM_API_TOO_LARGE;
	case -EACCES:
	case -EALREADY:
		return WGM_API_BAD_TOKEN;
	case -ENOSPC:
		return WGM_API_BUSY;
	}
	return WGM_API_BAD_FIELD;
}

const char *wgm_link_type_name(enum wgm_link_type type)
{
	if ((unsigned)type >= WGM_LINK_TYPE_COUNT)
		return "unknown";
	return link_type_names[type];
}

int wgm_link_type_from_name(const char *name, enum wgm_link_type *type)
{
	for (int i = 0; name && i < WGM_LINK_TYPE_COUNT; i++) {
		if (strcmp(name, link_type_names[i]) == 0) {
			*type = (enum wgm_link_type)i;
			return 0;
		}
	}
	return -EINVAL;
}

bool wgm_link_type_needs_obfs_key(enum wgm_link_type type)
{
	return type == WGM_LINK_WGOBFS || type == WGM_LINK_IPT_XOR;
}

enum wgm_link_type wgm_link_type_choose(enum wgm_link_type preferred, uint32_t local_types, uint32_t remote_types)
{
	uint32_t bit;

	if ((unsigned)preferred >= WGM_LINK_TYPE_COUNT)
		return WGM_LINK_DEFAULT;
	bit = WGM_LINK_TYPE_BIT(preferred);
	return (local_types & bit) && (remote_types & bit) ? preferred : WGM_LINK_DEFAULT;
}

void wgm_link_type_refusal(unsigned node_id, enum wgm_link_type type, char *out, size_t outlen)
{
	snprintf(out, outlen, "node %u does not accept link type %s (enable it there with: wgmesh enable %s)", node_id,
		 wgm_link_type_name(type), wgm_link_type_name(type));
}

const char *wgm_transport_name(enum wgm_transport t)
{
	return t == WGM_TRANSPORT_V6 ? "v6" : "v4";
}

/* ---- decoding helpers: each names the field and never quotes its value
 * (the shared getters of common/api/json_get.h, and this protocol's own) ---- */

static int get_port(const json_t *j, const char *field, long long lo, uint16_t *out, char *err, size_t errlen)
{
	const json_t *v = json_object_get(j, field);
	long long x = 0;

	if (json_is_integer(v) && (json_integer_value(v) < lo || json_integer_value(v) > 65535)) {
		if (err && errlen)
			snprintf(err, errlen, "%s: %lld is not a port (%lld-65535)", field,
				 (long long)json_integer_value(v), lo);
		return -EINVAL;
	}
	if (wgm_json_get_int(j, field, lo, 65535, &x, err, errlen))
		return -EINVAL;
	*out = (uint16_t)x;
	return 0;
}

static int get_node_id(const json_t *j, int *out, char *err, size_t errlen)
{
	long long x;

	if (wgm_json_get_int(j, "id", 0, WGM_API_ID_MAX, &x, err, errlen))
		return -EINVAL;
	*out = (int)x;
	return 0;
}

/* An address that may be left out (or null) when OPTIONAL; PRESENT says
 * whether it was there. */
static int get_addr(const json_t *j, const char *field, int af, void *out, bool optional, bool *present, char *err,
		    size_t errlen)
{
	const json_t *v = json_object_get(j, field);

	if (present)
		*present = false;
	if (optional && (!v || json_is_null(v)))
		return 0;
	if (wgm_json_get_addr(j, field, af, out, err, errlen))
		return -EINVAL;
	if (present)
		*present = true;
	return 0;
}

static int get_transport(const json_t *j, enum wgm_transport *out, char *err, size_t errlen)
{
	const char *s = json_string_value(json_object_get(j, "transport"));

	if (s && strcmp(s, "v4") == 0)
		*out = WGM_TRANSPORT_V4;
	else if (s && strcmp(s, "v6") == 0)
		*out = WGM_TRANSPORT_V6;
	else
		return wgm_json_field_error(err, errlen, "transport", "not \"v4\" or \"v6\"");
	return 0;
}

static int get_link_type(const json_t *j, enum wgm_link_type *out, char *err, size_t errlen)
{
	if (wgm_link_type_from_name(json_string_value(json_object_get(j, "link_type")), out))
		return wgm_json_field_error(err, errlen, "link_type", "not one of default, wgobfs, ipt_xor, amneziawg");
	return 0;
}

/* ---- encoding helpers ---- */

static int put_obfs_key(json_t *j, const uint8_t *key)
{
	char text[WGM_OBFS_KEY_TEXT_MAX];
	int rc;

	wgm_obfs_key_to_text(key, text);
	rc = json_object_set_new(j, "obfs_key", json_string(text));
	sodium_memzero(text, sizeof(text));
	return rc;
}

static int put_key(json_t *j, const char *field, const uint8_t *key, size_t len)
{
	char b64[WGM_B64_KEY_LEN + 1];
	int rc;

	if (WGM_B64_LEN(len) + 1 > sizeof(b64))
		return -EINVAL;
	wgm_b64_encode(key, len, b64, sizeof(b64));
	rc = json_object_set_new(j, field, json_string(b64));
	sodium_memzero(b64, sizeof(b64));
	return rc;
}

static int put_addr(json_t *j, const char *field, int af, const void *addr)
{
	char text[INET6_ADDRSTRLEN];

	if (!inet_ntop(af, addr, text, sizeof(text)))
		return -EINVAL;
	return json_object_set_new(j, field, json_string(text));
}

static int put_link_ref(json_t *j, const struct wgm_msg_link_ref *link)
{
	if (link->caller_id < 0 || link->caller_id > WGM_API_ID_MAX)
		return -EINVAL;
	return json_object_set_new(j, "id", json_integer(link->caller_id)) ||
	       json_object_set_new(j, "transport", json_string(wgm_transport_name(link->transport)));
}

static int get_link_ref(const json_t *j, struct wgm_msg_link_ref *link, char *err, size_t errlen)
{
	if (!json_is_object(j))
		return wgm_json_field_error(err, errlen, "payload", "not a JSON object");
	if (get_node_id(j, &link->caller_id, err, errlen) || get_transport(j, &link->transport, err, errlen))
		return -EINVAL;
	return 0;
}

/* ---- /connectivity ---- */

json_t *wgm_msg_connectivity_reply_encode(const struct wgm_msg_connectivity_reply *m)
{
	json_t *j = json_object(), *types = json_array();
	char subnet[INET_ADDRSTRLEN + 4], addr[INET_ADDRSTRLEN];

	if (!j || !types || m->node_id < 0 || m->node_id > WGM_API_ID_MAX || m->subnet_prefix < 0 ||
	    m->subnet_prefix > 32 || !inet_ntop(AF_INET, &m->subnet, addr, sizeof(addr)))
		goto fail;
	for (int t = 0; t < WGM_LINK_TYPE_COUNT; t++)
		if ((m->link_types & WGM_LINK_TYPE_BIT(t)) &&
		    json_array_append_new(types, json_string(link_type_names[t])))
			goto fail;
	snprintf(subnet, sizeof(subnet), "%s/%d", addr, m->subnet_prefix);
	if (json_object_set_new(j, "id", json_integer(m->node_id)) ||
	    (m->has_ipv4 && put_addr(j, "ipv4", AF_INET, &m->ipv4)) ||
	    (m->has_ipv6 && put_addr(j, "ipv6", AF_INET6, &m->ipv6)) || json_object_set(j, "link_types", types) ||
	    json_object_set_new(j, "subnet", json_string(subnet)) ||
	    put_key(j, "api_pk", m->api_pk, sizeof(m->api_pk)) ||
	    json_object_set_new(j, "joins", json_boolean(m->accepts_joins)))
		goto fail;
	json_decref(types);
	return j;
fail:
	json_decref(types);
	json_decref(j);
	return NULL;
}

static int parse_subnet(const char *text, struct in_addr *addr, int *prefix)
{
	char buf[INET_ADDRSTRLEN + 4];
	char *slash, *end;
	long p;

	if (!text || strlen(text) >= sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", text);
	slash = strchr(buf, '/');
	if (!slash || slash[1] < '0' || slash[1] > '9')
		return -EINVAL;
	*slash = '\0';
	p = strtol(slash + 1, &end, 10);
	if (*end || p < 8 || p > 30 || inet_pton(AF_INET, buf, addr) != 1)
		return -EINVAL;
	/* No host bits: a subnet, not an address in one. */
	if (ntohl(addr->s_addr) & (0xffffffffu >> p))
		return -EINVAL;
	*prefix = (int)p;
	return 0;
}

int wgm_msg_connectivity_reply_decode(const json_t *j, struct wgm_msg_connectivity_reply *m, char *err, size_t errlen)
{
	const json_t *types = json_object_get(j, "link_types");
	size_t i;
	const json_t *t;

	memset(m, 0, sizeof(*m));
	if (!json_is_object(j))
		return wgm_json_field_error(err, errlen, "payload", "not a JSON object");
	if (get_node_id(j, &m->node_id, err, errlen) ||
	    get_addr(j, "ipv4", AF_INET, &m->ipv4, true, &m->has_ipv4, err, errlen) ||
	    get_addr(j, "ipv6", AF_INET6, &m->ipv6, true, &m->has_ipv6, err, errlen))
		return -EINVAL;
	if (!json_is_array(types) || json_array_size(types) == 0 || json_array_size(types) > WGM_LINK_TYPE_COUNT)
		return wgm_json_field_error(err, errlen, "link_types", "not a list of 1-4 link types");
	json_array_foreach (types, i, t) {
		enum wgm_link_type lt;
		if (wgm_link_type_from_name(json_string_value(t), &lt))
			return wgm_json_field_error(err, errlen, "link_types",
						    "not one of default, wgobfs, ipt_xor, amneziawg");
		m->link_types |= WGM_LINK_TYPE_BIT(lt);
	}
	if (parse_subnet(json_string_value(json_object_get(j, "subnet")), &m->subnet, &m->subnet_prefix))
		return wgm_json_field_error(err, errlen, "subnet", "not an IPv4 subnet (A.B.C.D/8-30, no host bits)");
	if (wgm_json_get_key(j, "api_pk", m->api_pk, sizeof(m->api_pk), err, errlen) ||
	    wgm_json_get_bool(j, "joins", &m->accepts_joins, err, errlen))
		return -EINVAL;
	return 0;
}

/* ---- /connect ---- */

/* The peering fields: only in a peering join, so a member join stays as it was. */
static int put_peer(json_t *j, const struct wgm_msg_connect_req *m)
{
	json_t *used;

	if (!m->peer)
		return 0;
	if (m->as == 0 || m->n_peer_used > WGM_MSG_PEER_USED_MAX)
		return -EINVAL;
	used = json_array();
	if (!used || json_object_set_new(j, "peer_used", used))
		return -ENOMEM;
	for (size_t i = 0; i < m->n_peer_used; i++) {
		char text[INET_ADDRSTRLEN];
		if (!inet_ntop(AF_INET, &m->peer_used[i], text, sizeof(text)) ||
		    json_array_append_new(used, json_string(text)))
			return -ENOMEM;
	}
	if (json_object_set_new(j, "peer", json_true()) || json_object_set_new(j, "as", json_integer(m->as)) ||
	    json_object_set_new(j, "api_url", json_string(m->api_url)))
		return -ENOMEM;
	return 0;
}

static bool url_valid(const char *url)
{
	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
		return false;
	for (const char *p = url; *p; p++)
		if (*p <= ' ' || *p >= 127 || *p == '"' || *p == '\\')
			return false;
	return true;
}

static int get_peer(const json_t *j, struct wgm_msg_connect_req *m, char *err, size_t errlen)
{
	const json_t *used, *v;
	long long as;
	size_t i;

	if (!json_object_get(j, "peer"))
		return 0;
	if (wgm_json_get_bool(j, "peer", &m->peer, err, errlen))
		return -EINVAL;
	if (!m->peer)
		return 0;
	if (wgm_json_get_int(j, "as", 1, 4294967295ll, &as, err, errlen))
		return -EINVAL;
	m->as = (uint32_t)as;
	used = json_object_get(j, "peer_used");
	if (!json_is_array(used) || json_array_size(used) > WGM_MSG_PEER_USED_MAX)
		return wgm_json_field_error(err, errlen, "peer_used", "not a list of at most 64 IPv4 addresses");
	json_array_foreach (used, i, v) {
		if (!json_is_string(v) || inet_pton(AF_INET, json_string_value(v), &m->peer_used[i]) != 1)
			return wgm_json_field_error(err, errlen, "peer_used",
						    "not a list of at most 64 IPv4 addresses");
	}
	m->n_peer_used = json_array_size(used);
	v = json_object_get(j, "api_url");
	if (!json_is_string(v) || !url_valid(json_string_value(v)) ||
	    strlen(json_string_value(v)) >= sizeof(m->api_url))
		return wgm_json_field_error(err, errlen, "api_url",
					    "not an http:// or https:// URL of printable characters");
	strcpy(m->api_url, json_string_value(v));
	return 0;
}

json_t *wgm_msg_connect_req_encode(const struct wgm_msg_connect_req *m)
{
	json_t *j = json_object();

	if (!j || m->caller_id < 0 || m->caller_id > WGM_API_ID_MAX || (unsigned)m->link_type >= WGM_LINK_TYPE_COUNT ||
	    json_object_set_new(j, "id", json_integer(m->caller_id)) || put_key(j, "wg_pk", m->wg_pk, WGM_WG_KEY_LEN) ||
	    json_object_set_new(j, "link_type", json_string(link_type_names[m->link_type])) ||
	    json_object_set_new(j, "port", json_integer(m->port)) ||
	    json_object_set_new(j, "transport", json_string(wgm_transport_name(m->transport))) ||
	    json_object_set_new(j, "first_join", json_boolean(m->first_join)) || put_peer(j, m)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

int wgm_msg_connect_req_decode(const json_t *j, struct wgm_msg_connect_req *m, char *err, size_t errlen)
{
	memset(m, 0, sizeof(*m));
	if (!json_is_object(j))
		return wgm_json_field_error(err, errlen, "payload", "not a JSON object");
	if (get_node_id(j, &m->caller_id, err, errlen) ||
	    wgm_json_get_key(j, "wg_pk", m->wg_pk, WGM_WG_KEY_LEN, err, errlen) ||
	    get_link_type(j, &m->link_type, err, errlen) || get_port(j, "port", 0, &m->port, err, errlen) ||
	    get_transport(j, &m->transport, err, errlen) ||
	    wgm_json_get_bool(j, "first_join", &m->first_join, err, errlen) || get_peer(j, m, err, errlen))
		return -EINVAL;
	return 0;
}

static bool v4_pair_valid(const struct in_addr *server, const struct in_addr *client)
{
	uint32_t s = ntohl(server->s_addr), c = ntohl(client->s_addr);

	return (s & 1) == 0 && c == s + 1;
}

static bool v6_pair_valid(const struct in6_addr *server, const struct in6_addr *client)
{
	return memcmp(server->s6_addr, client->s6_addr, 15) == 0 && (server->s6_addr[15] & 1) == 0 &&
	       client->s6_addr[15] == server->s6_addr[15] + 1;
}

json_t *wgm_msg_connect_reply_encode(const struct wgm_msg_connect_reply *m)
{
	json_t *j = json_object();

	if (!j || m->server_id < 0 || m->server_id > WGM_API_ID_MAX || m->server_port == 0 ||
	    !v4_pair_valid(&m->server_addr4, &m->client_addr4) || !v6_pair_valid(&m->server_addr6, &m->client_addr6) ||
	    json_object_set_new(j, "id", json_integer(m->server_id)) || put_key(j, "wg_pk", m->wg_pk, WGM_WG_KEY_LEN) ||
	    put_key(j, "psk", m->psk, WGM_WG_KEY_LEN) || (m->has_obfs_key && put_obfs_key(j, m->obfs_key)) ||
	    put_addr(j, "server_addr4", AF_INET, &m->server_addr4) ||
	    put_addr(j, "client_addr4", AF_INET, &m->client_addr4) ||
	    put_addr(j, "server_addr6", AF_INET6, &m->server_addr6) ||
	    put_addr(j, "client_addr6", AF_INET6, &m->client_addr6) ||
	    json_object_set_new(j, "port", json_integer(m->server_port)) ||
	    (m->has_mesh_key && put_key(j, "mesh_key", m->mesh_key, sizeof(m->mesh_key))) ||
	    (m->has_mesh_key && m->mesh_epoch && json_object_set_new(j, "mesh_epoch", json_integer(m->mesh_epoch))) ||
	    (m->peer_as && json_object_set_new(j, "as", json_integer(m->peer_as)))) {
		json_decref(j);
		return NULL;
	}
	return j;
}

int wgm_msg_connect_reply_decode(const json_t *j, struct wgm_msg_connect_reply *m, char *err, size_t errlen)
{
	memset(m, 0, sizeof(*m));
	if (!json_is_object(j))
		return wgm_json_field_error(err, errlen, "payload", "not a JSON object");
	if (get_node_id(j, &m->server_id, err, errlen) ||
	    wgm_json_get_key(j, "wg_pk", m->wg_pk, WGM_WG_KEY_LEN, err, errlen) ||
	    wgm_json_get_key(j, "psk", m->psk, WGM_WG_KEY_LEN, err, errlen))
		goto bad;
	if (json_object_get(j, "obfs_key")) {
		if (wgm_json_get_obfs_key(j, "obfs_key", m->obfs_key, err, errlen))
			goto bad;
		m->has_obfs_key = true;
	}
	if (get_addr(j, "server_addr4", AF_INET, &m->server_addr4, false, NULL, err, errlen) ||
	    get_addr(j, "client_addr4", AF_INET, &m->client_addr4, false, NULL, err, errlen))
		goto bad;
	if (!v4_pair_valid(&m->server_addr4, &m->client_addr4)) {
		wgm_json_field_error(err, errlen, "client_addr4", "not the odd half of the server's /31");
		goto bad;
	}
	if (get_addr(j, "server_addr6", AF_INET6, &m->server_addr6, false, NULL, err, errlen) ||
	    get_addr(j, "client_addr6", AF_INET6, &m->client_addr6, false, NULL, err, errlen))
		goto bad;
	if (!v6_pair_valid(&m->server_addr6, &m->client_addr6)) {
		wgm_json_field_error(err, errlen, "client_addr6", "not the odd half of the server's /127");
		goto bad;
	}
	if (get_port(j, "port", 1, &m->server_port, err, errlen))
		goto bad;
	if (json_object_get(j, "mesh_key")) {
		if (wgm_json_get_key(j, "mesh_key", m->mesh_key, sizeof(m->mesh_key), err, errlen))
			goto bad;
		m->has_mesh_key = true;
	}
	if (m->has_mesh_key && json_object_get(j, "mesh_epoch")) {
		long long epoch;
		if (wgm_json_get_int(j, "mesh_epoch", 1, 4294967295ll, &epoch, err, errlen))
			goto bad;
		m->mesh_epoch = (uint32_t)epoch;
	}
	if (json_object_get(j, "as")) {
		long long as;
		if (wgm_json_get_int(j, "as", 1, 4294967295ll, &as, err, errlen))
			goto bad;
		m->peer_as = (uint32_t)as;
	}
	return 0;
bad:
	wgm_msg_connect_reply_wipe(m);
	return -EINVAL;
}

int wgm_msg_connect_reply_matches(const struct wgm_msg_connect_reply *reply, const struct wgm_msg_connect_req *req,
				  bool joined_by_token, char *err, size_t errlen)
{
	if (reply->has_obfs_key != wgm_link_type_needs_obfs_key(req->link_type))
		return wgm_json_field_error(err, errlen, "obfs_key",
					    reply->has_obfs_key ? "given for a link type without one" : "missing");
	/* A peering join makes no member: its reply carries an AS, never the mesh key. */
	if (req->peer && (reply->has_mesh_key || !reply->peer_as))
		return wgm_json_field_error(err, errlen, reply->has_mesh_key ? "mesh_key" : "as",
					    reply->has_mesh_key ? "given to a peer"
								: "missing in the reply to a peering join");
	if (!req->peer && reply->peer_as)
		return wgm_json_field_error(err, errlen, "as", "unexpected outside a peering join");
	if (!req->peer && reply->has_mesh_key != joined_by_token)
		return wgm_json_field_error(err, errlen, "mesh_key",
					    joined_by_token ? "missing in the reply to a join" : "unexpected");
	return 0;
}

void wgm_msg_connect_reply_wipe(struct wgm_msg_connect_reply *m)
{
	sodium_memzero(m, sizeof(*m));
}

/* ---- /update ---- */

json_t *wgm_msg_update_req_encode(const struct wgm_msg_update_req *m)
{
	json_t *j = json_object();

	if (!j || (!m->has_port && !m->has_obfs_key && !m->has_cost) || (m->has_port && m->port == 0) ||
	    (m->has_cost && m->cost > 65535) || put_link_ref(j, &m->link) ||
	    (m->has_port && json_object_set_new(j, "port", json_integer(m->port))) ||
	    (m->has_obfs_key && put_obfs_key(j, m->obfs_key)) ||
	    (m->obfs_key_settled && (!m->has_obfs_key || json_object_set_new(j, "obfs_key_settled", json_true()))) ||
	    (m->has_cost && json_object_set_new(j, "cost", json_integer(m->cost)))) {
		json_decref(j);
		return NULL;
	}
	return j;
}

int wgm_msg_update_req_decode(const json_t *j, struct wgm_msg_update_req *m, char *err, size_t errlen)
{
	long long cost;

	memset(m, 0, sizeof(*m));
	if (get_link_ref(j, &m->link, err, errlen))
		return -EINVAL;
	if (json_object_get(j, "port")) {
		if (get_port(j, "port", 1, &m->port, err, errlen))
			goto bad;
		m->has_port = true;
	}
	if (json_object_get(j, "obfs_key")) {
		if (wgm_json_get_obfs_key(j, "obfs_key", m->obfs_key, err, errlen))
			goto bad;
		m->has_obfs_key = true;
	}
	if (json_object_get(j, "obfs_key_settled")) {
		if (wgm_json_get_bool(j, "obfs_key_settled", &m->obfs_key_settled, err, errlen))
			goto bad;
		if (m->obfs_key_settled && !m->has_obfs_key) {
			wgm_json_field_error(err, errlen, "obfs_key_settled", "needs the obfs_key it confirms");
			goto bad;
		}
	}
	if (json_object_get(j, "cost")) {
		if (wgm_json_get_int(j, "cost", 0, 65535, &cost, err, errlen))
			goto bad;
		m->cost = (uint32_t)cost;
		m->has_cost = true;
	}
	if (!m->has_port && !m->has_obfs_key && !m->has_cost) {
		wgm_json_field_error(err, errlen, "update", "nothing to change (port, obfs_key or cost)");
		goto bad;
	}
	return 0;
bad:
	wgm_msg_update_req_wipe(m);
	return -EINVAL;
}

void wgm_msg_update_req_wipe(struct wgm_msg_update_req *m)
{
	sodium_memzero(m, sizeof(*m));
}

/* ---- /disconnect ---- */

json_t *wgm_msg_disconnect_req_encode(const struct wgm_msg_disconnect_req *m)
{
	json_t *j = json_object();

	if (!j || put_link_ref(j, &m->link) || (m->has_wg_pk && put_key(j, "wg_pk", m->wg_pk, sizeof(m->wg_pk)))) {
		json_decref(j);
		return NULL;
	}
	return j;
}

int wgm_msg_disconnect_req_decode(const json_t *j, struct wgm_msg_disconnect_req *m, char *err, size_t errlen)
{
	memset(m, 0, sizeof(*m));
	if (get_link_ref(j, &m->link, err, errlen))
		return -EINVAL;
	if (json_object_get(j, "wg_pk")) {
		if (wgm_json_get_key(j, "wg_pk", m->wg_pk, sizeof(m->wg_pk), err, errlen))
			return -EINVAL;
		m->has_wg_pk = true;
	}
	return 0;
}
