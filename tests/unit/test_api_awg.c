/* Per-link parameters of the obfuscated link types on the node API: the
 * obfuscation key's text form (new and legacy), the AmneziaWG parameters in
 * a /connect reply, and the link type a join picks. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>

#include "common/api/api_awg.h"
#include "common/api/api_msg.h"
#include "common/api/obfs_key.h"

static void test_new_keys_are_32_base64url_characters(void **state)
{
	uint8_t a[WGM_OBFS_KEY_LEN], b[WGM_OBFS_KEY_LEN];
	char text[WGM_OBFS_KEY_TEXT_MAX];

	assert_int_equal(wgm_obfs_key_generate(a), 0);
	assert_int_equal(wgm_obfs_key_generate(b), 0);
	assert_memory_not_equal(a, b, sizeof(a));
	wgm_obfs_key_to_text(a, text);
	assert_int_equal(strlen(text), 32);
	assert_int_equal(strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), 32);
	/* The key bytes are the very characters an iptables command line takes. */
	assert_memory_equal(text, a, 32);
	assert_int_equal(wgm_obfs_key_from_text(text, b), 0);
	assert_memory_equal(a, b, sizeof(a));
}

static void test_legacy_raw_keys_read_and_write_back_unchanged(void **state)
{
	uint8_t raw[WGM_OBFS_KEY_LEN], back[WGM_OBFS_KEY_LEN];
	char text[WGM_OBFS_KEY_TEXT_MAX];

	for (size_t i = 0; i < sizeof(raw); i++)
		raw[i] = (uint8_t)(i * 37 + 1);
	wgm_obfs_key_to_text(raw, text);
	assert_int_equal(strlen(text), 44);
	assert_int_equal(wgm_obfs_key_from_text(text, back), 0);
	assert_memory_equal(raw, back, sizeof(raw));
}

static void test_bad_key_texts_are_refused_and_leave_nothing(void **state)
{
	uint8_t key[WGM_OBFS_KEY_LEN];
	const char *bad[] = { "", "short", "abcdefghijklmnopqrstuvwxyz01234+", "abcdefghijklmnopqrstuvwxyz012345X",
			      "abcdefghijklmnopqrstuvwxyz0123 5" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(key, 0xaa, sizeof(key));
		assert_int_equal(wgm_obfs_key_from_text(bad[i], key), -EINVAL);
		for (size_t k = 0; k < sizeof(key); k++)
			assert_int_equal(key[k], 0);
	}
	assert_int_equal(wgm_obfs_key_from_text(NULL, key), -EINVAL);
}

static void sample_awg(struct wgm_awg_params *p)
{
	memset(p, 0, sizeof(*p));
	p->version = 2;
	p->jc = 4;
	p->jmin = 40;
	p->jmax = 70;
	p->s1 = 15;
	p->s2 = 20;
	p->s3 = 18;
	p->s4 = 8;
	p->h[0] = (struct wgm_awg_range){ 100000, 100999 };
	p->h[1] = (struct wgm_awg_range){ 200000, 200000 };
	p->h[2] = (struct wgm_awg_range){ 300000, 300999 };
	p->h[3] = (struct wgm_awg_range){ 400000, 4000000000u };
}

static void test_awg_params_round_trip_in_amneziawg_tools_syntax(void **state)
{
	struct wgm_awg_params a, b;
	char err[200];
	json_t *j;

	sample_awg(&a);
	j = wgm_awg_params_to_json(&a);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "h1")), "100000-100999");
	assert_int_equal(json_integer_value(json_object_get(j, "h2")), 200000);
	assert_int_equal(wgm_awg_params_from_json(j, &b, err, sizeof(err)), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	json_decref(j);
}

