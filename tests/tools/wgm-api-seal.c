/* wgm-api-seal: prints the body of a join or member call as a real caller
 * would send it, for end-to-end tests that post it themselves (curl) to check
 * what the node API refuses: a token it does not know, a box sealed for
 * another route, the same body twice (a replay), a member acting on another
 * node's link.
 *
 *   wgm-api-seal TOKEN ROUTE CALLER_ID [PORT] [not-first]
 *   wgm-api-seal --member CALLER_STATE_DIR SERVER_STATE_DIR ROUTE PAYLOAD_JSON [CERT_STATE_DIR]
 *
 * The first form: a /connect request from CALLER_ID (IPv4 transport, default
 * link type, a fresh WireGuard key, the server's port PORT or 0: its choice)
 * sealed with a fresh API key pair for ROUTE; "not-first" sends first_join
 * false (which the server must not trust). The second: PAYLOAD_JSON as a
 * member call of the node whose identity (API key pair, mesh key) is in
 * CALLER_STATE_DIR to the node of SERVER_STATE_DIR (only its public API key
 * is used), carrying the caller's certificate, or with CERT_STATE_DIR that
 * node's certificate (a member presenting another's identity). Exit 0 with
 * the body on stdout, 1 with one line on stderr. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "common/api/api_auth.h"
#include "common/api/api_msg.h"
#include "common/api/json_secret.h"
#include "common/wg/keys.h"
#include "common/api/token.h"
#include "common/config/node_identity.h"

static int seal_member(const char *caller_dir, const char *server_dir, const char *route, const char *text,
		       const char *cert_dir)
{
	struct wgm_node_identity caller, server, holder;
	struct wgm_api_call call;
	json_t *payload;
	char *body = NULL, err[256];
	int rc = 1;

	if (wgm_node_identity_load(caller_dir, &caller, err, sizeof(err)) < 0) {
		fprintf(stderr, "wgm-api-seal: %s\n", err);
		return 1;
	}
	if (wgm_node_identity_load(server_dir, &server, err, sizeof(err)) < 0) {
		fprintf(stderr, "wgm-api-seal: %s\n", err);
		wgm_node_identity_wipe(&caller);
		return 1;
	}
	if (wgm_node_identity_load(cert_dir ? cert_dir : caller_dir, &holder, err, sizeof(err)) < 0) {
		fprintf(stderr, "wgm-api-seal: %s\n", err);
		wgm_node_identity_wipe(&caller);
		wgm_node_identity_wipe(&server);
		return 1;
	}
	payload = json_loads(text, 0, NULL);
	if (json_is_object(payload) && holder.has_cert) {
		char cert[WGM_TRUST_CERT_B64_MAX];
		wgm_cert_encode(&holder.cert, cert);
		json_object_set_new(payload, "cert", json_string(cert));
	}
	if (json_is_object(payload) && caller.mesh_epoch) {
		/* The epoch of the caller's mesh key, as the daemon's calls name it. */
		json_object_set_new(payload, "epoch", json_integer(caller.mesh_epoch));
	}
	wgm_node_identity_wipe(&holder);
	if (!json_is_object(payload)) {
		fprintf(stderr, "wgm-api-seal: PAYLOAD_JSON is not a JSON object\n");
	} else if (wgm_api_auth_seal_member(&caller.api, server.api.pk, caller.mesh_key, route, payload,
					    (int64_t)time(NULL), &call, &body, err, sizeof(err)) < 0) {
		fprintf(stderr, "wgm-api-seal: %s\n", err);
	} else {
		printf("%s\n", body);
		rc = 0;
	}
	json_decref(payload);
	free(body);
	wgm_node_identity_wipe(&caller);
	wgm_node_identity_wipe(&server);
	return rc;
}

int main(int argc, char **argv)
{
	struct wgm_msg_connect_req m = { .link_type = WGM_LINK_DEFAULT,
					 .transport = WGM_TRANSPORT_V4,
					 .first_join = true };
	struct wgm_api_keypair caller;
	struct wgm_api_call call;
	struct wgm_token token;
	uint8_t wg_sk[WGM_WG_KEY_LEN];
	json_t *payload = NULL;
	char *body = NULL, err[256], *end;
	int rc = 1;
	long id;

	if ((argc == 6 || argc == 7) && strcmp(argv[1], "--member") == 0) {
		if (sodium_init() < 0) {
			fprintf(stderr, "wgm-api-seal: cannot initialise libsodium\n");
			return 1;
		}
		return seal_member(argv[2], argv[3], argv[4], argv[5], argc == 7 ? argv[6] : NULL);
	}
	if ((argc == 5 || argc == 6) && strcmp(argv[argc - 1], "not-first") == 0) {
		m.first_join = false;
		argc--;
	}
	if (argc != 4 && argc != 5) {
		fprintf(stderr,
			"usage: wgm-api-seal TOKEN ROUTE CALLER_ID [PORT] [not-first]\n"
			"       wgm-api-seal --member CALLER_STATE_DIR SERVER_STATE_DIR ROUTE PAYLOAD_JSON [CERT_STATE_DIR]\n");
		return 2;
	}
	if (sodium_init() < 0 || wgm_api_keypair_generate(&caller) < 0) {
		fprintf(stderr, "wgm-api-seal: cannot make keys\n");
		return 1;
	}
	errno = 0;
	id = strtol(argv[3], &end, 10);
	if (errno || *end || end == argv[3] || id < 0 || id > 65535) {
		fprintf(stderr, "wgm-api-seal: CALLER_ID: %s is not a node ID\n", argv[3]);
		goto out;
	}
	if (argc == 5) {
		long port = strtol(argv[4], &end, 10);
		if (errno || *end || end == argv[4] || port < 0 || port > 65535) {
			fprintf(stderr, "wgm-api-seal: PORT: %s is not a port\n", argv[4]);
			goto out;
		}
		m.port = (uint16_t)port;
	}
	if (wgm_token_decode(argv[1], &token, err, sizeof(err)) < 0) {
		fprintf(stderr, "wgm-api-seal: %s\n", err);
		goto out;
	}
	m.caller_id = (int)id;
	if (wgm_key_generate_private(wg_sk) < 0) {
		fprintf(stderr, "wgm-api-seal: cannot make a WireGuard key\n");
		goto out;
	}
	wgm_key_public(m.wg_pk, wg_sk);
	sodium_memzero(wg_sk, sizeof(wg_sk));
	payload = wgm_msg_connect_req_encode(&m);
	if (!payload || wgm_api_auth_seal_join(&caller, &token, argv[2], payload, (int64_t)time(NULL), &call, &body,
					       err, sizeof(err)) < 0) {
		fprintf(stderr, "wgm-api-seal: %s\n", payload ? err : "cannot encode the request");
		goto out;
	}
	printf("%s\n", body);
	rc = 0;
out:
	wgm_token_wipe(&token);
	wgm_api_keypair_wipe(&caller);
	json_decref(payload);
	free(body);
	return rc;
}
