#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "common/wg/wg.h"
#include "common/wg/wg_uapi.h"

#define HEX_A "0101010101010101010101010101010101010101010101010101010101010101"
#define HEX_B "0202020202020202020202020202020202020202020202020202020202020202"
#define HEX_C "0303030303030303030303030303030303030303030303030303030303030303"
#define HEX_0 "0000000000000000000000000000000000000000000000000000000000000000"

static struct wgm_wg_device *device_with_two_peers(void)
{
	struct wgm_wg_device *dev = calloc(1, sizeof(*dev));
	struct wgm_wg_peer *p;
	strcpy(dev->ifname, "pipe2");
	memset(dev->private_key, 1, WGM_WG_KEY_LEN);
	dev->has_private_key = true;
	dev->listen_port = 51820;
	dev->fwmark = 0;
	p = wgm_wg_device_add_peer(dev);
	memset(p->public_key, 2, WGM_WG_KEY_LEN);
	memset(p->preshared_key, 3, WGM_WG_KEY_LEN);
	p->has_preshared_key = true;
	wgm_wg_endpoint_parse("192.0.2.2:51821", p);
	p->persistent_keepalive = 25;
	wgm_wg_allowed_ip_parse("0.0.0.0/0", wgm_wg_peer_add_allowed_ip(p));
	wgm_wg_allowed_ip_parse("::/0", wgm_wg_peer_add_allowed_ip(p));
	p = wgm_wg_device_add_peer(dev);
	memset(p->public_key, 3, WGM_WG_KEY_LEN);
	wgm_wg_endpoint_parse("[2001:db8::2]:9", p);
	return dev;
}

static void test_set_request_text(void **state)
{
	struct wgm_wg_device *dev = device_with_two_peers();
	char *text;
	size_t len;
	assert_int_equal(wgm_wg_uapi_format_set(dev, &text, &len), 0);
	assert_int_equal(len, strlen(text));
	assert_string_equal(text, "set=1\n"
				  "private_key=" HEX_A "\n"
				  "listen_port=51820\n"
				  "fwmark=0\n"
				  "replace_peers=true\n"
				  "public_key=" HEX_B "\n"
				  "preshared_key=" HEX_C "\n"
				  "endpoint=192.0.2.2:51821\n"
				  "persistent_keepalive_interval=25\n"
				  "replace_allowed_ips=true\n"
				  "allowed_ip=0.0.0.0/0\n"
				  "allowed_ip=::/0\n"
				  "public_key=" HEX_C "\n"
				  "endpoint=[2001:db8::2]:9\n"
				  "persistent_keepalive_interval=0\n"
				  "replace_allowed_ips=true\n"
				  "\n");
	wgm_wg_uapi_text_free(text, len);
	wgm_wg_device_free(dev);
}

/* A live link's allowed IPs change alone: no key, port (wireguard-go would
 * rebind), endpoint or keepalive, and a peer that is gone is not made again. */
static void test_set_allowed_ips_only(void **state)
{
	struct wgm_wg_device *dev = device_with_two_peers();
	char *text;
	size_t len;
	dev->allowed_ips_only = true;
	assert_int_equal(wgm_wg_uapi_format_set(dev, &text, &len), 0);
	assert_string_equal(text, "set=1\n"
				  "public_key=" HEX_B "\n"
				  "update_only=true\n"
				  "replace_allowed_ips=true\n"
				  "allowed_ip=0.0.0.0/0\n"
				  "allowed_ip=::/0\n"
				  "public_key=" HEX_C "\n"
				  "update_only=true\n"
				  "replace_allowed_ips=true\n"
				  "\n");
	wgm_wg_uapi_text_free(text, len);
	wgm_wg_device_free(dev);
}

static void test_set_without_private_key_or_peers(void **state)
{
	struct wgm_wg_device dev = { .listen_port = 1, .fwmark = 7 };
	char *text;
	size_t len;
	assert_int_equal(wgm_wg_uapi_format_set(&dev, &text, &len), 0);
	assert_string_equal(text, "set=1\nlisten_port=1\nfwmark=7\nreplace_peers=true\n\n");
	wgm_wg_uapi_text_free(text, len);
}