static void expect_awg_error(const char *field, json_t *value, const char *reason)
{
	struct wgm_awg_params a, b;
	char err[200] = "";
	json_t *j;

	sample_awg(&a);
	j = wgm_awg_params_to_json(&a);
	if (value)
		json_object_set_new(j, field, value);
	else
		json_object_del(j, field);
	assert_int_equal(wgm_awg_params_from_json(j, &b, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, reason);
	for (size_t i = 0; i < sizeof(b); i++)
		assert_int_equal(((uint8_t *)&b)[i], 0);
	json_decref(j);
}

static void test_bad_awg_fields_are_named(void **state)
{
	const char *h = "not a 32-bit number or a range \"LO-HI\" with LO <= HI";
	char line[200];

	expect_awg_error("jc", NULL, "awg.jc: missing");
	expect_awg_error("s1", json_string("15"), "awg.s1: not an integer");
	expect_awg_error("jmax", json_integer(70000), "awg.jmax: 70000 is out of range (0-65535)");
	snprintf(line, sizeof(line), "awg.h1: %s", h);
	expect_awg_error("h1", json_string("5-3"), line);
	expect_awg_error("h1", json_string("5-"), line);
	expect_awg_error("h1", json_string("-5"), line);
	expect_awg_error("h1", json_string("4294967296"), line);
	expect_awg_error("h1", json_integer(-1), line);
	expect_awg_error("h1", json_true(), line);
	/* Rules beyond the shape are wgm_awg_params_check's; a message names the field. */
	{
		struct wgm_awg_params a, b;
		char err[200];
		json_t *j;

		sample_awg(&a);
		a.h[1] = a.h[0];
		j = wgm_awg_params_to_json(&a);
		assert_int_equal(wgm_awg_params_from_json(j, &b, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "awg"));
		assert_non_null(strstr(err, "h2"));
		json_decref(j);
	}
}

static void test_random_params_pass_the_check_for_both_versions(void **state)
{
	for (unsigned version = 1; version <= 2; version++) {
		for (int i = 0; i < 200; i++) {
			struct wgm_awg_params p;
			char err[200] = "";

			wgm_awg_params_random(version, &p, NULL);
			assert_int_equal(p.version, version);
			if (wgm_awg_params_check(&p, err, sizeof(err)) != 0)
				fail_msg("random params refused: %s", err);
		}
	}
}

static void test_connect_reply_carries_awg_exactly_for_amneziawg(void **state)
{
	struct wgm_awg_params a, b;
	bool present;
	char err[200];
	json_t *reply = json_object();

	sample_awg(&a);
	assert_int_equal(wgm_msg_connect_reply_get_awg(reply, WGM_LINK_AMNEZIAWG, &b, &present, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "awg: missing for an amneziawg link");
	assert_int_equal(wgm_msg_connect_reply_get_awg(reply, WGM_LINK_IPT_XOR, &b, &present, err, sizeof(err)), 0);
	assert_false(present);
	assert_int_equal(wgm_msg_connect_reply_put_awg(reply, &a), 0);
	assert_int_equal(wgm_msg_connect_reply_get_awg(reply, WGM_LINK_AMNEZIAWG, &b, &present, err, sizeof(err)), 0);
	assert_true(present);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_int_equal(wgm_msg_connect_reply_get_awg(reply, WGM_LINK_DEFAULT, &b, &present, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "awg: given for a default link");
	json_object_set_new(reply, "awg", json_string("x"));
	assert_int_equal(wgm_msg_connect_reply_get_awg(reply, WGM_LINK_AMNEZIAWG, &b, &present, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "awg: not a JSON object");
	json_decref(reply);
}

static void test_link_type_choice_falls_back_to_default(void **state)
{
	uint32_t all = 0xf, only_default = WGM_LINK_TYPE_BIT(WGM_LINK_DEFAULT);
	uint32_t xor_too = only_default | WGM_LINK_TYPE_BIT(WGM_LINK_IPT_XOR);
	char line[160];

	assert_int_equal(wgm_link_type_choose(WGM_LINK_IPT_XOR, all, xor_too), WGM_LINK_IPT_XOR);
	assert_int_equal(wgm_link_type_choose(WGM_LINK_IPT_XOR, only_default, all), WGM_LINK_DEFAULT);
	assert_int_equal(wgm_link_type_choose(WGM_LINK_WGOBFS, all, xor_too), WGM_LINK_DEFAULT);
	assert_int_equal(wgm_link_type_choose(WGM_LINK_TYPE_COUNT, all, all), WGM_LINK_DEFAULT);
	wgm_link_type_refusal(0, WGM_LINK_WGOBFS, line, sizeof(line));
	assert_string_equal(line,
			    "node 0 does not accept link type wgobfs (enable it there with: wgmesh enable wgobfs)");
}

static void test_update_carries_a_text_key_verbatim(void **state)
{
	struct wgm_msg_update_req u = { .link = { .caller_id = 2 }, .has_obfs_key = true }, back;
	char err[200];
	json_t *j;

	assert_int_equal(wgm_obfs_key_generate(u.obfs_key), 0);
	j = wgm_msg_update_req_encode(&u);
	assert_non_null(j);
	assert_memory_equal(json_string_value(json_object_get(j, "obfs_key")), u.obfs_key, 32);
	assert_int_equal(wgm_msg_update_req_decode(j, &back, err, sizeof(err)), 0);
	assert_memory_equal(back.obfs_key, u.obfs_key, 32);
	json_decref(j);
}

static void test_update_confirms_a_key_only_with_it(void **state)
{
	struct wgm_msg_update_req u = { .link = { .caller_id = 2 },
					.has_obfs_key = true,
					.obfs_key_settled = true,
					.has_cost = true,
					.cost = 0 },
				  back;
	char err[200];
	json_t *j;

	assert_int_equal(wgm_obfs_key_generate(u.obfs_key), 0);
	j = wgm_msg_update_req_encode(&u);
	assert_non_null(j);
	assert_true(json_is_true(json_object_get(j, "obfs_key_settled")));
	assert_int_equal(wgm_msg_update_req_decode(j, &back, err, sizeof(err)), 0);
	assert_true(back.obfs_key_settled);
	assert_true(back.has_cost);
	json_object_del(j, "obfs_key");
	assert_int_equal(wgm_msg_update_req_decode(j, &back, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "obfs_key_settled: needs the obfs_key it confirms");
	json_object_set_new(j, "obfs_key_settled", json_string("yes"));
	assert_int_equal(wgm_msg_update_req_decode(j, &back, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "obfs_key_settled: not true or false");
	json_decref(j);
	/* The encoder refuses a confirmation without its key. */
	u.has_obfs_key = false;
	assert_null(wgm_msg_update_req_encode(&u));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_keys_are_32_base64url_characters),
		cmocka_unit_test(test_legacy_raw_keys_read_and_write_back_unchanged),
		cmocka_unit_test(test_bad_key_texts_are_refused_and_leave_nothing),
		cmocka_unit_test(test_awg_params_round_trip_in_amneziawg_tools_syntax),
		cmocka_unit_test(test_bad_awg_fields_are_named),
		cmocka_unit_test(test_random_params_pass_the_check_for_both_versions),
		cmocka_unit_test(test_connect_reply_carries_awg_exactly_for_amneziawg),
		cmocka_unit_test(test_link_type_choice_falls_back_to_default),
		cmocka_unit_test(test_update_carries_a_text_key_verbatim),
		cmocka_unit_test(test_update_confirms_a_key_only_with_it),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
