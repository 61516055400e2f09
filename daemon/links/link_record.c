#include "daemon/links/link_record.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "common/api/api_awg.h"
#include "bird/conf_model.h"
#include "common/api/api_b64.h"
#include "common/api/json_get.h"
#include "common/api/obfs_key.h"

#define LINK_RECORD_VERSION 1

const char *link_role_name(enum link_role role)
{
	return role == LINK_ROLE_SERVER ? "server" : "client";
}

static int put_key(json_t *obj, const char *name, const uint8_t key[LINK_KEY_LEN])
{
	char b64[WGM_B64_KEY_LEN + 1];
	int rc = wgm_b64_encode(key, LINK_KEY_LEN, b64, sizeof(b64));

	if (rc == 0)
		rc = json_object_set_new(obj, name, json_string(b64)) ? -ENOMEM : 0;
	sodium_memzero(b64, sizeof(b64));
	return rc;
}

static int put_obfs_key(json_t *obj, const char *name, const uint8_t key[LINK_KEY_LEN])
{
	char text[WGM_OBFS_KEY_TEXT_MAX];
	int rc;

	wgm_obfs_key_to_text(key, text);
	rc = json_object_set_new(obj, name, json_string(text)) ? -ENOMEM : 0;
	sodium_memzero(text, sizeof(text));
	return rc;
}

static int put_addr(json_t *obj, const char *name, int family, const void *addr)
{
	char text[INET6_ADDRSTRLEN];

	if (!inet_ntop(family, addr, text, sizeof(text)))
		return -EINVAL;
	return json_object_set_new(obj, name, json_string(text)) ? -ENOMEM : 0;
}

