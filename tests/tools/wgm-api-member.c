/* wgm-api-member: prints the body of a member call as a member node would
 * send it, for end-to-end tests that post it themselves (curl) to check what
 * the node API does with member requests it must refuse.
 *
 *   wgm-api-member STATE_DIR SERVER_API_PK ROUTE PAYLOAD_JSON
 *
 * STATE_DIR is the calling member's (its node.json: API key pair, mesh key and,
 * in a mesh with an authority, the certificate the call carries),
 * SERVER_API_PK the base64 API public key from the server's /connectivity,
 * PAYLOAD_JSON the route's fields, e.g. {"id":2,"transport":"v4","cost":7}.
 * Exit 0 with the body on stdout, 1 with one line on stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "common/api/api_auth.h"
#include "common/config/node_identity.h"

int main(int argc, char **argv)
{
	struct wgm_node_identity id;
	struct wgm_api_call call;
	uint8_t server_pk[WGM_API_KEY_LEN];
	json_error_t jerr;
	json_t *payload = NULL;
	char *body = NULL, err[256];
	size_t pk_len = 0;
	int rc = 1;

	if (argc != 5) {
		fprintf(stderr, "usage: wgm-api-member STATE_DIR SERVER_API_PK ROUTE PAYLOAD_JSON\n");
		return 2;
	}
	memset(&id, 0, sizeof(id));
	if (sodium_init() < 0) {
		fprintf(stderr, "wgm-api-member: libsodium did not start\n");
		return 1;
	}
	if (wgm_node_identity_load(argv[1], &id, err, sizeof(err)) < 0) {
		fprintf(stderr, "wgm-api-member: %s\n", err);
		goto out;
	}
	if (sodium_base642bin(server_pk, sizeof(server_pk), argv[2], strlen(argv[2]), NULL, &pk_len, NULL,
			      sodium_base64_VARIANT_ORIGINAL) < 0 ||
	    pk_len != sizeof(server_pk)) {
		fprintf(stderr, "wgm-api-member: SERVER_API_PK: not a base64 32-byte key\n");
		goto out;
	}
	payload = json_loads(argv[4], 0, &jerr);
	if (!json_is_object(payload)) {
		fprintf(stderr, "wgm-api-member: PAYLOAD_JSON: not a JSON object\n");
		goto out;
	}
	if (id.has_cert) {
		/* A member call carries the caller's certificate, as the daemon's do. */
		char cert[WGM_TRUST_CERT_B64_MAX];
		wgm_cert_encode(&id.cert, cert);
		json_object_set_new(payload, "cert", json_string(cert));
	}
	if (id.mesh_epoch) {
		/* The epoch of the caller's mesh key, as the daemon's calls name it. */
		json_object_set_new(payload, "epoch", json_integer(id.mesh_epoch));
	}
	if (wgm_api_auth_seal_member(&id.api, server_pk, id.mesh_key, argv[3], payload, (int64_t)time(NULL), &call,
				     &body, err, sizeof(err)) < 0) {
		fprintf(stderr, "wgm-api-member: %s\n", err);
		goto out;
	}
	printf("%s\n", body);
	rc = 0;
out:
	wgm_node_identity_wipe(&id);
	json_decref(payload);
	free(body);
	return rc;
}
