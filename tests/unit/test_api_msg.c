#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/api/api_b64.h"
#include "common/api/api_msg.h"

static void fill(uint8_t *buf, size_t len, uint8_t seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(seed + i * 7);
}

static struct wgm_msg_connectivity_reply sample_connectivity(void)
{
	struct wgm_msg_connectivity_reply m;

	memset(&m, 0, sizeof(m));
	m.node_id = 4;
	m.has_ipv4 = true;
	inet_pton(AF_INET, "192.0.2.4", &m.ipv4);
	m.has_ipv6 = true;
	inet_pton(AF_INET6, "2001:db8::4", &m.ipv6);
	m.link_types = WGM_LINK_TYPE_BIT(WGM_LINK_DEFAULT) | WGM_LINK_TYPE_BIT(WGM_LINK_IPT_XOR);
	inet_pton(AF_INET, "10.0.0.0", &m.subnet);
	m.subnet_prefix = 16;
	fill(m.api_pk, sizeof(m.api_pk), 3);
	m.accepts_joins = true;
	return m;
}

static struct wgm_msg_connect_req sample_connect_req(void)
{
	struct wgm_msg_connect_req m;

	memset(&m, 0, sizeof(m));
	m.caller_id = 6;
	fill(m.wg_pk, sizeof(m.wg_pk), 9);
	m.link_type = WGM_LINK_WGOBFS;
	m.port = 51830;
	m.transport = WGM_TRANSPORT_V6;
	m.first_join = true;
	return m;
}

static struct wgm_msg_connect_reply sample_connect_reply(void)
{
	struct wgm_msg_connect_reply m;

	memset(&m, 0, sizeof(m));
	m.server_id = 0;
	fill(m.wg_pk, sizeof(m.wg_pk), 1);
	fill(m.psk, sizeof(m.psk), 2);
	m.has_obfs_key = true;
	fill(m.obfs_key, sizeof(m.obfs_key), 5);
	inet_pton(AF_INET, "10.0.0.4", &m.server_addr4);
	inet_pton(AF_INET, "10.0.0.5", &m.client_addr4);
	inet_pton(AF_INET6, "fe82:0::4", &m.server_addr6);
	inet_pton(AF_INET6, "fe82:0::5", &m.client_addr6);
	m.server_port = 51821;
	m.has_mesh_key = true;
	fill(m.mesh_key, sizeof(m.mesh_key), 8);
	return m;
}

static void test_connectivity_round_trip(void **state)
{
	struct wgm_msg_connectivity_reply m = sample_connectivity(), back;
	json_t *j = wgm_msg_connectivity_reply_encode(&m);
	char err[128];

	assert_non_null(j);
	assert_int_equal(wgm_msg_connectivity_reply_decode(j, &back, err, sizeof(err)), 0);
	assert_memory_equal(&back, &m, sizeof(m));
	json_decref(j);
}

static void test_connectivity_addresses_may_be_absent(void **state)
{
	struct wgm_msg_connectivity_reply m = sample_connectivity(), back;
	json_t *j;
	char err[128];

	m.has_ipv4 = false;
	memset(&m.ipv4, 0, sizeof(m.ipv4));
	j = wgm_msg_connectivity_reply_encode(&m);
	assert_null(json_object_get(j, "ipv4"));
	assert_int_equal(wgm_msg_connectivity_reply_decode(j, &back, err, sizeof(err)), 0);
	assert_false(back.has_ipv4);
	assert_true(back.has_ipv6);
	json_decref(j);
}

static void test_connect_req_round_trip(void **state)
{
	struct wgm_msg_connect_req m = sample_connect_req(), back;
	json_t *j = wgm_msg_connect_req_encode(&m);
	char err[128];

	assert_non_null(j);
	assert_int_equal(wgm_msg_connect_req_decode(j, &back, err, sizeof(err)), 0);
	assert_memory_equal(&back, &m, sizeof(m));
	json_decref(j);
}

static void test_connect_reply_round_trip(void **state)
{
	struct wgm_msg_connect_reply m = sample_connect_reply(), back;
	json_t *j = wgm_msg_connect_reply_encode(&m);
	char err[128];

	assert_non_null(j);
	assert_int_equal(wgm_msg_connect_reply_decode(j, &back, err, sizeof(err)), 0);
	assert_memory_equal(&back, &m, sizeof(m));
	json_decref(j);
}

