/* The shared JSON getters: one error convention, "FIELD: why", never the
 * value (it may be a key). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "common/api/json_get.h"

static json_t *sample(void)
{
	json_t *j = json_pack("{s:i,s:b,s:s,s:s,s:s,s:s,s:n,s:s}", "n", 42, "flag", 1, "name", "pipe2", "empty", "",
			      "addr4", "192.0.2.1", "addr6", "2001:db8::1", "nothing", "key",
			      "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");

	assert_non_null(j);
	return j;
}

static void test_values_are_read(void **state)
{
	json_t *j = sample();
	long long n;
	bool flag;
	char name[8];
	struct in_addr a4;
	struct in6_addr a6;
	uint8_t key[32];

	assert_int_equal(wgm_json_get_int(j, "n", 0, 255, &n, NULL, 0), 0);
	assert_int_equal(n, 42);
	assert_int_equal(wgm_json_get_bool(j, "flag", &flag, NULL, 0), 0);
	assert_true(flag);
	assert_int_equal(wgm_json_get_string(j, "name", name, sizeof(name), false, NULL, 0), 0);
	assert_string_equal(name, "pipe2");
	assert_int_equal(wgm_json_get_string(j, "empty", name, sizeof(name), true, NULL, 0), 0);
	assert_string_equal(name, "");
	assert_int_equal(wgm_json_get_addr(j, "addr4", AF_INET, &a4, NULL, 0), 0);
	assert_int_equal(wgm_json_get_addr(j, "addr6", AF_INET6, &a6, NULL, 0), 0);
	assert_int_equal(wgm_json_get_key(j, "key", key, sizeof(key), NULL, 0), 0);
	assert_int_equal(key[31], 31);
	json_decref(j);
}

static void expect(int rc, const char *err, const char *want)
{
	assert_int_equal(rc, -EINVAL);
	assert_string_equal(err, want);
}

static void test_errors_name_the_field_and_why(void **state)
{
	json_t *j = sample();
	char err[128], name[4];
	long long n;
	bool flag;
	struct in_addr a4;
	uint8_t key[32];

	expect(wgm_json_get_int(j, "absent", 0, 9, &n, err, sizeof(err)), err, "absent: missing");
	expect(wgm_json_get_int(j, "name", 0, 9, &n, err, sizeof(err)), err, "name: not an integer");
	expect(wgm_json_get_int(j, "n", 0, 9, &n, err, sizeof(err)), err, "n: 42 is out of range (0-9)");
	expect(wgm_json_get_bool(j, "n", &flag, err, sizeof(err)), err, "n: not true or false");
	expect(wgm_json_get_string(j, "n", name, sizeof(name), false, err, sizeof(err)), err, "n: not a string");
	expect(wgm_json_get_string(j, "name", name, sizeof(name), false, err, sizeof(err)), err, "name: too long");
	expect(wgm_json_get_string(j, "empty", name, sizeof(name), false, err, sizeof(err)), err, "empty: empty");
	expect(wgm_json_get_addr(j, "nothing", AF_INET, &a4, err, sizeof(err)), err, "nothing: missing");
	expect(wgm_json_get_addr(j, "addr6", AF_INET, &a4, err, sizeof(err)), err, "addr6: not an IPv4 address");
	/* A key's text is never quoted back. */
	expect(wgm_json_get_key(j, "name", key, sizeof(key), err, sizeof(err)), err, "name: not a base64 32-byte key");
	expect(wgm_json_get_obfs_key(j, "name", key, err, sizeof(err)), err,
	       "name: not 32 base64url characters (or a base64 32-byte key)");
	/* err may be NULL. */
	assert_int_equal(wgm_json_get_int(j, "absent", 0, 9, &n, NULL, 0), -EINVAL);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_are_read),
		cmocka_unit_test(test_errors_name_the_field_and_why),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
