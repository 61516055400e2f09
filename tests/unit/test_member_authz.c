/* Member calls act only on the caller's own links (daemon/api/member_authz.h):
 * the link's recorded API key decides, never the ID the caller names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/api/member_authz.h"

static struct link_record rec_of(const char *name, unsigned remote_id, uint8_t key_byte, bool has_key)
{
	struct link_record r;

	memset(&r, 0, sizeof(r));
	snprintf(r.name, sizeof(r.name), "%s", name);
	r.remote_id = remote_id;
	r.has_remote_api_pk = has_key;
	memset(r.remote_api_pk, key_byte, sizeof(r.remote_api_pk));
	return r;
}

static void test_own_link_allowed_another_nodes_refused(void **state)
{
	struct link_record r = rec_of("pipe4", 4, 0x44, true);
	uint8_t node4[LINK_KEY_LEN], node6[LINK_KEY_LEN];
	char err[256];

	(void)state;
	memset(node4, 0x44, sizeof(node4));
	memset(node6, 0x66, sizeof(node6));
	assert_true(member_authz_is_remote(&r, node4));
	assert_int_equal(member_authz_link(&r, node4, err, sizeof(err)), 0);
	assert_false(member_authz_is_remote(&r, node6));
	assert_int_equal(member_authz_link(&r, node6, err, sizeof(err)), 403);
	assert_string_equal(err, "link pipe4 belongs to node 4; the caller is not that node (its API key differs)");
}

static void test_link_without_key_matches_nobody(void **state)
{
	struct link_record r = rec_of("pipe4", 4, 0, false);
	uint8_t zero[LINK_KEY_LEN] = { 0 };
	char err[256];

	(void)state;
	assert_false(member_authz_is_remote(&r, zero));
	assert_int_equal(member_authz_link(&r, zero, err, sizeof(err)), 403);
	assert_non_null(strstr(err, "no recorded API key"));
}

static void test_known_id_with_another_key_refused(void **state)
{
	struct link_record v4 = rec_of("pipe4", 4, 0x44, true);
	struct link_record v6 = rec_of("pipe4v6", 4, 0x44, true);
	const struct link_record *both[] = { &v4, &v6 };
	const struct link_record *none[] = { NULL, NULL };
	uint8_t node4[LINK_KEY_LEN], other[LINK_KEY_LEN];
	char err[256];

	(void)state;
	memset(node4, 0x44, sizeof(node4));
	memset(other, 0x99, sizeof(other));
	assert_int_equal(member_authz_claimed_id(4, both, 2, node4, err, sizeof(err)), 0);
	assert_int_equal(member_authz_claimed_id(4, both, 2, other, err, sizeof(err)), 403);
	assert_string_equal(err, "caller_id: node 4 is known here (link pipe4) with another API key");
	/* An ID with no link here is not bound to any key (yet). */
	assert_int_equal(member_authz_claimed_id(4, none, 2, other, err, sizeof(err)), 0);
	/* Records of other IDs say nothing about this one. */
	assert_int_equal(member_authz_claimed_id(6, both, 2, other, err, sizeof(err)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_own_link_allowed_another_nodes_refused),
		cmocka_unit_test(test_link_without_key_matches_nobody),
		cmocka_unit_test(test_known_id_with_another_key_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
