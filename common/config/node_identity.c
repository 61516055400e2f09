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
	int rc = wgm_api_keypair_generate(&id->api);

	if (rc == 0)
		wgm_mesh_key_new(id->mesh_key);
	return rc;
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
	rc = statefile_read_json(path, &json, err, errlen);
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
	rc = 0;
out:
	if (rc < 0)
		wgm_node_identity_wipe(id);
	wgm_json_decref_wiped(json);
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
	if (!json) {
		snprintf(err, errlen, "%s: out of memory", path);
		rc = -ENOMEM;
		goto out;
	}
	rc = statefile_write_json(path, json, STATEFILE_MODE_SECRET, err, errlen);
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
