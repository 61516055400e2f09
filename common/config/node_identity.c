#include "common/config/node_identity.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "common/api/api_b64.h"
#include "common/api/json_secret.h"
#include "common/config/statefile.h"

#define NODE_IDENTITY_VERSION 1

int wgm_node_identity_path(const char *state_dir, char *path, size_t len)
{
	int n = snprintf(path, len, "%s/node.json", state_dir);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int wgm_node_identity_generate(struct wgm_node_identity *id)
{
	int rc;

	memset(id, 0, sizeof(*id));
	rc = wgm_api_keypair_generate(&id->api);

	if (rc == 0)
		wgm_mesh_key_new(id->mesh_key);
	if (rc == 0)
		rc = wgm_trust_keypair_new(id->mesh_pk, id->mesh_sk);
	id->has_mesh_pk = id->is_admin = rc == 0;
	id->has_cert = false;
	return rc;
}

/* The optional mesh authority fields (absent in state of earlier versions). */
static int load_trust(const json_t *json, const char *path, struct wgm_node_identity *id, char *err, size_t errlen)
{
	const json_t *pk = json_object_get(json, "mesh_pk"), *sk = json_object_get(json, "mesh_sk"),
		     *cert = json_object_get(json, "cert");
	uint8_t derived[WGM_TRUST_PK_LEN];

	if (!pk) {
		if (sk || cert) {
			snprintf(err, errlen, "%s: mesh_sk or cert without mesh_pk", path);
			return -EINVAL;
		}
		return 0;
	}
	if (!json_is_string(pk) || wgm_b64_decode_exact(json_string_value(pk), id->mesh_pk, WGM_TRUST_PK_LEN) != 0) {
		snprintf(err, errlen, "%s: mesh_pk: not a base64 key of 32 bytes", path);
		return -EINVAL;
	}
	id->has_mesh_pk = true;
	if (sk) {
		if (!json_is_string(sk) ||
		    wgm_b64_decode_exact(json_string_value(sk), id->mesh_sk, WGM_TRUST_SK_LEN) != 0) {
			snprintf(err, errlen, "%s: mesh_sk: not a base64 key of 64 bytes", path);
			return -EINVAL;
		}
		wgm_trust_sk_to_pk(id->mesh_sk, derived);
		if (memcmp(derived, id->mesh_pk, sizeof(derived)) != 0) {
			snprintf(err, errlen, "%s: mesh_sk is not the secret half of mesh_pk", path);
			return -EINVAL;
		}
		id->is_admin = true;
	}
	if (cert) {
		if (wgm_cert_decode(json_string_value(cert), &id->cert) < 0 ||
		    wgm_cert_verify(&id->cert, id->mesh_pk) < 0) {
			snprintf(err, errlen, "%s: cert: not a certificate of this mesh", path);
			return -EINVAL;
		}
		id->has_cert = true;
	}
	return 0;
}

/* NULL is epoch 0 (state and payloads from before any rotation). */
static int epoch_value(const json_t *v, uint32_t *epoch)
{
	*epoch = 0;
	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > UINT32_MAX)
		return -EINVAL;
	*epoch = (uint32_t)json_integer_value(v);
	return 0;
}

int wgm_node_identity_payload_epoch(const json_t *payload, uint32_t *epoch)
{
	return epoch_value(json_object_get(payload, "epoch"), epoch);
}

/* The mesh key's epoch and the previous key (absent before any rotation). */
static int load_epochs(const json_t *json, const char *path, struct wgm_node_identity *id, char *err, size_t errlen)
{
	const json_t *old = json_object_get(json, "old_mesh_key");
	const json_t *until = json_object_get(old, "until");
	uint32_t old_epoch = 0;

	if (epoch_value(json_object_get(json, "mesh_epoch"), &id->mesh_epoch) < 0) {
		snprintf(err, errlen, "%s: mesh_epoch: not a number from 0 to 4294967295", path);
		return -EINVAL;
	}
	if (!old)
		return 0;
	if (!json_is_object(old) || wgm_node_identity_payload_epoch(old, &old_epoch) < 0 || !json_is_integer(until) ||
	    old_epoch >= id->mesh_epoch ||
	    wgm_b64_decode_exact(json_string_value(json_object_get(old, "key")), id->old_mesh_key.key,
				 WGM_MESH_KEY_LEN) != 0) {
		snprintf(err, errlen, "%s: old_mesh_key: not {\"key\":B64,\"epoch\":N,\"until\":T} of an older epoch",
			 path);
		return -EINVAL;
	}
	id->old_mesh_key.has = true;
	id->old_mesh_key.epoch = old_epoch;
	id->old_mesh_key.until = (int64_t)json_integer_value(until);
	return 0;
}

int wgm_node_identity_load(const char *state_dir, struct wgm_node_identity *id, char *err, size_t errlen)
{
	char path[512], why[256];
	json_t *json = NULL, *v;
	int rc;

	memset(id, 0, sizeof(*id));
	if (wgm_node_identity_path(state_dir, path, sizeof(path))) {
		snprintf(err, errlen, "%s: state directory path too long", state_dir);
		return -ENAMETOOLONG;
	}
	rc = wgm_statefile_read_json(path, &json, err, errlen);
	if (rc < 0)
		return rc;
	rc = -EINVAL;
	v = json_object_get(json, "version");
	if (!json_is_integer(v) || json_integer_value(v) != NODE_IDENTITY_VERSION) {
		snprintf(err, errlen, "%s: version: this program reads version %d", path, NODE_IDENTITY_VERSION);
		goto out;
	}
	v = json_object_get(json, "api_sk");
	if (!json_is_string(v) || wgm_api_keypair_from_b64(json_string_value(v), &id->api, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "%s: api_sk: not a base64 key of 32 bytes", path);
		goto out;
	}
	v = json_object_get(json, "mesh_key");
	if (!json_is_string(v) || wgm_b64_decode_exact(json_string_value(v), id->mesh_key, WGM_MESH_KEY_LEN) != 0) {
		snprintf(err, errlen, "%s: mesh_key: not a base64 key of 32 bytes", path);
		goto out;
	}
	rc = load_trust(json, path, id, err, errlen);
	if (rc == 0)
		rc = load_epochs(json, path, id, err, errlen);
out:
	if (rc < 0)
		wgm_node_identity_wipe(id);
	wgm_json_decref_wiped(json);
	return rc;
}