static void test_set_rejects_bad_allowed_ip(void **state)
{
	struct wgm_wg_device *dev = device_with_two_peers();
	char *text = NULL;
	size_t len;
	dev->peers[0].allowed_ips[0].cidr = 40;
	assert_int_equal(wgm_wg_uapi_format_set(dev, &text, &len), -EINVAL);
	assert_null(text);
	wgm_wg_device_free(dev);
}

/* What wireguard-go 0.0.2022 answers, trimmed to one peer plus an
 * amneziawg-style extra key that must be skipped. */
static const char get_reply[] = "private_key=" HEX_A "\n"
				"listen_port=51820\n"
				"fwmark=0\n"
				"jc=4\n"
				"public_key=" HEX_B "\n"
				"preshared_key=" HEX_C "\n"
				"protocol_version=1\n"
				"endpoint=192.0.2.2:51821\n"
				"last_handshake_time_sec=1764000000\n"
				"last_handshake_time_nsec=123456789\n"
				"tx_bytes=1234\n"
				"rx_bytes=5678\n"
				"persistent_keepalive_interval=25\n"
				"allowed_ip=0.0.0.0/0\n"
				"allowed_ip=::/0\n"
				"public_key=" HEX_C "\n"
				"preshared_key=" HEX_0 "\n"
				"last_handshake_time_sec=0\n"
				"last_handshake_time_nsec=0\n"
				"tx_bytes=0\n"
				"rx_bytes=0\n"
				"persistent_keepalive_interval=0\n"
				"errno=0\n"
				"\n";

static void test_parse_get_reply(void **state)
{
	struct wgm_wg_device dev = { 0 };
	char err[128] = "";
	uint8_t pub[WGM_WG_KEY_LEN];
	char ep[64];
	assert_int_equal(wgm_wg_uapi_parse_get(get_reply, strlen(get_reply), &dev, err, sizeof(err)), 0);
	assert_true(dev.has_private_key);
	assert_true(dev.has_public_key);
	wgm_key_public(pub, dev.private_key);
	assert_memory_equal(dev.public_key, pub, WGM_WG_KEY_LEN);
	assert_int_equal(dev.listen_port, 51820);
	assert_int_equal(dev.n_peers, 2);
	const struct wgm_wg_peer *p = &dev.peers[0];
	assert_int_equal(p->public_key[0], 2);
	assert_true(p->has_preshared_key);
	wgm_wg_endpoint_format(p, ep, sizeof(ep));
	assert_string_equal(ep, "192.0.2.2:51821");
	assert_int_equal(p->last_handshake_sec, 1764000000);
	assert_int_equal(p->last_handshake_nsec, 123456789);
	assert_int_equal(p->tx_bytes, 1234);
	assert_int_equal(p->rx_bytes, 5678);
	assert_int_equal(p->persistent_keepalive, 25);
	assert_int_equal(p->n_allowed_ips, 2);
	assert_int_equal(p->allowed_ips[1].family, AF_INET6);
	assert_false(dev.peers[1].has_preshared_key);
	assert_int_equal(dev.peers[1].endpoint.addr.sa_family, AF_UNSPEC);
	for (size_t i = 0; i < dev.n_peers; i++)
		free(dev.peers[i].allowed_ips);
	free(dev.peers);
}

/* The accepting side learns the joiner's endpoint only from WireGuard: every
 * form wireguard-go writes must come back as the daemon shows it. */
