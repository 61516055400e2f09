#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <curses.h>
#include <cmocka.h>

#include "tui/console/console.h"
#include "tui/console/keys.h"

static void test_lookup_finds_bound_keys_only(void **state)
{
	assert_string_equal(keys_lookup('q')->action, "quit");
	assert_string_equal(keys_lookup(KEY_DOWN)->action, "down");
	assert_string_equal(keys_lookup('j')->action, "down");
	assert_string_equal(keys_lookup('C')->action, "cost");
	assert_null(keys_lookup('Z'));
}

static void test_no_key_is_bound_twice(void **state)
{
	for (size_t i = 0; i < keys_table_len; i++)
		for (size_t j = i + 1; j < keys_table_len; j++)
			assert_int_not_equal(keys_table[i].key, keys_table[j].key);
}

static void test_help_has_one_line_per_action_with_all_its_keys(void **state)
{
	char lines[64][96];
	size_t n = keys_help_lines(lines, 64);
	size_t actions = 0;
	for (size_t i = 0; i < keys_table_len; i++) {
		bool first = true;
		for (size_t j = 0; j < i; j++)
			first &= strcmp(keys_table[j].action, keys_table[i].action) != 0;
		actions += first;
	}
	assert_int_equal(n, actions);
	bool found_down = false, found_quit = false;
	for (size_t i = 0; i < n; i++) {
		found_down |= strncmp(lines[i], "Down j ", 7) == 0;
		found_quit |= strcmp(lines[i], "q         quit") == 0;
		assert_true(strlen(lines[i]) <= 35);
	}
	assert_true(found_down);
	assert_true(found_quit);
}

static void test_every_action_has_help_on_its_first_binding(void **state)
{
	for (size_t i = 0; i < keys_table_len; i++) {
		bool first = true;
		for (size_t j = 0; j < i; j++)
			first &= strcmp(keys_table[j].action, keys_table[i].action) != 0;
		if (first)
			assert_non_null(keys_table[i].help);
	}
}

static void test_every_bound_action_exists_in_the_console(void **state)
{
	for (size_t i = 0; i < keys_table_len; i++) {
		if (!console_action_find(keys_table[i].action))
			fail_msg("key %s names action '%s', which the console lacks", keys_table[i].label,
				 keys_table[i].action);
	}
	assert_null(console_action_find("no_such_action"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup_finds_bound_keys_only),
		cmocka_unit_test(test_no_key_is_bound_twice),
		cmocka_unit_test(test_help_has_one_line_per_action_with_all_its_keys),
		cmocka_unit_test(test_every_action_has_help_on_its_first_binding),
		cmocka_unit_test(test_every_bound_action_exists_in_the_console),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
