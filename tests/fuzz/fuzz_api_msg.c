/* libFuzzer target for the node API's outside input (common/api/): the
 * first byte picks the parser, the rest is what a remote node sent: a boxed
 * request body (wgm_api_request_open), a refusal body (wgm_api_error_parse)
 * or the JSON payload of a message (connectivity and connect replies,
 * connect, update and disconnect requests). Anything accepted must encode
 * again; nothing may crash or leak.
 *
 * Built with clang only (CMakeLists.txt); tests/unit/test_fuzz_parsers.c
 * replays the same function on a fixed corpus under gcc. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "common/api/api_envelope.h"
#include "common/api/api_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct wgm_api_keypair server;
	static bool ready;
	char err[256], reason[WGM_API_ERROR_MAX + 1];
	json_t *j, *back = NULL;

	if (!ready) {
		if (sodium_init() < 0)
			abort();
		/* A fixed key, so that a crash replays. */
		memset(server.sk, 0x42, sizeof(server.sk));
		crypto_scalarmult_base(server.pk, server.sk);
		ready = true;
	}
	if (size < 1)
		return 0;
	const char *text = (const char *)data + 1;
	size_t len = size - 1;

	switch (data[0] % 7) {
	case 0: {
		struct wgm_api_request req;
		memset(&req, 0, sizeof(req));
		if (wgm_api_request_open(&server, "/connect", text, len, 1700000000, NULL, &req, err, sizeof(err)) == 0)
			wgm_api_request_clear(&req);
		return 0;
	}
	case 1:
		if (wgm_api_error_parse(text, len, reason, sizeof(reason)) == 0 && strlen(reason) > WGM_API_ERROR_MAX)
			abort();
		return 0;
	default:
		break;
	}
	j = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	if (!j)
		return 0;
	switch (data[0] % 7) {
	case 2: {
		struct wgm_msg_connectivity_reply m;
		if (wgm_msg_connectivity_reply_decode(j, &m, err, sizeof(err)) == 0 &&
		    !(back = wgm_msg_connectivity_reply_encode(&m)))
			abort();
		break;
	}
	case 3: {
		struct wgm_msg_connect_req m;
		if (wgm_msg_connect_req_decode(j, &m, err, sizeof(err)) == 0 &&
		    !(back = wgm_msg_connect_req_encode(&m)))
			abort();
		break;
	}
	case 4: {
		struct wgm_msg_connect_reply m;
		memset(&m, 0, sizeof(m));
		if (wgm_msg_connect_reply_decode(j, &m, err, sizeof(err)) == 0 &&
		    !(back = wgm_msg_connect_reply_encode(&m)))
			abort();
		wgm_msg_connect_reply_wipe(&m);
		break;
	}
	case 5: {
		struct wgm_msg_update_req m;
		memset(&m, 0, sizeof(m));
		if (wgm_msg_update_req_decode(j, &m, err, sizeof(err)) == 0 && !(back = wgm_msg_update_req_encode(&m)))
			abort();
		wgm_msg_update_req_wipe(&m);
		break;
	}
	default: {
		struct wgm_msg_disconnect_req m;
		if (wgm_msg_disconnect_req_decode(j, &m, err, sizeof(err)) == 0 &&
		    !(back = wgm_msg_disconnect_req_encode(&m)))
			abort();
		break;
	}
	}
	json_decref(back);
	json_decref(j);
	return 0;
}
