/* The replay cache refuses a request seen before also after a restart (its
 * JSON form) and after either clock steps: nonces are forgotten by the
 * caller's own mark, and a request older than that mark is refused. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "common/api/replay_cache.h"

#define T0 1700000000
#define SKEW 60

static const uint8_t pk_a[WGM_API_KEY_LEN] = { 0xa }, pk_b[WGM_API_KEY_LEN] = { 0xb };
static const uint8_t n1[WGM_API_NONCE_LEN] = { 1 }, n2[WGM_API_NONCE_LEN] = { 2 }, n3[WGM_API_NONCE_LEN] = { 3 };

static void test_replay_refused_after_restart(void **state)
{
	struct wgm_replay_cache *before = wgm_replay_cache_new(16, SKEW), *after = wgm_replay_cache_new(16, SKEW);
	char err[128];
	json_t *json;

	(void)state;
	assert_int_equal(wgm_replay_cache_add(before, pk_a, n1, T0, T0), 0);
	json = wgm_replay_cache_to_json(before);
	assert_non_null(json);
	assert_int_equal(wgm_replay_cache_from_json(after, json, err, sizeof(err)), 0);
	assert_true(wgm_replay_cache_seen(after, pk_a, n1));
	assert_int_equal(wgm_replay_cache_add(after, pk_a, n1, T0, T0 + 5), -EALREADY);
	assert_int_equal(wgm_replay_cache_add(after, pk_a, n2, T0 + 5, T0 + 5), 0);
	json_decref(json);
	wgm_replay_cache_free(before);
	wgm_replay_cache_free(after);
}

static void test_clock_steps_do_not_let_a_replay_in(void **state)
{
	struct wgm_replay_cache *c = wgm_replay_cache_new(16, SKEW);

	(void)state;
	assert_int_equal(wgm_replay_cache_add(c, pk_a, n1, T0, T0), 0);
	/* This node's clock jumps ahead an hour, others call; A's nonce stays. */
	assert_int_equal(wgm_replay_cache_add(c, pk_b, n1, T0 + 3600, T0 + 3600), 0);
	assert_true(wgm_replay_cache_seen(c, pk_a, n1));
	/* ...and back: A's old request is still a replay. */
	assert_int_equal(wgm_replay_cache_add(c, pk_a, n1, T0, T0 + 5), -EALREADY);
	/* Once A has called much later, its old nonces go, and the mark refuses them. */
	assert_int_equal(wgm_replay_cache_add(c, pk_a, n2, T0 + 600, T0 + 600), 0);
	assert_false(wgm_replay_cache_seen(c, pk_a, n1));
	assert_int_equal(wgm_replay_cache_add(c, pk_a, n1, T0, T0), -ESTALE);
	wgm_replay_cache_free(c);
}

static void test_out_of_order_calls_within_skew_pass(void **state)
{
	struct wgm_replay_cache *c = wgm_replay_cache_new(16, SKEW);

	(void)state;
	assert_int_equal(wgm_replay_cache_add(c, pk_a, n1, T0 + 30, T0 + 30), 0);
	assert_int_equal(wgm_replay_cache_add(c, pk_a, n2, T0, T0 + 30), 0);
	assert_int_equal(wgm_replay_cache_add(c, pk_a, n3, T0 + 30 - SKEW - 1, T0 + 30), -ESTALE);
	wgm_replay_cache_free(c);
}

static void test_bad_file_refused_and_cache_left_empty(void **state)
{
	struct wgm_replay_cache *c = wgm_replay_cache_new(16, SKEW);
	json_t *json = json_loads("{\"version\":1,\"marks\":[],\"seen\":[{\"pk\":\"x\",\"nonce\":\"y\",\"ts\":1}]}", 0,
				  NULL);
	char err[128];

	(void)state;
	assert_int_equal(wgm_replay_cache_add(c, pk_a, n1, T0, T0), 0);
	assert_int_equal(wgm_replay_cache_from_json(c, json, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "replay cache: seen[0] is not a valid entry");
	assert_int_equal(wgm_replay_cache_count(c), 0);
	json_decref(json);
	json = json_loads("{\"version\":2,\"marks\":[],\"seen\":[]}", 0, NULL);
	assert_int_equal(wgm_replay_cache_from_json(c, json, err, sizeof(err)), -EINVAL);
	json_decref(json);
	wgm_replay_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_refused_after_restart),
		cmocka_unit_test(test_clock_steps_do_not_let_a_replay_in),
		cmocka_unit_test(test_out_of_order_calls_within_skew_pass),
		cmocka_unit_test(test_bad_file_refused_and_cache_left_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