static void test_parse_get_reply_endpoints(void **state)
{
	static const struct {
		const char *line;
		const char *shown;
	} cases[] = {
		{ "endpoint=192.0.2.12:51820\n", "192.0.2.12:51820" },
		{ "endpoint=[2001:db8::12]:51821\n", "[2001:db8::12]:51821" },
		{ "endpoint=[fe80::12%3]:51822\n", "[fe80::12%3]:51822" },
		{ "", "" }, /* no handshake yet on the accepting side: no endpoint line */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct wgm_wg_device dev = { 0 };
		char reply[512], err[128] = "", ep[80];
		snprintf(reply, sizeof(reply),
			 "listen_port=51820\npublic_key=" HEX_B "\n%slast_handshake_time_sec=0\n"
			 "errno=0\n\n",
			 cases[i].line);
		assert_int_equal(wgm_wg_uapi_parse_get(reply, strlen(reply), &dev, err, sizeof(err)), 0);
		assert_int_equal(dev.n_peers, 1);
		wgm_wg_endpoint_format(&dev.peers[0], ep, sizeof(ep));
		assert_string_equal(ep, cases[i].shown);
		free(dev.peers);
	}
}

static int parse(const char *text, char *err, size_t errlen)
{
	struct wgm_wg_device dev = { 0 };
	int e = wgm_wg_uapi_parse_get(text, strlen(text), &dev, err, errlen);
	for (size_t i = 0; i < dev.n_peers; i++)
		free(dev.peers[i].allowed_ips);
	free(dev.peers);
	return e;
}

static void test_errno_reply_is_an_error(void **state)
{
	char err[128] = "";
	assert_int_equal(parse("errno=19\n\n", err, sizeof(err)), -19);
	assert_non_null(strstr(err, "errno=19"));
	assert_int_equal(wgm_wg_uapi_parse_set_reply("errno=22\n\n", 10, err, sizeof(err)), -22);
	assert_int_equal(wgm_wg_uapi_parse_set_reply("errno=0\n\n", 9, err, sizeof(err)), 0);
	/* wireguard-go negates its codes: -98 is EADDRINUSE (a listen port in use). */
	assert_int_equal(wgm_wg_uapi_parse_set_reply("errno=-98\n\n", 11, err, sizeof(err)), -98);
}

static void test_malformed_replies(void **state)
{
	static const struct {
		const char *text;
		const char *why;
	} bad[] = {
		{ "listen_port=1\n\n", "no errno line" },
		{ "", "no errno line" },
		{ "errno=abc\n\n", "bad line for key 'errno'" },
		{ "errno=--1\n\n", "bad line for key 'errno'" },
		{ "listen_port=70000\nerrno=0\n\n", "bad line for key 'listen_port'" },
		{ "private_key=0101\nerrno=0\n\n", "bad line for key 'private_key'" },
		{ "endpoint=192.0.2.2:1\nerrno=0\n\n", "bad line for key 'endpoint'" },
		{ "public_key=" HEX_B "\nallowed_ip=10.0.0.0/99\nerrno=0\n\n", "bad line for key 'allowed_ip'" },
		{ "public_key=" HEX_B "\nrx_bytes=1x\nerrno=0\n\n", "bad line for key 'rx_bytes'" },
		{ "no equals sign\nerrno=0\n\n", "bad line" },
		{ "errno=0", "no newline" },
		{ "errno=0\nlisten_port=1\n\n", "line after errno" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char err[128] = "";
		assert_int_equal(parse(bad[i].text, err, sizeof(err)), -EPROTO);
		if (!strstr(err, bad[i].why))
			fail_msg("reply %zu: '%s' does not say '%s'", i, err, bad[i].why);
	}
}

static void test_error_never_echoes_key_material(void **state)
{
	char err[128] = "";
	assert_int_equal(parse("private_key=" HEX_A "ZZ\nerrno=0\n\n", err, sizeof(err)), -EPROTO);
	assert_null(strstr(err, "0101"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_request_text),
		cmocka_unit_test(test_set_allowed_ips_only),
		cmocka_unit_test(test_set_without_private_key_or_peers),
		cmocka_unit_test(test_set_rejects_bad_allowed_ip),
		cmocka_unit_test(test_parse_get_reply),
		cmocka_unit_test(test_parse_get_reply_endpoints),
		cmocka_unit_test(test_errno_reply_is_an_error),
		cmocka_unit_test(test_malformed_replies),
		cmocka_unit_test(test_error_never_echoes_key_material),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
