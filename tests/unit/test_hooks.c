/* The pure parts of event hooks: the environment made from an event, which
 * files may run, the queue and its cap, when an outcome is logged. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/hooks/hook_env.h"
#include "daemon/hooks/hook_policy.h"

static void test_env_link_state(void **state)
{
	json_t *ev = json_pack("{s:s, s:f, s:s, s:s, s:i, s:{s:s}, s:b, s:n}", "event", "link_state", "ts", 1.5, "name",
			       "pipe2", "state", "down", "remote_id", 2, "link", "name", "pipe2", "up", 0, "previous");
	char **env;

	(void)state;
	env = hook_env_build(ev, 7);
	assert_non_null(env);
	assert_string_equal(hook_env_get(env, "WGMESH_EVENT"), "link_state");
	assert_string_equal(hook_env_get(env, "WGMESH_LINK"), "pipe2");
	assert_string_equal(hook_env_get(env, "WGMESH_NAME"), "pipe2");
	assert_string_equal(hook_env_get(env, "WGMESH_NODE"), "2");
	assert_string_equal(hook_env_get(env, "WGMESH_REMOTE_ID"), "2");
	assert_string_equal(hook_env_get(env, "WGMESH_STATE"), "down");
	assert_string_equal(hook_env_get(env, "WGMESH_SELF"), "7");
	assert_string_equal(hook_env_get(env, "WGMESH_TS"), "1.500");
	assert_string_equal(hook_env_get(env, "WGMESH_UP"), "false");
	assert_string_equal(hook_env_get(env, "WGMESH_PREVIOUS"), "");
	assert_string_equal(hook_env_get(env, "PATH"), HOOK_ENV_PATH + 5);
	/* Objects only in the JSON, which holds all of the event. */
	assert_null(hook_env_get(env, "WGMESH_LINK_NAME"));
	{
		json_t *back = json_loads(hook_env_get(env, "WGMESH_EVENT_JSON"), 0, NULL);
		assert_non_null(back);
		assert_true(json_equal(back, ev));
		json_decref(back);
	}
	hook_env_free(env);
	json_decref(ev);
}

static void test_env_link_from_object(void **state)
{
	json_t *ev = json_pack("{s:s, s:{s:s, s:i}}", "event", "link_added", "link", "name", "pipe4", "remote_id", 4);
	char **env = hook_env_build(ev, 0);

	(void)state;
	assert_non_null(env);
	assert_string_equal(hook_env_get(env, "WGMESH_LINK"), "pipe4");
	assert_string_equal(hook_env_get(env, "WGMESH_NODE"), "4");
	assert_null(hook_env_get(env, "WGMESH_NAME"));
	hook_env_free(env);
	json_decref(ev);
}

static void test_env_odd_keys_and_values(void **state)
{
	char big[HOOK_ENV_VALUE_MAX + 2];
	json_t *ev;
	char **env;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ev = json_pack("{s:s, s:s, s:s, s:s%}", "event", "bird", "detail-text", "a=b c", "huge", big, "nul", "a\0b",
		       (size_t)3);
	env = hook_env_build(ev, 1);
	assert_non_null(env);
	assert_string_equal(hook_env_get(env, "WGMESH_DETAIL_TEXT"), "a=b c");
	/* Too long for the environment, or cut short by a NUL: left out. */
	assert_null(hook_env_get(env, "WGMESH_HUGE"));
	assert_null(hook_env_get(env, "WGMESH_NUL"));
	assert_null(hook_env_get(env, "WGMESH_EVENT_JSON"));
	hook_env_free(env);
	json_decref(ev);
	assert_null(hook_env_build(json_null(), 1));
}

static void test_names(void **state)
{
	char longname[HOOK_NAME_MAX + 1];

	(void)state;
	assert_true(hook_name_ok("10-log"));
	assert_true(hook_name_ok("notify.sh"));
	assert_false(hook_name_ok(""));
	assert_false(hook_name_ok(".hidden"));
	assert_false(hook_name_ok("10-log~"));
	assert_false(hook_name_ok("10-log.dpkg-old"));
	assert_false(hook_name_ok("10-log.dpkg-dist"));
	assert_false(hook_name_ok("10-log.ucf-new"));
	assert_false(hook_name_ok("10-log.rpmnew"));
	assert_false(hook_name_ok(".10-log.swp"));
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_false(hook_name_ok(longname));
}

