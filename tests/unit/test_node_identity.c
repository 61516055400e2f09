#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <sodium.h>

#include "common/api/json_secret.h"
#include "common/config/node_identity.h"

static char dir[64];

static int make_dir(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/wgm-identity-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_saved_identity_loads_back_and_is_private(void **state)
{
	struct wgm_node_identity a, b;
	char err[256], path[128];
	struct stat st;

	assert_int_equal(wgm_node_identity_generate(&a), 0);
	assert_int_equal(wgm_node_identity_save(dir, &a, err, sizeof(err)), 0);
	assert_int_equal(wgm_node_identity_load(dir, &b, err, sizeof(err)), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	snprintf(path, sizeof(path), "%s/node.json", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
}

static void test_rotated_mesh_key_loads_back_with_its_epochs(void **state)
{
	struct wgm_node_identity a, b;
	uint8_t next[WGM_MESH_KEY_LEN] = { 9 };
	const uint8_t *key;
	char err[256];

	(void)state;
	assert_int_equal(wgm_node_identity_generate(&a), 0);
	assert_int_equal(wgm_mesh_key_install(a.mesh_key, &a.mesh_epoch, &a.old_mesh_key, next, 1, 2000, 1000), 1);
	assert_int_equal(wgm_node_identity_save(dir, &a, err, sizeof(err)), 0);
	assert_int_equal(wgm_node_identity_load(dir, &b, err, sizeof(err)), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_int_equal(wgm_node_identity_mesh_key(&b, 0, 1999, &key, err, sizeof(err)), 0);
	assert_memory_equal(key, a.old_mesh_key.key, WGM_MESH_KEY_LEN);
	assert_int_equal(wgm_node_identity_mesh_key(&b, 0, 2000, &key, err, sizeof(err)), -ESTALE);
	assert_int_equal(wgm_node_identity_mesh_key(&b, 1, 2000, &key, err, sizeof(err)), 0);
	assert_int_equal(key[0], 9);
}

static void test_two_identities_differ(void **state)
{
	struct wgm_node_identity a, b;

	assert_int_equal(wgm_node_identity_generate(&a), 0);
	assert_int_equal(wgm_node_identity_generate(&b), 0);
	assert_memory_not_equal(a.api.pk, b.api.pk, sizeof(a.api.pk));
	assert_memory_not_equal(a.mesh_key, b.mesh_key, sizeof(a.mesh_key));
}

static void test_missing_and_broken_files_are_told_apart(void **state)
{
	struct wgm_node_identity id;
	char err[256], path[128];
	FILE *f;

	assert_int_equal(wgm_node_identity_load("/nonexistent/wgm", &id, err, sizeof(err)), -ENOENT);
	snprintf(path, sizeof(path), "%s/node.json", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"version\":1,\"api_sk\":\"short\",\"mesh_key\":\"x\"}", f);
	fclose(f);
	assert_int_equal(wgm_node_identity_load(dir, &id, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "api_sk"));
	assert_non_null(strstr(err, path));
}

/* A new identity is the admin of its own mesh of one; its certificate and
 * the authority's keys survive a save and load. */
static void test_mesh_authority_is_kept(void **state)
{
	struct wgm_node_identity a, b;
	char err[256];

	assert_int_equal(wgm_node_identity_generate(&a), 0);
	assert_true(a.has_mesh_pk);
	assert_true(a.is_admin);
	a.cert = (struct wgm_cert){ .node_id = 3, .issuer_id = 3, .issued_at = 1700000000 };
	memcpy(a.cert.api_pk, a.api.pk, 32);
	wgm_cert_sign(&a.cert, a.mesh_sk);
	a.has_cert = true;
	assert_int_equal(wgm_node_identity_save(dir, &a, err, sizeof(err)), 0);
	assert_int_equal(wgm_node_identity_load(dir, &b, err, sizeof(err)), 0);
	assert_true(b.is_admin && b.has_cert);
	assert_int_equal(b.cert.node_id, 3);
	assert_int_equal(wgm_cert_verify(&b.cert, b.mesh_pk), 0);
	/* A member: the public key and its certificate, no signing key. */
	a.is_admin = false;
	assert_int_equal(wgm_node_identity_save(dir, &a, err, sizeof(err)), 0);
	assert_int_equal(wgm_node_identity_load(dir, &b, err, sizeof(err)), 0);
	assert_false(b.is_admin);
	assert_true(b.has_mesh_pk && b.has_cert);
}

/* State of an earlier version has no authority: it loads, without one. */
static void test_state_without_authority_loads(void **state)
{
	struct wgm_node_identity a, b;
	char err[256];

	assert_int_equal(wgm_node_identity_generate(&a), 0);
	a.has_mesh_pk = a.is_admin = false;
	assert_int_equal(wgm_node_identity_save(dir, &a, err, sizeof(err)), 0);
	assert_int_equal(wgm_node_identity_load(dir, &b, err, sizeof(err)), 0);
	assert_false(b.has_mesh_pk);
	assert_false(b.is_admin);
	assert_false(b.has_cert);
	assert_memory_equal(b.mesh_key, a.mesh_key, sizeof(a.mesh_key));
}

static void test_signing_key_must_match_the_public_key(void **state)
{
	struct wgm_node_identity a, other, b;
	char err[256];

	assert_int_equal(wgm_node_identity_generate(&a), 0);
	assert_int_equal(wgm_node_identity_generate(&other), 0);
	memcpy(a.mesh_sk, other.mesh_sk, sizeof(a.mesh_sk));
	assert_int_equal(wgm_node_identity_save(dir, &a, err, sizeof(err)), 0);
	assert_int_equal(wgm_node_identity_load(dir, &b, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "mesh_sk"));
}

static void test_wiped_json_strings_are_zeroed(void **state)
{
	json_t *obj = json_pack("{s:s, s:[s]}", "psk", "c2VjcmV0", "list", "another secret");
	/* Extra references keep the strings readable after the object is gone,
	 * to see what the wipe left in their buffers. */
	json_t *psk = json_incref(json_object_get(obj, "psk"));
	json_t *listed = json_incref(json_array_get(json_object_get(obj, "list"), 0));
	const char *text;

	wgm_json_decref_wiped(obj);
	text = json_string_value(psk);
	for (size_t i = 0; i < strlen("c2VjcmV0"); i++)
		assert_int_equal(text[i], 0);
	assert_int_equal(json_string_value(listed)[0], 0);
	json_decref(psk);
	json_decref(listed);
	wgm_json_decref_wiped(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_saved_identity_loads_back_and_is_private, make_dir, remove_dir),
		cmocka_unit_test(test_two_identities_differ),
		cmocka_unit_test_setup_teardown(test_rotated_mesh_key_loads_back_with_its_epochs, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_missing_and_broken_files_are_told_apart, make_dir, remove_dir),
		cmocka_unit_test(test_wiped_json_strings_are_zeroed),
		cmocka_unit_test_setup_teardown(test_mesh_authority_is_kept, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_state_without_authority_loads, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_signing_key_must_match_the_public_key, make_dir, remove_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