static void test_connect_reply_optional_keys_absent(void **state)
{
	struct wgm_msg_connect_reply m = sample_connect_reply(), back;
	json_t *j;
	char err[128];

	m.has_obfs_key = m.has_mesh_key = false;
	memset(m.obfs_key, 0, sizeof(m.obfs_key));
	memset(m.mesh_key, 0, sizeof(m.mesh_key));
	j = wgm_msg_connect_reply_encode(&m);
	assert_null(json_object_get(j, "obfs_key"));
	assert_null(json_object_get(j, "mesh_key"));
	assert_int_equal(wgm_msg_connect_reply_decode(j, &back, err, sizeof(err)), 0);
	assert_memory_equal(&back, &m, sizeof(m));
	json_decref(j);
}

static void test_connect_reply_must_match_request(void **state)
{
	struct wgm_msg_connect_req req = sample_connect_req();
	struct wgm_msg_connect_reply reply = sample_connect_reply();
	char err[128];

	assert_int_equal(wgm_msg_connect_reply_matches(&reply, &req, true, err, sizeof(err)), 0);
	assert_int_equal(wgm_msg_connect_reply_matches(&reply, &req, false, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "mesh_key: unexpected");
	req.link_type = WGM_LINK_DEFAULT;
	assert_int_equal(wgm_msg_connect_reply_matches(&reply, &req, true, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "obfs_key: given for a link type without one");
}

static void test_update_and_disconnect_round_trip(void **state)
{
	struct wgm_msg_update_req u, ub;
	struct wgm_msg_disconnect_req d = { .link = { .caller_id = 8, .transport = WGM_TRANSPORT_V4 } }, db;
	json_t *j;
	char err[128];

	memset(&u, 0, sizeof(u));
	u.link.caller_id = 2;
	u.link.transport = WGM_TRANSPORT_V6;
	u.has_port = true;
	u.port = 51999;
	u.has_obfs_key = true;
	fill(u.obfs_key, sizeof(u.obfs_key), 4);
	u.has_cost = true;
	u.cost = 65535;
	j = wgm_msg_update_req_encode(&u);
	assert_int_equal(wgm_msg_update_req_decode(j, &ub, err, sizeof(err)), 0);
	assert_memory_equal(&ub, &u, sizeof(u));
	json_decref(j);
	j = wgm_msg_disconnect_req_encode(&d);
	assert_int_equal(wgm_msg_disconnect_req_decode(j, &db, err, sizeof(err)), 0);
	assert_memory_equal(&db, &d, sizeof(d));
	assert_false(db.has_wg_pk);
	json_decref(j);
	/* A joiner abandoning a half-made link names its own end. */
	d.has_wg_pk = true;
	fill(d.wg_pk, sizeof(d.wg_pk), 7);
	j = wgm_msg_disconnect_req_encode(&d);
	assert_int_equal(wgm_msg_disconnect_req_decode(j, &db, err, sizeof(err)), 0);
	assert_memory_equal(&db, &d, sizeof(d));
	json_decref(j);
}

static void test_encoders_refuse_out_of_range_values(void **state)
{
	struct wgm_msg_connect_req req = sample_connect_req();
	struct wgm_msg_connect_reply reply = sample_connect_reply();
	struct wgm_msg_update_req u;

	req.caller_id = 256;
	assert_null(wgm_msg_connect_req_encode(&req));
	inet_pton(AF_INET, "10.0.0.6", &reply.client_addr4);
	assert_null(wgm_msg_connect_reply_encode(&reply));
	memset(&u, 0, sizeof(u));
	assert_null(wgm_msg_update_req_encode(&u)); /* nothing to change */
}

/* Takes a valid encoding, sets one field to a JSON value, expects that reason. */
typedef int (*decode_fn)(const json_t *j, void *out, char *err, size_t errlen);

static void expect_field_error(json_t *good, decode_fn decode, const char *field, const char *value_json,
			       const char *reason)
{
	json_t *j = json_deep_copy(good);
	uint8_t out[2048];
	char err[160] = "";

	if (value_json) {
		json_error_t jerr;
		json_t *v = json_loads(value_json, JSON_DECODE_ANY, &jerr);
		assert_non_null(v);
		json_object_set_new(j, field, v);
	} else {
		json_object_del(j, field);
	}
	assert_int_equal(decode(j, out, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, reason);
	json_decref(j);
}

static int dec_connectivity(const json_t *j, void *out, char *err, size_t errlen)
{
	return wgm_msg_connectivity_reply_decode(j, out, err, errlen);
}
static int dec_connect_req(const json_t *j, void *out, char *err, size_t errlen)
{
	return wgm_msg_connect_req_decode(j, out, err, errlen);
}
static int dec_connect_reply(const json_t *j, void *out, char *err, size_t errlen)
{
	return wgm_msg_connect_reply_decode(j, out, err, errlen);
}
static int dec_update(const json_t *j, void *out, char *err, size_t errlen)
{
	return wgm_msg_update_req_decode(j, out, err, errlen);
}
static int dec_disconnect(const json_t *j, void *out, char *err, size_t errlen)
{
	return wgm_msg_disconnect_req_decode(j, out, err, errlen);
}

static void test_connectivity_rejects_bad_fields(void **state)
{
	struct wgm_msg_connectivity_reply m = sample_connectivity();
	json_t *g = wgm_msg_connectivity_reply_encode(&m);

	expect_field_error(g, dec_connectivity, "id", NULL, "id: missing");
	expect_field_error(g, dec_connectivity, "id", "\"4\"", "id: not an integer");
	expect_field_error(g, dec_connectivity, "id", "256", "id: 256 is out of range (0-255)");
	expect_field_error(g, dec_connectivity, "ipv4", "\"2001:db8::1\"", "ipv4: not an IPv4 address");
	expect_field_error(g, dec_connectivity, "ipv6", "\"192.0.2.1\"", "ipv6: not an IPv6 address");
	expect_field_error(g, dec_connectivity, "link_types", "[]", "link_types: not a list of 1-4 link types");
	expect_field_error(g, dec_connectivity, "link_types", "[\"tcp\"]",
			   "link_types: not one of default, wgobfs, ipt_xor, amneziawg");
	expect_field_error(g, dec_connectivity, "subnet", "\"10.0.0.1/16\"",
			   "subnet: not an IPv4 subnet (A.B.C.D/8-30, no host bits)");
	expect_field_error(g, dec_connectivity, "subnet", "\"10.0.0.0/33\"",
			   "subnet: not an IPv4 subnet (A.B.C.D/8-30, no host bits)");
	expect_field_error(g, dec_connectivity, "api_pk", "\"AAAA\"", "api_pk: not a base64 32-byte key");
	expect_field_error(g, dec_connectivity, "joins", "1", "joins: not true or false");
	assert_int_equal(wgm_msg_connectivity_reply_decode(NULL, &m, NULL, 0), -EINVAL);
	json_decref(g);
}

static void test_connect_req_rejects_bad_fields(void **state)
{
	struct wgm_msg_connect_req m = sample_connect_req();
	json_t *g = wgm_msg_connect_req_encode(&m);

	expect_field_error(g, dec_connect_req, "id", "-1", "id: -1 is out of range (0-255)");
	expect_field_error(g, dec_connect_req, "wg_pk", NULL, "wg_pk: missing");
	expect_field_error(g, dec_connect_req, "wg_pk", "\"!!!!\"", "wg_pk: not a base64 32-byte key");
	expect_field_error(g, dec_connect_req, "wg_pk", "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"",
			   "wg_pk: not a base64 32-byte key");
	expect_field_error(g, dec_connect_req, "link_type", "\"vxlan\"",
			   "link_type: not one of default, wgobfs, ipt_xor, amneziawg");
	expect_field_error(g, dec_connect_req, "port", "70000", "port: 70000 is not a port (0-65535)");
	expect_field_error(g, dec_connect_req, "port", "1.5", "port: not an integer");
	expect_field_error(g, dec_connect_req, "transport", "\"v5\"", "transport: not \"v4\" or \"v6\"");
	expect_field_error(g, dec_connect_req, "first_join", "\"yes\"", "first_join: not true or false");
	json_decref(g);
}

/* A peering join: the peer fields go out and come back; a member join's
 * encoding has none of them. */
static void test_peer_connect_round_trip(void **state)
{
	struct wgm_msg_connect_req m = sample_connect_req(), back;
	struct wgm_msg_connect_reply reply = sample_connect_reply(), rback;
	json_t *j;
	char err[128];

	j = wgm_msg_connect_req_encode(&m);
	assert_null(json_object_get(j, "peer"));
	assert_null(json_object_get(j, "as"));
	json_decref(j);
	m.peer = true;
	m.as = 4200000001u;
	inet_pton(AF_INET, "172.31.0.4", &m.peer_used[0]);
	inet_pton(AF_INET, "172.31.0.5", &m.peer_used[1]);
	m.n_peer_used = 2;
	snprintf(m.api_url, sizeof(m.api_url), "http://192.0.2.14:8080");
	j = wgm_msg_connect_req_encode(&m);
	assert_non_null(j);
	assert_int_equal(wgm_msg_connect_req_decode(j, &back, err, sizeof(err)), 0);
	assert_memory_equal(&back, &m, sizeof(m));
	expect_field_error(j, dec_connect_req, "as", "0", "as: 0 is out of range (1-4294967295)");
	expect_field_error(j, dec_connect_req, "as", NULL, "as: missing");
	expect_field_error(j, dec_connect_req, "peer_used", "[\"172.31.0\"]",
			   "peer_used: not a list of at most 64 IPv4 addresses");
	expect_field_error(j, dec_connect_req, "api_url", "\"ftp://x\"",
			   "api_url: not an http:// or https:// URL of printable characters");
	expect_field_error(j, dec_connect_req, "peer", "1", "peer: not true or false");
	json_decref(j);

	/* The reply to a peer: its AS and never the mesh key. */
	reply.has_obfs_key = false;
	memset(reply.obfs_key, 0, sizeof(reply.obfs_key));
	m.link_type = WGM_LINK_DEFAULT;
	assert_int_equal(wgm_msg_connect_reply_matches(&reply, &m, false, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "mesh_key: given to a peer");
	reply.has_mesh_key = false;
	memset(reply.mesh_key, 0, sizeof(reply.mesh_key));
	assert_int_equal(wgm_msg_connect_reply_matches(&reply, &m, false, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "as: missing in the reply to a peering join");
	reply.peer_as = 64512;
	assert_int_equal(wgm_msg_connect_reply_matches(&reply, &m, false, err, sizeof(err)), 0);
	j = wgm_msg_connect_reply_encode(&reply);
	assert_int_equal(wgm_msg_connect_reply_decode(j, &rback, err, sizeof(err)), 0);
	assert_memory_equal(&rback, &reply, sizeof(reply));
	json_decref(j);
	/* A member join's reply carries no AS. */
	m.peer = false;
	assert_int_equal(wgm_msg_connect_reply_matches(&reply, &m, false, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "as: unexpected outside a peering join");
}

static void test_connect_reply_rejects_bad_fields(void **state)
{
	struct wgm_msg_connect_reply m = sample_connect_reply();
	json_t *g = wgm_msg_connect_reply_encode(&m);

	expect_field_error(g, dec_connect_reply, "psk", "\"AAAA\"", "psk: not a base64 32-byte key");
	expect_field_error(g, dec_connect_reply, "obfs_key", "7",
			   "obfs_key: not 32 base64url characters (or a base64 32-byte key)");
	expect_field_error(g, dec_connect_reply, "obfs_key", "\"abcdefghijklmnopqrstuvwxyz01234+\"",
			   "obfs_key: not 32 base64url characters (or a base64 32-byte key)");
	expect_field_error(g, dec_connect_reply, "server_addr4", "\"10.0.0.256\"", "server_addr4: not an IPv4 address");
	expect_field_error(g, dec_connect_reply, "client_addr4", "\"10.0.0.7\"",
			   "client_addr4: not the odd half of the server's /31");
	expect_field_error(g, dec_connect_reply, "server_addr4", "\"10.0.0.5\"",
			   "client_addr4: not the odd half of the server's /31");
	expect_field_error(g, dec_connect_reply, "client_addr6", "\"fe82::6\"",
			   "client_addr6: not the odd half of the server's /127");
	expect_field_error(g, dec_connect_reply, "server_addr6", NULL, "server_addr6: missing");
	expect_field_error(g, dec_connect_reply, "port", "0", "port: 0 is not a port (1-65535)");
	expect_field_error(g, dec_connect_reply, "mesh_key", "null", "mesh_key: not a base64 32-byte key");
	json_decref(g);
}

static void test_update_and_disconnect_reject_bad_fields(void **state)
{
	struct wgm_msg_update_req u;
	struct wgm_msg_disconnect_req d = { .link = { .caller_id = 8, .transport = WGM_TRANSPORT_V4 } };
	json_t *g, *gd = wgm_msg_disconnect_req_encode(&d);

	memset(&u, 0, sizeof(u));
	u.link.caller_id = 2;
	u.has_cost = true;
	u.cost = 10;
	g = wgm_msg_update_req_encode(&u);
	expect_field_error(g, dec_update, "cost", "65536", "cost: 65536 is out of range (0-65535)");
	expect_field_error(g, dec_update, "cost", NULL, "update: nothing to change (port, obfs_key or cost)");
	expect_field_error(g, dec_update, "port", "0", "port: 0 is not a port (1-65535)");
	expect_field_error(g, dec_update, "obfs_key", "\"\"",
			   "obfs_key: not 32 base64url characters (or a base64 32-byte key)");
	expect_field_error(gd, dec_disconnect, "id", "null", "id: not an integer");
	expect_field_error(gd, dec_disconnect, "transport", NULL, "transport: not \"v4\" or \"v6\"");
	expect_field_error(gd, dec_disconnect, "wg_pk", "\"c2hvcnQ\"", "wg_pk: not a base64 32-byte key");
	json_decref(g);
	json_decref(gd);
}

static void test_decode_errors_never_quote_keys(void **state)
{
	struct wgm_msg_connect_reply m = sample_connect_reply(), back;
	json_t *j = wgm_msg_connect_reply_encode(&m);
	char psk[WGM_B64_KEY_LEN + 1], err[160];

	/* A PSK one byte short: the reason must not echo what was sent. */
	wgm_b64_encode(m.psk, 31, psk, sizeof(psk));
	json_object_set_new(j, "psk", json_string(psk));
	assert_int_equal(wgm_msg_connect_reply_decode(j, &back, err, sizeof(err)), -EINVAL);
	assert_null(strstr(err, psk));
	for (size_t i = 0; i < sizeof(back.psk); i++)
		assert_int_equal(back.psk[i], 0);
	json_decref(j);
}

static void test_status_codes_keep_original_meanings(void **state)
{
	assert_int_equal(WGM_API_BAD_FIELD, 400);
	assert_int_equal(WGM_API_BAD_TOKEN, 401);
	assert_int_equal(WGM_API_BLOCKED, 403);
	assert_int_equal(WGM_API_LINK_EXISTS, 412);
	assert_int_equal(WGM_API_ID_COLLISION, 416);
	assert_int_equal(WGM_API_NO_SUBNET, 500);
	assert_string_equal(wgm_api_status_reason(412), "link already exists");
	assert_string_equal(wgm_api_status_reason(416), "node ID already in the mesh");
	assert_int_equal(wgm_api_status_from_errno(-EMSGSIZE), 413);
	assert_int_equal(wgm_api_status_from_errno(-EINVAL), 400);
	assert_int_equal(wgm_api_status_from_errno(-ENOSPC), 503);
}

static void test_link_type_names_round_trip(void **state)
{
	enum wgm_link_type t;

	for (int i = 0; i < WGM_LINK_TYPE_COUNT; i++) {
		assert_int_equal(wgm_link_type_from_name(wgm_link_type_name((enum wgm_link_type)i), &t), 0);
		assert_int_equal(t, i);
	}
	assert_int_equal(wgm_link_type_from_name("Default", &t), -EINVAL);
	assert_true(wgm_link_type_needs_obfs_key(WGM_LINK_IPT_XOR));
	assert_false(wgm_link_type_needs_obfs_key(WGM_LINK_DEFAULT));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connectivity_round_trip),
		cmocka_unit_test(test_connectivity_addresses_may_be_absent),
		cmocka_unit_test(test_connect_req_round_trip),
		cmocka_unit_test(test_connect_reply_round_trip),
		cmocka_unit_test(test_connect_reply_optional_keys_absent),
		cmocka_unit_test(test_connect_reply_must_match_request),
		cmocka_unit_test(test_peer_connect_round_trip),
		cmocka_unit_test(test_update_and_disconnect_round_trip),
		cmocka_unit_test(test_encoders_refuse_out_of_range_values),
		cmocka_unit_test(test_connectivity_rejects_bad_fields),
		cmocka_unit_test(test_connect_req_rejects_bad_fields),
		cmocka_unit_test(test_connect_reply_rejects_bad_fields),
		cmocka_unit_test(test_update_and_disconnect_reject_bad_fields),
		cmocka_unit_test(test_decode_errors_never_quote_keys),
		cmocka_unit_test(test_status_codes_keep_original_meanings),
		cmocka_unit_test(test_link_type_names_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