static void test_file_rules(void **state)
{
	struct stat st = { .st_mode = S_IFREG | 0755, .st_uid = 0 };

	(void)state;
	assert_int_equal(hook_file_check(&st, 1000), HOOK_FILE_OK);
	st.st_uid = 1000;
	assert_int_equal(hook_file_check(&st, 1000), HOOK_FILE_OK);
	assert_int_equal(hook_file_check(&st, 0), HOOK_FILE_BAD_OWNER);
	st.st_uid = 0;
	st.st_mode = S_IFREG | 0775;
	assert_int_equal(hook_file_check(&st, 0), HOOK_FILE_WRITABLE);
	st.st_mode = S_IFREG | 0757;
	assert_int_equal(hook_file_check(&st, 0), HOOK_FILE_WRITABLE);
	st.st_mode = S_IFREG | 0644;
	assert_int_equal(hook_file_check(&st, 0), HOOK_FILE_NOT_EXECUTABLE);
	st.st_mode = S_IFDIR | 0755;
	assert_int_equal(hook_file_check(&st, 0), HOOK_FILE_NOT_REGULAR);
	assert_int_equal(hook_dir_check(&st, 0), HOOK_FILE_OK);
	st.st_mode = S_IFDIR | 01777;
	assert_int_equal(hook_dir_check(&st, 0), HOOK_FILE_WRITABLE);
	st.st_mode = S_IFREG | 0755;
	assert_int_equal(hook_dir_check(&st, 0), HOOK_FILE_NOT_REGULAR);
	assert_string_equal(hook_file_reason(HOOK_FILE_WRITABLE), "writable by group or others");
}

static const char *busy_name;

static bool busy(const char *name, void *ctx)
{
	(void)ctx;
	return busy_name && strcmp(name, busy_name) == 0;
}

static void test_queue_order_busy_and_cap(void **state)
{
	static struct hook_queue q;
	json_t *down = json_pack("{s:s}", "state", "down"), *up = json_pack("{s:s}", "state", "up");
	struct hook_job job;

	(void)state;
	assert_int_equal(hook_queue_push(&q, "10-a", down), 0);
	assert_int_equal(hook_queue_push(&q, "20-b", down), 0);
	assert_int_equal(hook_queue_push(&q, "10-a", up), 0);
	/* 10-a runs: its next event waits, 20-b overtakes it. */
	busy_name = "10-a";
	assert_true(hook_queue_pop(&q, busy, NULL, &job));
	assert_string_equal(job.name, "20-b");
	json_decref(job.event);
	assert_false(hook_queue_pop(&q, busy, NULL, &job));
	busy_name = NULL;
	assert_true(hook_queue_pop(&q, busy, NULL, &job));
	assert_string_equal(job.name, "10-a");
	assert_ptr_equal(job.event, down);
	json_decref(job.event);
	assert_true(hook_queue_pop(&q, busy, NULL, &job));
	assert_ptr_equal(job.event, up);
	json_decref(job.event);
	assert_false(hook_queue_pop(&q, busy, NULL, &job));

	for (int i = 0; i < HOOK_QUEUE_MAX; i++)
		assert_int_equal(hook_queue_push(&q, "10-a", up), 0);
	assert_int_equal(hook_queue_push(&q, "10-a", up), -ENOSPC);
	assert_int_equal(hook_queue_push(&q, "20-b", up), -ENOSPC);
	assert_int_equal(hook_queue_take_dropped(&q), 2);
	assert_int_equal(hook_queue_take_dropped(&q), 0);
	hook_queue_clear(&q);
	assert_int_equal(q.count, 0);
	/* Every reference the queue took is given back. */
	assert_int_equal(up->refcount, 1);
	assert_int_equal(down->refcount, 1);
	json_decref(down);
	json_decref(up);
}

static void test_failures_logged_once(void **state)
{
	enum hook_outcome last = HOOK_OK;

	(void)state;
	assert_false(hook_outcome_should_log(&last, HOOK_OK));
	assert_true(hook_outcome_should_log(&last, HOOK_EXIT_STATUS));
	assert_false(hook_outcome_should_log(&last, HOOK_EXIT_STATUS));
	assert_true(hook_outcome_should_log(&last, HOOK_TIMED_OUT));
	assert_false(hook_outcome_should_log(&last, HOOK_TIMED_OUT));
	assert_true(hook_outcome_should_log(&last, HOOK_OK));
	assert_false(hook_outcome_should_log(&last, HOOK_OK));
	assert_true(hook_outcome_should_log(&last, HOOK_TIMED_OUT));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_env_link_state),
		cmocka_unit_test(test_env_link_from_object),
		cmocka_unit_test(test_env_odd_keys_and_values),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_file_rules),
		cmocka_unit_test(test_queue_order_busy_and_cap),
		cmocka_unit_test(test_failures_logged_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