static int save_trust(json_t *json, const struct wgm_node_identity *id)
{
	char pk[WGM_B64_KEY_LEN + 1], sk[WGM_B64_LEN(WGM_TRUST_SK_LEN) + 1], cert[WGM_TRUST_CERT_B64_MAX];
	int rc = 0;

	if (!id->has_mesh_pk)
		return 0;
	wgm_b64_encode(id->mesh_pk, WGM_TRUST_PK_LEN, pk, sizeof(pk));
	rc = json_object_set_new(json, "mesh_pk", json_string(pk));
	if (rc == 0 && id->is_admin) {
		wgm_b64_encode(id->mesh_sk, WGM_TRUST_SK_LEN, sk, sizeof(sk));
		rc = json_object_set_new(json, "mesh_sk", json_string(sk));
		sodium_memzero(sk, sizeof(sk));
	}
	if (rc == 0 && id->has_cert) {
		wgm_cert_encode(&id->cert, cert);
		rc = json_object_set_new(json, "cert", json_string(cert));
	}
	return rc;
}

static int save_epochs(json_t *json, const struct wgm_node_identity *id)
{
	char key[WGM_B64_KEY_LEN + 1];
	int rc = 0;

	if (id->mesh_epoch)
		rc = json_object_set_new(json, "mesh_epoch", json_integer(id->mesh_epoch));
	if (rc == 0 && id->old_mesh_key.has) {
		wgm_b64_encode(id->old_mesh_key.key, WGM_MESH_KEY_LEN, key, sizeof(key));
		rc = json_object_set_new(json, "old_mesh_key",
					 json_pack("{s:s, s:I, s:I}", "key", key, "epoch",
						   (json_int_t)id->old_mesh_key.epoch, "until",
						   (json_int_t)id->old_mesh_key.until));
		sodium_memzero(key, sizeof(key));
	}
	return rc;
}

int wgm_node_identity_save(const char *state_dir, const struct wgm_node_identity *id, char *err, size_t errlen)
{
	char path[512], sk[WGM_B64_KEY_LEN + 1], mesh[WGM_B64_KEY_LEN + 1];
	json_t *json = NULL;
	int rc;

	if (wgm_node_identity_path(state_dir, path, sizeof(path))) {
		snprintf(err, errlen, "%s: state directory path too long", state_dir);
		return -ENAMETOOLONG;
	}
	rc = wgm_api_keypair_to_b64(&id->api, sk, sizeof(sk));
	if (rc == 0)
		rc = wgm_b64_encode(id->mesh_key, WGM_MESH_KEY_LEN, mesh, sizeof(mesh));
	if (rc < 0) {
		snprintf(err, errlen, "%s: cannot encode keys", path);
		goto out;
	}
	json = json_pack("{s:i, s:s, s:s}", "version", NODE_IDENTITY_VERSION, "api_sk", sk, "mesh_key", mesh);
	if (json && save_trust(json, id) < 0) {
		wgm_json_decref_wiped(json);
		json = NULL;
	}
	if (!json) {
		snprintf(err, errlen, "%s: out of memory", path);
		rc = -ENOMEM;
		goto out;
	}
	if (save_epochs(json, id) < 0) {
		snprintf(err, errlen, "%s: out of memory", path);
		rc = -ENOMEM;
		goto out;
	}
	rc = wgm_statefile_write_json(path, json, WGM_STATEFILE_MODE_SECRET, err, errlen);
out:
	sodium_memzero(sk, sizeof(sk));
	sodium_memzero(mesh, sizeof(mesh));
	wgm_json_decref_wiped(json);
	return rc;
}

void wgm_node_identity_wipe(struct wgm_node_identity *id)
{
	sodium_memzero(id, sizeof(*id));
}

int wgm_node_identity_mesh_key(const struct wgm_node_identity *id, uint32_t epoch, int64_t now, const uint8_t **key,
			       char *err, size_t errlen)
{
	return wgm_mesh_key_pick(id->mesh_key, id->mesh_epoch, &id->old_mesh_key, epoch, now, key, err, errlen);
}

int wgm_node_identity_connectivity_check(const struct wgm_node_identity *id, const json_t *answer,
					 const uint8_t challenge[WGM_API_NONCE_LEN], unsigned node_id,
					 const uint8_t api_pk[WGM_API_KEY_LEN], int64_t now)
{
	const char *mac = json_string_value(json_object_get(answer, "mac"));
	const uint8_t *key;
	uint32_t epoch;
	char why[160];

	if (!mac)
		return -EINVAL;
	if (wgm_node_identity_payload_epoch(answer, &epoch) < 0 ||
	    wgm_node_identity_mesh_key(id, epoch, now, &key, why, sizeof(why)) < 0)
		return -EACCES;
	return wgm_api_auth_connectivity_check(key, challenge, node_id, api_pk, mac);
}