json_t *link_record_to_json(const struct link_record *rec)
{
	json_t *obj = json_pack("{s:i, s:s, s:i, s:s, s:s, s:s, s:i, s:s, s:i, s:b, s:I, s:s, s:b}", "version",
				LINK_RECORD_VERSION, "name", rec->name, "remote_id", (int)rec->remote_id, "role",
				link_role_name(rec->role), "transport", wgm_transport_name(rec->transport), "link_type",
				wgm_link_type_name(rec->link_type), "listen_port", (int)rec->listen_port, "endpoint",
				rec->endpoint, "mtu", (int)rec->mtu, "drained", rec->drained, "created",
				(json_int_t)rec->created, "remote_api_url", rec->remote_api_url, "handshaked",
				rec->handshaked);
	int rc = 0;

	if (!obj)
		return NULL;
	rc |= json_object_set_new(obj, "cost_override",
				  rec->cost_override == LINK_COST_NONE ? json_null()
								       : json_integer(rec->cost_override));
	rc |= put_key(obj, "private_key", rec->private_key);
	rc |= put_key(obj, "peer_public_key", rec->peer_public_key);
	rc |= put_key(obj, "psk", rec->psk);
	if (rec->has_obfs_key)
		rc |= put_obfs_key(obj, "obfs_key", rec->obfs_key);
	if (rec->peer) {
		rc |= json_object_set_new(obj, "peer", json_true());
		rc |= json_object_set_new(obj, "remote_as", json_integer((json_int_t)rec->remote_as));
	}
	if (rec->has_obfs_key_next)
		rc |= put_obfs_key(obj, "obfs_key_next", rec->obfs_key_next);
	/* Legacy parameters are written as none, the way they were read. */
	if (rec->link_type == WGM_LINK_AMNEZIAWG && !wgm_awg_params_is_legacy(&rec->awg)) {
		json_t *awg = wgm_awg_params_to_json(&rec->awg);
		rc |= !awg || json_object_set_new(obj, WGM_API_AWG_FIELD, awg);
	}
	if (rec->has_remote_api_pk)
		rc |= put_key(obj, "remote_api_pk", rec->remote_api_pk);
	rc |= put_addr(obj, "local4", AF_INET, &rec->local4);
	rc |= put_addr(obj, "remote4", AF_INET, &rec->remote4);
	rc |= put_addr(obj, "local6", AF_INET6, &rec->local6);
	rc |= put_addr(obj, "remote6", AF_INET6, &rec->remote6);
	if (rc) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/* An unsigned field in 0..max (common/api/json_get.h reads it). */
static int get_uint(const json_t *obj, const char *name, json_int_t max, unsigned *out, char *err, size_t errlen)
{
	long long v;

	if (wgm_json_get_int(obj, name, 0, max, &v, err, errlen))
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

int link_record_from_json(const json_t *json, struct link_record *rec, char *err, size_t errlen)
{
	char text[LINK_NAME_MAX + 1];
	unsigned u;
	const json_t *v;

	memset(rec, 0, sizeof(*rec));
	if (!json_is_object(json)) {
		snprintf(err, errlen, "link record: not a JSON object");
		return -EINVAL;
	}
	if (get_uint(json, "version", LINK_RECORD_VERSION, &u, err, errlen) || u != LINK_RECORD_VERSION) {
		snprintf(err, errlen, "version: this program reads link records of version %d", LINK_RECORD_VERSION);
		goto bad;
	}
	if (wgm_json_get_string(json, "name", rec->name, sizeof(rec->name), false, err, errlen) ||
	    get_uint(json, "remote_id", WGM_API_ID_MAX, &rec->remote_id, err, errlen) ||
	    get_uint(json, "listen_port", 65535, &u, err, errlen))
		goto bad;
	rec->listen_port = (uint16_t)u;
	if (wgm_json_get_string(json, "role", text, sizeof(text), false, err, errlen))
		goto bad;
	if (strcmp(text, "server") == 0) {
		rec->role = LINK_ROLE_SERVER;
	} else if (strcmp(text, "client") == 0) {
		rec->role = LINK_ROLE_CLIENT;
	} else {
		snprintf(err, errlen, "role: must be \"server\" or \"client\"");
		goto bad;
	}
	if (wgm_json_get_string(json, "transport", text, sizeof(text), false, err, errlen))
		goto bad;
	if (strcmp(text, "v4") == 0) {
		rec->transport = WGM_TRANSPORT_V4;
	} else if (strcmp(text, "v6") == 0) {
		rec->transport = WGM_TRANSPORT_V6;
	} else {
		snprintf(err, errlen, "transport: must be \"v4\" or \"v6\"");
		goto bad;
	}
	if (wgm_json_get_string(json, "link_type", text, sizeof(text), false, err, errlen))
		goto bad;
	if (wgm_link_type_from_name(text, &rec->link_type) != 0) {
		snprintf(err, errlen, "link_type: unknown link type");
		goto bad;
	}
	if (wgm_json_get_string(json, "endpoint", rec->endpoint, sizeof(rec->endpoint), true, err, errlen) ||
	    wgm_json_get_string(json, "remote_api_url", rec->remote_api_url, sizeof(rec->remote_api_url), true, err,
				errlen) ||
	    get_uint(json, "mtu", 65535, &rec->mtu, err, errlen) ||
	    wgm_json_get_key(json, "private_key", rec->private_key, LINK_KEY_LEN, err, errlen) ||
	    wgm_json_get_key(json, "peer_public_key", rec->peer_public_key, LINK_KEY_LEN, err, errlen) ||
	    wgm_json_get_key(json, "psk", rec->psk, LINK_KEY_LEN, err, errlen) ||
	    wgm_json_get_addr(json, "local4", AF_INET, &rec->local4, err, errlen) ||
	    wgm_json_get_addr(json, "remote4", AF_INET, &rec->remote4, err, errlen) ||
	    wgm_json_get_addr(json, "local6", AF_INET6, &rec->local6, err, errlen) ||
	    wgm_json_get_addr(json, "remote6", AF_INET6, &rec->remote6, err, errlen))
		goto bad;
	if (rec->role == LINK_ROLE_CLIENT && !rec->endpoint[0]) {
		snprintf(err, errlen, "endpoint: a client link needs the server's endpoint");
		goto bad;
	}
	if (json_object_get(json, "obfs_key")) {
		if (wgm_json_get_obfs_key(json, "obfs_key", rec->obfs_key, err, errlen))
			goto bad;
		rec->has_obfs_key = true;
	}
	if (json_object_get(json, "obfs_key_next")) {
		if (!rec->has_obfs_key) {
			snprintf(err, errlen, "obfs_key_next: the link has no obfs_key");
			goto bad;
		}
		if (wgm_json_get_obfs_key(json, "obfs_key_next", rec->obfs_key_next, err, errlen))
			goto bad;
		rec->has_obfs_key_next = true;
	}
	v = json_object_get(json, WGM_API_AWG_FIELD);
	if (v && rec->link_type != WGM_LINK_AMNEZIAWG) {
		snprintf(err, errlen, "awg: only amneziawg links have AmneziaWG parameters");
		goto bad;
	}
	if (v && wgm_awg_params_from_json(v, &rec->awg, err, errlen))
		goto bad;
	if (!v && rec->link_type == WGM_LINK_AMNEZIAWG)
		wgm_awg_params_legacy(&rec->awg);
	if (json_object_get(json, "remote_api_pk")) {
		if (wgm_json_get_key(json, "remote_api_pk", rec->remote_api_pk, LINK_KEY_LEN, err, errlen))
			goto bad;
		rec->has_remote_api_pk = true;
	}
	v = json_object_get(json, "cost_override");
	if (json_is_null(v) || !v) {
		rec->cost_override = LINK_COST_NONE;
	} else if (json_is_integer(v) && json_integer_value(v) >= BIRD_OSPF_COST_MIN &&
		   json_integer_value(v) <= BIRD_OSPF_COST_MAX) {
		rec->cost_override = (int)json_integer_value(v);
	} else {
		snprintf(err, errlen, "cost_override: must be null or an integer in 1..65535");
		goto bad;
	}
	if (wgm_json_get_bool(json, "drained", &rec->drained, err, errlen))
		goto bad;
	v = json_object_get(json, "created");
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		snprintf(err, errlen, "created: missing or not a unix time");
		goto bad;
	}
	rec->created = json_integer_value(v);
	v = json_object_get(json, "handshaked");
	if (v && !json_is_boolean(v)) {
		snprintf(err, errlen, "handshaked: not a boolean");
		goto bad;
	}
	rec->handshaked = !v || json_is_true(v);
	v = json_object_get(json, "peer");
	if (v && !json_is_boolean(v)) {
		snprintf(err, errlen, "peer: not a boolean");
		goto bad;
	}
	rec->peer = v && json_is_true(v);
	if (rec->peer) {
		v = json_object_get(json, "remote_as");
		if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 4294967295ll) {
			snprintf(err, errlen, "remote_as: missing or not an AS number (1-4294967295)");
			goto bad;
		}
		rec->remote_as = (uint32_t)json_integer_value(v);
	}
	return 0;
bad:
	link_record_wipe(rec);
	return -EINVAL;
}

void link_record_wipe(struct link_record *rec)
{
	sodium_memzero(rec, sizeof(*rec));
}
